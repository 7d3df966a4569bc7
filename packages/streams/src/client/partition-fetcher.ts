import type { fetchV17 } from '@platformatic/kafka'
import type { RawRecord } from '../errors/exception-handlers.ts'
import { decodeRecordBatches, fetchRecords } from './fetch-response.ts'
import {
  call,
  ErrorCode,
  errorName,
  KafkaClientError,
  parseTpKey,
  tpKey,
  type KafkaClient,
  type TopicMetadata,
  type TopicPartition,
} from './kafka-client.ts'

export interface PartitionFetcherOptions {
  readonly readCommitted: boolean
  /** How long a broker may hold a fetch open waiting for data. */
  readonly maxWaitMs: number
  readonly maxBytes: number
  readonly partitionMaxBytes: number
  /** Close the client with the fetcher (a client made for it with `withOwnConnections`). */
  readonly ownsClient?: boolean
}

interface PartitionState {
  /** Next offset to hand out; undefined until seeked. */
  position: number | undefined
  paused: boolean
  /** High watermark (or LSO under read_committed) from the latest response, -1 before one. */
  endOffset: number
}

/**
 * A consumer of explicitly assigned partitions (Java `KafkaConsumer.assign` + `seek` + `pause`): keeps
 * a position per partition and sends one Fetch per leader broker with the partitions it leads that are
 * assigned, positioned and not paused. Used by the stream thread (its group assignment), the restore
 * consumer (changelogs) and the global consumer; no group membership here.
 *
 * `poll` returns what any broker answered so far, waiting up to its timeout for a first answer; requests
 * to the other brokers stay in flight. Records come with Kafka's offsets and timestamps (LogAppendTime
 * batches take the broker's time); control records are skipped, and under read_committed so are the
 * records of aborted transactions.
 */
export class PartitionFetcher {
  readonly #client: KafkaClient
  readonly #options: PartitionFetcherOptions
  readonly #partitions = new Map<string, PartitionState>()
  readonly #inFlight = new Map<number, Promise<void>>()
  /** Answered fetches not handed out yet: positions requested, records, and the positions after them. */
  readonly #ready: { requested: Map<string, number>; records: Map<string, RawRecord[]>; next: Map<string, number> }[] =
    []
  #metadata = new Map<string, TopicMetadata>()
  #metadataStale = true
  #failure: Error | undefined
  #wake: (() => void) | undefined
  #closed = false

  constructor(client: KafkaClient, options: PartitionFetcherOptions) {
    this.#client = client
    this.#options = options
  }

