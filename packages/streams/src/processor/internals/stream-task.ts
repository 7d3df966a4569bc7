import type { RawRecord } from '../../errors/exception-handlers.ts'
import { Headers } from '../../header/headers.ts'
import type { StreamsConfig } from '../../streams-config.ts'
import { supplierGet, type Processor, type StateStore } from '../api/processor.ts'
import { Record } from '../api/record.ts'
import type { ManagedStateStore } from '../state-store.ts'
import { join } from 'node:path'
import { LmdbEnvironment } from '../../state/internals/lmdb-bytes-engine.ts'
import { TaskCache } from '../../state/internals/task-cache.ts'
import type { TaskId } from '../task-id.ts'
import { FailedProcessingException } from '../../errors/internals/failed-processing-exception.ts'
import { handleProcessingError } from './exception-handling.ts'
import { fullMatch, type InternalTopologyBuilder } from './internal-topology-builder.ts'
import { ProcessorContextImpl, type ChangelogRegistration } from './processor-context-impl.ts'
import { ProcessorNode, SinkNode, SourceNode } from './processor-node.ts'
import { PunctuationQueue, type PunctuationSchedule } from './punctuation-queue.ts'
import type { RecordCollector } from './record-collector.ts'
import { RecordQueue } from './record-queue.ts'

/** The nodes of one task, built fresh from the topology's factories (Kafka `ProcessorTopology`). */
export interface ProcessorTopology {
  readonly nodes: ProcessorNode[]
  /** Source nodes by decorated topic name. */
  readonly sourcesByTopic: Map<string, SourceNode>
  readonly patternSources: { pattern: RegExp; node: SourceNode }[]
  readonly stores: Map<string, StateStore>
  /** Decorated names of the topics the sinks write to statically. */
  readonly sinkTopics: Set<string>
}

export function buildProcessorTopology(
  builder: InternalTopologyBuilder,
  nodeNames: ReadonlySet<string>,
): ProcessorTopology {
  const nodes = new Map<string, ProcessorNode>()
  const sourcesByTopic = new Map<string, SourceNode>()
  const patternSources: { pattern: RegExp; node: SourceNode }[] = []
  const sinkTopics = new Set<string>()
  const stores = new Map<string, StateStore>()
  for (const [name, factory] of builder.nodeFactories) {
    if (!nodeNames.has(name)) continue
    let node: ProcessorNode
    switch (factory.kind) {
      case 'source': {
        const source = new SourceNode(
          name,
          factory.timestampExtractor,
          factory.keyDeserializer,
          factory.valueDeserializer,
        )
        for (const topic of factory.topics) sourcesByTopic.set(builder.decorateTopic(topic), source)
        if (factory.pattern) patternSources.push({ pattern: factory.pattern, node: source })
        node = source
        break
      }
      case 'processor': {
        const processor = supplierGet(factory.supplier as () => Processor<unknown, unknown, unknown, unknown>)
        node = new ProcessorNode(name, processor, factory.stateStoreNames)
        for (const storeName of factory.stateStoreNames) {
          if (!stores.has(storeName)) {
            const entry = builder.stores.get(storeName) ?? builder.globalStores.get(storeName)
            if (entry) stores.set(storeName, entry.builder.build())
          }
        }
        break
      }
      case 'sink': {
        const topic = factory.topic === undefined ? undefined : builder.decorateTopic(factory.topic)
        if (topic !== undefined) sinkTopics.add(topic)
        node = new SinkNode(
          name,
          topic,
          factory.topicExtractor,
          factory.keySerializer,
          factory.valueSerializer,
          factory.partitioner,
        )
        break
      }
    }
    nodes.set(name, node)
    for (const predecessor of factory.predecessors) nodes.get(predecessor)?.addChild(node)
  }
  return { nodes: [...nodes.values()], sourcesByTopic, patternSources, stores, sinkTopics }
}

/**
 * Kafka `StreamTask`: one sub-topology (or, in the test driver, the whole topology) on one partition
 * number. It buffers records per input partition, always processes the buffered record with the lowest
 * timestamp next, keeps stream time (the highest timestamp processed), and fires punctuations.
 */
export class StreamTask {
  readonly id: TaskId
  readonly topology: ProcessorTopology
  readonly context: ProcessorContextImpl
  readonly #queues = new Map<string, RecordQueue>()
  readonly #streamTimePunctuations = new PunctuationQueue()
  readonly #wallClockPunctuations = new PunctuationQueue()
  readonly #wallClock: () => number
  readonly #cache: TaskCache
  readonly #directoryName: string
  #lmdb: LmdbEnvironment | undefined
  #streamTime = -1
  #commitRequested = false
  #storesInitialized = false
  #processorsInitialized = false
  /** The logged stores' changelogs by topic (registered when the stores open). */
  readonly changelogs = new Map<string, ChangelogRegistration>()

