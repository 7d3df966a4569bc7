import type { ErrorHandlerContext, RawRecord } from '../../errors/exception-handlers.ts'
import { StreamsException } from '../../errors/streams-exception.ts'
import { ConfigException, type StreamsConfig } from '../../streams-config.ts'
import { Headers } from '../../header/headers.ts'
import { toMillis, type Duration } from '../../kstream/duration.ts'
import type { Serde } from '../../serde/serde.ts'
import {
  PunctuationType,
  type Cancellable,
  type Punctuator,
  type RecordMetadata,
  type StateStore,
} from '../api/processor.ts'
import type { Record } from '../api/record.ts'
import type { RecordContext } from '../record-context.ts'
import type { TaskId } from '../task-id.ts'
import type { ProcessorNode } from './processor-node.ts'
import type { PunctuationQueue } from './punctuation-queue.ts'
import type { RecordCollector } from './record-collector.ts'
import type { BytesEngine } from '../../state/internals/bytes-engine.ts'
import type { TaskCache } from '../../state/internals/task-cache.ts'

/** The clocks and queues of the task a context belongs to. */
export interface TaskHooks {
  readonly taskCache: TaskCache
  /** The persistent engine of a store of this task (one lmdb environment per task). */
  persistentEngine(storeName: string): BytesEngine
  /** Names of the persistent stores (and segments) the task's directory holds. */
  persistentStoreNames(): string[]
  streamTime(): number
  wallClockTime(): number
  readonly streamTimePunctuations: PunctuationQueue
  readonly wallClockPunctuations: PunctuationQueue
  requestCommit(): void
  registerChangelog(registration: ChangelogRegistration): void
}

/** A logged store's changelog and how to apply one of its records when restoring (Kafka `StateRestoreCallback`). */
export interface ChangelogRegistration {
  readonly storeName: string
  readonly topic: string
  /** Whether the store keeps its data across restarts (then its changelog offset is stored with it). */
  readonly persistent: boolean
  readonly restore: (key: Buffer, value: Buffer | null, timestamp: number) => void
}

const noHeaders = new Headers()

/**
 * Kafka `ProcessorContextImpl`: one per task, shared by its nodes. It knows the node being run and the
 * record being processed; `forward` runs children depth-first, synchronously.
 */
export class ProcessorContextImpl {
  readonly applicationId: string
  readonly taskId: TaskId
  readonly config: StreamsConfig
  readonly collector: RecordCollector
  readonly #stores: Map<string, StateStore>
  readonly #globalStores: ReadonlyMap<string, StateStore>
  readonly #hooks: TaskHooks
  currentNode: ProcessorNode | undefined
  recordContext: RecordContext = { topic: null, partition: -1, offset: -1, timestamp: -1, headers: noHeaders }
  /** The consumed record being processed, whose raw bytes error handlers get (KIP-1034); set by the task. */
  sourceRecord: RawRecord | undefined
  /** Records dropped: skipped by a handler, invalid timestamps, late records, ... (Kafka `dropped-records`). */
  droppedRecords = 0

  constructor(
    taskId: TaskId,
    config: StreamsConfig,
    collector: RecordCollector,
    stores: Map<string, StateStore>,
    hooks: TaskHooks,
    globalStores: ReadonlyMap<string, StateStore> = new Map(),
  ) {
    this.applicationId = config.applicationId
    this.taskId = taskId
    this.config = config
    this.collector = collector
    this.#stores = stores
    this.#globalStores = globalStores
    this.#hooks = hooks
  }

  get taskCache(): TaskCache {
    return this.#hooks.taskCache
  }

  persistentEngine(storeName: string): BytesEngine {
    return this.#hooks.persistentEngine(storeName)
  }

  persistentStoreNames(): string[] {
    return this.#hooks.persistentStoreNames()
  }

  get keySerde(): Serde<unknown> {
    return this.requireKeySerde('the processor context')
  }

  get valueSerde(): Serde<unknown> {
    return this.requireValueSerde('the processor context')
  }

  requireKeySerde(user: string): Serde<unknown> {
    const serde = this.config.defaultKeySerde
    if (!serde) {
      throw new ConfigException(
        `no key serde for ${user}: set defaultKeySerde in the config or pass serdes (Consumed/Produced.with)`,
      )
    }
    return serde
  }