  /** Adds partitions (without a position until `seek`). */
  assign(partitions: Iterable<TopicPartition>): void {
    for (const { topic, partition } of partitions) {
      const key = tpKey(topic, partition)
      if (!this.#partitions.has(key)) this.#partitions.set(key, { position: undefined, paused: false, endOffset: -1 })
    }
    this.#metadataStale = true
  }

  unassign(partitions: Iterable<TopicPartition>): void {
    for (const { topic, partition } of partitions) this.#partitions.delete(tpKey(topic, partition))
  }

  assignment(): TopicPartition[] {
    return [...this.#partitions.keys()].map(parseTpKey)
  }

  isAssigned(topic: string, partition: number): boolean {
    return this.#partitions.has(tpKey(topic, partition))
  }

  seek(topic: string, partition: number, offset: number): void {
    const state = this.#state(topic, partition)
    state.position = offset
  }

  position(topic: string, partition: number): number | undefined {
    return this.#partitions.get(tpKey(topic, partition))?.position
  }

  /** Records on the broker not handed out yet; undefined before the first response (Java `currentLag`). */
  lag(topic: string, partition: number): number | undefined {
    const state = this.#partitions.get(tpKey(topic, partition))
    if (!state || state.endOffset < 0 || state.position === undefined) return undefined
    return Math.max(0, state.endOffset - state.position)
  }

  pause(topic: string, partition: number): void {
    const state = this.#partitions.get(tpKey(topic, partition))
    if (state) state.paused = true
  }

  resume(topic: string, partition: number): void {
    const state = this.#partitions.get(tpKey(topic, partition))
    if (state) state.paused = false
  }

  isPaused(topic: string, partition: number): boolean {
    return this.#partitions.get(tpKey(topic, partition))?.paused ?? false
  }

  /**
   * Fetched records by partition key, waiting at most `timeoutMs` for a first broker answer. A fatal
   * error of an earlier fetch (out of range without a way to reset, authorization) is thrown here.
   */
  async poll(timeoutMs: number): Promise<Map<string, RawRecord[]>> {
    this.#throwFailure()
    await this.#sendFetches()
    if (this.#ready.length === 0 && this.#inFlight.size > 0 && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.#wake = undefined
    } else if (this.#inFlight.size === 0 && this.#ready.length === 0 && timeoutMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 50)))
    }
    this.#throwFailure()
    const result = new Map<string, RawRecord[]>()
    for (const { requested, records, next } of this.#ready.splice(0)) {
      for (const [key, from] of requested) {
        const state = this.#partitions.get(key)
        // unassigned, paused or seeked while the request was out: the data is dropped and fetched again
        if (!state || state.paused || state.position !== from) continue
        // the position moves past the answer, also past batches without records for us (transaction markers)
        state.position = next.get(key) ?? from
        const list = records.get(key)
        if (!list) continue
        const existing = result.get(key)
        if (existing) existing.push(...list)
        else result.set(key, list)
      }
    }
    return result
  }

  #throwFailure(): void {
    const failure = this.#failure
    if (failure) {
      this.#failure = undefined
      throw failure
    }
  }

  /** Wakes a `poll` waiting for data. */
  wakeup(): void {
    this.#wake?.()
  }

  async #refreshMetadata(): Promise<void> {
    const topics = [...new Set([...this.#partitions.keys()].map((key) => parseTpKey(key).topic))]
    if (topics.length === 0) return
    const lookups = await this.#client.metadata(topics)
    const metadata = new Map<string, TopicMetadata>()
    for (const [name, lookup] of lookups) {
      if ('errorCode' in lookup) {
        if (lookup.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED) {
          throw new KafkaClientError(
            `Not authorized to read topic ${name}: grant this application's principal Read on it`,
            lookup.errorCode,
          )
        }
        continue
      }
      metadata.set(name, lookup)
    }
    this.#metadata = metadata
    this.#metadataStale = false
  }

  async #sendFetches(): Promise<void> {
    if (this.#closed) return
    if (this.#metadataStale) {
      try {
        await this.#refreshMetadata()
      } catch (error) {
        // no broker answered (one going away, the cluster restarting): the metadata stays stale and the
        // next poll asks again, as Kafka's consumer retries, instead of failing the thread
        if (!(error instanceof KafkaClientError && error.retriable)) throw error
      }
    }
    const byLeader = new Map<number, Map<string, { id: string; partitions: fetchV17.FetchRequestPartition[] }>>()
    const positions = new Map<number, Map<string, number>>()
    for (const [key, state] of this.#partitions) {
      if (state.paused || state.position === undefined) continue
      const { topic, partition } = parseTpKey(key)
      const metadata = this.#metadata.get(topic)
      const leader = metadata?.partitions[partition]?.leader ?? -1
      if (!metadata || leader < 0) {
        this.#metadataStale = true
        continue
      }
      if (this.#inFlight.has(leader)) continue
      let topics = byLeader.get(leader)
      if (!topics) {
        topics = new Map()
        byLeader.set(leader, topics)
        positions.set(leader, new Map())
      }
      let entry = topics.get(topic)
      if (!entry) {
        entry = { id: metadata.id, partitions: [] }
        topics.set(topic, entry)
      }
      entry.partitions.push({
        partition,
        currentLeaderEpoch: -1,
        fetchOffset: BigInt(state.position),
        lastFetchedEpoch: -1,
        partitionMaxBytes: this.#options.partitionMaxBytes,
      })
      positions.get(leader)?.set(key, state.position)
    }
    for (const [leader, topics] of byLeader) {
      const requested = positions.get(leader) as Map<string, number>
      const idToName = new Map([...topics].map(([name, t]) => [t.id, name]))
      const promise = this.#fetch(leader, topics, requested, idToName)
        .catch((error: unknown) => {
          if (error instanceof KafkaClientError && error.retriable) this.#metadataStale = true
          else this.#failure ??= error as Error
        })
        .finally(() => {
          this.#inFlight.delete(leader)
          this.#wake?.()
        })
      this.#inFlight.set(leader, promise)
    }
  }

  async #fetch(
    leader: number,
    topics: Map<string, { id: string; partitions: fetchV17.FetchRequestPartition[] }>,
    requested: Map<string, number>,
    idToName: Map<string, string>,
  ): Promise<void> {
    const connection = await this.#client.connection(leader)
    const request = [...topics.values()].map((t) => ({ topicId: t.id, partitions: t.partitions }))
    const response = await call(() =>
      fetchRecords.async(
        connection,
        this.#options.maxWaitMs,
        1,
        this.#options.maxBytes,
        this.#options.readCommitted ? 1 : 0,
        0,
        -1,
        request,
        [],
        '',
      ),
    )
    if (response.errorCode !== 0) {
      throw new KafkaClientError(
        `Fetch from broker ${leader} failed: ${errorName(response.errorCode)}`,
        response.errorCode,
      )
    }
    const records = new Map<string, RawRecord[]>()
    const next = new Map<string, number>()
    for (const topicResponse of response.responses) {
      const topic = idToName.get(topicResponse.topicId)
      if (topic === undefined) continue
      for (const p of topicResponse.partitions) {
        const key = tpKey(topic, p.partitionIndex)
        const state = this.#partitions.get(key)
        const from = requested.get(key)
        if (!state || from === undefined) continue
        if (p.errorCode !== 0) {
          this.#partitionError(topic, p.partitionIndex, p.errorCode)
          continue
        }
        state.endOffset = Number(this.#options.readCommitted ? p.lastStableOffset : p.highWatermark)
        const list =
          p.records === null
            ? { records: [], next: from }
            : decodeRecordBatches(topic, p.partitionIndex, p.records, from, p.abortedTransactions)
        if (list.records.length > 0) records.set(key, list.records)
        next.set(key, Math.max(list.next, from))
      }
    }
    this.#ready.push({ requested, records, next })
  }

  #partitionError(topic: string, partition: number, code: number): void {
    if (code === ErrorCode.OFFSET_OUT_OF_RANGE) {
      this.#failure ??= new OffsetOutOfRangeError(topic, partition, this.position(topic, partition) ?? -1)
      return
    }
    if (code === ErrorCode.TOPIC_AUTHORIZATION_FAILED) {
      this.#failure ??= new KafkaClientError(
        `Not authorized to read topic ${topic}: grant this application's principal Read on it`,
        code,
      )
      return
    }
    // leadership moved, topic being created or deleted: look the leaders up again
    this.#metadataStale = true
  }

  /** Waits for the fetches in flight and stops. */
  async close(): Promise<void> {
    this.#closed = true
    this.#wake?.()
    await Promise.allSettled(this.#inFlight.values())
    this.#partitions.clear()
    if (this.#options.ownsClient) await this.#client.close()
  }

  #state(topic: string, partition: number): PartitionState {
    const state = this.#partitions.get(tpKey(topic, partition))
    if (!state) throw new Error(`partition ${topic}-${partition} is not assigned`)
    return state
  }
}

/** The fetch position of a partition is outside the log (deleted by retention or truncated). */
export class OffsetOutOfRangeError extends KafkaClientError {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  constructor(topic: string, partition: number, offset: number) {
    super(`Offset ${offset} is out of range for ${topic}-${partition}`, ErrorCode.OFFSET_OUT_OF_RANGE)
    this.topic = topic
    this.partition = partition
    this.offset = offset
  }
}