  constructor(
    id: TaskId,
    topology: ProcessorTopology,
    config: StreamsConfig,
    collector: RecordCollector,
    wallClock: () => number,
    globalStores: ReadonlyMap<string, StateStore> = new Map(),
    directoryName: string = id.toString(),
  ) {
    this.id = id
    this.#directoryName = directoryName
    this.topology = topology
    this.#wallClock = wallClock
    this.#cache = new TaskCache(config.cacheMaxBytes)
    // the built-in exception handlers write there: the runtime needs its partition count like a sink's
    if (config.errorsDeadLetterQueueTopicName !== undefined)
      topology.sinkTopics.add(config.errorsDeadLetterQueueTopicName)
    this.context = new ProcessorContextImpl(
      id,
      config,
      collector,
      topology.stores,
      {
        taskCache: this.#cache,
        persistentEngine: (storeName) => this.#environment().openEngine(storeName),
        persistentStoreNames: () => this.#environment().storeNames(),
        streamTime: () => this.#streamTime,
        wallClockTime: wallClock,
        streamTimePunctuations: this.#streamTimePunctuations,
        wallClockPunctuations: this.#wallClockPunctuations,
        requestCommit: () => {
          this.#commitRequested = true
        },
        registerChangelog: (registration) => {
          this.changelogs.set(registration.topic, registration)
        },
      },
      globalStores,
    )
  }

  get streamTime(): number {
    return this.#streamTime
  }

  /** Opens the stores and initializes every node (sources first, as they come in the topology). */
  initialize(): void {
    this.initializeStores()
    this.initializeProcessors()
  }

