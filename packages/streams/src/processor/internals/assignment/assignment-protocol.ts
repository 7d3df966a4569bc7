import type { TopicPartition } from '../../../client/kafka-client.ts'

/**
 * What a member sends with its JoinGroup (Kafka `SubscriptionInfo`): its process (one KafkaStreams
 * instance), the tasks it runs and the state it has. Encoded as versioned JSON: only kstreams members
 * read it.
 */
export interface SubscriptionInfo {
  readonly version: 1
  readonly processId: string
  readonly activeTasks: readonly string[]
  readonly standbyTasks: readonly string[]
  /** Per task with local state: sum of (stored changelog offset + 1); -2 = running as active. */
  readonly taskOffsetSums: { readonly [taskId: string]: number }
  /** 0, or SHUTDOWN_REQUESTED when this process asks the whole application to stop. */
  readonly errorCode: number
}

/** Assignment error codes (Kafka `AssignorError`). */
export const AssignorError = {
  NONE: 0,
  INCOMPLETE_SOURCE_TOPIC_METADATA: 1,
  ASSIGNMENT_ERROR: 3,
  SHUTDOWN_REQUESTED: 4,
} as const

/** What the leader sends each member (Kafka `AssignmentInfo`). */
export interface AssignmentInfo {
  readonly version: 1
  /** Active tasks with their input partitions. */
  readonly activeTasks: { readonly [taskId: string]: readonly TopicPartition[] }
  readonly standbyTasks: readonly string[]
  readonly errorCode: number
  /** Why the assignment failed, naming the topics and the fix. */
  readonly errorMessage?: string
  /** Epoch ms of a follow-up rebalance; 0 = at once, absent = none. */
  readonly nextRebalanceMs?: number
}

export function encodeInfo(info: SubscriptionInfo | AssignmentInfo): Buffer {
  return Buffer.from(JSON.stringify(info), 'utf8')
}

export function decodeSubscriptionInfo(bytes: Buffer): SubscriptionInfo {
  const info = parse(bytes) as Partial<SubscriptionInfo>
  if (info.version !== 1 || typeof info.processId !== 'string') {
    throw new Error('a member of the group is not a kstreams instance of this version (unknown subscription data)')
  }
  return info as SubscriptionInfo
}

export function decodeAssignmentInfo(bytes: Buffer): AssignmentInfo {
  const info = parse(bytes) as Partial<AssignmentInfo>
  if (info.version !== 1) throw new Error('the group leader sent an assignment this version cannot read')
  return info as AssignmentInfo
}

function parse(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    return {}
  }
}
