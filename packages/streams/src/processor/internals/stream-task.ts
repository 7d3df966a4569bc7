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
import { fullMatch, type InternalTopologyBuilder } from './internal-topology-builder.ts'
import { ProcessorContextImpl } from './processor-context-impl.ts'
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
  #lmdb: LmdbEnvironment | undefined
  #streamTime = -1
  #commitRequested = false
  #initialized = false

  constructor(
    id: TaskId,
    topology: ProcessorTopology,
    config: StreamsConfig,
    collector: RecordCollector,
    wallClock: () => number,
    globalStores: ReadonlyMap<string, StateStore> = new Map(),
  ) {
    this.id = id
    this.topology = topology
    this.#wallClock = wallClock
    this.#cache = new TaskCache(config.cacheMaxBytes)
    this.context = new ProcessorContextImpl(
      id,
      config,
      collector,
      topology.stores,
      {
        taskCache: this.#cache,
        persistentEngine: (storeName) => this.#environment().openEngine(storeName),
        streamTime: () => this.#streamTime,
        wallClockTime: wallClock,
        streamTimePunctuations: this.#streamTimePunctuations,
        wallClockPunctuations: this.#wallClockPunctuations,
        requestCommit: () => {
          this.#commitRequested = true
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
    if (this.#initialized) return
    this.#initialized = true
    for (const store of this.topology.stores.values()) (store as ManagedStateStore).init?.(this.context, store)
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
    const key = `${topic}\u0000${partition}`
    let queue = this.#queues.get(key)
    if (!queue) {
      const source = this.sourceFor(topic)
      if (!source) throw new Error(`task ${this.id.toString()} has no source for topic ${topic}`)
      const extractor = source.timestampExtractor ?? this.context.config.defaultTimestampExtractor
      queue = new RecordQueue(topic, partition, source, extractor, this.context)
      this.#queues.set(key, queue)
    }
    queue.add(records)
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
    const context = this.context
    context.recordContext = {
      topic: raw.topic,
      partition: raw.partition,
      offset: raw.offset,
      timestamp: record.timestamp,
      headers: raw.headers,
    }
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
    return join(this.context.config.stateDir, this.context.applicationId, this.id.toString())
  }

  #environment(): LmdbEnvironment {
    if (!this.#lmdb) {
      this.#lmdb = new LmdbEnvironment(this.stateDirectory)
    }
    return this.#lmdb
  }

  /** Flushes caches (forwarding their changes), then stores, then makes persistent stores durable. */
  flush(): void {
    for (const store of this.topology.stores.values()) (store as ManagedStateStore).flush?.()
    this.#lmdb?.commit()
  }

  close(): void {
    for (const node of this.topology.nodes) node.close()
    for (const store of this.topology.stores.values()) (store as ManagedStateStore).close?.()
    this.#lmdb?.commit()
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
    } finally {
      context.currentNode = undefined
      context.recordContext = previous
    }
  }
}