  /** Opens the stores; logged ones register their changelogs (to be restored before processing). */
  initializeStores(): void {
    if (this.#storesInitialized) return
    this.#storesInitialized = true
    for (const store of this.topology.stores.values()) (store as ManagedStateStore).init?.(this.context, store)
  }

  get processorsInitialized(): boolean {
    return this.#processorsInitialized
  }

  /** Initializes every node, after the stores are restored. */
  initializeProcessors(): void {
    if (this.#processorsInitialized) return
    this.#processorsInitialized = true
    for (const node of this.topology.nodes) {
      this.context.currentNode = node
      try {
        node.init(this.context)
      } finally {
        this.context.currentNode = undefined
      }
    }
  }

  /** The source node of a (decorated) topic, by name or by pattern. */
  sourceFor(topic: string): SourceNode | undefined {
    return (
      this.topology.sourcesByTopic.get(topic) ??
      this.topology.patternSources.find((p) => fullMatch(p.pattern, topic))?.node
    )
  }

  addRecords(topic: string, partition: number, records: readonly RawRecord[]): void {
    this.queue(topic, partition).add(records)
  }

  /** The buffer of one input partition (created on first use). */
  queue(topic: string, partition: number): RecordQueue {
    const key = `${topic}\u0000${partition}`
    let queue = this.#queues.get(key)
    if (!queue) {
      const source = this.sourceFor(topic)
      if (!source) throw new Error(`task ${this.id.toString()} has no source for topic ${topic}`)
      const extractor = source.timestampExtractor ?? this.context.config.defaultTimestampExtractor
      queue = new RecordQueue(topic, partition, source, extractor, this.context)
      this.#queues.set(key, queue)
    }
    return queue
  }

  get queues(): Iterable<RecordQueue> {
    return this.#queues.values()
  }

  hasRecordsQueued(): boolean {
    for (const queue of this.#queues.values()) if (!queue.isEmpty()) return true
    return false
  }

  /** Processes the next record (lowest head timestamp across partitions); false when none is buffered. */
  process(): boolean {
    let next: RecordQueue | undefined
    for (const queue of this.#queues.values()) {
      if (!queue.isEmpty() && (next === undefined || queue.headTimestamp() < next.headTimestamp())) next = queue
    }
    const record = next?.poll()
    if (!next || !record) return false
    if (next.partitionTime > this.#streamTime) this.#streamTime = next.partitionTime
    const raw = record.raw
    next.lastProcessedOffset = raw.offset
    const context = this.context
    context.recordContext = {
      topic: raw.topic,
      partition: raw.partition,
      offset: raw.offset,
      timestamp: record.timestamp,
      headers: raw.headers,
    }
    // a reference, not a copy: error handlers read its raw bytes (KIP-1034)
    context.sourceRecord = raw
    context.currentNode = next.source
    try {
      next.source.process(new Record(record.key, record.value, record.timestamp, raw.headers))
    } finally {
      context.currentNode = undefined
    }
    return true
  }

  maybePunctuateStreamTime(): boolean {
    if (this.#streamTime < 0) return false
    return this.#streamTimePunctuations.mayPunctuate(this.#streamTime, (schedule, time) =>
      this.#punctuate(schedule, time),
    )
  }

  maybePunctuateSystemTime(): boolean {
    return this.#wallClockPunctuations.mayPunctuate(this.#wallClock(), (schedule, time) =>
      this.#punctuate(schedule, time),
    )
  }

  /** Whether a processor asked for a commit since the last call. */
  takeCommitRequest(): boolean {
    const requested = this.#commitRequested
    this.#commitRequested = false
    return requested
  }

  /** Directory of this task's persistent stores. */
  get stateDirectory(): string {
    return join(this.context.config.stateDir, this.context.applicationId, this.#directoryName)
  }

  #environment(): LmdbEnvironment {
    if (!this.#lmdb) {
      this.#lmdb = new LmdbEnvironment(this.stateDirectory)
    }
    return this.#lmdb
  }

  /** Flushes caches (forwarding their changes), then stores, then makes persistent stores durable. */
  flush(): void {
    this.flushCaches()
    this.#lmdb?.commit()
  }

  /** Flushes caches (forwarding their changes, which may write to changelogs and sinks) and buffers. */
  flushCaches(): void {
    for (const store of this.topology.stores.values()) (store as ManagedStateStore).flush?.()
  }

  /**
   * Makes the persistent stores' writes durable together with the changelog offsets they include (the
   * offset of the last changelog record applied, per changelog topic of this task's partition).
   */
  commitStores(changelogOffsets: ReadonlyMap<string, number>, sourceOffsets?: ReadonlyMap<string, number>): void {
    if (!this.#lmdb) return
    const metadata = new Map<string, Buffer>()
    for (const [topic, offset] of changelogOffsets) {
      if (this.changelogs.get(topic)?.persistent) metadata.set(changelogOffsetKey(topic), int64(offset))
    }
    for (const [partitionKey, offset] of sourceOffsets ?? []) metadata.set(sourceOffsetKey(partitionKey), int64(offset))
    this.#lmdb.commit(metadata)
  }

  /**
   * The next offset to read of a source partition (`topic:partition`) whose records the stores hold, as
   * committed with them; for global stores, whose source topic is their changelog.
   */
  storedSourceOffset(partitionKey: string): number | undefined {
    if (!this.#persistent()) return undefined
    const bytes = this.#environment().readMetadata(sourceOffsetKey(partitionKey))
    return bytes === undefined ? undefined : Number(bytes.readBigInt64BE(0))
  }

  #persistent(): boolean {
    for (const store of this.topology.stores.values()) if ((store as ManagedStateStore).persistent) return true
    return false
  }

  /** The offset of the last changelog record a persistent store holds, if it holds any. */
  storedChangelogOffset(topic: string): number | undefined {
    if (!this.changelogs.get(topic)?.persistent) return undefined
    const bytes = this.#environment().readMetadata(changelogOffsetKey(topic))
    return bytes === undefined ? undefined : Number(bytes.readBigInt64BE(0))
  }

  /**
   * Closes processors and stores. A clean close keeps the stores' last writes; a dirty one (after a
   * failure, or when the partitions were lost) drops what was not committed, so the stores stay at their
   * stored changelog offsets.
   */
  close(clean = true): void {
    if (this.#processorsInitialized) for (const node of this.topology.nodes) node.close()
    for (const store of this.topology.stores.values()) (store as ManagedStateStore).close?.()
    if (clean) this.#lmdb?.commit()
    this.#lmdb?.close()
    this.#lmdb = undefined
  }

  #punctuate(schedule: PunctuationSchedule, timestamp: number): void {
    const context = this.context
    const previous = context.recordContext
    context.recordContext = { topic: null, partition: -1, offset: -1, timestamp, headers: new Headers() }
    context.currentNode = schedule.node
    try {
      schedule.punctuator(timestamp)
    } catch (error) {
      // Kafka `StreamTask.punctuate`: a punctuator's error goes to the processing handler, with no record
      if (error instanceof FailedProcessingException) throw error
      handleProcessingError(context, schedule.node.name, null, error)
    } finally {
      context.currentNode = undefined
      context.recordContext = previous
    }
  }
}

function changelogOffsetKey(topic: string): string {
  return `changelog-offset:${topic}`
}

function sourceOffsetKey(partitionKey: string): string {
  return `source-offset:${partitionKey}`
}

function int64(value: number): Buffer {
  const bytes = Buffer.allocUnsafe(8)
  bytes.writeBigInt64BE(BigInt(value))
  return bytes
}
