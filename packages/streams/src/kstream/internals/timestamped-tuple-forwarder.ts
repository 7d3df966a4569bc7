import type { ProcessorContext } from '../../processor/api/processor.ts'
import { Record } from '../../processor/api/record.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'
import type { TypedFlushListener } from '../../state/internals/metered-key-value-store.ts'
import { change, type Change } from './change.ts'

/** A store that may have a caching layer to register a flush listener on (key-value and window stores). */
export interface FlushableStore<K, V> {
  setFlushListener(listener: TypedFlushListener<K, ValueAndTimestamp<V>>, sendOldValues: boolean): boolean
}

/**
 * Kafka `TimestampedTupleForwarder` + `TimestampedCacheFlushListener`: without a cache, an aggregation
 * forwards each change at once; with one, the cache forwards the deduplicated change when it flushes,
 * from the owning processor, stamped with the value's timestamp.
 */
export class TimestampedTupleForwarder<K, V> {
  readonly #context: ProcessorContext<K, Change<V>>
  readonly #sendOldValues: boolean
  readonly #cachingEnabled: boolean

  constructor(store: FlushableStore<K, V>, context: ProcessorContext<K, Change<V>>, sendOldValues: boolean) {
    this.#context = context
    this.#sendOldValues = sendOldValues
    const internal = context as unknown as ProcessorContextImpl
    const owner = internal.currentNode
    this.#cachingEnabled = store.setFlushListener((key, newValue, oldValue, recordContext) => {
      const previous = internal.currentNode
      internal.currentNode = owner
      try {
        const timestamp = newValue !== null ? newValue.timestamp : recordContext.timestamp
        internal.forward(
          new Record(key, change(newValue?.value ?? null, oldValue?.value ?? null), timestamp, recordContext.headers),
        )
      } finally {
        internal.currentNode = previous
      }
    }, sendOldValues)
  }

  get cachingEnabled(): boolean {
    return this.#cachingEnabled
  }

  maybeForward(record: Record<K, Change<V>>): void {
    if (this.#cachingEnabled) return
    this.#context.forward(
      this.#sendOldValues ? record : record.withValue(change(record.value.newValue, null, record.value.isLatest)),
    )
  }
}
