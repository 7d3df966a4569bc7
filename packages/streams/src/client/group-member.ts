import {
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
  heartbeatV4,
  joinGroupV9,
  leaveGroupV5,
  syncGroupV5,
} from '@platformatic/kafka'
import {
  call,
  delay,
  ErrorCode,
  errorName,
  groupByTopic,
  KafkaClientError,
  tpKey,
  type KafkaClient,
  type TopicPartition,
} from './kafka-client.ts'

/** What a member tells the leader when it joins. */
export interface Subscription {
  readonly topics: readonly string[]
  readonly userData: Buffer
  /** Partitions the member owns now (cooperative rebalancing). */
  readonly ownedPartitions: readonly TopicPartition[]
}

/** A member as the leader sees it. */
export interface JoinedMember extends Subscription {
  readonly memberId: string
  readonly groupInstanceId: string | null
}

export interface Assignment {
  readonly partitions: readonly TopicPartition[]
  readonly userData: Buffer
}

/** The callbacks of a member; every one is awaited before the member goes on. */
export interface GroupListener {
  /** The subscription to send with the next JoinGroup. */
  subscription(): Subscription
  /** On the leader: an assignment for every member. */
  assign(members: readonly JoinedMember[]): Promise<Map<string, Assignment>>
  /** Partitions the member must give up (committed and closed before it rejoins). */
  onPartitionsRevoked(partitions: readonly TopicPartition[]): Promise<void>
  /** The new assignment: newly added partitions and the assignment's userData. */
  onPartitionsAssigned(added: readonly TopicPartition[], assignment: Assignment): Promise<void>
  /** The member was fenced out of the group: its partitions may already belong to others. */
  onPartitionsLost(partitions: readonly TopicPartition[]): Promise<void>
}

export interface GroupMemberOptions {
  readonly groupId: string
  readonly groupInstanceId: string | null
  readonly sessionTimeoutMs: number
  readonly rebalanceTimeoutMs: number
  readonly heartbeatIntervalMs: number
}

const PROTOCOL_TYPE = 'consumer'
const PROTOCOL_NAME = 'stream'

/**
 * A member of a classic consumer group with Kafka Streams' protocol `stream`, run over the raw
 * JoinGroup / SyncGroup / Heartbeat / LeaveGroup requests (Java `AbstractCoordinator` +
 * `ConsumerCoordinator` with the cooperative protocol). The leader runs the (async) assignor; every
 * assignment carries its own userData. Cooperative: a member keeps its partitions across a rebalance
 * and gives up only those the new assignment leaves out, after `onPartitionsRevoked` resolved, and then
 * rejoins so the leader can hand them on. Static membership with `groupInstanceId`.
 *
 * The owner drives it: `poll()` joins when needed; heartbeats run on a timer in between and flag a
 * rebalance for the next `poll()`.
 */
export class GroupMember {
  readonly #client: KafkaClient
  readonly #options: GroupMemberOptions
  readonly #listener: GroupListener
  memberId = ''
  generationId = -1
  #owned = new Map<string, TopicPartition>()
  #rejoinNeeded = true
  #lost = false
  #heartbeat: NodeJS.Timeout | undefined
  #heartbeatFailure: Error | undefined
  #heartbeatInFlight: Promise<void> | undefined
  #lastHeartbeat = 0
  #closed = false

  constructor(client: KafkaClient, options: GroupMemberOptions, listener: GroupListener) {
    this.#client = client
    this.#options = options
    this.#listener = listener
  }

  get groupInstanceId(): string | null {
    return this.#options.groupInstanceId
  }

