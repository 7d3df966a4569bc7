import type { Serde } from '../../serde/serde.ts'
import type { StateStore } from '../../processor/api/processor.ts'
import type { AbstractStoreBuilder } from '../../state/internals/abstract-store-builder.ts'
import {
  VersionedKeyValueStoreBuilder,
  type VersionedBytesStoreSupplier,
} from '../../state/internals/versioned-store.ts'
import {
  inMemorySupplier,
  KeyValueStoreBuilder,
  persistentSupplier,
} from '../../state/internals/key-value-store-builder.ts'

import type { Materialized, StoreType } from '../materialized.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import {
  inMemoryWindowSupplier,
  persistentWindowSupplier,
  WindowStoreBuilder,
  type WindowBytesStoreSupplier,
} from '../../state/internals/window-store-builder.ts'
import type { SessionBytesStoreSupplier } from '../../state/internals/session-store-builder.ts'
import { TopologyException } from '../../errors/topology-exception.ts'

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
): AbstractStoreBuilder<StateStore> {
  const given = materialized?.storeSupplier
  if (given && isVersionedSupplier(given)) {
    // a versioned table: never cached, as in Kafka
    const versioned = new VersionedKeyValueStoreBuilder<K, V>(
      given,
      materialized?.keySerde ?? keySerde,
      materialized?.valueSerde ?? valueSerde,
    )
    if (materialized?.loggingEnabled ?? true) versioned.withLoggingEnabled(materialized?.topicConfig ?? {})
    else versioned.withLoggingDisabled()
    return versioned
  }
  if (given && (isWindowSupplier(given) || isSessionSupplier(given)))
    throw new TopologyException(
      `the store supplier ${given.name} is a ${isWindowSupplier(given) ? 'window' : 'session'} store supplier, but this operation keeps a key-value store: use Stores.persistentKeyValueStore / inMemoryKeyValueStore`,
    )
  const supplier =
    given ??
    (materialized?.storeType === 'in_memory'
      ? inMemorySupplier(storeName)
      : materialized?.storeType === 'lmdb'
        ? persistentSupplier(storeName)
        : dslKeyValueSupplier(storeName))
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

export function isVersionedSupplier(supplier: object): supplier is VersionedBytesStoreSupplier {
  return 'historyRetentionMs' in supplier
}

export function isWindowSupplier(supplier: object): supplier is WindowBytesStoreSupplier {
  return 'windowSize' in supplier
}

export function isSessionSupplier(supplier: object): supplier is SessionBytesStoreSupplier {
  return 'kindAt' in supplier
}

const supplierKinds = {
  window: {
    is: isWindowSupplier,
    use: 'Stores.persistentWindowStore / inMemoryWindowStore for a windowed aggregation',
  },
  session: {
    is: isSessionSupplier,
    use: 'Stores.persistentSessionStore / inMemorySessionStore for a session aggregation',
  },
}

/** The window or session store supplier a Materialized gives an aggregation, refusing other kinds. */
export function givenSupplier(
  materialized: Materialized<unknown, unknown> | undefined,
  kind: 'window',
): WindowBytesStoreSupplier | undefined
export function givenSupplier(
  materialized: Materialized<unknown, unknown> | undefined,
  kind: 'session',
): SessionBytesStoreSupplier | undefined
export function givenSupplier(
  materialized: Materialized<unknown, unknown> | undefined,
  kind: 'window' | 'session',
): WindowBytesStoreSupplier | SessionBytesStoreSupplier | undefined {
  const given = materialized?.storeSupplier
  const { is, use } = supplierKinds[kind]
  if (given === undefined || is(given)) return given
  throw new TopologyException(`the store supplier ${given.name} is not a ${kind} store supplier: use ${use}`)
}

/** A supplier whose engine follows the application's `defaultDslStore` setting. */
export function dslKeyValueSupplier(name: string): ReturnType<typeof persistentSupplier> {
  const memory = inMemorySupplier(name)
  const disk = persistentSupplier(name)
  return {
    name,
    persistent: true,
    open: (context) => (context.config.defaultDslStore === 'in_memory' ? memory.open(context) : disk.open(context)),
    metricsScope: () => 'dsl',
  }
}

/**
 * The timestamped window store of a windowed DSL aggregation, with the Materialized's caching (never for
 * emit-final, which reads closed windows back from the store) and logging.
 */
export function dslWindowStore<K, VA>(
  storeName: string,
  retentionMs: number,
  windowSizeMs: number,
  materialized: Materialized<K, VA> | undefined,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<VA> | undefined,
  emitFinal: boolean,
): WindowStoreBuilder<K, unknown> {
  const supplier =
    givenSupplier(materialized, 'window') ??
    dslWindowSupplier(storeName, retentionMs, windowSizeMs, materialized?.storeType, emitFinal)
  const builder = new WindowStoreBuilder<K, unknown>(supplier, keySerde, materialized?.valueSerde ?? valueSerde, true)
  if ((materialized?.cachingEnabled ?? true) && !emitFinal) builder.withCachingEnabled()
  if (materialized?.loggingEnabled ?? true) builder.withLoggingEnabled(materialized?.topicConfig ?? {})
  else builder.withLoggingDisabled()
  return builder
}

/**
 * The window store supplier of a windowed DSL operator: the Materialized's engine, or the application's
 * `defaultDslStore` when the store opens. Emit-final on disk behaves as Kafka's time-ordered store.
 */
export function dslWindowSupplier(
  storeName: string,
  retentionMs: number,
  windowSizeMs: number,
  storeType: StoreType | undefined,
  emitFinal: boolean,
  retainDuplicates = false,
): WindowBytesStoreSupplier {
  const onDisk = (context: ProcessorContextImpl): boolean =>
    storeType === 'lmdb' || (storeType === undefined && context.config.defaultDslStore !== 'in_memory')
  const memory = inMemoryWindowSupplier(storeName, retentionMs, windowSizeMs, retainDuplicates)
  const disk = persistentWindowSupplier(storeName, retentionMs, windowSizeMs, retainDuplicates)
  return {
    ...disk,
    persistent: storeType !== 'in_memory',
    openSegment: (context, name) => (onDisk(context) ? disk : memory).openSegment(context, name),
    timeOrdered: (context) => emitFinal && onDisk(context),
  }
}
