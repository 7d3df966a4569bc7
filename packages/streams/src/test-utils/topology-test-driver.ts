import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Header } from '../header/headers.ts'
import { Headers } from '../header/headers.ts'
import { toMillis, type Duration } from '../kstream/duration.ts'
import type { StateStore } from '../processor/api/processor.ts'
import { MeteredKeyValueStore } from '../state/internals/metered-key-value-store.ts'
import { MeteredWindowStore } from '../state/internals/metered-window-store.ts'
import { MeteredSessionStore } from '../state/internals/metered-session-store.ts'
import type { SessionStore } from '../state/session-store.ts'
import { MeteredVersionedKeyValueStore } from '../state/internals/versioned-store.ts'
import type { VersionedKeyValueStore } from '../state/versioned-key-value-store.ts'
import { PullIterator, type KeyValueIterator } from '../state/key-value-iterator.ts'
import type { KeyValueStore, TimestampedKeyValueStore } from '../state/key-value-store.ts'
import type { ValueAndTimestamp } from '../state/value-and-timestamp.ts'
import type { ReadOnlyWindowStore, TimestampedWindowStore, WindowStore } from '../state/window-store.ts'
import type { RecordCollector } from '../processor/internals/record-collector.ts'
import { buildProcessorTopology, StreamTask } from '../processor/internals/stream-task.ts'
import { TaskId } from '../processor/task-id.ts'
import type { Deserializer, Serde, Serializer } from '../serde/serde.ts'
import { resolveConfig, type StreamsConfig, type StreamsConfigInput } from '../streams-config.ts'
import type { Topology } from '../topology.ts'
import type { KafkaStreamsMetrics } from '../kafka-streams.ts'
import { TestInputTopic } from './test-input-topic.ts'
import { TestOutputTopic, type CapturedRecord } from './test-output-topic.ts'
import type { TestRecord } from './test-record.ts'

/**
 * Runs a topology without Kafka (Kafka `TopologyTestDriver`), through the same task, processor and
 * record-queue code the runtime uses. The whole topology runs as one task on partition 0 of every input
 * topic. Everything piped in is processed before `pipeInput` returns; records written to a topic the
 * topology reads (repartition topics, `through`) are fed back in, as Kafka would deliver them. Wall-clock
 * time is mocked and only moves with `advanceWallClockTime`.
 */
export class TopologyTestDriver {
  readonly #config: StreamsConfig
  readonly #task: StreamTask
  readonly #outputs = new Map<string, CapturedRecord[]>()
  readonly #pending: CapturedRecord[] = []
  readonly #offsets = new Map<string, number>()
  #wallClock: number
  readonly #stateDir: string
  #globalTask: StreamTask | undefined
  #closed = false
  #processed = 0

