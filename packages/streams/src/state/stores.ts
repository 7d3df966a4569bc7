import type { Serde } from '../serde/serde.ts'
import {
  inMemorySupplier,
  KeyValueStoreBuilder,
  persistentSupplier,
  type KeyValueBytesStoreSupplier,
} from './internals/key-value-store-builder.ts'
import type { ValueAndTimestamp } from './value-and-timestamp.ts'
import {
  inMemorySessionSupplier,
  persistentSessionSupplier,
  SessionStoreBuilder,
  type SessionBytesStoreSupplier,
} from './internals/session-store-builder.ts'
import {
  persistentVersionedSupplier,
  VersionedKeyValueStoreBuilder,
  type VersionedBytesStoreSupplier,
} from './internals/versioned-store.ts'
import { toMillis, type Duration } from '../kstream/duration.ts'
import {
  inMemoryWindowSupplier,
  persistentWindowSupplier,
  WindowStoreBuilder,
  type WindowBytesStoreSupplier,
} from './internals/window-store-builder.ts'

/**
 * A store supplier that is also a builder with the default serdes, so that the chain
 * `Stores.persistentKeyValueStore('my-store').withCachingEnabled().withLoggingEnabled()` gives a store
 * builder directly.
 */
export type KeyValueStoreSupplierBuilder = KeyValueBytesStoreSupplier & {
  withCachingEnabled(): KeyValueStoreBuilder<unknown, unknown>
  withCachingDisabled(): KeyValueStoreBuilder<unknown, unknown>
  withLoggingEnabled(config?: Record<string, string>): KeyValueStoreBuilder<unknown, unknown>
  withLoggingDisabled(): KeyValueStoreBuilder<unknown, unknown>
}

function chainable(supplier: KeyValueBytesStoreSupplier): KeyValueStoreSupplierBuilder {
  const builder = (): KeyValueStoreBuilder<unknown, unknown> =>
    new KeyValueStoreBuilder(supplier, undefined, undefined, false)
  return {
    ...supplier,
    withCachingEnabled: () => builder().withCachingEnabled(),
    withCachingDisabled: () => builder().withCachingDisabled(),
    withLoggingEnabled: (config) => builder().withLoggingEnabled(config),
    withLoggingDisabled: () => builder().withLoggingDisabled(),
  }
}

/** Factory of store suppliers and builders (Kafka `Stores`). */
export const Stores = {
  /** A key-value store on disk (lmdb), restored from its changelog. */
  persistentKeyValueStore(name: string): KeyValueStoreSupplierBuilder {
    return chainable(persistentSupplier(name))
  },
  persistentTimestampedKeyValueStore(name: string): KeyValueStoreSupplierBuilder {
    return chainable(persistentSupplier(name))
  },
  /** A key-value store in memory (an ordered B-tree), restored from its changelog. */
  inMemoryKeyValueStore(name: string): KeyValueStoreSupplierBuilder {
    return chainable(inMemorySupplier(name))
  },
  /** A window store on disk, segmented by time so retention drops whole segments. */
  persistentWindowStore(
    name: string,
    retention: Duration | number,
    windowSize: Duration | number,
    retainDuplicates = false,
  ): WindowBytesStoreSupplier {
    return persistentWindowSupplier(
      name,
      toMillis(retention, 'retention'),
      toMillis(windowSize, 'windowSize'),
      retainDuplicates,
    )
  },
  persistentTimestampedWindowStore(
    name: string,
    retention: Duration | number,
    windowSize: Duration | number,
    retainDuplicates = false,
  ): WindowBytesStoreSupplier {
    return persistentWindowSupplier(
      name,
      toMillis(retention, 'retention'),
      toMillis(windowSize, 'windowSize'),
      retainDuplicates,
    )
  },
  inMemoryWindowStore(
    name: string,
    retention: Duration | number,
    windowSize: Duration | number,
    retainDuplicates = false,
  ): WindowBytesStoreSupplier {
    return inMemoryWindowSupplier(
      name,
      toMillis(retention, 'retention'),
      toMillis(windowSize, 'windowSize'),
      retainDuplicates,
    )
  },
  windowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder<K, V>(supplier, keySerde, valueSerde, false)
  },
  timestampedWindowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): WindowStoreBuilder<K, ValueAndTimestamp<V>> {
    return new WindowStoreBuilder<K, ValueAndTimestamp<V>>(supplier, keySerde, valueSerde, true)
  },
  /**
   * A versioned key-value store on disk keeping past versions for `historyRetention` (Kafka
   * `persistentVersionedKeyValueStore`); reads can ask for a value as of a time.
   */
  persistentVersionedKeyValueStore(name: string, historyRetention: Duration | number): VersionedBytesStoreSupplier {
    return persistentVersionedSupplier(name, toMillis(historyRetention, 'historyRetention'))
  },
  versionedKeyValueStoreBuilder<K, V>(
    supplier: VersionedBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): VersionedKeyValueStoreBuilder<K, V> {
    return new VersionedKeyValueStoreBuilder<K, V>(supplier, keySerde, valueSerde)
  },
  /** A session store on disk, segmented by session end time. */
  persistentSessionStore(name: string, retentionPeriod: Duration | number): SessionBytesStoreSupplier {
    return persistentSessionSupplier(name, toMillis(retentionPeriod, 'retentionPeriod'))
  },
  inMemorySessionStore(name: string, retentionPeriod: Duration | number): SessionBytesStoreSupplier {
    return inMemorySessionSupplier(name, toMillis(retentionPeriod, 'retentionPeriod'))
  },
  sessionStoreBuilder<K, V>(
    supplier: SessionBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): SessionStoreBuilder<K, V> {
    return new SessionStoreBuilder<K, V>(supplier, keySerde, valueSerde)
  },
  keyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder<K, V>(supplier, keySerde, valueSerde, false)
  },
  timestampedKeyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): KeyValueStoreBuilder<K, ValueAndTimestamp<V>> {
    return new KeyValueStoreBuilder<K, ValueAndTimestamp<V>>(supplier, keySerde, valueSerde, true)
  },
} as const
