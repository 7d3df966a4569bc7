import type { Serde } from '../../serde/serde.ts'
import {
  inMemorySupplier,
  KeyValueStoreBuilder,
  persistentSupplier,
} from '../../state/internals/key-value-store-builder.ts'

import type { Materialized } from '../materialized.ts'

/**
 * Kafka `KeyValueStoreMaterializer`: the timestamped key-value store a DSL operator materializes,
 * with the Materialized's engine, serdes, caching and logging. The engine defaults to the config's
 * `defaultDslStore` (resolved when the task opens the store).
 */
export function timestampedKeyValueStore<K, V>(
  storeName: string,
  materialized: Materialized<K, V> | undefined,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): KeyValueStoreBuilder<K, unknown> {
  const supplier =
    materialized?.storeSupplier ??
    (materialized?.storeType === 'in_memory'
      ? inMemorySupplier(storeName)
      : materialized?.storeType === 'lmdb'
        ? persistentSupplier(storeName)
        : dslDefaultSupplier(storeName))
  const builder = new KeyValueStoreBuilder<K, unknown>(
    supplier,
    materialized?.keySerde ?? keySerde,
    materialized?.valueSerde ?? valueSerde,
    true,
  )
  if (materialized?.cachingEnabled ?? true) builder.withCachingEnabled()
  if (materialized?.loggingEnabled ?? true) builder.withLoggingEnabled(materialized?.topicConfig ?? {})
  else builder.withLoggingDisabled()
  return builder
}

/** A supplier whose engine follows the application's `defaultDslStore` setting. */
function dslDefaultSupplier(name: string): ReturnType<typeof persistentSupplier> {
  const memory = inMemorySupplier(name)
  const disk = persistentSupplier(name)
  return {
    name,
    persistent: true,
    open: (context) => (context.config.defaultDslStore === 'in_memory' ? memory.open(context) : disk.open(context)),
    metricsScope: () => 'dsl',
  }
}
