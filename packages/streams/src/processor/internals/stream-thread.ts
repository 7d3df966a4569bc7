import { GroupMember, type Assignment } from '../../client/group-member.ts'
import {
  ErrorCode,
  KafkaClientError,
  parseTpKey,
  retrying,
  tpKey,
  type KafkaClient,
  type OffsetToCommit,
  type TopicPartition,
} from '../../client/kafka-client.ts'
import { OffsetOutOfRangeError, PartitionFetcher } from '../../client/partition-fetcher.ts'
import { ProducerFencedError, RecordProducer } from '../../client/record-producer.ts'
import type { RawRecord } from '../../errors/exception-handlers.ts'
import { StreamsException } from '../../errors/streams-exception.ts'
import type { Headers } from '../../header/headers.ts'
import type { StreamsConfig } from '../../streams-config.ts'
import type { StateStore } from '../api/processor.ts'
import type { StateRestoreListener } from '../state-restore-listener.ts'
import { TaskId } from '../task-id.ts'
import {
  AssignorError,
  decodeAssignmentInfo,
  encodeInfo,
  type AssignmentInfo,
  type SubscriptionInfo,
} from './assignment/assignment-protocol.ts'
import { assignGroup } from './assignment/streams-partition-assignor.ts'
import { defaultPartition } from './default-partitioner.ts'
import type { RecordCollector } from './record-collector.ts'
import type { RecordQueue } from './record-queue.ts'
import { buildProcessorTopology, StreamTask } from './stream-task.ts'
import type { TopologyMetadata } from './topology-metadata.ts'

export type StreamThreadState =
  'CREATED' | 'STARTING' | 'PARTITIONS_REVOKED' | 'PARTITIONS_ASSIGNED' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'DEAD'

/** What the threads of one KafkaStreams instance share. */
export interface StreamThreadContext {
  readonly config: StreamsConfig
  readonly metadata: TopologyMetadata
  readonly client: KafkaClient
  readonly processId: string
  readonly clientId: string
  readonly globalStores: ReadonlyMap<string, StateStore>
  restoreListener(): StateRestoreListener | undefined
  /** Offset sums of the task directories on disk that no task has open (for the assignor's lags). */
  readonly taskOffsetSums: Map<string, number>
  onStateChange(thread: StreamThread, state: StreamThreadState, previous: StreamThreadState): void
  isPaused(): boolean
}

/** An active task in the thread: restoring its stores, then processing. */
interface ActiveTask {
  readonly task: StreamTask
  readonly inputs: readonly TopicPartition[]
  state: 'RESTORING' | 'RUNNING'
  /** Changelogs still restoring: exclusive end offset and records restored so far. */
  readonly restoring: Map<string, { end: number; restored: number }>
  /** Changelog offsets acknowledged since the stores were last committed, by topic. */
  readonly changelogOffsets: Map<string, number>
  /** Input partitions processed since the last commit. */
  readonly consumed: Set<string>
  /** The buffer of each input partition, in input order. */
  readonly queues: readonly RecordQueue[]
  commitNeeded: boolean
  /** Per empty input partition with nothing on the broker: when waiting for it ends (maxTaskIdleMs). */
  readonly idleDeadlines: Map<RecordQueue, number>
}

interface StandbyTask {
  readonly task: StreamTask
  /** Offset of the last changelog record applied, by topic. */
  readonly offsets: Map<string, number>
  dirty: boolean
}

/** Signals that the group moved on without this member: its tasks were closed dirty. */
class TaskMigratedException extends Error {}

/**
 * Kafka `StreamThread`: one group member with its tasks. Its loop (`run`) joins the group when needed,
 * restores and updates stores from changelogs, fetches, processes every running task's buffered records
 * synchronously (lowest timestamp first across a task's partitions), punctuates and commits every
 * `commitIntervalMs`: flush caches, flush the producer, commit offsets, then commit the stores with the
 * changelog offsets they now include. Rebalances are cooperative: revoked tasks are committed and closed
 * before the member rejoins.
 */
export class StreamThread {
  readonly index: number
  readonly name: string
  readonly #ctx: StreamThreadContext
  readonly #config: StreamsConfig
  readonly #member: GroupMember
  readonly #fetcher: PartitionFetcher
  readonly #restoreFetcher: PartitionFetcher
  readonly #producer: RecordProducer
  /** Exactly-once: the producer is transactional, and must be (re)initialized before it sends. */
  readonly #eos: boolean
  #producerReady = false
  readonly #active = new Map<string, ActiveTask>()
  readonly #standby = new Map<string, StandbyTask>()
  /** Input partition key -> task id. */
  readonly #taskByPartition = new Map<string, string>()
  /** Changelog partition key -> task id, for restoring and standby tasks. */
  readonly #changelogOwner = new Map<string, string>()
  readonly #partitionCounts = new Map<string, number>()
  readonly #roundRobin = new Map<string, number>()
  #state: StreamThreadState = 'CREATED'
  #stopRequested = false
  #shutdownApplication = false
  #lastCommit = Date.now()
  #lastPurge = Date.now()
  #nextRebalance = Number.POSITIVE_INFINITY
  #assignmentError: AssignmentInfo | undefined
  #timeoutSince: number | undefined
  /** Records processed, for tests and metrics. */
  processedRecords = 0
  /** Records dropped by tasks closed so far (skipped by a handler, invalid timestamps, late, ...). */
  #droppedByClosedTasks = 0

