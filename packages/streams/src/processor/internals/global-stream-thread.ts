import { retrying, tpKey, type KafkaClient, type TopicPartition } from '../../client/kafka-client.ts'
import { PartitionFetcher } from '../../client/partition-fetcher.ts'
import { StreamsException } from '../../errors/streams-exception.ts'
import type { StreamsConfig } from '../../streams-config.ts'
import type { StateStore } from '../api/processor.ts'
import type { StateRestoreListener } from '../state-restore-listener.ts'
import { TaskId } from '../task-id.ts'
import { buildProcessorTopology, StreamTask } from './stream-task.ts'
import type { TopologyMetadata } from './topology-metadata.ts'

/**
 * Kafka `GlobalStreamThread`: keeps the global stores, every partition of their topics, in this
 * instance. `bootstrap` reads each partition from the offset stored with the stores (or the start) up
 * to its end before any stream thread processes; `run` then follows the topics. Records go through the
 * global processors (a global table's just puts them in its store). Offsets are committed with the
 * stores, so a restart reads only what is new.
 */
export class GlobalStreamThread {
  readonly #config: StreamsConfig
  readonly #client: KafkaClient
  readonly #task: StreamTask
  readonly #fetcher: PartitionFetcher
  readonly #topics: readonly string[]
  readonly #restoreListener: () => StateRestoreListener | undefined
  #partitions: TopicPartition[] = []
  #stopped = false
  #lastCommit = Date.now()

  constructor(
    metadata: TopologyMetadata,
    client: KafkaClient,
    config: StreamsConfig,
    restoreListener: () => StateRestoreListener | undefined,
  ) {
    this.#config = config
    this.#client = client
    this.#topics = metadata.globalTopics
    this.#restoreListener = restoreListener
    const topology = buildProcessorTopology(metadata.builder, metadata.globalNodeNames)
    const collector = {
      send: () => {
        throw new StreamsException('a global store processor cannot send records')
      },
      partitionsFor: () => undefined,
    }
    this.#task = new StreamTask(new TaskId(-1, -1), topology, config, collector, () => Date.now(), new Map(), 'global')
    this.#fetcher = new PartitionFetcher(client.withOwnConnections(`${client.clientId}-global-consumer`), {
      ownsClient: true,
      readCommitted: config.processingGuarantee === 'exactly_once_v2',
      maxWaitMs: 500,
      maxBytes: 50 * 1024 * 1024,
      partitionMaxBytes: 1024 * 1024,
    })
  }

  get stores(): ReadonlyMap<string, StateStore> {
    return this.#task.topology.stores
  }

  /** Loads every global partition up to its current end. */
  async bootstrap(): Promise<void> {
    const counts = await this.#client.partitionCounts(this.#topics)
    const missing = this.#topics.filter((t) => !counts.has(t))
    if (missing.length > 0) {
      throw new StreamsException(
        `Missing global table topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: create ${missing.length > 1 ? 'them' : 'it'} before starting the application`,
      )
    }
    this.#partitions = this.#topics.flatMap((topic) =>
      Array.from({ length: counts.get(topic) ?? 0 }, (_, partition) => ({ topic, partition })),
    )
    this.#task.initialize()
    const timeout = this.#config.requestTimeoutMs
    const [starts, ends] = await Promise.all([
      retrying(() => this.#client.listOffsets(this.#partitions, 'earliest'), timeout),
      retrying(
        () =>
          this.#client.listOffsets(this.#partitions, 'latest', this.#config.processingGuarantee === 'exactly_once_v2'),
        timeout,
      ),
    ])
    this.#fetcher.assign(this.#partitions)
    const listener = this.#restoreListener()
    const pending = new Map<string, { end: number; restored: number; tp: TopicPartition }>()
    for (const tp of this.#partitions) {
      const key = tpKey(tp.topic, tp.partition)
      const start = Math.max(this.#task.storedSourceOffset(key) ?? 0, starts.get(key) ?? 0)
      const end = ends.get(key) ?? 0
      this.#fetcher.seek(tp.topic, tp.partition, start)
      if (start < end) {
        pending.set(key, { end, restored: 0, tp })
        listener?.onRestoreStart?.(tp, this.#storeName(), start, end)
      }
    }
    while (pending.size > 0 && !this.#stopped) {
      const counts = await this.#pollOnce()
      for (const [key, progress] of pending) {
        progress.restored += counts.get(key) ?? 0
        const position = this.#fetcher.position(progress.tp.topic, progress.tp.partition) ?? 0
        if (position < progress.end) continue
        pending.delete(key)
        listener?.onRestoreEnd?.(progress.tp, this.#storeName(), progress.restored)
      }
    }
    this.#commit()
  }

  #storeName(): string {
    return [...this.#task.topology.stores.keys()].join(',')
  }

  /** Follows the global topics until stopped. */
  async run(): Promise<void> {
    while (!this.#stopped) {
      await this.#pollOnce()
      await new Promise(setImmediate)
      if (Date.now() - this.#lastCommit >= this.#config.commitIntervalMs) this.#commit()
    }
  }

  async #pollOnce(): Promise<Map<string, number>> {
    const counts = new Map<string, number>()
    for (const [key, records] of await this.#fetcher.poll(this.#config.pollMs)) {
      const first = records[0]
      if (!first) continue
      this.#task.addRecords(first.topic, first.partition, records)
      counts.set(key, records.length)
    }
    while (this.#task.process()) {
      // global updates are applied as they come
    }
    return counts
  }

  #commit(): void {
    this.#lastCommit = Date.now()
    this.#task.flushCaches()
    const offsets = new Map<string, number>()
    for (const { topic, partition } of this.#partitions) {
      const position = this.#fetcher.position(topic, partition)
      if (position !== undefined) offsets.set(tpKey(topic, partition), position)
    }
    this.#task.commitStores(new Map(), offsets)
  }

  stop(): void {
    this.#stopped = true
    this.#fetcher.wakeup()
  }

  async close(): Promise<void> {
    this.#stopped = true
    if (this.#partitions.length > 0) this.#commit()
    await this.#fetcher.close()
    this.#task.close()
  }
}
