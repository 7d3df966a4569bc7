import type { ProcessingContext } from '../../processor/api/processor.ts'
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'

/** Reads a table's current value for a key from inside a processor (Kafka `KTableValueGetter`). */
export interface KTableValueGetter<K, V> {
  init(context: ProcessingContext): void
  get(key: K): ValueAndTimestamp<V> | null
}

/** Makes value getters, and names the stores the reading processor must be connected to. */
export interface KTableValueGetterSupplier<K, V> {
  readonly storeNames: readonly string[]
  get(): KTableValueGetter<K, V>
}

/** A getter reading a timestamped key-value store (Kafka `KTableMaterializedValueGetterSupplier`). */
export function storeValueGetter<K, V>(storeName: string): KTableValueGetterSupplier<K, V> {
  return {
    storeNames: [storeName],
    get() {
      let store: { get(key: K): ValueAndTimestamp<V> | null }
      return {
        init(context) {
          store = context.getStateStore<{ name: string; get(key: K): ValueAndTimestamp<V> | null }>(storeName)
        },
        get: (key) => store.get(key),
      }
    },
  }
}

/** A getter computing from its parent's value (Kafka's filter / mapValues / transformValues getters). */
export function computedValueGetter<K, V, VR>(
  parent: KTableValueGetterSupplier<K, V>,
  compute: (key: K, value: V | null) => VR | null,
): KTableValueGetterSupplier<K, VR> {
  return {
    storeNames: parent.storeNames,
    get() {
      const inner = parent.get()
      return {
        init: (context) => inner.init(context),
        get(key) {
          const found = inner.get(key)
          const value = compute(key, found === null ? null : found.value)
          return value === null ? null : { value, timestamp: found === null ? -1 : found.timestamp }
        },
      }
    },
  }
}
