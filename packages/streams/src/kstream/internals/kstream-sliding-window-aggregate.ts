import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { MeteredWindowStore } from '../../state/internals/metered-window-store.ts'
import { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'
import type { EmitStrategy } from '../emit-strategy.ts'
import type { SlidingWindows } from '../sliding-windows.ts'
import { Window, Windowed } from '../windowed.ts'
import { change, type Change } from './change.ts'
import { emitIntervalMs } from './emit-interval.ts'
import type { AggregateSupplier, Aggregator } from './kstream-aggregate.ts'
import { TimestampedTupleForwarder } from './timestamped-tuple-forwarder.ts'

/**
 * Kafka `KStreamSlidingWindowAggregate`: windows of `timeDifference` ms, inclusive at both ends, that exist
 * only where records are. A record at `ts` updates every existing window of its key that contains it, then
 * creates its left window [ts - diff, ts] (seeded with the aggregate of the previous record's window when
 * that record falls in it) and, when later records exist within diff, its right window [ts + 1, ts + 1 + diff]
 * holding their aggregate; the previous record's right window is created too if missing. Records with
 * ts < diff go into one window [0, diff] instead (`processEarly`). A window is skipped once its end is
 * before stream time - grace, and a record with ts + diff before it is dropped whole (after advancing
 * stream time). Null keys and null values are dropped without advancing stream time. Each window's
 * timestamp is the max of its records'. With `onWindowClose`, nothing is forwarded on update: after each
 * record (throttled by the emit interval), windows that closed since the last emit are forwarded from the
 * store by window start then key, with the triggering record's headers.
 */
export function kstreamSlidingWindowAggregate<K, V, VA>(
  windows: SlidingWindows,
  storeName: string,
  emitStrategy: EmitStrategy,
  initializer: () => VA | null,
  aggregator: Aggregator<K, V, VA | null>,
): AggregateSupplier<K, V, Windowed<K>, VA> {
  const supplier: AggregateSupplier<K, V, Windowed<K>, VA> = {
    storeName,
    sendOldValues: false,
    get: () =>
      new KStreamSlidingWindowAggregateProcessor<K, V, VA>(
        windows,
        storeName,
        emitStrategy.type === 'ON_WINDOW_CLOSE',
        supplier.sendOldValues,
        initializer,
        aggregator,
      ),
  }
  return supplier
}

class KStreamSlidingWindowAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  readonly #timeDifferenceMs: number
  readonly #graceMs: number
  readonly #storeName: string
  readonly #emitFinal: boolean
  readonly #sendOldValues: boolean
  readonly #initializer: () => VA | null
  readonly #aggregator: Aggregator<K, V, VA | null>
  // reused for every record: the start times of the windows the store holds around it
  readonly #windowStartTimes = new Set<number>()
  #context!: ProcessorContextImpl
  #store!: MeteredWindowStore<K, ValueAndTimestamp<VA>>
  #forwarder!: TimestampedTupleForwarder<Windowed<K>, VA>
  #observedStreamTime = -1
  #lastEmitWindowCloseTime = -1
  #nextTimeToEmit = 0
  #emitIntervalMs = 0

  constructor(
    windows: SlidingWindows,
    storeName: string,
    emitFinal: boolean,
    sendOldValues: boolean,
    initializer: () => VA | null,
    aggregator: Aggregator<K, V, VA | null>,
  ) {
    this.#timeDifferenceMs = windows.timeDifferenceMs
    this.#graceMs = windows.graceMs
    this.#storeName = storeName
    this.#emitFinal = emitFinal
    this.#sendOldValues = sendOldValues
    this.#initializer = initializer
    this.#aggregator = aggregator
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.#context = context as unknown as ProcessorContextImpl
    this.#store = context.getStateStore<MeteredWindowStore<K, ValueAndTimestamp<VA>>>(this.#storeName)
    // with emit-final the store has no cache, so the forwarder forwards at once
    this.#forwarder = new TimestampedTupleForwarder<Windowed<K>, VA>(this.#store, context, this.#sendOldValues)
    if (this.#emitFinal) {
      this.#emitIntervalMs = emitIntervalMs(context)
    }
  }

  process(record: Record<K, V>): void {
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) {
      this.#context.droppedRecords++
      return
    }
    const timestamp = record.timestamp
    this.#observedStreamTime = Math.max(this.#observedStreamTime, timestamp)
    const windowCloseTime = this.#observedStreamTime - this.#graceMs
    // even the record's right window has closed: the record is dropped whole
    if (timestamp + this.#timeDifferenceMs < windowCloseTime) {
      this.#context.droppedRecords++
      return
    }
    if (timestamp < this.#timeDifferenceMs) {
      // as in Kafka, an early record never triggers emit-final
      this.#processEarly(record, windowCloseTime)
      return
    }
    // Kafka takes `processInOrder` only for custom stores without backward iteration; ours all have it
    this.#processReverse(record, windowCloseTime)
    if (this.#emitFinal) this.#maybeForwardFinalResult(record, windowCloseTime)
  }

  /** Walks the key's windows from [ts - 2 * diff, ts + 1] backwards: right windows first, then the left ones. */
  #processReverse(record: Record<K, V>, windowCloseTime: number): void {
    const key = record.key
    const timestamp = record.timestamp
    const starts = this.#windowStartTimes
    starts.clear()
    // the aggregates that will go into the record's left and right windows, if they must be created
    let leftWinAgg: ValueAndTimestamp<VA> | null = null
    let rightWinAgg: ValueAndTimestamp<VA> | null = null
    let leftWinAlreadyCreated = false
    let rightWinAlreadyCreated = false
    let previousRecordTimestamp: number | undefined
    const iterator = this.#store.backwardFetchRange(
      key,
      Math.max(0, timestamp - 2 * this.#timeDifferenceMs),
      // + 1 catches the record's right window, if it exists, in the same fetch
      timestamp + 1,
    )
    try {
      while (iterator.hasNext()) {
        const { key: startTime, value } = iterator.next()
        starts.add(startTime)
        const endTime = startTime + this.#timeDifferenceMs
        if (startTime === timestamp + 1) {
          rightWinAlreadyCreated = true
        } else if (endTime > timestamp) {
          rightWinAgg ??= value
          this.#updateWindowAndForward(startTime, value, record, windowCloseTime)
        } else if (endTime === timestamp) {
          leftWinAlreadyCreated = true
          this.#updateWindowAndForward(startTime, value, record, windowCloseTime)
          // a record at or after ts is in the left window already: every window it needs exists
          if (value.timestamp >= timestamp) return
          previousRecordTimestamp = value.timestamp
        } else {
          leftWinAgg = value
          previousRecordTimestamp = value.timestamp
          break
        }
      }
    } finally {
      iterator.close()
    }
    this.#createWindows(
      record,
      windowCloseTime,
      rightWinAgg,
      leftWinAgg,
      leftWinAlreadyCreated,
      rightWinAlreadyCreated,
      previousRecordTimestamp,
    )
  }

  /**
   * Records with 0 <= ts < diff would have left windows starting before 0, so they all go into the
   * window [0, diff]; their right windows are created or updated as later records come in.
   */
  #processEarly(record: Record<K, V>, windowCloseTime: number): void {
    const key = record.key
    const timestamp = record.timestamp
    const starts = this.#windowStartTimes
    starts.clear()
    // the window [0, diff] holding every early record
    let combinedWindow: ValueAndTimestamp<VA> | null = null
    let rightWinAgg: ValueAndTimestamp<VA> | null = null
    let rightWinAlreadyCreated = false
    let previousRecordTimestamp: number | undefined
    const iterator = this.#store.fetchRange(key, 0, timestamp + 1)
    try {
      while (iterator.hasNext()) {
        const { key: startTime, value } = iterator.next()
        starts.add(startTime)
        if (startTime === 0) {
          combinedWindow = value
          // when the window already holds a record at or after ts, that record created the previous
          // record's right window
          if (value.timestamp < timestamp) previousRecordTimestamp = value.timestamp
        } else if (startTime <= timestamp) {
          rightWinAgg = value
          this.#updateWindowAndForward(startTime, value, record, windowCloseTime)
        } else {
          // startTime === ts + 1, the upper bound of the fetch
          rightWinAlreadyCreated = true
        }
      }
    } finally {
      iterator.close()
    }
    // Without a right window found, the combined window holds only records after this one when its
    // latest record is: records both before and after would have given a right window above.
    if (rightWinAgg === null && combinedWindow !== null && combinedWindow.timestamp > timestamp) {
      rightWinAgg = combinedWindow
    }
    if (!rightWinAlreadyCreated && rightWinAgg !== null && rightWinAgg.timestamp > timestamp) {
      this.#createCurrentRecordRightWindow(timestamp, rightWinAgg, record)
    }
    if (previousRecordTimestamp !== undefined && !starts.has(previousRecordTimestamp + 1)) {
      this.#createPreviousRecordRightWindow(previousRecordTimestamp + 1, record, windowCloseTime)
    }
    this.#updateWindowAndForward(
      0,
      combinedWindow ?? ValueAndTimestamp.make(this.#initializer(), timestamp),
      record,
      windowCloseTime,
    )
  }

  #createWindows(
    record: Record<K, V>,
    windowCloseTime: number,
    rightWinAgg: ValueAndTimestamp<VA> | null,
    leftWinAgg: ValueAndTimestamp<VA> | null,
    leftWinAlreadyCreated: boolean,
    rightWinAlreadyCreated: boolean,
    previousRecordTimestamp: number | undefined,
  ): void {
    const timestamp = record.timestamp
    // the previous record's right window, if missing and this record falls in it
    if (previousRecordTimestamp !== undefined) {
      const previousRightWinStart = previousRecordTimestamp + 1
      if (
        !this.#windowStartTimes.has(previousRightWinStart) &&
        previousRightWinStart + this.#timeDifferenceMs >= timestamp
      ) {
        this.#createPreviousRecordRightWindow(previousRightWinStart, record, windowCloseTime)
      }
    }
    if (!leftWinAlreadyCreated) {
      // the left window starts from the previous record's aggregate when that record falls in it
      const leftWindowNotEmpty =
        previousRecordTimestamp !== undefined && timestamp - this.#timeDifferenceMs <= previousRecordTimestamp
      const valueAndTime = leftWindowNotEmpty
        ? ValueAndTimestamp.make((leftWinAgg as ValueAndTimestamp<VA>).value, timestamp)
        : ValueAndTimestamp.make(this.#initializer(), timestamp)
      this.#updateWindowAndForward(timestamp - this.#timeDifferenceMs, valueAndTime, record, windowCloseTime)
    }
    if (!rightWinAlreadyCreated && rightWinAgg !== null && rightWinAgg.timestamp > timestamp) {
      this.#createCurrentRecordRightWindow(timestamp, rightWinAgg, record)
    }
  }

  /** The record's right window holds the later records' aggregate as it is: the record itself is not in it. */
  #createCurrentRecordRightWindow(timestamp: number, rightWinAgg: ValueAndTimestamp<VA>, record: Record<K, V>): void {
    const start = timestamp + 1
    this.#store.put(record.key, rightWinAgg, start)
    this.#maybeForwardUpdate(record, start, null, rightWinAgg.value, rightWinAgg.timestamp)
  }

  #createPreviousRecordRightWindow(windowStart: number, record: Record<K, V>, windowCloseTime: number): void {
    const valueAndTime = ValueAndTimestamp.make(this.#initializer(), record.timestamp)
    this.#updateWindowAndForward(windowStart, valueAndTime, record, windowCloseTime)
  }

  /** Adds the record to a window unless the window has closed (its end before stream time - grace). */
  #updateWindowAndForward(
    windowStart: number,
    valueAndTime: ValueAndTimestamp<VA> | null,
    record: Record<K, V>,
    windowCloseTime: number,
  ): void {
    if (windowStart + this.#timeDifferenceMs < windowCloseTime) {
      this.#context.droppedRecords++
      return
    }
    const oldAgg = ValueAndTimestamp.getValueOrNull(valueAndTime)
    const newAgg = this.#aggregator(record.key, record.value, oldAgg)
    const newTimestamp =
      oldAgg === null ? record.timestamp : Math.max(record.timestamp, (valueAndTime as ValueAndTimestamp<VA>).timestamp)
    this.#store.put(record.key, ValueAndTimestamp.make(newAgg, newTimestamp), windowStart)
    this.#maybeForwardUpdate(record, windowStart, oldAgg, newAgg, newTimestamp)
  }

  #maybeForwardUpdate(
    record: Record<K, V>,
    windowStart: number,
    oldAgg: VA | null,
    newAgg: VA | null,
    newTimestamp: number,
  ): void {
    if (this.#emitFinal) return
    const window = new Window(windowStart, windowStart + this.#timeDifferenceMs)
    this.#forwarder.maybeForward(
      record
        .withKey(new Windowed(record.key, window))
        .withValue(change(newAgg, this.#sendOldValues ? oldAgg : null))
        .withTimestamp(newTimestamp),
    )
  }

  /**
   * Kafka `maybeForwardFinalResult` with the sliding bounds: windows are inclusive, so those that closed
   * end before the close time, i.e. start at most closeTime - diff - 1; the lower bound reaches back a
   * time difference before the last close time.
   */
  #maybeForwardFinalResult(record: Record<K, V>, windowCloseTime: number): void {
    const now = this.#context.currentSystemTimeMs()
    if (now < this.#nextTimeToEmit) return
    this.#nextTimeToEmit = now + this.#emitIntervalMs
    if (this.#lastEmitWindowCloseTime !== -1 && this.#lastEmitWindowCloseTime >= windowCloseTime) return
    const upper = windowCloseTime - this.#timeDifferenceMs - 1
    if (upper < 0) return
    const lower =
      this.#lastEmitWindowCloseTime === -1 ? 0 : Math.max(0, this.#lastEmitWindowCloseTime - this.#timeDifferenceMs)
    const closed: { key: Windowed<K>; value: ValueAndTimestamp<VA> }[] = []
    const iterator = this.#store.fetchAll(lower, upper)
    try {
      while (iterator.hasNext()) closed.push(iterator.next())
    } finally {
      iterator.close()
    }
    // Kafka's stores give these by window start then key; ours by key within each segment (a stable sort
    // keeps the key order within a start)
    closed.sort((a, b) => a.key.window.start - b.key.window.start)
    for (const { key, value } of closed) {
      // the triggering record's headers, as in Kafka
      this.#forwarder.maybeForward(
        record.withKey(key).withValue(change(value.value, null)).withTimestamp(value.timestamp),
      )
    }
    this.#lastEmitWindowCloseTime = windowCloseTime
  }
}
