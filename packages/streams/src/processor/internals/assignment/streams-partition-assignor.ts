import type { Assignment, JoinedMember } from '../../../client/group-member.ts'
import { retrying, tpKey, type KafkaClient, type NewTopic, type TopicPartition } from '../../../client/kafka-client.ts'
import { TopologyException } from '../../../errors/topology-exception.ts'
import type { StreamsConfig } from '../../../streams-config.ts'
import type { TopologyMetadata } from '../topology-metadata.ts'
import {
  AssignorError,
  decodeSubscriptionInfo,
  encodeInfo,
  type AssignmentInfo,
  type SubscriptionInfo,
} from './assignment-protocol.ts'
import { assignTasks, type ClientSubscription } from './task-assignor.ts'

/** The assignment failed for a reason every member must hear (Kafka's assignor error codes). */
class AssignmentError extends Error {
  readonly code: number
  constructor(code: number, message: string) {
    super(message)
    this.code = code
  }
}

/**
 * The group leader's side of Kafka `StreamsPartitionAssignor`: checks the source topics, computes and
 * creates the internal topics (repartition counts, co-partitioning, changelogs), lays out the tasks,
 * reads the changelog end offsets for the members' lags, places the tasks (`assignTasks`) and gives
 * every member its input partitions with its tasks in the assignment's userData.
 */
export async function assignGroup(
  members: readonly JoinedMember[],
  metadata: TopologyMetadata,
  client: KafkaClient,
  config: StreamsConfig,
  now: number,
): Promise<Map<string, Assignment>> {
  const subscriptions = new Map<string, SubscriptionInfo>()
  for (const member of members) subscriptions.set(member.memberId, decodeSubscriptionInfo(member.userData))

  const errorAll = (code: number, message: string): Map<string, Assignment> => {
    const info: AssignmentInfo = {
      version: 1,
      activeTasks: {},
      standbyTasks: [],
      errorCode: code,
      errorMessage: message,
    }
    return new Map(members.map((m) => [m.memberId, { partitions: [], userData: encodeInfo(info) }]))
  }
  if ([...subscriptions.values()].some((s) => s.errorCode === AssignorError.SHUTDOWN_REQUESTED)) {
    return errorAll(
      AssignorError.SHUTDOWN_REQUESTED,
      'an instance of the application asked every instance to shut down',
    )
  }

  let tasks: ReturnType<TopologyMetadata['tasks']>
  let endOffsetSums: Map<string, number>
  try {
    ;({ tasks, endOffsetSums } = await prepareTopics(metadata, client, config))
  } catch (error) {
    if (error instanceof AssignmentError) return errorAll(error.code, error.message)
    if (error instanceof TopologyException) return errorAll(AssignorError.ASSIGNMENT_ERROR, error.message)
    throw error
  }

  const byProcess = new Map<string, ClientSubscription & { members: ClientSubscription['members'][number][] }>()
  for (const member of members) {
    const info = subscriptions.get(member.memberId) as SubscriptionInfo
    let client = byProcess.get(info.processId)
    if (!client) {
      client = { processId: info.processId, members: [] }
      byProcess.set(info.processId, client)
    }
    client.members.push({
      memberId: member.memberId,
      ownedActiveTasks: info.activeTasks.filter((id) => tasks.has(id)),
      ownedStandbyTasks: info.standbyTasks.filter((id) => tasks.has(id)),
      taskOffsetSums: new Map(Object.entries(info.taskOffsetSums)),
    })
  }
  const result = assignTasks({
    clients: [...byProcess.values()],
    tasks: new Map([...tasks].map(([id, t]) => [id, { stateful: t.changelogs.length > 0 }])),
    taskEndOffsetSums: endOffsetSums,
    numStandbyReplicas: config.numStandbyReplicas,
    acceptableRecoveryLag: config.acceptableRecoveryLag,
    maxWarmupReplicas: config.maxWarmupReplicas,
  })

  const assignments = new Map<string, Assignment>()
  let probingScheduled = false
  for (const member of members) {
    const assigned = result.members.get(member.memberId)
    const activeTasks: { [taskId: string]: TopicPartition[] } = {}
    const partitions: TopicPartition[] = []
    for (const id of assigned?.activeTasks ?? []) {
      const inputs = tasks.get(id)?.inputs ?? []
      activeTasks[id] = inputs
      partitions.push(...inputs)
    }
    let nextRebalanceMs: number | undefined
    if (assigned?.rejoinImmediately) nextRebalanceMs = 0
    else if (result.probingRebalanceNeeded && !probingScheduled) {
      // one member asks for the probing rebalance that moves warmed-up tasks to their target
      nextRebalanceMs = now + config.probingRebalanceIntervalMs
      probingScheduled = true
    }
    const info: AssignmentInfo = {
      version: 1,
      activeTasks,
      standbyTasks: assigned?.standbyTasks ?? [],
      errorCode: AssignorError.NONE,
      ...(nextRebalanceMs === undefined ? {} : { nextRebalanceMs }),
    }
    assignments.set(member.memberId, { partitions, userData: encodeInfo(info) })
  }
  return assignments
}

