import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import type { Record } from '../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { MeteredWindowStore } from '../../state/internals/metered-window-store.ts'
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'
import type { EmitStrategy } from '../emit-strategy.ts'
import type { TimeWindows } from '../time-windows.ts'
import { Windowed } from '../windowed.ts'
import { change, type Change } from './change.ts'
import { emitIntervalMs } from './emit-interval.ts'
import type { AggregateSupplier, Aggregator } from './kstream-aggregate.ts'
import { TimestampedTupleForwarder } from './timestamped-tuple-forwarder.ts'

/**
 * Kafka `KStreamWindowAggregate` for time windows: each record updates every window containing it that
 * has not closed (window end > stream time - grace); a window that has closed drops the record. Null keys
 * are dropped; null values are aggregated (as in Kafka). With `onWindowClose`, nothing is forwarded on
 * update: at most once a second of wall-clock time, windows that closed since the last emit are
 * forwarded from the store, by window start then key.
 */
export function kstreamWindowAggregate<K, V, VA>(
  windows: TimeWindows,
  storeName: string,
  emitStrategy: EmitStrategy,
  initializer: () => VA | null,
  aggregator: Aggregator<K, V, VA | null>,
): AggregateSupplier<K, V, Windowed<K>, VA> {
  const supplier: AggregateSupplier<K, V, Windowed<K>, VA> = {
    storeName,
    sendOldValues: false,
    get(): Processor<K, V, Windowed<K>, Change<VA>> {
      let context: ProcessorContext<Windowed<K>, Change<VA>>
      let store: MeteredWindowStore<K, ValueAndTimestamp<VA>>
      let forwarder: TimestampedTupleForwarder<Windowed<K>, VA> | undefined
      let observedStreamTime = -1
      let lastEmitWindowCloseTime = -1
      let nextTimeToEmit = 0
      let emitInterval = 0
      const emitFinal = emitStrategy.type === 'ON_WINDOW_CLOSE'

      const emitClosed = (record: Record<K, V>, windowCloseTime: number): void => {
        const now = context.currentSystemTimeMs()
        if (now < nextTimeToEmit) return
        nextTimeToEmit = now + emitInterval
        if (lastEmitWindowCloseTime !== -1 && lastEmitWindowCloseTime >= windowCloseTime) return
        const upper = windowCloseTime - windows.sizeMs
        if (upper < 0) return
        const lower = lastEmitWindowCloseTime === -1 ? 0 : Math.max(0, lastEmitWindowCloseTime - windows.sizeMs) + 1
        // nothing closed since the last emit when both bounds fall in the same windows
        if (lastEmitWindowCloseTime !== -1 && sameWindows(windows.windowsFor(upper), windows.windowsFor(lower - 1)))
          return
        const iterator = store.fetchAll(lower, upper)
        const closed: { key: Windowed<K>; value: ValueAndTimestamp<VA> }[] = []
        try {
          while (iterator.hasNext()) closed.push(iterator.next())
        } finally {
          iterator.close()
        }
        // Kafka's emit-final store lists windows by start, then key; ours by key within a segment
        closed.sort((a, b) => a.key.window.start - b.key.window.start)
        for (const { key, value } of closed) {
          // with the triggering record's headers, as in Kafka
          context.forward(record.withKey(key).withValue(change(value.value, null)).withTimestamp(value.timestamp))
        }
        lastEmitWindowCloseTime = windowCloseTime
      }

      return {
        init(c) {
          context = c
          emitInterval = emitIntervalMs(c)
          store = c.getStateStore<MeteredWindowStore<K, ValueAndTimestamp<VA>>>(storeName)
          if (!emitFinal) forwarder = new TimestampedTupleForwarder<Windowed<K>, VA>(store, c, supplier.sendOldValues)
        },
        process(record: Record<K, V>) {
          if (record.key === null || record.key === undefined) {
            ;(context as unknown as ProcessorContextImpl).droppedRecords++
            return
          }
          const timestamp = record.timestamp
          observedStreamTime = Math.max(observedStreamTime, timestamp)
          const windowCloseTime = observedStreamTime - windows.graceMs
          for (const [windowStart, window] of windows.windowsFor(timestamp)) {
            if (window.end > windowCloseTime) {
              const old = store.fetch(record.key, windowStart)
              let oldAgg = old === null ? null : old.value
              let newTimestamp: number
              if (oldAgg === null) {
                oldAgg = initializer()
                newTimestamp = timestamp
              } else {
                newTimestamp = Math.max(timestamp, (old as ValueAndTimestamp<VA>).timestamp)
              }
              const newAgg = aggregator(record.key, record.value, oldAgg) as VA
              store.put(record.key, { value: newAgg, timestamp: newTimestamp }, windowStart)
              if (!emitFinal) {
                forwarder?.maybeForward(
                  record
                    .withKey(new Windowed(record.key, window))
                    .withValue(change(newAgg, supplier.sendOldValues ? oldAgg : null))
                    .withTimestamp(newTimestamp),
                )
              }
            } else {
              ;(context as unknown as ProcessorContextImpl).droppedRecords++
            }
          }
          if (emitFinal) emitClosed(record, windowCloseTime)
        },
      }
    },
  }
  return supplier
}

function sameWindows(
  a: Map<number, { start: number; end: number }>,
  b: Map<number, { start: number; end: number }>,
): boolean {
  if (a.size !== b.size) return false
  for (const [start, window] of a) {
    const other = b.get(start)
    if (!other || other.end !== window.end) return false
  }
  return true
}
