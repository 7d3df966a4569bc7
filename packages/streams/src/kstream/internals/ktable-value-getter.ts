import type { ProcessingContext } from '../../processor/api/processor.ts'
import type { ValueAndTimestamp } from '../../state/value-and-timestamp.ts'
import { MeteredVersionedKeyValueStore } from '../../state/internals/versioned-store.ts'

/** Reads a table's current value for a key from inside a processor (Kafka `KTableValueGetter`). */
export interface KTableValueGetter<K, V> {
  init(context: ProcessingContext): void
  get(key: K): ValueAndTimestamp<V> | null
  /** For a versioned table: the value valid at `asOf` (set after `init`). */
  getAsOf?: ((key: K, asOf: number) => ValueAndTimestamp<V> | null) | undefined
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
      const getter: KTableValueGetter<K, V> = {
        init(context) {
          const opened = context.getStateStore<{
            name: string
            get(key: K, asOf?: number): ValueAndTimestamp<V> | null
          }>(storeName)
          store = opened
          // a versioned store answers as of a time; the join asks for the version valid at its record's time
          if (opened instanceof MeteredVersionedKeyValueStore)
            getter.getAsOf = (key, asOf) => opened.get(key, asOf) as ValueAndTimestamp<V> | null
        },
        get: (key) => store.get(key),
      }
      return getter
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
