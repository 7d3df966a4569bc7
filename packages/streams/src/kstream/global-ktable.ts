import type { Serde } from '../serde/serde.ts'

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

  queryableStoreName(): string | null {
    return this.#queryableStoreName ?? null
  }
}
