import {
  addOffsetsToTxnV4,
  addPartitionsToTxnV3,
  endTxnV4,
  initProducerIdV5,
  txnOffsetCommitV4,
} from '@platformatic/kafka'
import type { Headers } from '../header/headers.ts'
import { encodeRecordBatch, produceBatches, type BatchRecord, type PartitionBatch } from './record-batch.ts'
import {
  call,
  delay,
  ErrorCode,
  errorName,
  groupByTopic,
  KafkaClientError,
  parseTpKey,
  tpKey,
  type KafkaClient,
  type OffsetToCommit,
} from './kafka-client.ts'

/** A record the producer could not write, handed to `onSendError` with what the broker said. */
export interface UnsentRecord {
  readonly topic: string
  readonly partition: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly headers: Headers
  readonly timestamp: number
  /** What the caller passed to `send` to tell where the record came from. */
  readonly origin: unknown
}

/** What to do with a record that could not be written: drop it, fail the producer, or try again. */
export type SendErrorDecision = 'CONTINUE' | 'FAIL' | 'RETRY'

export interface RecordProducerOptions {
  /** A client with connections of its own (`KafkaClient.withOwnConnections`). */
  readonly client: KafkaClient
  readonly requestTimeoutMs: number
  /** Set for exactly-once: the producer is transactional with this id. */
  readonly transactionalId?: string
  /** How long the coordinator lets a transaction stay open before aborting it (Kafka Streams: 10 s). */
  readonly transactionTimeoutMs?: number
  /** How long a batch is retried on retriable errors before `onSendError` decides (Kafka: 120 s). */
  readonly deliveryTimeoutMs?: number
  /** Decides about a record the brokers refused for good; without it the producer fails. */
  readonly onSendError?: (record: UnsentRecord, error: KafkaClientError) => SendErrorDecision
}

/** The consumer group whose offsets a transaction commits, as the group knows its member now. */
export interface GroupMetadata {
  readonly groupId: string
  readonly generationId: number
  readonly memberId: string
  readonly groupInstanceId: string | null
}

interface Pending extends BatchRecord {
  readonly size: number
  readonly origin: unknown
}

/** The records queued for one partition, found by topic then partition number (no key built per send). */
interface PartitionQueue {
  readonly key: string
  readonly topic: string
  readonly partition: number
  records: Pending[]
}

/** One partition's batch of a produce round, with the sequence number of its first record. */
interface Batch {
  readonly key: string
  readonly topic: string
  readonly partition: number
  records: Pending[]
}

/** Broker default `message.max.bytes` is 1 MiB per batch; stay well below with the record overhead. */
const maxBatchBytes = 512 * 1024

/** The producer's epoch is over: another instance with the same transactional id took over (zombie fencing). */
const fencingCodes = new Set<number>([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.INVALID_PRODUCER_ID_MAPPING,
  ErrorCode.TRANSACTION_COORDINATOR_FENCED,
])
/** The broker lost or rejected this producer's sequence state. */
const producerStateCodes = new Set<number>([ErrorCode.UNKNOWN_PRODUCER_ID, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER])
/** Nothing the producer can do about: the application must fail. */
const fatalCodes = new Set<number>([
  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.INVALID_TXN_STATE,
  ErrorCode.INVALID_TRANSACTION_TIMEOUT,
])

/**
 * The producer's epoch was fenced: a newer producer with the same transactional id exists, or the
 * group's generation moved on. The tasks may be elsewhere already; the caller drops its uncommitted work.
 */
export class ProducerFencedError extends KafkaClientError {}

/**
 * The stream thread's producer, on the Kafka protocol directly: idempotent (acks=all, sequence numbers),
 * and transactional when given a transactional id (exactly-once v2, one producer per stream thread).
 *
 * `send` only queues. One produce round is in flight at a time: one batch per partition (at most
 * 512 KiB), one request per leader; a batch is retried with the same sequence number until it is
 * written, so the brokers keep each partition's records once and in order. A batch the brokers refuse
 * for good is split into single records and `onSendError` decides about each refused one. `flush` waits
 * until everything queued is written and returns the offset of the last record written per partition
 * since the previous flush (the changelog offsets stores record).
 *
 * Transactions: `initTransactions` fences older producers with the same id. A transaction begins with the
 * first `send` after a commit; `commitTransaction` flushes, adds the consumed offsets with the group's
 * generation and member id in one TxnOffsetCommit, and commits. `abortTransaction` drops what is queued
 * and starts a new epoch, which aborts whatever the open transaction wrote.
 */
