import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { KafkaClient, type TopicPartition } from './client/kafka-client.ts'
import { StreamsError } from './errors/streams-error.ts'
import { Duration, toMillis } from './kstream/duration.ts'
import { GlobalStreamThread } from './processor/internals/global-stream-thread.ts'
import { AssignorError } from './processor/internals/assignment/assignment-protocol.ts'
import { StreamThread, type StreamThreadState } from './processor/internals/stream-thread.ts'
import { TopologyMetadata } from './processor/internals/topology-metadata.ts'
import { LmdbEnvironment } from './state/internals/lmdb-bytes-engine.ts'
import type { StateRestoreListener } from './processor/state-restore-listener.ts'
import { ConfigException, resolveConfig, type StreamsConfig, type StreamsConfigInput } from './streams-config.ts'
import type { Topology } from './topology.ts'

/** States of a KafkaStreams instance (Kafka `KafkaStreams.State`). */
export type KafkaStreamsState =
  'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'PENDING_ERROR' | 'ERROR'

const transitions: { readonly [S in KafkaStreamsState]: readonly KafkaStreamsState[] } = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN'],
  REBALANCING: ['RUNNING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  PENDING_ERROR: ['ERROR'],
  ERROR: [],
}

/** What to do when a stream thread dies of an exception (Kafka `StreamsUncaughtExceptionHandler`, KIP-671). */
export type StreamThreadExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT' | 'SHUTDOWN_APPLICATION'
export type StreamsUncaughtExceptionHandler = (error: Error) => StreamThreadExceptionResponse

export type StateListener = (newState: KafkaStreamsState, oldState: KafkaStreamsState) => void

/** One stream thread's tasks (Kafka `ThreadMetadata`). */
export interface ThreadMetadata {
  readonly threadName: string
  readonly threadState: StreamThreadState
  readonly activeTasks: readonly { readonly taskId: string; readonly topicPartitions: readonly TopicPartition[] }[]
  readonly standbyTasks: readonly { readonly taskId: string }[]
}

/** Totals of an instance's tasks (Kafka's task-level `process-total` and `dropped-records-total`). */
export interface KafkaStreamsMetrics {
  readonly processedRecordsTotal: number
  /** Records skipped by an exception handler, with an invalid timestamp, too late for their window, ... */
  readonly droppedRecordsTotal: number
}

export interface CloseOptions {
  /** How long to wait for the threads to commit and stop (unbounded when absent). */
  readonly timeout?: Duration | number
  /**
   * Leave the consumer group so its tasks move at once (the default), or keep the membership until the
   * session times out (the default with `groupInstanceId`, so a restart within it moves nothing).
   */
  readonly leaveGroup?: boolean
}

/**
 * A Kafka Streams application instance (Kafka `KafkaStreams`): runs a topology against a Kafka cluster
 * with `numStreamThreads` group members, sharing the work with every other instance of the same
 * `applicationId`. Lifecycle: CREATED -> `start()` -> REBALANCING <-> RUNNING -> `close()` ->
 * PENDING_SHUTDOWN -> NOT_RUNNING; a fatal error leads through PENDING_ERROR to ERROR.
 */
