import {
  Admin,
  deleteRecordsV2,
  findCoordinatorV6,
  listOffsetsV9,
  metadataV12,
  offsetCommitV9,
  offsetFetchV9,
  type Connection,
} from '@platformatic/kafka'
import { StreamsError } from '../errors/streams-error.ts'

/** One partition of a topic. */
export interface TopicPartition {
  readonly topic: string
  readonly partition: number
}

/** The map key of a partition: `topic:partition` (`:` cannot occur in a topic name). */
export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`
}

export function parseTpKey(key: string): TopicPartition {
  const at = key.lastIndexOf(':')
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) }
}

/** Kafka protocol error codes the runtime acts on. */
export const ErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  NETWORK_EXCEPTION: 13,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  INVALID_TIMESTAMP: 32,
  TOPIC_ALREADY_EXISTS: 36,
  POLICY_VIOLATION: 44,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  TRANSACTION_COORDINATOR_FENCED: 52,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  KAFKA_STORAGE_ERROR: 56,
  UNKNOWN_PRODUCER_ID: 59,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  OFFSET_NOT_AVAILABLE: 78,
  MEMBER_ID_REQUIRED: 79,
  FENCED_INSTANCE_ID: 82,
  INVALID_RECORD: 87,
  UNSTABLE_OFFSET_COMMIT: 88,
  PRODUCER_FENCED: 90,
} as const

const errorNames = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]))

/** A Kafka protocol error code by name, for messages. */
export function errorName(code: number): string {
  return errorNames.get(code) ?? `error code ${code}`
}

/** An error answered by a broker (or the failure to reach one), with its Kafka error code. */
export class KafkaClientError extends StreamsError {
  readonly errorCode: number
  constructor(message: string, errorCode: number, options?: { cause?: unknown }) {
    super('KSTREAMS_KAFKA', message, options)
    this.errorCode = errorCode
  }

  get retriable(): boolean {
    return retriableCodes.has(this.errorCode)
  }
}

const retriableCodes = new Set<number>([
  -1,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNSTABLE_OFFSET_COMMIT,
  // a new leader's high watermark has not caught up yet (right after a broker failed over)
  ErrorCode.OFFSET_NOT_AVAILABLE,
])

/**
 * Runs one protocol call and returns its response, also when the response carries error codes (the
 * client library throws those; the caller reads them per topic and partition). A network failure
 * rejects with a `KafkaClientError` of code -1.
 */
export async function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    const response = (error as { response?: unknown }).response
    if (response !== undefined && typeof response === 'object' && response !== null) return response as T
    throw new KafkaClientError(`Kafka request failed: ${(error as Error).message}`, -1, { cause: error })
  }
}

export interface PartitionMetadata {
  readonly leader: number
  readonly leaderEpoch: number
}

export interface TopicMetadata {
  readonly name: string
  readonly id: string
  readonly partitions: readonly PartitionMetadata[]
}

/** What a metadata request says about one topic: its metadata, or the error code it was answered with. */
export type TopicLookup = TopicMetadata | { readonly name: string; readonly errorCode: number }

export interface NewTopic {
  readonly name: string
  readonly partitions: number
  readonly replicationFactor: number
  readonly configs: { readonly [key: string]: string }
}

export interface CommittedOffset {
  readonly offset: number
  readonly metadata: string | null
}

export interface OffsetToCommit extends TopicPartition {
  readonly offset: number
  readonly leaderEpoch: number
  readonly metadata: string
}

export interface KafkaClientOptions {
  readonly clientId: string
  readonly bootstrapServers: readonly string[]
  readonly requestTimeoutMs: number
}

/**
 * The connection to a Kafka cluster that every part of the runtime shares: broker metadata, connections
 * by node id, the group coordinator, and the admin and offset requests of Kafka Streams. Built on the
 * protocol APIs of `@platformatic/kafka`; only `client/` knows that library.
 */
export class KafkaClient {
  readonly clientId: string
  readonly bootstrapServers: readonly string[]
  readonly #requestTimeoutMs: number
  readonly #admin: Admin
  readonly #brokers = new Map<number, { host: string; port: number }>()
  readonly #coordinators = new Map<string, number>()

  constructor(options: KafkaClientOptions) {
    this.clientId = options.clientId
    this.bootstrapServers = options.bootstrapServers
    this.#requestTimeoutMs = options.requestTimeoutMs
    this.#admin = new Admin({
      clientId: options.clientId,
      bootstrapBrokers: [...options.bootstrapServers],
      timeout: options.requestTimeoutMs,
      retries: 0,
    })
  }

  /**
   * A client of the same cluster with its own connections. A broker answers one connection's requests in
   * order, so a fetch waiting for data would hold up heartbeats, commits and admin requests sent after it:
   * each consumer gets its own connections, as each Java client does.
   */
  withOwnConnections(clientId: string): KafkaClient {
    return new KafkaClient({
      clientId,
      bootstrapServers: this.bootstrapServers,
      requestTimeoutMs: this.#requestTimeoutMs,
    })
  }

  /** A connection to any reachable broker. */
  async anyConnection(): Promise<Connection> {
    const brokers = this.#brokers.size > 0 ? [...this.#brokers.values()] : []
    for (const server of this.bootstrapServers) {
      const at = server.lastIndexOf(':')
      brokers.push({ host: server.slice(0, at), port: Number(server.slice(at + 1)) })
    }
    try {
      return await this.#admin.connections.getFirstAvailable(brokers)
    } catch (cause) {
      throw new KafkaClientError(
        `Cannot reach any Kafka broker of bootstrapServers ${this.bootstrapServers.join(',')}: ` +
          `${(cause as Error).message}. Check that the brokers run and the addresses are right.`,
        -1,
        { cause },
      )
    }
  }

  async connection(nodeId: number): Promise<Connection> {
    let broker = this.#brokers.get(nodeId)
    if (!broker) {
      await this.metadata([])
      broker = this.#brokers.get(nodeId)
    }
    if (!broker) throw new KafkaClientError(`Broker ${nodeId} is not in the cluster metadata`, -1)
    try {
      return await this.#admin.connections.get(broker)
    } catch (cause) {
      throw new KafkaClientError(`Cannot connect to broker ${nodeId} (${broker.host}:${broker.port})`, -1, { cause })
    }
  }

  /** Metadata of `topics` (all brokers are refreshed on the way). */
  async metadata(topics: readonly string[]): Promise<Map<string, TopicLookup>> {
    const connection = await this.anyConnection()
    const response = await call(() => metadataV12.api.async(connection, [...topics], false, false))
    for (const broker of response.brokers) this.#brokers.set(broker.nodeId, { host: broker.host, port: broker.port })
    const result = new Map<string, TopicLookup>()
    for (const topic of response.topics) {
      const name = topic.name ?? ''
      if (topic.errorCode !== 0) {
        result.set(name, { name, errorCode: topic.errorCode })
        continue
      }
      const partitions: PartitionMetadata[] = []
      for (const p of topic.partitions)
        partitions[p.partitionIndex] = { leader: p.errorCode === 0 ? p.leaderId : -1, leaderEpoch: p.leaderEpoch }
      result.set(name, { name, id: topic.topicId, partitions })
    }
    return result
  }

  /** Partition counts of the topics that exist; a missing or unauthorized topic is absent. */
  async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>()
    if (topics.length === 0) return counts
    for (const [name, lookup] of await this.metadata(topics)) {
      if ('errorCode' in lookup) {
        if (lookup.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED) {
          throw new KafkaClientError(
            `Not authorized to access topic ${name}: grant this application's principal Describe and Read on it`,
            lookup.errorCode,
          )
        }
        continue
      }
      counts.set(name, lookup.partitions.length)
    }
    return counts
  }

  /** The coordinator of a group or of a transactional id (cached until `forgetCoordinator`). */
  async coordinator(key: string, type: 'group' | 'transaction' = 'group'): Promise<Connection> {
    const cacheKey = `${type}:${key}`
    let nodeId = this.#coordinators.get(cacheKey)
    if (nodeId === undefined) {
      const connection = await this.anyConnection()
      const response = await call(() => findCoordinatorV6.api.async(connection, type === 'group' ? 0 : 1, [key]))
      const found = response.coordinators[0]
      if (!found || found.errorCode !== 0) {
        const code = found?.errorCode ?? -1
        throw new KafkaClientError(`No coordinator for ${type} ${key}: ${errorName(code)}`, code)
      }
      this.#brokers.set(found.nodeId, { host: found.host, port: found.port })
      nodeId = found.nodeId
      this.#coordinators.set(cacheKey, nodeId)
    }
    return this.connection(nodeId)
  }

  /** The node id of a group's coordinator. */
  async coordinatorNode(groupId: string): Promise<number | undefined> {
    await this.coordinator(groupId)
    return this.#coordinators.get(`group:${groupId}`)
  }

  forgetCoordinator(key: string, type: 'group' | 'transaction' = 'group'): void {
    this.#coordinators.delete(`${type}:${key}`)
  }

  /** Creates topics; a topic that exists already is fine (another instance may have created it). */
  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    await Promise.all(topics.map((topic) => this.#createTopic(topic)))
  }

  async #createTopic(topic: NewTopic): Promise<void> {
    try {
      await this.#admin.createTopics({
        topics: [topic.name],
        partitions: topic.partitions,
        replicas: topic.replicationFactor,
        configs: Object.entries(topic.configs).map(([name, value]) => ({ name, value })),
      })
    } catch (error) {
      const codes = protocolCodes(error)
      if (codes.length > 0 && codes.every((code) => code === ErrorCode.TOPIC_ALREADY_EXISTS)) return
      const code = codes.find((c) => c !== ErrorCode.TOPIC_ALREADY_EXISTS) ?? -1
      throw new KafkaClientError(
        `Cannot create topic ${topic.name}: ${errorName(code)} (${(error as Error).message})` +
          (code === ErrorCode.CLUSTER_AUTHORIZATION_FAILED || code === ErrorCode.TOPIC_AUTHORIZATION_FAILED
            ? '. Grant this application Create on the cluster or create the topics beforehand.'
            : ''),
        code,
        { cause: error },
      )
    }
  }

  /** Earliest (-2) or latest (-1) offsets of partitions; under read_committed, latest is the LSO. */
  async listOffsets(
    partitions: readonly TopicPartition[],
    which: 'earliest' | 'latest',
    readCommitted = false,
  ): Promise<Map<string, number>> {
    const result = new Map<string, number>()
    if (partitions.length === 0) return result
    const byLeader = await this.#byLeader(partitions)
    await Promise.all(
      [...byLeader].map(async ([leader, tps]) => {
        const connection = await this.connection(leader)
        const topics = groupByTopic(tps).map(([name, ps]) => ({
          name,
          partitions: ps.map((partitionIndex) => ({
            partitionIndex,
            currentLeaderEpoch: -1,
            timestamp: which === 'earliest' ? -2n : -1n,
          })),
        }))
        const response = await call(() => listOffsetsV9.api.async(connection, -1, readCommitted ? 1 : 0, topics))
        for (const topic of response.topics) {
          for (const p of topic.partitions) {
            if (p.errorCode !== 0) {
              throw new KafkaClientError(
                `Cannot list offsets of ${topic.name}-${p.partitionIndex}: ${errorName(p.errorCode)}`,
                p.errorCode,
              )
            }
            result.set(tpKey(topic.name, p.partitionIndex), Number(p.offset))
          }
        }
      }),
    )
    return result
  }

  /** Deletes records before the given offsets (repartition-topic purge). */
  async deleteRecords(offsets: ReadonlyMap<string, number>): Promise<void> {
    const partitions = [...offsets.keys()].map(parseTpKey)
    const byLeader = await this.#byLeader(partitions)
    await Promise.all(
      [...byLeader].map(async ([leader, tps]) => {
        const connection = await this.connection(leader)
        const topics = groupByTopic(tps).map(([name, ps]) => ({
          name,
          partitions: ps.map((partitionIndex) => ({
            partitionIndex,
            offset: BigInt(offsets.get(tpKey(name, partitionIndex)) ?? 0),
          })),
        }))
        await call(() => deleteRecordsV2.api.async(connection, topics, 30_000))
      }),
    )
  }

  /** The group's committed offsets of `partitions` (absent when none); waits out pending transactional commits. */
  async committedOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
  ): Promise<Map<string, CommittedOffset>> {
    const result = new Map<string, CommittedOffset>()
    if (partitions.length === 0) return result
    const topics = groupByTopic(partitions).map(([name, partitionIndexes]) => ({ name, partitionIndexes }))
    for (;;) {
      const connection = await this.coordinator(groupId)
      const response = await call(() =>
        offsetFetchV9.api.async(connection, [{ groupId, memberId: null, memberEpoch: -1, topics }], true),
      )
      const group = response.groups[0]
      const codes = [
        group?.errorCode ?? 0,
        ...(group?.topics ?? []).flatMap((t) => t.partitions.map((p) => p.errorCode)),
      ]
      const failed = codes.find((code) => code !== 0)
      if (failed !== undefined) {
        if (failed === ErrorCode.NOT_COORDINATOR || failed === ErrorCode.COORDINATOR_NOT_AVAILABLE)
          this.forgetCoordinator(groupId)
        const error = new KafkaClientError(
          `Cannot read committed offsets of group ${groupId}: ${errorName(failed)}`,
          failed,
        )
        if (!error.retriable) throw error
        await delay(100)
        continue
      }
      for (const topic of group?.topics ?? []) {
        for (const p of topic.partitions) {
          if (p.committedOffset >= 0n)
            result.set(tpKey(topic.name, p.partitionIndex), {
              offset: Number(p.committedOffset),
              metadata: p.metadata ?? null,
            })
        }
      }
      return result
    }
  }

  /** Commits offsets for a group member; throws a `KafkaClientError` with the first error code. */
  async commitOffsets(
    groupId: string,
    generationId: number,
    memberId: string,
    groupInstanceId: string | null,
    offsets: readonly OffsetToCommit[],
  ): Promise<void> {
    if (offsets.length === 0) return
    const byTopic = new Map<string, OffsetToCommit[]>()
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o])
    const topics = [...byTopic].map(([name, list]) => ({
      name,
      partitions: list.map((o) => ({
        partitionIndex: o.partition,
        committedOffset: BigInt(o.offset),
        committedLeaderEpoch: o.leaderEpoch,
        committedMetadata: o.metadata,
      })),
    }))
    const connection = await this.coordinator(groupId)
    const response = await call(() =>
      offsetCommitV9.api.async(connection, groupId, generationId, memberId, groupInstanceId, topics),
    )
    for (const topic of response.topics) {
      for (const p of topic.partitions) {
        if (p.errorCode === 0) continue
        if (p.errorCode === ErrorCode.NOT_COORDINATOR || p.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE)
          this.forgetCoordinator(groupId)
        throw new KafkaClientError(
          `Offset commit of group ${groupId} failed for ${topic.name}-${p.partitionIndex}: ${errorName(p.errorCode)}`,
          p.errorCode,
        )
      }
    }
  }

  /** Partitions grouped by their leader's node id (metadata refreshed). */
  async #byLeader(partitions: readonly TopicPartition[]): Promise<Map<number, TopicPartition[]>> {
    const metadata = await this.metadata([...new Set(partitions.map((tp) => tp.topic))])
    const result = new Map<number, TopicPartition[]>()
    for (const tp of partitions) {
      const lookup = metadata.get(tp.topic)
      if (!lookup || 'errorCode' in lookup) {
        const code = lookup?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        throw new KafkaClientError(`Topic ${tp.topic}: ${errorName(code)}`, code)
      }
      const leader = lookup.partitions[tp.partition]?.leader ?? -1
      if (leader < 0)
        throw new KafkaClientError(`${tp.topic}-${tp.partition} has no leader`, ErrorCode.LEADER_NOT_AVAILABLE)
      result.set(leader, [...(result.get(leader) ?? []), tp])
    }
    return result
  }

  async close(): Promise<void> {
    await this.#admin.close()
  }
}

export function groupByTopic(partitions: readonly TopicPartition[]): [string, number[]][] {
  const byTopic = new Map<string, number[]>()
  for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition])
  return [...byTopic]
}

/** Protocol error codes inside a client library error. */
function protocolCodes(error: unknown): number[] {
  const nested = (error as { errors?: unknown[] }).errors ?? []
  const codes: number[] = []
  for (const inner of nested) {
    const apiCode = (inner as { apiCode?: unknown }).apiCode
    if (typeof apiCode === 'number') codes.push(apiCode)
    else codes.push(...protocolCodes(inner))
  }
  return codes
}

/**
 * Runs `operation` again while it fails with a retriable error or a topic that is not known yet (just
 * created: metadata spreads to the brokers), up to `timeoutMs`.
 */
export async function retrying<T>(operation: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let backoff = 50; ; backoff = Math.min(backoff * 2, 1000)) {
    try {
      return await operation()
    } catch (error) {
      const again =
        error instanceof KafkaClientError &&
        (error.retriable || error.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      if (!again || Date.now() + backoff > deadline) throw error
      await delay(backoff)
    }
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