  requireValueSerde(user: string): Serde<unknown> {
    const serde = this.config.defaultValueSerde
    if (!serde) {
      throw new ConfigException(
        `no value serde for ${user}: set defaultValueSerde in the config or pass serdes (Consumed/Produced.with)`,
      )
    }
    return serde
  }

  appConfigs(): { readonly [key: string]: unknown } {
    return this.config.originals
  }

  recordMetadata(): RecordMetadata | undefined {
    const { topic, partition, offset } = this.recordContext
    return topic === null ? undefined : { topic, partition, offset }
  }

  currentSystemTimeMs(): number {
    return this.#hooks.wallClockTime()
  }

  currentStreamTimeMs(): number {
    return this.#hooks.streamTime()
  }

  getStateStore<S extends StateStore>(name: string): S {
    const node = this.currentNode
    const store = this.#stores.get(name) ?? this.#globalStores.get(name)
    if (!store) {
      throw new StreamsException(
        `Processor ${node?.name ?? '?'} has no access to StateStore ${name}: it is not in the topology`,
      )
    }
    if (node && !node.stateStoreNames.has(name) && !this.#globalStore(name)) {
      throw new StreamsException(
        `Processor ${node.name} has no access to StateStore ${name} as the store is not connected to the processor. ` +
          `If you add stores manually via '.addStateStore()' make sure to connect the added store to the processor by ` +
          `providing the processor name to '.addStateStore()' or connect them via '.connectProcessorAndStateStores()'. ` +
          `DSL users need to provide the store name to '.process()', '.processValues()', or '.transformValues()' to connect the store to the corresponding operator.`,
      )
    }
    return store as S
  }

  /** Global stores are readable by every processor without being connected, as in Kafka. */
  #globalStore(name: string): boolean {
    return this.#globalStores.has(name)
  }

  schedule(interval: Duration | number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    const millis = toMillis(interval, 'the punctuation interval')
    if (millis < 1) throw new RangeError('The minimum supported scheduling interval is 1 millisecond.')
    const node = this.currentNode
    if (!node) throw new StreamsException('schedule() may only be called from a processor')
    const wallClock = type === PunctuationType.WALL_CLOCK_TIME
    const schedule = {
      node,
      interval: millis,
      punctuator,
      // stream-time schedules align to 0 and fire on the first record; wall-clock ones start an interval from now
      timestamp: wallClock ? this.#hooks.wallClockTime() + millis : 0,
      cancelled: false,
    }
    ;(wallClock ? this.#hooks.wallClockPunctuations : this.#hooks.streamTimePunctuations).schedule(schedule)
    return {
      cancel: () => {
        schedule.cancelled = true
      },
    }
  }

  commit(): void {
    this.#hooks.requestCommit()
  }

  /** Called by a logged store when it opens: the task restores it from `topic` on the task's partition. */
  registerChangelog(
    topic: string,
    persistent: boolean,
    restore: (key: Buffer, value: Buffer | null, timestamp: number) => void,
  ): void {
    const storeName = topic.slice(this.applicationId.length + 1, -'-changelog'.length)
    this.#hooks.registerChangelog({ storeName, topic, persistent, restore })
  }

  forward(record: Record<unknown, unknown>, childName?: string): void {
    const previous = this.currentNode
    if (!previous) throw new StreamsException('forward() may only be called from a processor')
    try {
      if (childName === undefined) {
        const children = previous.children
        for (let i = 0; i < children.length; i++) {
          const child = children[i] as ProcessorNode
          this.currentNode = child
          child.process(record)
        }
      } else {
        const child = previous.childByName.get(childName)
        if (!child) {
          throw new StreamsException(
            `Unknown downstream node: ${childName} either does not exist or is not connected to this processor.`,
          )
        }
        this.currentNode = child
        child.process(record)
      }
    } finally {
      this.currentNode = previous
    }
  }

  /**
   * The context error handlers get. The source record's raw bytes are given only when the record context is
   * still that record's: not during punctuation, nor for a record a cache or buffer emits for another one.
   */
  errorHandlerContext(processorNodeId: string): ErrorHandlerContext {
    const { topic, partition, offset, headers, timestamp } = this.recordContext
    const raw = this.sourceRecord
    const own = raw !== undefined && raw.offset === offset && raw.partition === partition && raw.topic === topic
    return {
      topic,
      partition,
      offset,
      headers,
      timestamp,
      processorNodeId,
      taskId: this.taskId,
      sourceRawKey: own ? raw.key : null,
      sourceRawValue: own ? raw.value : null,
    }
  }
}