  constructor(index: number, context: StreamThreadContext, shutdownApplication = false) {
    this.index = index
    this.name = `${context.clientId}-StreamThread-${index}`
    this.#ctx = context
    this.#config = context.config
    this.#shutdownApplication = shutdownApplication
    const { config, client } = context
    this.#member = new GroupMember(
      client,
      {
        groupId: config.applicationId,
        groupInstanceId: config.groupInstanceId === undefined ? null : `${config.groupInstanceId}-${index}`,
        sessionTimeoutMs: config.sessionTimeoutMs,
        rebalanceTimeoutMs: config.maxPollIntervalMs,
        heartbeatIntervalMs: config.heartbeatIntervalMs,
      },
      {
        subscription: () => this.#subscription(),
        assign: (members) => assignGroup(members, context.metadata, client, config, Date.now()),
        onPartitionsRevoked: (partitions) => this.#onRevoked(partitions),
        onPartitionsAssigned: (_added, assignment) => this.#onAssigned(assignment),
        onPartitionsLost: () => this.#onLost(),
      },
    )
    this.#eos = config.processingGuarantee === 'exactly_once_v2'
    const fetchOptions = {
      readCommitted: this.#eos,
      maxWaitMs: 500,
      maxBytes: 50 * 1024 * 1024,
      partitionMaxBytes: 1024 * 1024,
      ownsClient: true,
    }
    this.#fetcher = new PartitionFetcher(client.withOwnConnections(`${this.name}-consumer`), fetchOptions)
    this.#restoreFetcher = new PartitionFetcher(client.withOwnConnections(`${this.name}-restore-consumer`), {
      ...fetchOptions,
      maxWaitMs: 100,
    })
    this.#producer = new RecordProducer({
      client: client.withOwnConnections(`${this.name}-producer`),
      requestTimeoutMs: config.requestTimeoutMs,
      // Kafka Streams' transactional id: the process id is kept on disk, so a restarted thread fences its zombie
      ...(this.#eos ? { transactionalId: `${config.applicationId}-${context.processId}-${index}` } : {}),
      transactionTimeoutMs: config.transactionTimeoutMs,
    })
  }

  get state(): StreamThreadState {
    return this.#state
  }

  #setState(state: StreamThreadState): void {
    const previous = this.#state
    if (previous === state || previous === 'DEAD') return
    if (previous === 'PENDING_SHUTDOWN' && state !== 'DEAD') return
    this.#state = state
    this.#ctx.onStateChange(this, state, previous)
  }

  /** Active and standby task ids with their partitions, for `metadataForLocalThreads`. */
  tasks(): { active: { taskId: string; partitions: TopicPartition[] }[]; standby: string[] } {
    return {
      active: [...this.#active].map(([taskId, t]) => ({ taskId, partitions: [...t.inputs] })),
      standby: [...this.#standby.keys()],
    }
  }

  /** Records dropped by this thread's tasks: Kafka's `dropped-records-total`. */
  get droppedRecords(): number {
    let total = this.#droppedByClosedTasks
    for (const { task } of this.#active.values()) total += task.context.droppedRecords
    return total
  }

  /** Stops the loop; `run` then commits, closes the tasks and leaves the group. */
  requestStop(): void {
    this.#stopRequested = true
    this.#setState('PENDING_SHUTDOWN')
    this.#fetcher.wakeup()
    this.#restoreFetcher.wakeup()
  }

  /** Asks the group leader to stop every instance of the application (errorCode SHUTDOWN_REQUESTED). */
  requestApplicationShutdown(): void {
    this.#shutdownApplication = true
    this.#member.requestRejoin()
  }

  /** Runs until stopped; rejects with the error that killed the thread (after closing what it could). */
  async run(leaveGroupOnClose: boolean): Promise<void> {
    this.#setState('STARTING')
    try {
      while (!this.#stopRequested) {
        await this.#runOnce()
        // an iteration may complete on promises alone: let timers and I/O run between iterations
        await new Promise(setImmediate)
      }
    } catch (error) {
      await this.#shutdown(false, true)
      throw error
    }
    await this.#shutdown(true, leaveGroupOnClose)
  }

  async #runOnce(): Promise<void> {
    try {
      await this.#member.poll()
      this.#timeoutSince = undefined
    } catch (error) {
      // the revocation's commit found the tasks migrated: they are closed and the member rejoins
      if (error instanceof TaskMigratedException) return
      if (!(error instanceof KafkaClientError) || error.errorCode !== -1) throw error
      // no broker reachable: keep trying until taskTimeoutMs
      this.#timeoutSince ??= Date.now()
      if (Date.now() - this.#timeoutSince > this.#config.taskTimeoutMs) {
        throw new StreamsException(
          `${error.message} (still failing after taskTimeoutMs=${this.#config.taskTimeoutMs})`,
          { cause: error },
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
      return
    }
    if (this.#stopRequested) return
    const restoring = [...this.#active.values()].some((t) => t.state === 'RESTORING')
    await this.#restore(restoring ? this.#config.pollMs : 0)
    if (this.#stopRequested) return
    let records: Map<string, RawRecord[]>
    try {
      records = await this.#fetcher.poll(restoring || this.#ctx.isPaused() ? 0 : this.#config.pollMs)
    } catch (error) {
      if (!(error instanceof OffsetOutOfRangeError)) throw error
      // e.g. a repartition topic purged past the position of an instance that was frozen meanwhile
      await this.#resetOffsets([{ topic: error.topic, partition: error.partition }], `offset ${error.offset} is gone`)
      return
    }
    this.#addRecords(records)
    if (!this.#ctx.isPaused()) this.#process()
    this.#resumeDrained()
    this.#producer.pump()
    if (
      Date.now() - this.#lastCommit >= this.#config.commitIntervalMs ||
      this.#commitRequested() ||
      (this.#producer.failed && this.#producerHasWork())
    ) {
      try {
        await this.#commitAll()
      } catch (error) {
        if (!(error instanceof TaskMigratedException)) throw error
      }
    }
    if (
      this.#config.repartitionPurgeIntervalMs >= 0 &&
      Date.now() - this.#lastPurge >= this.#config.repartitionPurgeIntervalMs
    ) {
      this.#lastPurge = Date.now()
      this.#purgeRepartitionTopics()
    }
    if (Date.now() >= this.#nextRebalance) {
      this.#nextRebalance = Number.POSITIVE_INFINITY
      this.#member.requestRejoin()
    }
    if (this.#state === 'PARTITIONS_ASSIGNED' && ![...this.#active.values()].some((t) => t.state === 'RESTORING')) {
      this.#setState('RUNNING')
    }
  }

  // ---- group membership ----

  #subscription() {
    const activeTasks: string[] = []
    const taskOffsetSums: { [taskId: string]: number } = Object.fromEntries(this.#ctx.taskOffsetSums)
    for (const [id, t] of this.#active) {
      activeTasks.push(id)
      if (t.task.changelogs.size > 0 && t.state === 'RUNNING') taskOffsetSums[id] = -2
    }
    for (const [id, t] of this.#standby) {
      let sum = 0
      for (const offset of t.offsets.values()) sum += offset + 1
      taskOffsetSums[id] = sum
    }
    const info: SubscriptionInfo = {
      version: 1,
      processId: this.#ctx.processId,
      activeTasks,
      standbyTasks: [...this.#standby.keys()],
      taskOffsetSums,
      errorCode: this.#shutdownApplication ? AssignorError.SHUTDOWN_REQUESTED : AssignorError.NONE,
    }
    return {
      topics: this.#ctx.metadata.sourceTopics,
      userData: encodeInfo(info),
      ownedPartitions: this.#member.ownedPartitions,
    }
  }

  async #onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    this.#setState('PARTITIONS_REVOKED')
    const revoked = new Set(partitions.map((tp) => tpKey(tp.topic, tp.partition)))
    const tasks = [...this.#active].filter(([, t]) => t.inputs.some((tp) => revoked.has(tpKey(tp.topic, tp.partition))))
    const committed = await this.#commit([...this.#active.values()].filter((t) => t.state === 'RUNNING'))
    for (const [id] of tasks) this.#closeActive(id, committed)
  }

  #onLost(): Promise<void> {
    this.#setState('PARTITIONS_REVOKED')
    this.#closeAllDirty()
    return Promise.resolve()
  }

  /**
   * Closes every active task without committing. Under exactly-once the open transaction holds their
   * output: the producer starts a new epoch before it sends again, which aborts it.
   */
  #closeAllDirty(): void {
    for (const id of [...this.#active.keys()]) this.#closeActive(id, false)
    this.#producerReady = false
  }

  async #onAssigned(assignment: Assignment): Promise<void> {
    const info = decodeAssignmentInfo(assignment.userData)
    if (info.errorCode !== AssignorError.NONE) {
      this.#assignmentError = info
      throw new StreamsException(info.errorMessage ?? `the assignment failed with error code ${info.errorCode}`)
    }
    this.#setState('PARTITIONS_ASSIGNED')
    if (info.nextRebalanceMs === 0) this.#member.requestRejoin()
    else if (info.nextRebalanceMs !== undefined) this.#nextRebalance = info.nextRebalanceMs

    // tasks no longer assigned (revocation closed most of them already)
    for (const id of [...this.#active.keys()]) if (!(id in info.activeTasks)) this.#closeActive(id, true)
    for (const id of [...this.#standby.keys()]) {
      if (!info.standbyTasks.includes(id) || id in info.activeTasks) this.#closeStandby(id)
    }
    const created: ActiveTask[] = []
    for (const [id, inputs] of Object.entries(info.activeTasks)) {
      if (this.#active.has(id)) continue
      created.push(this.#createActive(id, inputs))
    }
    for (const id of info.standbyTasks) if (!this.#standby.has(id) && !(id in info.activeTasks)) this.#createStandby(id)
    await this.#loadPartitionCounts()
    await this.#startRestoring(created)
    await this.#startStandbys()
  }

  // ---- tasks ----

  #buildTask(id: string): StreamTask {
    const taskId = parseTaskId(id)
    const sub = this.#ctx.metadata.subtopology(taskId.subtopology)
    const topology = buildProcessorTopology(this.#ctx.metadata.builder, sub.nodeNames)
    const task = new StreamTask(
      taskId,
      topology,
      this.#config,
      this.#collector,
      () => Date.now(),
      this.#ctx.globalStores,
    )
    this.#ctx.taskOffsetSums.delete(id)
    task.initializeStores()
    return task
  }

  #createActive(id: string, inputs: readonly TopicPartition[]): ActiveTask {
    const task = this.#buildTask(id)
    const active: ActiveTask = {
      task,
      inputs,
      queues: inputs.map((tp) => task.queue(tp.topic, tp.partition)),
      state: 'RESTORING',
      restoring: new Map(),
      changelogOffsets: new Map(),
      consumed: new Set(),
      commitNeeded: false,
      idleDeadlines: new Map(),
    }
    this.#active.set(id, active)
    for (const tp of inputs) this.#taskByPartition.set(tpKey(tp.topic, tp.partition), id)
    this.#fetcher.assign(inputs)
    return active
  }

  #createStandby(id: string): void {
    this.#standby.set(id, { task: this.#buildTask(id), offsets: new Map(), dirty: false })
  }

  #closeActive(id: string, clean: boolean): void {
    const active = this.#active.get(id)
    if (!active) return
    this.#active.delete(id)
    for (const tp of active.inputs) this.#taskByPartition.delete(tpKey(tp.topic, tp.partition))
    this.#fetcher.unassign(active.inputs)
    const partition = active.task.id.partition
    const listener = this.#ctx.restoreListener()
    for (const [topic, progress] of active.restoring) {
      this.#changelogOwner.delete(tpKey(topic, partition))
      listener?.onRestoreSuspended?.(
        { topic, partition },
        active.task.changelogs.get(topic)?.storeName ?? topic,
        progress.restored,
      )
    }
    this.#restoreFetcher.unassign([...active.restoring.keys()].map((topic) => ({ topic, partition })))
    if (clean && active.state === 'RESTORING') active.task.commitStores(active.changelogOffsets)
    this.#rememberOffsets(id, active.task)
    this.#droppedByClosedTasks += active.task.context.droppedRecords
    active.task.close(clean)
  }

  #closeStandby(id: string): void {
    const standby = this.#standby.get(id)
    if (!standby) return
    this.#standby.delete(id)
    const partition = standby.task.id.partition
    const changelogs = [...standby.task.changelogs.keys()].map((topic) => ({ topic, partition }))
    for (const tp of changelogs) this.#changelogOwner.delete(tpKey(tp.topic, tp.partition))
    this.#restoreFetcher.unassign(changelogs)
    standby.task.commitStores(standby.offsets)
    this.#rememberOffsets(id, standby.task)
    standby.task.close(true)
  }

  /** The offset sum a task leaves on disk when it closes, reported in later subscriptions. */
  #rememberOffsets(id: string, task: StreamTask): void {
    let sum = 0
    for (const topic of task.changelogs.keys()) {
      const offset = task.storedChangelogOffset(topic)
      if (offset !== undefined) sum += offset + 1
    }
    if (sum > 0) this.#ctx.taskOffsetSums.set(id, sum)
  }

  /** Partition counts of the topics the tasks write to (the default partitioner needs them). */
  async #loadPartitionCounts(): Promise<void> {
    const topics = new Set<string>()
    for (const { task } of this.#active.values()) for (const topic of task.topology.sinkTopics) topics.add(topic)
    const unknown = [...topics].filter((t) => !this.#partitionCounts.has(t))
    if (unknown.length === 0) return
    const counts = await this.#ctx.client.partitionCounts(unknown)
    for (const [topic, count] of counts) this.#partitionCounts.set(topic, count)
  }

  /** Looks up where each new task's changelogs start and end; tasks with nothing to restore start at once. */
  async #startRestoring(tasks: readonly ActiveTask[]): Promise<void> {
    if (this.#eos && !this.#producerReady && tasks.length > 0) {
      // fences a previous incarnation of this thread and aborts the transaction it left open, which would
      // otherwise hold back the changelogs' restoration (it waits until their open transactions ended)
      await this.#producer.initTransactions(this.#config.taskTimeoutMs)
      this.#producerReady = true
    }
    const partitions: TopicPartition[] = []
    for (const active of tasks)
      for (const topic of active.task.changelogs.keys()) partitions.push({ topic, partition: active.task.id.partition })
    const timeout = this.#config.requestTimeoutMs
    const [ends, starts] = await Promise.all([
      // the end is the high watermark also under exactly-once: restoration reads committed records only and
      // ends when the transactions below it ended (committed ones are restored, aborted ones skipped)
      retrying(() => this.#ctx.client.listOffsets(partitions, 'latest'), timeout),
      retrying(() => this.#ctx.client.listOffsets(partitions, 'earliest'), timeout),
    ])
    const listener = this.#ctx.restoreListener()
    for (const active of tasks) {
      const partition = active.task.id.partition
      for (const [topic, changelog] of active.task.changelogs) {
        const key = tpKey(topic, partition)
        const end = ends.get(key) ?? 0
        const stored = active.task.storedChangelogOffset(topic)
        const start = Math.max(stored === undefined ? 0 : stored + 1, starts.get(key) ?? 0)
        if (start >= end) continue
        active.restoring.set(topic, { end, restored: 0 })
        this.#changelogOwner.set(key, active.task.id.toString())
        this.#restoreFetcher.assign([{ topic, partition }])
        this.#restoreFetcher.seek(topic, partition, start)
        listener?.onRestoreStart?.({ topic, partition }, changelog.storeName, start, end)
      }
    }
    await this.#completeRestored(tasks.filter((t) => t.restoring.size === 0))
  }

  async #startStandbys(): Promise<void> {
    const fresh: [StandbyTask, TopicPartition][] = []
    for (const standby of this.#standby.values()) {
      const partition = standby.task.id.partition
      for (const topic of standby.task.changelogs.keys()) {
        if (this.#restoreFetcher.isAssigned(topic, partition)) continue
        fresh.push([standby, { topic, partition }])
      }
    }
    if (fresh.length === 0) return
    const starts = await retrying(
      () =>
        this.#ctx.client.listOffsets(
          fresh.map(([, tp]) => tp),
          'earliest',
        ),
      this.#config.requestTimeoutMs,
    )
    for (const [standby, { topic, partition }] of fresh) {
      const stored = standby.task.storedChangelogOffset(topic)
      const start = Math.max(stored === undefined ? 0 : stored + 1, starts.get(tpKey(topic, partition)) ?? 0)
      this.#changelogOwner.set(tpKey(topic, partition), standby.task.id.toString())
      this.#restoreFetcher.assign([{ topic, partition }])
      this.#restoreFetcher.seek(topic, partition, start)
    }
  }

  /** One round of restoration and standby updates. */
  async #restore(timeoutMs: number): Promise<void> {
    if (this.#restoreFetcher.assignment().length === 0) return
    let records: Map<string, RawRecord[]>
    try {
      records = await this.#restoreFetcher.poll(timeoutMs)
    } catch (error) {
      if (error instanceof OffsetOutOfRangeError) {
        throw new StreamsException(
          `Changelog ${error.topic}-${error.partition} no longer holds offset ${error.offset} (deleted by retention?): ` +
            `delete the state directory of the task to restore it from the start of the changelog`,
          { cause: error },
        )
      }
      throw error
    }
    const listener = this.#ctx.restoreListener()
    const finished: ActiveTask[] = []
    for (const [key, list] of records) {
      const id = this.#changelogOwner.get(key)
      if (id === undefined) continue
      const { topic, partition } = parseTpKey(key)
      const active = this.#active.get(id)
      if (active) {
        const progress = active.restoring.get(topic)
        const changelog = active.task.changelogs.get(topic)
        if (!progress || !changelog) continue
        let applied = 0
        let last = -1
        for (const record of list) {
          if (record.offset >= progress.end) break
          last = record.offset
          if (record.key === null) continue
          changelog.restore(record.key, record.value, record.timestamp)
          applied++
        }
        if (last >= 0) {
          progress.restored += applied
          active.changelogOffsets.set(topic, last)
          listener?.onBatchRestored?.({ topic, partition }, changelog.storeName, last, applied)
        }
        continue
      }
      const standby = this.#standby.get(id)
      const changelog = standby?.task.changelogs.get(topic)
      if (!standby || !changelog) continue
      for (const record of list) {
        if (record.key !== null) changelog.restore(record.key, record.value, record.timestamp)
        standby.offsets.set(topic, record.offset)
        standby.dirty = true
      }
    }
    for (const active of this.#active.values()) {
      if (active.state !== 'RESTORING' || active.restoring.size === 0) continue
      const partition = active.task.id.partition
      for (const [topic, progress] of active.restoring) {
        const position = this.#restoreFetcher.position(topic, partition) ?? 0
        if (position < progress.end) continue
        active.restoring.delete(topic)
        this.#changelogOwner.delete(tpKey(topic, partition))
        this.#restoreFetcher.unassign([{ topic, partition }])
        listener?.onRestoreEnd?.(
          { topic, partition },
          active.task.changelogs.get(topic)?.storeName ?? topic,
          progress.restored,
        )
      }
      // restored data is made durable as it comes, so an interrupted restore resumes where it was
      active.task.commitStores(active.changelogOffsets)
      active.changelogOffsets.clear()
      if (active.restoring.size === 0) finished.push(active)
    }
    await this.#completeRestored(finished)
  }

  /** Restored tasks start processing from their committed offsets (Kafka `completeRestoration`). */
  async #completeRestored(tasks: readonly ActiveTask[]): Promise<void> {
    if (tasks.length === 0) return
    const inputs = tasks.flatMap((t) => [...t.inputs])
    const committed = await this.#ctx.client.committedOffsets(this.#config.applicationId, inputs)
    const missing = inputs.filter((tp) => !committed.has(tpKey(tp.topic, tp.partition)))
    await this.#resetOffsets(missing)
    for (const active of tasks) {
      for (const { topic, partition } of active.inputs) {
        const offset = committed.get(tpKey(topic, partition))
        if (offset) {
          active.task.queue(topic, partition).partitionTime = decodePartitionTime(offset.metadata)
          this.#fetcher.seek(topic, partition, offset.offset)
        }
      }
      active.task.initializeProcessors()
      active.state = 'RUNNING'
    }
  }

  /**
   * Seeks input partitions without a valid offset to where their reset policy says (Kafka
   * `StreamThread.resetOffsets`): the source's `Consumed` policy, `earliest` for repartition topics, else
   * `autoOffsetReset`. Policy `none` fails: the application must not guess where to start.
   */
  async #resetOffsets(partitions: readonly TopicPartition[], reason?: string): Promise<void> {
    if (partitions.length === 0) return
    const byPolicy = new Map<'earliest' | 'latest', TopicPartition[]>()
    for (const tp of partitions) {
      const policy = this.#ctx.metadata.offsetResets.get(tp.topic) ?? this.#config.autoOffsetReset
      if (policy === 'none') {
        throw new StreamsException(
          `No valid committed offset for input topic ${tp.topic} partition ${tp.partition}${reason ? ` (${reason})` : ''} ` +
            `and its offset reset policy is none: set the offset with Kafka's tools, or give the source another policy`,
        )
      }
      const list = byPolicy.get(policy) ?? []
      list.push(tp)
      byPolicy.set(policy, list)
    }
    for (const [policy, list] of byPolicy) {
      const offsets = await retrying(() => this.#ctx.client.listOffsets(list, policy), this.#config.requestTimeoutMs)
      for (const { topic, partition } of list) {
        const offset = offsets.get(tpKey(topic, partition)) ?? 0
        if (reason)
          console.warn(`kstreams: ${topic}-${partition}: ${reason}; reading from the ${policy} offset ${offset}`)
        this.#fetcher.seek(topic, partition, offset)
      }
    }
  }

  // ---- processing ----

  readonly #collector: RecordCollector = {
    send: (topic, key, value, headers, timestamp, partitions) =>
      this.#send(topic, key, value, headers, timestamp, partitions),
    partitionsFor: (topic, partitioner) => partitioner(this.#partitionCount(topic)),
  }

  #partitionCount(topic: string): number {
    const count = this.#partitionCounts.get(topic)
    if (count === undefined) {
      throw new StreamsException(
        `Topic ${topic} is unknown to the application: create it before starting (output topics are not created automatically)`,
      )
    }
    return count
  }

  #send(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    headers: Headers,
    timestamp: number,
    partitions: number | Iterable<number> | null | undefined,
  ): void {
    if (partitions === null || partitions === undefined) {
      const count = this.#partitionCount(topic)
      let partition: number
      if (key !== null) {
        partition = defaultPartition(key, count)
      } else {
        partition = ((this.#roundRobin.get(topic) ?? -1) + 1) % count
        this.#roundRobin.set(topic, partition)
      }
      this.#producer.send(topic, partition, key, value, headers, timestamp)
    } else if (typeof partitions === 'number') {
      this.#producer.send(topic, partitions, key, value, headers, timestamp)
    } else {
      for (const partition of new Set(partitions)) this.#producer.send(topic, partition, key, value, headers, timestamp)
    }
  }

  #addRecords(records: Map<string, RawRecord[]>): void {
    for (const [key, list] of records) {
      const id = this.#taskByPartition.get(key)
      const active = id === undefined ? undefined : this.#active.get(id)
      if (!active) continue
      const first = list[0] as RawRecord
      const queue = active.task.queue(first.topic, first.partition)
      queue.add(list)
      if (queue.size > this.#config.bufferedRecordsPerPartition) this.#fetcher.pause(first.topic, first.partition)
    }
  }

  #resumeDrained(): void {
    for (const active of this.#active.values()) {
      for (const queue of active.task.queues) {
        if (
          queue.size <= this.#config.bufferedRecordsPerPartition &&
          this.#fetcher.isPaused(queue.topic, queue.partition)
        )
          this.#fetcher.resume(queue.topic, queue.partition)
      }
    }
  }

  /** Processes buffered records of every running task until none is ready or a time slice is used. */
  #process(): void {
    const started = Date.now()
    const now = started
    for (let progress = true; progress && Date.now() - started < 200;) {
      progress = false
      for (const active of this.#active.values()) {
        if (active.state !== 'RUNNING') continue
        let processed = 0
        while (processed < 1000 && this.#readyToProcess(active, now)) {
          if (!active.task.process()) break
          processed++
        }
        if (processed > 0) {
          progress = true
          active.commitNeeded = true
          this.processedRecords += processed
          for (const queue of active.task.queues)
            if (queue.lastProcessedOffset >= 0) active.consumed.add(tpKey(queue.topic, queue.partition))
        }
        if (active.task.maybePunctuateStreamTime()) active.commitNeeded = true
      }
      this.#producer.pump()
    }
    for (const active of this.#active.values()) {
      if (active.state === 'RUNNING' && active.task.maybePunctuateSystemTime()) active.commitNeeded = true
    }
  }

  /** Kafka `PartitionGroup.readyToProcess` with `maxTaskIdleMs` (KIP-695). */
  #readyToProcess(active: ActiveTask, now: number): boolean {
    const queues = active.queues
    if (queues.length === 1) return !(queues[0] as RecordQueue).isEmpty()
    let anyData = false
    let ready = true
    const idle = this.#config.maxTaskIdleMs
    // per record: keyed by the queue itself, no partition-key string is built here
    for (const queue of queues) {
      if (!queue.isEmpty()) {
        anyData = true
        active.idleDeadlines.delete(queue)
        continue
      }
      if (idle < 0) continue
      const lag = this.#fetcher.lag(queue.topic, queue.partition)
      if (lag === undefined || lag > 0) {
        active.idleDeadlines.delete(queue)
        ready = false
        continue
      }
      let deadline = active.idleDeadlines.get(queue)
      if (deadline === undefined) {
        deadline = now + idle
        active.idleDeadlines.set(queue, deadline)
      }
      if (now < deadline) ready = false
    }
    return anyData && ready
  }

  #commitRequested(): boolean {
    let requested = false
    for (const active of this.#active.values()) if (active.task.takeCommitRequest()) requested = true
    return requested
  }

  async #commitAll(): Promise<void> {
    this.#lastCommit = Date.now()
    await this.#commit([...this.#active.values()].filter((t) => t.state === 'RUNNING'))
    for (const standby of this.#standby.values()) {
      if (!standby.dirty) continue
      standby.task.commitStores(standby.offsets)
      standby.dirty = false
    }
  }

  /**
   * Commits running tasks: flush caches (forwarding their records), then
   * - at-least-once: flush the producer and commit the consumed offsets;
   * - exactly-once: commit the transaction, which holds the output of every task of the thread and their
   *   consumed offsets;
   * then commit the stores with the changelog offsets they now include. Stores never hold writes of a
   * transaction that did not commit, so a crash only leaves the changelog's tail to restore.
   * Returns false when the commit did not happen (it is retried later, or the tasks were rewound).
   */
  async #commit(tasks: readonly ActiveTask[]): Promise<boolean> {
    const due = tasks.filter((t) => t.commitNeeded)
    if (due.length === 0 && !this.#producerHasWork()) return true
    for (const active of due) active.task.flushCaches()
    const offsets: OffsetToCommit[] = []
    for (const active of due) {
      for (const key of active.consumed) {
        const { topic, partition } = parseTpKey(key)
        const queue = active.task.queue(topic, partition)
        offsets.push({
          topic,
          partition,
          offset: queue.lastProcessedOffset + 1,
          leaderEpoch: -1,
          metadata: encodePartitionTime(queue.partitionTime),
        })
      }
    }
    const acked = this.#eos ? await this.#commitTransaction(offsets) : await this.#commitOffsets(offsets)
    if (!acked) return false
    for (const active of due) {
      const partition = active.task.id.partition
      for (const topic of active.task.changelogs.keys()) {
        const offset = acked.get(tpKey(topic, partition))
        if (offset !== undefined) active.changelogOffsets.set(topic, offset)
      }
    }
    for (const { topic, partition, offset } of offsets) this.#committed.set(tpKey(topic, partition), offset)
    for (const active of due) {
      active.task.commitStores(active.changelogOffsets)
      active.changelogOffsets.clear()
      active.consumed.clear()
      active.commitNeeded = false
    }
    return true
  }

  /** An open transaction or a send failure a commit must deal with (not the leftovers of a fenced epoch). */
  #producerHasWork(): boolean {
    if (this.#eos && !this.#producerReady) return false
    return this.#producer.transactionOpen || this.#producer.failed
  }

  /** Exactly-once: commits the producer's transaction with the offsets; the written offsets, or undefined. */
  async #commitTransaction(offsets: readonly OffsetToCommit[]): Promise<Map<string, number> | undefined> {
    try {
      return await this.#producer.commitTransaction(
        {
          groupId: this.#config.applicationId,
          generationId: this.#member.generationId,
          memberId: this.#member.memberId,
          groupInstanceId: this.#member.groupInstanceId,
        },
        offsets,
        this.#config.taskTimeoutMs,
      )
    } catch (error) {
      if (error instanceof ProducerFencedError) {
        // a newer producer took over, or the group moved on: the tasks may be elsewhere already
        this.#closeAllDirty()
        this.#member.requestRejoin()
        throw new TaskMigratedException(error.message)
      }
      if (!(error instanceof KafkaClientError) || !error.retriable) throw error
      // still failing after taskTimeoutMs: abort, and process again from the committed offsets
      await this.#abortAndRewind()
      return undefined
    }
  }

  /**
   * Kafka `handleCorruption` under exactly-once: closes every active task dirty (their stores drop what was
   * not committed), and creates them again, to restore the changelog's committed tail and resume from the
   * committed offsets. The producer's next epoch aborts the transaction.
   */
  async #abortAndRewind(): Promise<void> {
    const tasks = [...this.#active].map(([id, t]) => [id, t.inputs] as const)
    this.#closeAllDirty()
    const created = tasks.map(([id, inputs]) => this.#createActive(id, inputs))
    await this.#startRestoring(created)
  }

  /** At-least-once: flushes the producer and commits the offsets; the written offsets, or undefined. */
  async #commitOffsets(offsets: readonly OffsetToCommit[]): Promise<Map<string, number> | undefined> {
    const acked = await this.#producer.flush()
    try {
      // a moving coordinator (broker failure) is waited out up to taskTimeoutMs
      await retrying(
        () =>
          this.#ctx.client.commitOffsets(
            this.#config.applicationId,
            this.#member.generationId,
            this.#member.memberId,
            this.#member.groupInstanceId,
            offsets,
          ),
        this.#config.taskTimeoutMs,
      )
    } catch (error) {
      if (!(error instanceof KafkaClientError)) throw error
      if (error.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) {
        // committed after the rebalance, by the revocation or the next interval
        this.#member.requestRejoin()
        return undefined
      }
      if (error.errorCode === ErrorCode.ILLEGAL_GENERATION || error.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        // fenced: the tasks may be elsewhere already; what was not committed will be processed again
        this.#closeAllDirty()
        this.#member.requestRejoin()
        throw new TaskMigratedException(error.message)
      }
      throw error
    }
    return acked
  }

  /** Offsets committed by this thread, by input partition key. */
  readonly #committed = new Map<string, number>()

  #purgeRepartitionTopics(): void {
    const repartition = this.#ctx.metadata.repartitionTopics
    const offsets = new Map<string, number>()
    // everything before the committed offset is done with
    for (const [key, offset] of this.#committed) {
      if (repartition.has(parseTpKey(key).topic) && this.#taskByPartition.has(key)) offsets.set(key, offset)
    }
    this.#committed.clear()
    if (offsets.size > 0) void this.#ctx.client.deleteRecords(offsets).catch(() => undefined)
  }

  async #shutdown(clean: boolean, leaveGroup: boolean): Promise<void> {
    this.#setState('PENDING_SHUTDOWN')
    let failure: Error | undefined
    try {
      if (clean) clean = await this.#commit([...this.#active.values()].filter((t) => t.state === 'RUNNING'))
    } catch (error) {
      failure = error as Error
      clean = false
    }
    // every step runs, so that the Kafka clients are released whatever failed before
    const attempt = async (step: () => unknown): Promise<void> => {
      try {
        await step()
      } catch (error) {
        failure ??= error as Error
      }
    }
    for (const id of [...this.#active.keys()]) await attempt(() => this.#closeActive(id, clean))
    if (this.#eos && this.#producerReady && this.#producer.transactionOpen)
      await attempt(() => this.#producer.abortTransaction(this.#config.requestTimeoutMs))
    for (const id of [...this.#standby.keys()]) await attempt(() => this.#closeStandby(id))
    await attempt(() => this.#producer.close({ discard: !clean }))
    await attempt(() => this.#fetcher.close())
    await attempt(() => this.#restoreFetcher.close())
    await attempt(() => this.#member.close(leaveGroup))
    this.#setState('DEAD')
    if (clean && failure !== undefined) throw failure
  }

  /** Error code of the last failed assignment, if any (shutdown requests are told apart from failures). */
  get assignmentErrorCode(): number {
    return this.#assignmentError?.errorCode ?? AssignorError.NONE
  }
}

function parseTaskId(id: string): TaskId {
  const at = id.indexOf('_')
  return new TaskId(Number(id.slice(0, at)), Number(id.slice(at + 1)))
}

/** Kafka's committed-offset metadata: Base64 of magic byte 1 and the partition time. */
function encodePartitionTime(partitionTime: number): string {
  const bytes = Buffer.allocUnsafe(9)
  bytes.writeInt8(1, 0)
  bytes.writeBigInt64BE(BigInt(partitionTime), 1)
  return bytes.toString('base64')
}

function decodePartitionTime(metadata: string | null): number {
  if (!metadata) return -1
  const bytes = Buffer.from(metadata, 'base64')
  if (bytes.length < 9 || (bytes[0] !== 1 && bytes[0] !== 2)) return -1
  return Number(bytes.readBigInt64BE(1))
}