export class KafkaStreams {
  readonly #config: StreamsConfig
  readonly #metadata: TopologyMetadata
  #state: KafkaStreamsState = 'CREATED'
  #stateListener: StateListener | undefined
  #exceptionHandler: StreamsUncaughtExceptionHandler = (error) => {
    console.error(`kstreams: a stream thread failed: ${error.message}`)
    return 'SHUTDOWN_CLIENT'
  }
  #restoreListener: StateRestoreListener | undefined
  #client: KafkaClient | undefined
  #global: GlobalStreamThread | undefined
  #globalRun: Promise<void> | undefined
  readonly #threads = new Map<StreamThread, Promise<void>>()
  #paused = false
  #processId = ''
  #clientId = ''
  readonly #taskOffsetSums = new Map<string, number>()
  #closing: Promise<void> | undefined
  #leaveGroupOnClose: boolean

  constructor(topology: Topology, config: StreamsConfigInput) {
    this.#config = resolveConfig(config)
    // a static member keeps its place (and its tasks) across a restart; a dynamic one leaves at once
    this.#leaveGroupOnClose = this.#config.groupInstanceId === undefined
    if (this.#config.bootstrapServers.length === 0) {
      throw new ConfigException('config bootstrapServers is required: host:port of one or more Kafka brokers')
    }
    if (config.transactionalId !== undefined) {
      // as Kafka Streams does with a user's transactional.id: each stream thread's producer needs its own id,
      // stable across restarts, for a restarted thread to fence its zombie
      console.warn(
        `kstreams: config transactionalId ${JSON.stringify(config.transactionalId)} is ignored: under ` +
          `exactly_once_v2 every stream thread's producer uses <applicationId>-<process id>-<thread index>`,
      )
    }
    const builder = topology.internalTopologyBuilder
    builder.applicationId = this.#config.applicationId
    this.#metadata = new TopologyMetadata(builder)
  }

  state(): KafkaStreamsState {
    return this.#state
  }

  setStateListener(listener: StateListener): void {
    this.#requireCreated('setStateListener')
    this.#stateListener = listener
  }

  setUncaughtExceptionHandler(handler: StreamsUncaughtExceptionHandler): void {
    this.#requireCreated('setUncaughtExceptionHandler')
    this.#exceptionHandler = handler
  }

  /** Told about every store restoration, global stores included (Kafka `setGlobalStateRestoreListener`). */
  setGlobalStateRestoreListener(listener: StateRestoreListener): void {
    this.#requireCreated('setGlobalStateRestoreListener')
    this.#restoreListener = listener
  }

  #requireCreated(method: string): void {
    if (this.#state !== 'CREATED') {
      throw new StreamsError(
        'KSTREAMS_ILLEGAL_STATE',
        `${method} can only be called before start(); state is ${this.#state}`,
      )
    }
  }

  #setState(state: KafkaStreamsState): boolean {
    const previous = this.#state
    if (previous === state) return true
    if (!transitions[previous].includes(state)) return false
    this.#state = state
    this.#stateListener?.(state, previous)
    return true
  }

  /**
   * Starts the application: global stores are loaded first, then the stream threads join the group.
   * Resolves once the threads run (the state is REBALANCING until they have their tasks); failures
   * later on go to the uncaught-exception handler and the state listener.
   */
  async start(): Promise<void> {
    if (!this.#setState('REBALANCING')) {
      throw new StreamsError(
        'KSTREAMS_ILLEGAL_STATE',
        `start() can only be called once, in state CREATED; state is ${this.#state}`,
      )
    }
    this.#processId = this.#loadProcessId()
    this.#clientId = this.#config.clientId ?? `${this.#config.applicationId}-${this.#processId}`
    this.#scanTaskDirectories()
    const client = new KafkaClient({
      clientId: `${this.#clientId}-admin`,
      bootstrapServers: this.#config.bootstrapServers,
      requestTimeoutMs: this.#config.requestTimeoutMs,
    })
    this.#client = client
    if (this.#metadata.globalTopics.length > 0) {
      const global = new GlobalStreamThread(this.#metadata, client, this.#config, () => this.#restoreListener)
      this.#global = global
      try {
        await global.bootstrap()
      } catch (error) {
        this.#fail(error as Error)
        return
      }
      this.#globalRun = global.run().catch((error: unknown) => this.#fail(error as Error))
    }
    for (let i = 1; i <= this.#config.numStreamThreads; i++) this.#startThread(i)
  }

  #startThread(index: number, shutdownApplication = false): void {
    const client = this.#client as KafkaClient
    const thread = new StreamThread(
      index,
      {
        config: this.#config,
        metadata: this.#metadata,
        client,
        processId: this.#processId,
        clientId: this.#clientId,
        globalStores: this.#global?.stores ?? new Map(),
        restoreListener: () => this.#restoreListener,
        taskOffsetSums: this.#taskOffsetSums,
        onStateChange: () => this.#onThreadStateChange(),
        isPaused: () => this.#paused,
      },
      shutdownApplication,
    )
    const run = thread
      .run(this.#leaveGroupOnClose)
      .then(() => {
        this.#retire(thread)
      })
      .catch((error: unknown) => {
        this.#retire(thread)
        this.#onThreadDied(thread, error instanceof Error ? error : new Error(String(error)))
      })
    this.#threads.set(thread, run)
  }

  #retire(thread: StreamThread): void {
    this.#threads.delete(thread)
    this.#processedByRetired += thread.processedRecords
    this.#droppedByRetired += thread.droppedRecords
  }

  #processedByRetired = 0
  #droppedByRetired = 0

  #onThreadStateChange(): void {
    if (this.#state !== 'REBALANCING' && this.#state !== 'RUNNING') return
    const states = [...this.#threads.keys()].map((t) => t.state)
    const live = states.filter((s) => s !== 'DEAD' && s !== 'PENDING_SHUTDOWN')
    if (live.length > 0 && live.every((s) => s === 'RUNNING')) this.#setState('RUNNING')
    else if (live.some((s) => s === 'PARTITIONS_ASSIGNED' || s === 'PARTITIONS_REVOKED' || s === 'STARTING'))
      this.#setState('REBALANCING')
  }

  #onThreadDied(thread: StreamThread, error: Error): void {
    if (this.#state === 'PENDING_SHUTDOWN' || this.#state === 'NOT_RUNNING') {
      console.error(`kstreams: ${thread.name} failed while shutting down: ${error.message}`)
      return
    }
    if (thread.assignmentErrorCode === AssignorError.SHUTDOWN_REQUESTED) {
      this.#closeToError()
      return
    }
    let response: StreamThreadExceptionResponse
    try {
      response = this.#exceptionHandler(error)
    } catch (handlerError) {
      console.error('kstreams: the uncaught-exception handler threw', handlerError)
      response = 'SHUTDOWN_CLIENT'
    }
    switch (response) {
      case 'REPLACE_THREAD':
        if (this.#state === 'REBALANCING' || this.#state === 'RUNNING') this.#startThread(thread.index)
        return
      case 'SHUTDOWN_APPLICATION': {
        const live = [...this.#threads.keys()].find((t) => t.state !== 'DEAD' && t.state !== 'PENDING_SHUTDOWN')
        if (live) live.requestApplicationShutdown()
        else this.#startThread(thread.index, true)
        return
      }
      case 'SHUTDOWN_CLIENT':
        this.#closeToError()
        return
    }
  }

  #fail(error: Error): void {
    let response: StreamThreadExceptionResponse
    try {
      response = this.#exceptionHandler(error)
    } catch {
      response = 'SHUTDOWN_CLIENT'
    }
    // the global thread cannot be replaced: every response stops this instance
    if (response === 'SHUTDOWN_APPLICATION') {
      const live = [...this.#threads.keys()].find((t) => t.state !== 'DEAD')
      live?.requestApplicationShutdown()
    }
    this.#closeToError()
  }

  #closeToError(): void {
    if (!this.#setState('PENDING_ERROR')) return
    this.#closing = this.#shutdown().finally(() => this.#setState('ERROR'))
  }

  /**
   * Stops the threads: each commits what it processed, closes its tasks and leaves the group. Resolves
   * true when everything stopped within the timeout.
   */
  async close(options: CloseOptions | Duration | number = {}): Promise<boolean> {
    const opts: CloseOptions =
      typeof options === 'number' || options instanceof Duration ? { timeout: options } : options
    if (opts.leaveGroup !== undefined) this.#leaveGroupOnClose = opts.leaveGroup
    if (this.#setState('PENDING_SHUTDOWN')) {
      this.#closing = this.#shutdown().finally(() => this.#setState('NOT_RUNNING'))
    }
    const closing = this.#closing ?? Promise.resolve()
    if (opts.timeout === undefined) {
      await closing
      return true
    }
    const ms = toMillis(opts.timeout, 'timeout')
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    })
    try {
      return await Promise.race([closing.then(() => true), timedOut])
    } finally {
      clearTimeout(timer)
    }
  }

  async #shutdown(): Promise<void> {
    for (const thread of this.#threads.keys()) thread.requestStop()
    this.#global?.stop()
    await Promise.allSettled(this.#threads.values())
    await this.#globalRun
    await this.#global?.close().catch(() => undefined)
    await this.#client?.close().catch(() => undefined)
  }

  /** Pauses processing (fetching and processing stop; the instance stays in the group). */
  pause(): void {
    this.#paused = true
  }

  resume(): void {
    this.#paused = false
  }

  isPaused(): boolean {
    return this.#paused
  }

  /** Deletes this application's local state (only while not running). */
  cleanUp(): void {
    if (this.#state === 'REBALANCING' || this.#state === 'RUNNING' || this.#state === 'PENDING_SHUTDOWN') {
      throw new StreamsError('KSTREAMS_ILLEGAL_STATE', 'Cannot clean up while running: close() first')
    }
    rmSync(this.#appDirectory, { recursive: true, force: true })
  }

  metadataForLocalThreads(): ThreadMetadata[] {
    return [...this.#threads.keys()].map((thread) => {
      const tasks = thread.tasks()
      return {
        threadName: thread.name,
        threadState: thread.state,
        activeTasks: tasks.active.map((t) => ({ taskId: t.taskId, topicPartitions: t.partitions })),
        standbyTasks: tasks.standby.map((taskId) => ({ taskId })),
      }
    })
  }

  /** Records processed by this instance's threads since start. */
  get processedRecords(): number {
    let total = this.#processedByRetired
    for (const thread of this.#threads.keys()) total += thread.processedRecords
    return total
  }

  /**
   * This instance's task-level totals since start, over its threads, replaced and stopped ones included
   * (Kafka `metrics()`: `process-total` and `dropped-records-total`).
   */
  metrics(): KafkaStreamsMetrics {
    let dropped = this.#droppedByRetired
    for (const thread of this.#threads.keys()) dropped += thread.droppedRecords
    return { processedRecordsTotal: this.processedRecords, droppedRecordsTotal: dropped }
  }

  get #appDirectory(): string {
    return join(this.#config.stateDir, this.#config.applicationId)
  }

  /** The process id, kept in the state directory so a restarted instance is recognised (and gets its tasks back). */
  #loadProcessId(): string {
    const file = join(this.#appDirectory, 'kafka-streams-process-metadata')
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { processId?: unknown }
      if (typeof parsed.processId === 'string') return parsed.processId
    } catch {
      // absent or unreadable: a new one
    }
    const processId = randomUUID()
    mkdirSync(this.#appDirectory, { recursive: true })
    writeFileSync(file, JSON.stringify({ processId }))
    return processId
  }

  /** Reads the changelog offsets of the task directories left on disk, for the assignor. */
  #scanTaskDirectories(): void {
    if (!existsSync(this.#appDirectory)) return
    for (const entry of readdirSync(this.#appDirectory, { withFileTypes: true })) {
      const match = /^(\d+)_(\d+)$/.exec(entry.name)
      if (!entry.isDirectory() || !match) continue
      const sub = this.#metadata.subtopologies.find((s) => s.id === Number(match[1]))
      if (!sub || sub.changelogTopics.length === 0) continue
      const environment = new LmdbEnvironment(join(this.#appDirectory, entry.name))
      try {
        let sum = 0
        for (const topic of sub.changelogTopics) {
          const bytes = environment.readMetadata(`changelog-offset:${topic.name}`)
          if (bytes) sum += Number(bytes.readBigInt64BE(0)) + 1
        }
        if (sum > 0) this.#taskOffsetSums.set(entry.name, sum)
      } catch {
        // unreadable directory: the task restores from its changelog
      } finally {
        environment.close()
      }
    }
  }
}