export class RecordProducer {
  readonly #client: KafkaClient
  readonly #options: RecordProducerOptions
  readonly #transactionalId: string | null
  #producerId = -1n
  #epoch = -1
  readonly #sequences = new Map<string, number>()
  #queues = new Map<string, (PartitionQueue | undefined)[]>()
  #queued = 0
  #sending: Promise<void> | undefined
  #failure: Error | undefined
  #acked = new Map<string, number>()
  /** Leader node id of each partition, by topic. */
  readonly #leaders = new Map<string, number[]>()
  /** Partitions added to the open transaction. */
  readonly #inTransaction = new Set<string>()
  #transactionOpen = false
  #offsetsAdded = false
  #closed = false

  constructor(options: RecordProducerOptions) {
    this.#client = options.client
    this.#options = options
    this.#transactionalId = options.transactionalId ?? null
  }

  get transactional(): boolean {
    return this.#transactionalId !== null
  }

  /** A send failed for good; the next `flush` throws why. */
  get failed(): boolean {
    return this.#failure !== undefined
  }

  /** True between the first `send` (or offsets) of a transaction and its commit or abort. */
  get transactionOpen(): boolean {
    return this.#transactionOpen
  }

  send(
    topic: string,
    partition: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: Headers,
    timestamp: number,
    origin?: unknown,
  ): void {
    // after a failure nothing more is written: `flush` (the commit) throws it
    if (this.#failure) return
    let size = 24 + (key?.length ?? 0) + (value?.length ?? 0)
    if (headers.size > 0) for (const header of headers) size += header.key.length + (header.value?.length ?? 0) + 4
    let partitions = this.#queues.get(topic)
    if (!partitions) {
      partitions = []
      this.#queues.set(topic, partitions)
    }
    let queue = partitions[partition]
    if (!queue) {
      queue = { key: tpKey(topic, partition), topic, partition, records: [] }
      partitions[partition] = queue
    }
    queue.records.push({ key, value, headers, timestamp, size, origin })
    this.#queued++
    this.#transactionOpen = this.#transactionalId !== null
  }

  /** Starts a produce round if none is in flight and records are queued. */
  pump(): void {
    if (this.#sending || this.#queued === 0 || this.#failure || this.#closed) return
    this.#sending = this.#round()
      .catch((error: unknown) => {
        this.#failure = error as Error
      })
      .finally(() => {
        this.#sending = undefined
        this.pump()
      })
  }

  /** Sends everything queued and waits for it; the last written offset per partition since the last flush. */
  async flush(): Promise<Map<string, number>> {
    this.pump()
    while (this.#sending) {
      await this.#sending
      this.pump()
    }
    if (this.#failure) throw this.#failure
    const acked = this.#acked
    this.#acked = new Map()
    return acked
  }

  // ---- transactions ----

  /**
   * Gets a producer id and a new epoch for the transactional id: older producers with the id are fenced
   * and a transaction they left open is aborted. Retries while the coordinator is busy, up to `timeoutMs`.
   */
  async initTransactions(timeoutMs: number): Promise<void> {
    await this.#settle()
    this.#reset()
    await this.#initProducerId(timeoutMs)
  }

  async #initProducerId(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (let backoff = 20; ; backoff = Math.min(backoff * 2, 500)) {
      try {
        const connection = this.#transactionalId
          ? await this.#client.coordinator(this.#transactionalId, 'transaction')
          : await this.#client.anyConnection()
        const response = await call(() =>
          initProducerIdV5.api.async(
            connection,
            this.#transactionalId,
            this.#options.transactionTimeoutMs ?? 10_000,
            -1n,
            -1,
          ),
        )
        this.#check(response.errorCode, `Initializing the producer ${this.#describe()}`)
        this.#producerId = response.producerId
        this.#epoch = response.producerEpoch
        this.#sequences.clear()
        return
      } catch (error) {
        if (!(error instanceof KafkaClientError) || !this.#retriable(error) || Date.now() + backoff > deadline)
          throw error
        await delay(backoff)
      }
    }
  }

  /**
   * Commits the transaction: flushes, commits `offsets` for `group` inside it (one AddOffsetsToTxn and one
   * TxnOffsetCommit for all partitions), then ends it. Returns the flush's written offsets. A fenced epoch
   * or a group generation that moved on throws `ProducerFencedError`; the transaction is then void.
   */
  async commitTransaction(
    group: GroupMetadata,
    offsets: readonly OffsetToCommit[],
    timeoutMs: number,
  ): Promise<Map<string, number>> {
    const acked = await this.flush()
    if (!this.#transactionOpen && offsets.length === 0) return acked
    const transactionalId = this.#transactionalId as string
    const deadline = Date.now() + timeoutMs
    if (offsets.length > 0) {
      if (!this.#offsetsAdded) {
        await this.#coordinatorCall(deadline, 'Adding offsets to the transaction', async () => {
          const connection = await this.#client.coordinator(transactionalId, 'transaction')
          const response = await call(() =>
            addOffsetsToTxnV4.api.async(connection, transactionalId, this.#producerId, this.#epoch, group.groupId),
          )
          return response.errorCode
        })
        this.#offsetsAdded = true
      }
      await this.#coordinatorCall(deadline, `Committing offsets of group ${group.groupId} in the transaction`, () =>
        this.#txnOffsetCommit(group, offsets),
      )
    }
    await this.#endTransaction(true, deadline)
    return acked
  }

  /**
   * Drops what is queued and not written and aborts the open transaction, by starting a new epoch (which
   * also settles any batch whose outcome is unknown). The producer is usable again afterwards.
   */
  async abortTransaction(timeoutMs: number): Promise<void> {
    await this.initTransactions(timeoutMs)
  }

  async #txnOffsetCommit(group: GroupMetadata, offsets: readonly OffsetToCommit[]): Promise<number> {
    const topics = groupByTopic(offsets).map(([name, partitions]) => ({
      name,
      partitions: partitions.map((partitionIndex) => {
        const offset = offsets.find((o) => o.topic === name && o.partition === partitionIndex) as OffsetToCommit
        return {
          partitionIndex,
          committedOffset: BigInt(offset.offset),
          committedLeaderEpoch: offset.leaderEpoch,
          committedMetadata: offset.metadata,
        }
      }),
    }))
    const connection = await this.#client.coordinator(group.groupId)
    const response = await call(() =>
      txnOffsetCommitV4.api.async(
        connection,
        this.#transactionalId as string,
        group.groupId,
        this.#producerId,
        this.#epoch,
        group.generationId,
        group.memberId,
        group.groupInstanceId,
        topics,
      ),
    )
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        if (p.errorCode === 0) continue
        if (isCoordinatorMoved(p.errorCode)) this.#client.forgetCoordinator(group.groupId)
        if (
          p.errorCode === ErrorCode.ILLEGAL_GENERATION ||
          p.errorCode === ErrorCode.UNKNOWN_MEMBER_ID ||
          p.errorCode === ErrorCode.FENCED_INSTANCE_ID ||
          p.errorCode === ErrorCode.REBALANCE_IN_PROGRESS
        ) {
          throw new ProducerFencedError(
            `Committing offsets of group ${group.groupId} failed: ${errorName(p.errorCode)} (the group moved on ` +
              `from generation ${group.generationId})`,
            p.errorCode,
          )
        }
        return p.errorCode
      }
    }
    return ErrorCode.NONE
  }

  async #endTransaction(commit: boolean, deadline: number): Promise<void> {
    const transactionalId = this.#transactionalId as string
    await this.#coordinatorCall(deadline, `${commit ? 'Committing' : 'Aborting'} the transaction`, async () => {
      const connection = await this.#client.coordinator(transactionalId, 'transaction')
      const response = await call(() =>
        endTxnV4.api.async(connection, transactionalId, this.#producerId, this.#epoch, commit),
      )
      return response.errorCode
    })
    this.#inTransaction.clear()
    this.#transactionOpen = false
    this.#offsetsAdded = false
  }

  /** Runs a transaction coordinator request until it succeeds, retrying what is retriable up to `deadline`. */
  async #coordinatorCall(deadline: number, what: string, request: () => Promise<number>): Promise<void> {
    for (let backoff = 20; ; backoff = Math.min(backoff * 2, 500)) {
      let error: KafkaClientError
      try {
        const code = await request()
        if (code === ErrorCode.NONE) return
        this.#check(code, what)
        return
      } catch (caught) {
        if (!(caught instanceof KafkaClientError)) throw caught
        error = caught
      }
      if (!this.#retriable(error) || Date.now() + backoff > deadline) throw error
      await delay(backoff)
    }
  }

  /** Throws the error a protocol error code means for this producer. */
  #check(code: number, what: string): void {
    if (code === ErrorCode.NONE) return
    if (isCoordinatorMoved(code) && this.#transactionalId)
      this.#client.forgetCoordinator(this.#transactionalId, 'transaction')
    const message = `${what} failed: ${errorName(code)}`
    if (fencingCodes.has(code)) {
      throw new ProducerFencedError(
        `${message}: another producer with transactional id ${this.#transactionalId} took over`,
        code,
      )
    }
    if (code === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) {
      throw new KafkaClientError(
        `${message}: grant this application's principal Write and Describe on transactional id ${this.#transactionalId}`,
        code,
      )
    }
    throw new KafkaClientError(message, code)
  }

  #retriable(error: KafkaClientError): boolean {
    return error.retriable || error.errorCode === ErrorCode.CONCURRENT_TRANSACTIONS
  }

  #describe(): string {
    return this.#transactionalId === null ? '(idempotent)' : `with transactional id ${this.#transactionalId}`
  }

  /** Waits for the round in flight, ignoring its outcome. */
  async #settle(): Promise<void> {
    while (this.#sending) await this.#sending.catch(() => undefined)
  }

  #reset(): void {
    this.#queues = new Map()
    this.#queued = 0
    this.#failure = undefined
    this.#acked = new Map()
    this.#sequences.clear()
    this.#inTransaction.clear()
    this.#transactionOpen = false
    this.#offsetsAdded = false
  }

  // ---- produce rounds ----

  async #round(): Promise<void> {
    if (this.#producerId < 0n) {
      if (this.#transactionalId !== null)
        throw new KafkaClientError('The transactional producer is not initialized: call initTransactions', -1)
      await this.#initProducerId(this.#options.deliveryTimeoutMs ?? 120_000)
    }
    const batches: Batch[] = []
    for (const partitions of this.#queues.values()) {
      for (const queue of partitions) {
        if (queue === undefined || queue.records.length === 0) continue
        const queued = queue.records
        let bytes = 0
        let count = 0
        while (count < queued.length && (count === 0 || bytes + (queued[count] as Pending).size <= maxBatchBytes)) {
          bytes += (queued[count] as Pending).size
          count++
        }
        let records = queued
        if (count === queued.length) queue.records = []
        else records = queued.splice(0, count)
        batches.push({ key: queue.key, topic: queue.topic, partition: queue.partition, records })
        this.#queued -= count
      }
    }
    if (batches.length === 0) return
    if (this.#transactionalId !== null) await this.#addPartitions(batches)
    await this.#produce(batches, Date.now() + (this.#options.deliveryTimeoutMs ?? 120_000))
  }

  async #addPartitions(batches: readonly Batch[]): Promise<void> {
    const added = batches.filter((b) => !this.#inTransaction.has(b.key))
    if (added.length === 0) return
    const transactionalId = this.#transactionalId as string
    const topics = groupByTopic(added).map(([name, partitions]) => ({ name, partitions }))
    // part of delivering the records (as in Kafka's sender): the coordinator may still be completing the
    // previous transaction (CONCURRENT_TRANSACTIONS) while a broker that holds its markers' partitions is down
    await this.#coordinatorCall(
      Date.now() + (this.#options.deliveryTimeoutMs ?? 120_000),
      'Adding partitions to the transaction',
      async () => {
        const connection = await this.#client.coordinator(transactionalId, 'transaction')
        const response = await call(() =>
          addPartitionsToTxnV3.api.async(connection, [
            { transactionalId, producerId: this.#producerId, producerEpoch: this.#epoch, topics, verifyOnly: false },
          ]),
        )
        for (const topic of response.resultsByTransaction[0]?.topicResults ?? [])
          for (const p of topic.resultsByPartition) if (p.partitionErrorCode !== 0) return p.partitionErrorCode
        return response.errorCode
      },
    )
    for (const b of added) this.#inTransaction.add(b.key)
  }

  /** Writes the batches, retrying the failed ones with the same sequence numbers until `deadline`. */
  async #produce(batches: Batch[], deadline: number): Promise<void> {
    for (let backoff = 50; batches.length > 0; backoff = Math.min(backoff * 2, 1000)) {
      const failed: [Batch, KafkaClientError][] = []
      const byLeader = await this.#byLeader(batches, failed)
      await Promise.all([...byLeader].map(([leader, list]) => this.#produceTo(leader, list, failed)))
      batches = []
      for (const [batch, error] of failed) {
        if (producerStateCodes.has(error.errorCode) && this.#transactionalId === null) {
          // the broker forgot this producer (e.g. its state expired): start over with a new producer id
          await this.#initProducerId(this.#options.deliveryTimeoutMs ?? 120_000)
          batches.push(batch)
        } else if (producerStateCodes.has(error.errorCode) || fencingCodes.has(error.errorCode)) {
          throw new ProducerFencedError(
            `Writing to ${batch.topic}-${batch.partition} failed: ${errorName(error.errorCode)}; the producer ` +
              `${this.#describe()} was fenced or lost its state`,
            error.errorCode,
          )
        } else if (fatalCodes.has(error.errorCode)) {
          throw error
        } else if (error.retriable && Date.now() + backoff <= deadline) {
          batches.push(batch)
        } else if (batch.records.length > 1 && !error.retriable) {
          // a record of the batch is refused: write them one by one (in order) to find it
          for (const record of batch.records) await this.#produce([{ ...batch, records: [record] }], deadline)
        } else {
          if (this.#decide(batch, error) === 'RETRY') batches.push(batch)
        }
      }
      if (batches.length > 0) await delay(backoff)
    }
  }

  /** Asks `onSendError` about each record of a batch that cannot be written; FAIL wins, then RETRY. */
  #decide(batch: Batch, error: KafkaClientError): 'CONTINUE' | 'RETRY' {
    const handler = this.#options.onSendError
    let decision: SendErrorDecision = handler ? 'CONTINUE' : 'FAIL'
    if (handler) {
      for (const r of batch.records) {
        const answer = handler(
          {
            topic: batch.topic,
            partition: batch.partition,
            key: r.key,
            value: r.value,
            headers: r.headers,
            timestamp: r.timestamp,
            origin: r.origin,
          },
          error,
        )
        if (answer === 'FAIL' || (answer === 'RETRY' && decision === 'CONTINUE')) decision = answer
      }
    }
    if (decision === 'FAIL')
      throw new KafkaClientError(
        `Writing ${batch.records.length} record(s) to ${batch.topic}-${batch.partition} failed: ${error.message}`,
        error.errorCode,
        { cause: error },
      )
    return decision
  }

  /** Groups batches by their partition's leader; batches without a known leader fail retriably. */
  async #byLeader(batches: readonly Batch[], failed: [Batch, KafkaClientError][]): Promise<Map<number, Batch[]>> {
    const unknown = [...new Set(batches.filter((b) => this.#leader(b) === undefined).map((b) => b.topic))]
    if (unknown.length > 0) {
      try {
        await this.#refreshLeaders(unknown)
      } catch (error) {
        if (!(error instanceof KafkaClientError)) throw error
      }
    }
    const byLeader = new Map<number, Batch[]>()
    for (const batch of batches) {
      const leader = this.#leader(batch)
      if (leader === undefined) {
        failed.push([
          batch,
          new KafkaClientError(`${batch.topic}-${batch.partition} has no leader`, ErrorCode.LEADER_NOT_AVAILABLE),
        ])
        continue
      }
      let list = byLeader.get(leader)
      if (!list) byLeader.set(leader, (list = []))
      list.push(batch)
    }
    return byLeader
  }

  #leader(batch: Batch): number | undefined {
    const leader = this.#leaders.get(batch.topic)?.[batch.partition]
    return leader === undefined || leader < 0 ? undefined : leader
  }

  async #refreshLeaders(topics: readonly string[]): Promise<void> {
    for (const [name, lookup] of await this.#client.metadata(topics)) {
      if ('errorCode' in lookup) {
        if (lookup.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED)
          throw new KafkaClientError(
            `Not authorized to write to topic ${name}: grant this application's principal Write on it`,
            lookup.errorCode,
          )
        this.#leaders.delete(name)
        continue
      }
      this.#leaders.set(
        name,
        lookup.partitions.map((p) => p.leader),
      )
    }
  }

  /** One produce request to a leader; failed batches are reported in `failed` with their error. */
  async #produceTo(leader: number, batches: readonly Batch[], failed: [Batch, KafkaClientError][]): Promise<void> {
    const encoded: PartitionBatch[] = batches.map((b) => ({
      topic: b.topic,
      partition: b.partition,
      batch: encodeRecordBatch(
        b.records,
        this.#producerId,
        this.#epoch,
        this.#sequences.get(b.key) ?? 0,
        this.#transactionalId !== null,
      ),
    }))
    let response: Awaited<ReturnType<typeof produceBatches.async>>
    try {
      const connection = await this.#client.connection(leader)
      response = await call(() =>
        produceBatches.async(connection, this.#transactionalId, -1, this.#options.requestTimeoutMs, encoded),
      )
    } catch (error) {
      const failure =
        error instanceof KafkaClientError
          ? error
          : new KafkaClientError(`Writing to broker ${leader} failed: ${(error as Error).message}`, -1, {
              cause: error,
            })
      for (const batch of batches) failed.push([batch, failure])
      this.#leaders.clear()
      return
    }
    const byKey = new Map(batches.map((b) => [b.key, b]))
    for (const topic of response.responses) {
      for (const p of topic.partitionResponses) {
        const key = tpKey(topic.name, p.index)
        const batch = byKey.get(key)
        if (!batch) continue
        byKey.delete(key)
        const count = batch.records.length
        if (p.errorCode === ErrorCode.NONE || p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
          this.#sequences.set(key, (this.#sequences.get(key) ?? 0) + count)
          if (p.errorCode === ErrorCode.NONE && p.baseOffset >= 0n) {
            const last = Number(p.baseOffset) + count - 1
            if (last > (this.#acked.get(key) ?? -1)) this.#acked.set(key, last)
          }
          continue
        }
        if (p.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          this.#leaders.delete(batch.topic)
        const detail = p.errorMessage ?? p.recordErrors.find((e) => e.batchIndexErrorMessage)?.batchIndexErrorMessage
        failed.push([
          batch,
          new KafkaClientError(
            `Writing to ${key.replace(/:(\d+)$/, '-$1')} failed: ${errorName(p.errorCode)}${detail ? ` (${detail})` : ''}`,
            p.errorCode,
          ),
        ])
      }
    }
    // a partition the response does not mention was not written
    for (const batch of byKey.values())
      failed.push([batch, new KafkaClientError(`No answer for ${parseTpKey(batch.key).topic}-${batch.partition}`, -1)])
  }

  /**
   * Writes what is queued, as Kafka's `KafkaProducer.close()` does, then releases the connections. Nothing
   * is written with `discard` (a dirty close: those records will be produced again), after a failure, or
   * while a transaction is open (its records go with its commit or abort, never on their own).
   */
  async close(options: { discard?: boolean } = {}): Promise<void> {
    try {
      if (!options.discard && !this.#failure && !this.#transactionOpen) await this.flush()
    } finally {
      this.#closed = true
      await this.#settle()
      await this.#client.close()
    }
  }
}

function isCoordinatorMoved(code: number): boolean {
  return (
    code === ErrorCode.NOT_COORDINATOR ||
    code === ErrorCode.COORDINATOR_NOT_AVAILABLE ||
    code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
  )
}
