import type { Serde } from '../serde/serde.ts'
import { storeValueGetter, type KTableValueGetterSupplier } from './internals/ktable-value-getter.ts'

/**
 * A table replicated in full on every instance (Kafka `GlobalKTable`), kept in a global store filled
 * from its topic before processing starts; streams join it by any key they can compute.
 */
export class GlobalKTable<K, V> {
  readonly storeName: string
  readonly #queryableStoreName: string | undefined
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined

  constructor(
    storeName: string,
    queryableStoreName: string | undefined,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
  ) {
    this.storeName = storeName
    this.#queryableStoreName = queryableStoreName
    this.keySerde = keySerde
    this.valueSerde = valueSerde
  }

  /** Reads the global store; processors need no connection to it, so it names no stores. */
  valueGetterSupplier(): KTableValueGetterSupplier<K, V> {
    const supplier = storeValueGetter<K, V>(this.storeName)
    return { storeNames: [], get: () => supplier.get() }
  }

  queryableStoreName(): string | null {
    return this.#queryableStoreName ?? null
  }
}