/** Validates source topics, creates internal topics, returns the tasks and their changelog end-offset sums. */
async function prepareTopics(
  metadata: TopologyMetadata,
  client: KafkaClient,
  config: StreamsConfig,
): Promise<{ tasks: ReturnType<TopologyMetadata['tasks']>; endOffsetSums: Map<string, number> }> {
  const external = metadata.externalSourceTopics
  const counts = await client.partitionCounts(external)
  const missing = external.filter((topic) => !counts.has(topic))
  if (missing.length > 0) {
    throw new AssignmentError(
      AssignorError.INCOMPLETE_SOURCE_TOPIC_METADATA,
      `Missing source topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: ` +
        `create ${missing.length > 1 ? 'them' : 'it'} before starting the application (sources are never created automatically)`,
    )
  }
  const repartitionCounts = metadata.repartitionCounts(counts)
  const internalTopics: NewTopic[] = [...repartitionCounts].map(([name, partitions]) => ({
    name,
    partitions,
    replicationFactor: config.replicationFactor,
    configs: metadata.repartitionTopicConfigs(),
  }))
  const allCounts = new Map([...counts, ...repartitionCounts])
  const tasks = metadata.tasks(allCounts)
  for (const sub of metadata.subtopologies) {
    const partitions = Math.max(0, ...sub.sourceTopics.map((t) => allCounts.get(t) ?? 0))
    for (const topic of sub.changelogTopics) {
      internalTopics.push({
        name: topic.name,
        partitions,
        replicationFactor: config.replicationFactor,
        configs: topic.configs,
      })
    }
  }
  await ensureTopics(client, internalTopics)

  const changelogPartitions: TopicPartition[] = []
  for (const [id, task] of tasks) {
    const partition = Number(id.slice(id.indexOf('_') + 1))
    for (const topic of task.changelogs) changelogPartitions.push({ topic, partition })
  }
  const ends = await retrying(() => client.listOffsets(changelogPartitions, 'latest'), config.requestTimeoutMs)
  const endOffsetSums = new Map<string, number>()
  for (const [id, task] of tasks) {
    if (task.changelogs.length === 0) continue
    const partition = Number(id.slice(id.indexOf('_') + 1))
    endOffsetSums.set(
      id,
      task.changelogs.reduce((sum, topic) => sum + (ends.get(tpKey(topic, partition)) ?? 0), 0),
    )
  }
  return { tasks, endOffsetSums }
}

/** Creates missing internal topics; an existing one must have the expected partition count (Kafka `makeReady`). */
async function ensureTopics(client: KafkaClient, topics: readonly NewTopic[]): Promise<void> {
  if (topics.length === 0) return
  const existing = await client.partitionCounts(topics.map((t) => t.name))
  for (const topic of topics) {
    const count = existing.get(topic.name)
    if (count !== undefined && count !== topic.partitions) {
      throw new AssignmentError(
        AssignorError.ASSIGNMENT_ERROR,
        `Existing internal topic ${topic.name} has invalid partitions: expected ${topic.partitions} but found ${count}. ` +
          `Reset the application (delete its internal topics) after changing the partition count of its input topics.`,
      )
    }
  }
  const created = topics.filter((t) => !existing.has(t.name))
  await client.createTopics(created)
  // new topics take a moment to reach every broker's metadata; members use them right after the assignment
  const deadline = Date.now() + 30_000
  for (let pending = created.map((t) => t.name); pending.length > 0;) {
    const counts = await client.partitionCounts(pending)
    pending = pending.filter((name) => !counts.has(name))
    if (pending.length === 0) break
    if (Date.now() > deadline)
      throw new AssignmentError(
        AssignorError.ASSIGNMENT_ERROR,
        `Created topics ${pending.join(', ')} do not appear in the cluster metadata`,
      )
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
