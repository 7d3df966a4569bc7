import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { Serde } from '../../serde/serde.ts'
import type { ValueAndTimestamp } from '../value-and-timestamp.ts'
import { AbstractStoreBuilder } from './abstract-store-builder.ts'
import type { BytesEngine } from './bytes-engine.ts'
import { EngineBytesStore, type BytesStore } from './bytes-store.ts'
import { CachingBytesStore } from './caching-bytes-store.ts'
import { ChangeLoggingBytesStore } from './change-logging-bytes-store.ts'
import { InMemoryBytesEngine } from './in-memory-bytes-engine.ts'
import { MeteredKeyValueStore, timestampedSerde } from './metered-key-value-store.ts'

/** Where a key-value store keeps its bytes (Kafka `KeyValueBytesStoreSupplier`). */
export interface KeyValueBytesStoreSupplier {
  readonly name: string
  readonly persistent: boolean
  /** Opens the engine for one task. */
  open(context: ProcessorContextImpl): BytesEngine
  metricsScope(): string
}

export function inMemorySupplier(name: string): KeyValueBytesStoreSupplier {
  return { name, persistent: false, open: () => new InMemoryBytesEngine(name), metricsScope: () => 'in-memory' }
}

export function persistentSupplier(name: string): KeyValueBytesStoreSupplier {
  return { name, persistent: true, open: (context) => context.persistentEngine(name), metricsScope: () => 'lmdb' }
}

/**
 * Kafka `KeyValueStoreBuilder` / `TimestampedKeyValueStoreBuilder`: engine -> change-logging ->
 * caching -> metered, the layers Kafka stacks. Logging is on and caching off by default, as in Kafka.
 */
export class KeyValueStoreBuilder<K, V> extends AbstractStoreBuilder<MeteredKeyValueStore<K, V>> {
  readonly supplier: KeyValueBytesStoreSupplier
  readonly #keySerde: Serde<K> | undefined
  readonly #valueSerde: Serde<unknown> | undefined
  readonly timestamped: boolean

  constructor(
    supplier: KeyValueBytesStoreSupplier,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<unknown> | undefined,
    timestamped: boolean,
  ) {
    super(supplier.name)
    this.supplier = supplier
    this.#keySerde = keySerde
    this.#valueSerde = valueSerde
    this.timestamped = timestamped
  }

  build(): MeteredKeyValueStore<K, V> {
    let store: BytesStore = new EngineBytesStore(this.name, this.supplier.persistent, (context) =>
      this.supplier.open(context),
    )
    if (this.logging) store = new ChangeLoggingBytesStore(store, this.timestamped)
    if (this.caching) store = new CachingBytesStore(store)
    const wrap = this.timestamped
      ? (serde: Serde<unknown>) => timestampedSerde(serde) as unknown as Serde<V>
      : undefined
    const valueSerde =
      this.#valueSerde === undefined ? undefined : wrap ? wrap(this.#valueSerde) : (this.#valueSerde as Serde<V>)
    return new MeteredKeyValueStore<K, V>(store, this.#keySerde, valueSerde, wrap)
  }
}

export type TimestampedStoreBuilder<K, V> = KeyValueStoreBuilder<K, ValueAndTimestamp<V>>
