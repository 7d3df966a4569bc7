import type { Processor, ProcessorContext } from '../../processor/api/processor.ts'
import { Record } from '../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { MeteredSessionStore } from '../../state/internals/metered-session-store.ts'
import type { EmitStrategy } from '../emit-strategy.ts'
import type { KeyValue } from '../key-value.ts'
import type { SessionWindows } from '../session-windows.ts'
import { Window, Windowed } from '../windowed.ts'
import { change, type Change } from './change.ts'
import { emitIntervalMs } from './emit-interval.ts'
import type { AggregateSupplier, Aggregator } from './kstream-aggregate.ts'

/** Combines the aggregates of two sessions being merged into one (Kafka `Merger`). */
export type Merger<K, VA> = (aggKey: K, aggOne: VA, aggTwo: VA) => VA

/**
 * Kafka `KStreamSessionWindowAggregate`. A record of key k at time t looks up k's sessions overlapping
 * [t - gap, t + gap] (a store read, so sessions past the store's retention are not found) and merges them
 * with [t, t] into one session: the aggregates are merged into `initializer()` in store order, then the
 * record is aggregated in. If the merged session ends before stream time - gap - grace, the record is
 * dropped as late. Otherwise, unless the merged session is just [t, t], every merged session is removed
 * and a tombstone `Change(null)` forwarded for it, even when the merged window equals it; then the new
 * session is put and forwarded. Every output is stamped with its session's end and carries no headers
 * (a new record, as in Kafka); with a cache, the cache forwards on flush instead, with the headers of
 * the write it keeps, and a remove followed by a put of the same session collapses to one update. Null
 * keys are dropped; null values are aggregated. With `onWindowClose`, nothing is forwarded on update:
 * after a record (throttled by the emit interval, a second of wall-clock time by default), sessions that
 * ended since the last emit and before stream time - gap - grace are read back from the store and
 * forwarded by end time, with the triggering record's headers.
 */
export function kstreamSessionWindowAggregate<K, V, VA>(
  windows: SessionWindows,
  storeName: string,
  emitStrategy: EmitStrategy,
  initializer: () => VA,
  aggregator: Aggregator<K, V, VA>,
  merger: Merger<K, VA>,
): AggregateSupplier<K, V, Windowed<K>, VA> {
  const supplier: AggregateSupplier<K, V, Windowed<K>, VA> = {
    storeName,
    sendOldValues: false,
    get(): Processor<K, V, Windowed<K>, Change<VA>> {
      let context: ProcessorContext<Windowed<K>, Change<VA>>
      let internal: ProcessorContextImpl
      let store: MeteredSessionStore<K, VA>
      let cachingEnabled = false
      let observedStreamTime = -1
      let lastEmitWindowCloseTime = -1
      let nextTimeToEmit = 0
      let emitInterval = 0
      const emitFinal = emitStrategy.type === 'ON_WINDOW_CLOSE'
      const gap = windows.gapMs
      const grace = windows.graceMs

      const maybeForwardUpdate = (windowedKey: Windowed<K>, oldAgg: VA | null, newAgg: VA | null): void => {
        if (emitFinal || cachingEnabled) return
        context.forward(
          new Record(windowedKey, change(newAgg, supplier.sendOldValues ? oldAgg : null), windowedKey.window.end),
        )
      }

      const maybeForwardFinalResult = (record: Record<K, V>, windowCloseTime: number): void => {
        if (!emitFinal) return
        const now = internal.currentSystemTimeMs()
        if (now < nextTimeToEmit) return
        nextTimeToEmit = now + emitInterval
        if (lastEmitWindowCloseTime !== -1 && lastEmitWindowCloseTime >= windowCloseTime) return
        // session bounds are inclusive: a session ending at windowCloseTime - 1 is the last closed one
        const upper = windowCloseTime - 1
        if (upper < 0) return
        const lower = Math.max(0, lastEmitWindowCloseTime)
        // a session may be a single point, so an empty-looking range [t, t] is still read
        if (upper < lower) return
        const closed = store.findSessions(lower, upper)
        try {
          while (closed.hasNext()) {
            const { key, value } = closed.next()
            // with the triggering record's headers, as in Kafka
            context.forward(record.withKey(key).withValue(change(value, null)).withTimestamp(key.window.end))
          }
        } finally {
          closed.close()
        }
        lastEmitWindowCloseTime = windowCloseTime
      }

      return {
        init(c) {
          context = c
          internal = c as unknown as ProcessorContextImpl
          store = c.getStateStore<MeteredSessionStore<K, VA>>(storeName)
          emitInterval = emitIntervalMs(c)
          if (emitFinal) return
          // Kafka `SessionCacheFlushListener`: forwards from this node, stamped with the session's end
          const owner = internal.currentNode
          cachingEnabled = store.setFlushListener((key, newValue, oldValue, recordContext) => {
            const previous = internal.currentNode
            internal.currentNode = owner
            try {
              internal.forward(new Record(key, change(newValue, oldValue), key.window.end, recordContext.headers))
            } finally {
              internal.currentNode = previous
            }
          }, supplier.sendOldValues)
        },
        process(record: Record<K, V>) {
          const key = record.key
          if (key === null || key === undefined) {
            internal.droppedRecords++
            return
          }
          const timestamp = record.timestamp
          observedStreamTime = Math.max(observedStreamTime, timestamp)
          const windowCloseTime = observedStreamTime - grace - gap

          const merged: KeyValue<Windowed<K>, VA>[] = []
          let start = timestamp
          let end = timestamp
          let agg = initializer()
          const sessions = store.findSessions(key, timestamp - gap, timestamp + gap)
          try {
            while (sessions.hasNext()) {
              const next = sessions.next()
              merged.push(next)
              agg = merger(key, agg, next.value)
              start = Math.min(start, next.key.window.start)
              end = Math.max(end, next.key.window.end)
            }
          } finally {
            sessions.close()
          }

          if (end < windowCloseTime) {
            internal.droppedRecords++
          } else {
            if (start !== timestamp || end !== timestamp) {
              for (const session of merged) {
                store.remove(session.key)
                maybeForwardUpdate(session.key, session.value, null)
              }
            }
            agg = aggregator(key, record.value, agg)
            const sessionKey = new Windowed(key, new Window(start, end))
            store.put(sessionKey, agg)
            maybeForwardUpdate(sessionKey, null, agg)
          }
          maybeForwardFinalResult(record, windowCloseTime)
        },
      }
    },
  }
  return supplier
}
