import { toMillis, type Duration } from './duration.ts'
import type { Serde } from '../serde/serde.ts'
import type { KeyValueBytesStoreSupplier } from '../state/internals/key-value-store-builder.ts'
import type { VersionedBytesStoreSupplier } from '../state/internals/versioned-store.ts'
import type { WindowBytesStoreSupplier } from '../state/internals/window-store-builder.ts'
import type { SessionBytesStoreSupplier } from '../state/internals/session-store-builder.ts'

/** The store suppliers a Materialized takes: each DSL operator accepts the kind it stores in. */
type StoreSupplier =
  KeyValueBytesStoreSupplier | VersionedBytesStoreSupplier | WindowBytesStoreSupplier | SessionBytesStoreSupplier
import { validateName } from './named.ts'

export type StoreType = 'lmdb' | 'in_memory'

interface Fields<K, V> {
  storeName?: string | undefined
  storeSupplier?: StoreSupplier | undefined
  keySerde?: Serde<K> | undefined
  valueSerde?: Serde<V> | undefined
  storeType?: StoreType | undefined
  cachingEnabled?: boolean
  loggingEnabled?: boolean
  topicConfig?: { readonly [key: string]: string }
  retentionMs?: number | undefined
}

/**
 * How the DSL materializes a state store (Kafka `Materialized`): its name (which makes it queryable),
 * serdes, engine, caching (on by default), change-logging (on by default) and retention for windows.
 */
export class Materialized<K, V> {
  readonly storeName: string | undefined
  /** A key-value, versioned, window or session store supplier; a versioned one makes the table versioned. */
  readonly storeSupplier: StoreSupplier | undefined
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  readonly storeType: StoreType | undefined
  readonly cachingEnabled: boolean
  readonly loggingEnabled: boolean
  readonly topicConfig: { readonly [key: string]: string }
  readonly retentionMs: number | undefined

  private constructor(fields: Fields<K, V>) {
    if (fields.storeName !== undefined) validateName(fields.storeName)
    this.storeName = fields.storeName
    this.storeSupplier = fields.storeSupplier
    this.keySerde = fields.keySerde
    this.valueSerde = fields.valueSerde
    this.storeType = fields.storeType
    this.cachingEnabled = fields.cachingEnabled ?? true
    this.loggingEnabled = fields.loggingEnabled ?? true
    this.topicConfig = fields.topicConfig ?? {}
    this.retentionMs = fields.retentionMs
  }

  /** A store with this name, or on this supplier (which names it). */
  static as<K, V>(nameOrSupplier: string | StoreSupplier): Materialized<K, V> {
    if (typeof nameOrSupplier === 'string') return new Materialized<K, V>({ storeName: nameOrSupplier })
    return new Materialized<K, V>({ storeName: nameOrSupplier.name, storeSupplier: nameOrSupplier })
  }

  static with<K, V>(keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined): Materialized<K, V> {
    return new Materialized<K, V>({ keySerde, valueSerde })
  }

  #copy<NK = K, NV = V>(change: Fields<NK, NV>): Materialized<NK, NV> {
    return new Materialized<NK, NV>({
      storeName: this.storeName,
      storeSupplier: this.storeSupplier,
      keySerde: this.keySerde as unknown as Serde<NK> | undefined,
      valueSerde: this.valueSerde as unknown as Serde<NV> | undefined,
      storeType: this.storeType,
      cachingEnabled: this.cachingEnabled,
      loggingEnabled: this.loggingEnabled,
      topicConfig: this.topicConfig,
      retentionMs: this.retentionMs,
      ...change,
    })
  }

  withKeySerde<NK>(keySerde: Serde<NK>): Materialized<NK, V> {
    return this.#copy<NK, V>({ keySerde })
  }

  withValueSerde<NV>(valueSerde: Serde<NV>): Materialized<K, NV> {
    return this.#copy<K, NV>({ valueSerde })
  }

  withStoreType(storeType: StoreType): Materialized<K, V> {
    return this.#copy({ storeType })
  }

  withCachingEnabled(): Materialized<K, V> {
    return this.#copy({ cachingEnabled: true })
  }

  withCachingDisabled(): Materialized<K, V> {
    return this.#copy({ cachingEnabled: false })
  }

  withLoggingEnabled(topicConfig: { readonly [key: string]: string } = {}): Materialized<K, V> {
    return this.#copy({ loggingEnabled: true, topicConfig })
  }

  withLoggingDisabled(): Materialized<K, V> {
    return this.#copy({ loggingEnabled: false, topicConfig: {} })
  }

  /** How long a window or session store keeps data (at least window size + grace). */
  withRetention(retention: Duration | number): Materialized<K, V> {
    return this.#copy({ retentionMs: toMillis(retention, 'retention') })
  }
}