  constructor(topology: Topology, config: StreamsConfigInput = {}, initialWallClockTime: number | Date = Date.now()) {
    this.#stateDir = mkdtempSync(join(tmpdir(), 'kstreams-test-driver-'))
    this.#config = resolveConfig(
      {
        bootstrapServers: 'dummy:1234',
        stateDir: this.#stateDir,
        // as Kafka's driver: emit-final and outer-join results are not held back by wall-clock time
        '__emit.interval.ms.kstreams.windowed.aggregation__': 0,
        '__emit.interval.ms.kstreams.outer.join.spurious.results.fix__': 0,
        ...config,
      },
      { applicationId: 'test' },
    )
    this.#wallClock = initialWallClockTime instanceof Date ? initialWallClockTime.getTime() : initialWallClockTime
    const builder = topology.internalTopologyBuilder
    builder.applicationId = this.#config.applicationId
    const globalNodes = builder.globalNodeNames()
    const nodes = new Set([...builder.nodeFactories.keys()].filter((name) => !globalNodes.has(name)))
    const processorTopology = buildProcessorTopology(builder, nodes)
    const collector: RecordCollector = {
      send: (topic, key, value, headers, timestamp) => {
        this.#pending.push({ topic, key, value, headers: headers.toArray(), timestamp })
      },
      partitionsFor: (_topic, partitioner) => partitioner(1),
    }
    if (globalNodes.size > 0) {
      // global stores are filled by their own task, as Kafka's global thread does, and read by every processor
      this.#globalTask = new StreamTask(
        new TaskId(-1, -1),
        buildProcessorTopology(builder, globalNodes),
        this.#config,
        collector,
        () => this.#wallClock,
      )
      this.#globalTask.initialize()
    }
    this.#task = new StreamTask(
      new TaskId(0, 0),
      processorTopology,
      this.#config,
      collector,
      () => this.#wallClock,
      this.#globalTask?.topology.stores,
    )
    this.#task.initialize()
    this.#completeAllProcessableWork()
  }

  createInputTopic<K, V>(
    topic: string,
    keySerializer: Serializer<K> | Serde<K>,
    valueSerializer: Serializer<V> | Serde<V>,
    startTimestamp: number | Date = this.#wallClock,
    autoAdvance: Duration | number = 0,
  ): TestInputTopic<K, V> {
    const start = startTimestamp instanceof Date ? startTimestamp.getTime() : startTimestamp
    return new TestInputTopic(
      topic,
      this,
      serializerOf(keySerializer),
      serializerOf(valueSerializer),
      start,
      toMillis(autoAdvance, 'autoAdvance'),
    )
  }

  createOutputTopic<K, V>(
    topic: string,
    keyDeserializer: Deserializer<K> | Serde<K>,
    valueDeserializer: Deserializer<V> | Serde<V>,
  ): TestOutputTopic<K, V> {
    const key = 'deserializer' in keyDeserializer ? keyDeserializer.deserializer() : keyDeserializer
    const value = 'deserializer' in valueDeserializer ? valueDeserializer.deserializer() : valueDeserializer
    return new TestOutputTopic(topic, this, key, value)
  }

  /** @internal called by TestInputTopic */
  pipeRecord(
    topic: string,
    record: TestRecord<unknown, unknown>,
    keySerializer: Serializer<unknown>,
    valueSerializer: Serializer<unknown>,
    timestamp: number,
  ): void {
    this.#checkOpen()
    const headers = record.headers
    const key = keySerializer.serialize(topic, record.key, headers)
    const value = valueSerializer.serialize(topic, record.value, headers)
    if (this.#globalTask?.sourceFor(topic)) {
      const offset = this.#offsets.get(topic) ?? 0
      this.#offsets.set(topic, offset + 1)
      const globalTask = this.#globalTask
      this.#keepingOutputs(() => {
        globalTask.addRecords(topic, 0, [
          { topic, partition: 0, offset, timestamp, key, value, headers: new Headers(headers.toArray()) },
        ])
        while (globalTask.process()) {
          /* a global update is applied at once */
        }
        globalTask.flush()
        this.#captureOutputs()
      })
      return
    }
    if (!this.#task.sourceFor(topic)) {
      throw new Error(
        `Unknown topic: ${topic}. The topology reads ${[...this.#task.topology.sourcesByTopic.keys()].join(', ') || 'no named topics'}`,
      )
    }
    this.#keepingOutputs(() => {
      this.#enqueue(topic, key, value, headers.toArray(), timestamp)
      this.#completeAllProcessableWork()
    })
  }

  /** @internal called by TestOutputTopic */
  readOutput(topic: string): CapturedRecord | undefined {
    return this.#outputs.get(topic)?.shift()
  }

  /** @internal called by TestOutputTopic */
  queueSize(topic: string): number {
    return this.#outputs.get(topic)?.length ?? 0
  }

  /** Moves the mocked wall clock, firing due wall-clock punctuations. */
  advanceWallClockTime(advance: Duration | number): void {
    this.#checkOpen()
    this.#wallClock += toMillis(advance, 'advance')
    this.#keepingOutputs(() => {
      this.#task.maybePunctuateSystemTime()
      this.#task.flush()
      this.#completeAllProcessableWork()
    })
  }

  /** Records processed and dropped so far, as `KafkaStreams.metrics()` counts them. */
  metrics(): KafkaStreamsMetrics {
    return {
      processedRecordsTotal: this.#processed,
      droppedRecordsTotal: this.#task.context.droppedRecords + (this.#globalTask?.context.droppedRecords ?? 0),
    }
  }

  /** Names of every topic the topology has written to so far. */
  producedTopicNames(): Set<string> {
    return new Set(this.#outputs.keys())
  }

  getStateStore<S extends StateStore>(name: string): S | undefined {
    return (this.#task.topology.stores.get(name) ?? this.#globalTask?.topology.stores.get(name)) as S | undefined
  }

  /**
   * A key-value store by name; for a timestamped store (what the DSL creates) values are returned and
   * taken without their timestamp, as Kafka's driver does.
   */
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> | undefined {
    const store = this.getStateStore(name)
    if (!(store instanceof MeteredKeyValueStore)) return undefined
    return store.timestamped
      ? plainValues(store as MeteredKeyValueStore<K, ValueAndTimestamp<V>>)
      : (store as KeyValueStore<K, V>)
  }

  getTimestampedKeyValueStore<K, V>(name: string): TimestampedKeyValueStore<K, V> | undefined {
    const store = this.getStateStore(name)
    return store instanceof MeteredKeyValueStore && store.timestamped
      ? (store as TimestampedKeyValueStore<K, V>)
      : undefined
  }

  /** A window store by name; for a timestamped one, values without their timestamp. */
  getWindowStore<K, V>(name: string): ReadOnlyWindowStore<K, V> | undefined {
    const store = this.getStateStore(name)
    if (!(store instanceof MeteredWindowStore)) return undefined
    return store.timestamped
      ? plainWindowValues(store as MeteredWindowStore<K, ValueAndTimestamp<V>>)
      : (store as WindowStore<K, V>)
  }

  getTimestampedWindowStore<K, V>(name: string): TimestampedWindowStore<K, V> | undefined {
    const store = this.getStateStore(name)
    return store instanceof MeteredWindowStore && store.timestamped
      ? (store as TimestampedWindowStore<K, V>)
      : undefined
  }

  getSessionStore<K, V>(name: string): SessionStore<K, V> | undefined {
    const store = this.getStateStore(name)
    return store instanceof MeteredSessionStore ? (store as SessionStore<K, V>) : undefined
  }

  getVersionedKeyValueStore<K, V>(name: string): VersionedKeyValueStore<K, V> | undefined {
    const store = this.getStateStore(name)
    return store instanceof MeteredVersionedKeyValueStore ? (store as VersionedKeyValueStore<K, V>) : undefined
  }

  getAllStateStores(): Map<string, StateStore> {
    return new Map([...this.#task.topology.stores, ...(this.#globalTask?.topology.stores ?? [])])
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    try {
      this.#task.close()
      this.#globalTask?.close()
    } finally {
      rmSync(this.#stateDir, { recursive: true, force: true })
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('the TopologyTestDriver is closed')
  }

  #enqueue(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly Header[],
    timestamp: number,
  ): void {
    const offset = this.#offsets.get(topic) ?? 0
    this.#offsets.set(topic, offset + 1)
    this.#task.addRecords(topic, 0, [
      { topic, partition: 0, offset, timestamp, key, value, headers: new Headers(headers) },
    ])
  }

  #completeAllProcessableWork(): void {
    this.#captureOutputs()
    while (this.#task.hasRecordsQueued()) {
      if (this.#task.process()) this.#processed++
      this.#task.maybePunctuateStreamTime()
      // the driver commits after every record, as Kafka's does: caches flush and forward here
      this.#task.flush()
      this.#captureOutputs()
    }
  }

  /** Runs work that may fail; what was sent before the failure (dead-letter records above all) stays readable. */
  #keepingOutputs(work: () => void): void {
    try {
      work()
    } catch (error) {
      for (const record of this.#pending.splice(0)) this.#capture(record)
      throw error
    }
  }

  #captureOutputs(): void {
    while (this.#pending.length > 0) {
      const records = this.#pending.splice(0)
      for (const record of records) this.#capture(record)
      for (const record of records) {
        if (this.#task.sourceFor(record.topic))
          this.#enqueue(record.topic, record.key, record.value, record.headers, record.timestamp)
      }
    }
  }

  #capture(record: CapturedRecord): void {
    let queue = this.#outputs.get(record.topic)
    if (!queue) {
      queue = []
      this.#outputs.set(record.topic, queue)
    }
    queue.push(record)
  }
}

function serializerOf<T>(serde: Serializer<T> | Serde<T>): Serializer<T> {
  return 'serializer' in serde ? serde.serializer() : serde
}

function unwrap<K, V>(name: string, inner: KeyValueIterator<K, ValueAndTimestamp<V>>): KeyValueIterator<K, V> {
  return new PullIterator<K, V>(
    name,
    () => {
      if (!inner.hasNext()) return undefined
      const { key, value } = inner.next()
      return { key, value: value.value }
    },
    () => inner.close(),
  )
}

/** Kafka `KeyValueStoreFacade`: a timestamped store seen with plain values; puts get no timestamp (-1). */
function plainValues<K, V>(store: MeteredKeyValueStore<K, ValueAndTimestamp<V>>): KeyValueStore<K, V> {
  const wrap = (value: V | null): ValueAndTimestamp<V> | null => (value === null ? null : { value, timestamp: -1 })
  return {
    name: store.name,
    persistent: store.persistent,
    get: (key) => store.get(key)?.value ?? null,
    put: (key, value) => store.put(key, wrap(value)),
    putIfAbsent: (key, value) => store.putIfAbsent(key, wrap(value))?.value ?? null,
    putAll: (entries) => store.putAll(entries.map(({ key, value }) => ({ key, value: wrap(value) }))),
    delete: (key) => store.delete(key)?.value ?? null,
    range: (from, to) => unwrap(store.name, store.range(from, to)),
    reverseRange: (from, to) => unwrap(store.name, store.reverseRange(from, to)),
    all: () => unwrap(store.name, store.all()),
    reverseAll: () => unwrap(store.name, store.reverseAll()),
    prefixScan: (prefix, serializer) => unwrap(store.name, store.prefixScan(prefix, serializer)),
    approximateNumEntries: () => store.approximateNumEntries(),
    isOpen: () => store.isOpen(),
    flush: () => store.flush(),
    close: () => store.close(),
  }
}

/** Kafka `WindowStoreFacade`: a timestamped window store read with plain values. */
function plainWindowValues<K, V>(store: MeteredWindowStore<K, ValueAndTimestamp<V>>): ReadOnlyWindowStore<K, V> {
  return {
    fetch: (key, windowStart) => store.fetch(key, windowStart)?.value ?? null,
    fetchRange: (key, from, to) => unwrap(store.name, store.fetchRange(key, from, to)),
    backwardFetchRange: (key, from, to) => unwrap(store.name, store.backwardFetchRange(key, from, to)),
    fetchKeyRange: (keyFrom, keyTo, from, to) => unwrap(store.name, store.fetchKeyRange(keyFrom, keyTo, from, to)),
    backwardFetchKeyRange: (keyFrom, keyTo, from, to) =>
      unwrap(store.name, store.backwardFetchKeyRange(keyFrom, keyTo, from, to)),
    all: () => unwrap(store.name, store.all()),
    backwardAll: () => unwrap(store.name, store.backwardAll()),
    fetchAll: (from, to) => unwrap(store.name, store.fetchAll(from, to)),
    backwardFetchAll: (from, to) => unwrap(store.name, store.backwardFetchAll(from, to)),
  }
}