  /** Partitions assigned to this member now. */
  get ownedPartitions(): TopicPartition[] {
    return [...this.#owned.values()]
  }

  get rebalanceNeeded(): boolean {
    return this.#rejoinNeeded || this.#lost
  }

  /** Asks for a rebalance at the next `poll()` (Java `enforceRebalance`). */
  requestRejoin(): void {
    this.#rejoinNeeded = true
  }

  /**
   * Runs a pending rebalance to its end (repeating while the group keeps rebalancing); returns at once
   * when the membership is current. Fatal errors (authorization, fenced static member) are thrown.
   */
  async poll(): Promise<boolean> {
    const failure = this.#heartbeatFailure
    if (failure) {
      this.#heartbeatFailure = undefined
      throw failure
    }
    if (!this.rebalanceNeeded) return false
    if (this.#lost) {
      this.#lost = false
      const lost = this.ownedPartitions
      this.#owned.clear()
      this.generationId = -1
      if (this.#options.groupInstanceId === null) this.memberId = ''
      await this.#listener.onPartitionsLost(lost)
    }
    while (this.#rejoinNeeded && !this.#closed) {
      try {
        await this.#joinAndSync()
      } catch (error) {
        if (!(error instanceof KafkaClientError) || !this.#recoverable(error)) throw error
        await delay(100)
      }
    }
    return true
  }

  #recoverable(error: KafkaClientError): boolean {
    switch (error.errorCode) {
      case ErrorCode.UNKNOWN_MEMBER_ID:
      case ErrorCode.ILLEGAL_GENERATION:
        this.memberId = this.#options.groupInstanceId === null ? '' : this.memberId
        this.generationId = -1
        return true
      case ErrorCode.REBALANCE_IN_PROGRESS:
      case ErrorCode.MEMBER_ID_REQUIRED:
        return true
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
        this.#client.forgetCoordinator(this.#options.groupId)
        return true
      case -1:
        // no broker answered: the owner decides how long to keep trying
        this.#client.forgetCoordinator(this.#options.groupId)
        return false
      default:
        return error.retriable
    }
  }

  async #joinAndSync(): Promise<void> {
    const { groupId, groupInstanceId, sessionTimeoutMs, rebalanceTimeoutMs } = this.#options
    const subscription = this.#listener.subscription()
    const metadata = encodeConsumerProtocolSubscription({
      version: 3,
      topics: [...subscription.topics],
      userData: subscription.userData,
      ownedPartitions: groupByTopic(subscription.ownedPartitions).map(([topic, partitions]) => ({ topic, partitions })),
      generationId: this.generationId,
      rackId: null,
    })
    const coordinator = await this.#client.coordinator(groupId)
    this.#stopHeartbeat()
    const join = await call(() =>
      joinGroupV9.api.async(
        coordinator,
        groupId,
        sessionTimeoutMs,
        rebalanceTimeoutMs,
        this.memberId,
        groupInstanceId,
        PROTOCOL_TYPE,
        [{ name: PROTOCOL_NAME, metadata }],
        null,
      ),
    )
    if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = join.memberId
      throw new KafkaClientError('member id assigned; joining again', join.errorCode)
    }
    this.#check(join.errorCode, 'JoinGroup')
    this.memberId = join.memberId
    this.generationId = join.generationId

    let assignments: { memberId: string; assignment: Buffer }[] = []
    if (join.leader === join.memberId && !join.skipAssignment) {
      const members: JoinedMember[] = join.members.map((m) => {
        const decoded = decodeConsumerProtocolSubscription(m.metadata)
        return {
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId ?? null,
          topics: decoded.topics,
          userData: decoded.userData,
          ownedPartitions: decoded.ownedPartitions.flatMap((a) =>
            a.partitions.map((partition) => ({ topic: a.topic, partition })),
          ),
        }
      })
      const result = await this.#listener.assign(members)
      assignments = members.map((m) => {
        const assignment = result.get(m.memberId) ?? { partitions: [], userData: Buffer.alloc(0) }
        return {
          memberId: m.memberId,
          assignment: encodeConsumerProtocolAssignment({
            version: 3,
            assignedPartitions: groupByTopic(assignment.partitions).map(([topic, partitions]) => ({
              topic,
              partitions,
            })),
            userData: assignment.userData,
          }),
        }
      })
    }
    const sync = await call(() =>
      syncGroupV5.api.async(
        coordinator,
        groupId,
        this.generationId,
        this.memberId,
        groupInstanceId,
        PROTOCOL_TYPE,
        PROTOCOL_NAME,
        assignments,
      ),
    )
    this.#check(sync.errorCode, 'SyncGroup')
    const decoded = decodeConsumerProtocolAssignment(sync.assignment)
    const assigned = decoded.assignedPartitions.flatMap((a) =>
      a.partitions.map((partition) => ({ topic: a.topic, partition })),
    )
    const assignment: Assignment = { partitions: assigned, userData: decoded.userData }
    this.#rejoinNeeded = false
    this.#startHeartbeat()

    const assignedKeys = new Set(assigned.map((tp) => tpKey(tp.topic, tp.partition)))
    const revoked = [...this.#owned].filter(([key]) => !assignedKeys.has(key)).map(([, tp]) => tp)
    if (revoked.length > 0) {
      await this.#listener.onPartitionsRevoked(revoked)
      // the revoked partitions are free only once the leader hears they are no longer owned
      this.#rejoinNeeded = true
    }
    const added = assigned.filter((tp) => !this.#owned.has(tpKey(tp.topic, tp.partition)))
    this.#owned = new Map(assigned.map((tp) => [tpKey(tp.topic, tp.partition), tp]))
    await this.#listener.onPartitionsAssigned(added, assignment)
  }

  #check(code: number, request: string): void {
    if (code === 0) return
    if (code === ErrorCode.GROUP_AUTHORIZATION_FAILED) {
      throw new KafkaClientError(
        `Not authorized to join group ${this.#options.groupId}: grant this application's principal Read on the group ` +
          `(the group id is the applicationId)`,
        code,
      )
    }
    if (code === ErrorCode.FENCED_INSTANCE_ID) {
      throw new KafkaClientError(
        `Another instance runs with groupInstanceId ${String(this.#options.groupInstanceId)}: give every instance its own`,
        code,
      )
    }
    throw new KafkaClientError(`${request} for group ${this.#options.groupId} failed: ${errorName(code)}`, code)
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat()
    this.#lastHeartbeat = Date.now()
    const beat = (): void => {
      if (this.#closed || this.#rejoinNeeded) return
      this.#heartbeatInFlight = this.#sendHeartbeat().finally(() => {
        this.#heartbeatInFlight = undefined
        if (this.#heartbeat !== undefined && !this.#closed)
          this.#heartbeat = setTimeout(beat, this.#options.heartbeatIntervalMs)
      })
    }
    this.#heartbeat = setTimeout(beat, this.#options.heartbeatIntervalMs)
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearTimeout(this.#heartbeat)
    this.#heartbeat = undefined
  }

  async #sendHeartbeat(): Promise<void> {
    const { groupId, groupInstanceId } = this.#options
    try {
      const coordinator = await this.#client.coordinator(groupId)
      const response = await call(() =>
        heartbeatV4.api.async(coordinator, groupId, this.generationId, this.memberId, groupInstanceId),
      )
      switch (response.errorCode) {
        case 0:
          this.#lastHeartbeat = Date.now()
          return
        case ErrorCode.REBALANCE_IN_PROGRESS:
          this.#lastHeartbeat = Date.now()
          this.#rejoinNeeded = true
          return
        case ErrorCode.UNKNOWN_MEMBER_ID:
        case ErrorCode.ILLEGAL_GENERATION:
          this.#lost = true
          this.#rejoinNeeded = true
          return
        case ErrorCode.FENCED_INSTANCE_ID:
          this.#heartbeatFailure = new KafkaClientError(
            `Another instance runs with groupInstanceId ${String(groupInstanceId)}: give every instance its own`,
            response.errorCode,
          )
          return
        default:
          this.#client.forgetCoordinator(groupId)
      }
    } catch {
      this.#client.forgetCoordinator(groupId)
    }
    // no answer for a whole session: the coordinator has expelled us by now
    if (Date.now() - this.#lastHeartbeat > this.#options.sessionTimeoutMs) {
      this.#lost = true
      this.#rejoinNeeded = true
    }
  }

  /**
   * Stops heartbeating; leaves the group unless this is a static member (which keeps its partitions for
   * a session timeout, so a restart does not rebalance).
   */
  async close(leave: boolean): Promise<void> {
    this.#closed = true
    this.#stopHeartbeat()
    await this.#heartbeatInFlight
    if (!leave || this.memberId === '') return
    const { groupId, groupInstanceId } = this.#options
    try {
      const coordinator = await this.#client.coordinator(groupId)
      await call(() =>
        leaveGroupV5.api.async(coordinator, groupId, [{ memberId: this.memberId, groupInstanceId, reason: 'closing' }]),
      )
    } catch {
      // the session timeout removes the member anyway
    }
  }
}
