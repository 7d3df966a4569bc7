import type { Serde } from '../../serde/serde.ts'
import { StreamsException } from '../../errors/streams-exception.ts'
import type { KTableImpl } from './ktable-impl.ts'
import { Serdes } from '../../serde/serdes.ts'
import {
  dslSessionSupplier,
  inMemorySessionSupplier,
  persistentSessionSupplier,
  SessionStoreBuilder,
  type SessionBytesStoreSupplier,
} from '../../state/internals/session-store-builder.ts'
import type { EmitStrategy } from '../emit-strategy.ts'
import type { Materialized } from '../materialized.ts'
import type { Named } from '../named.ts'
import type { SessionWindows } from '../session-windows.ts'
import type { Windowed } from '../windowed.ts'
import { AGGREGATE_NAME } from './kgrouped-stream-impl.ts'
import type { Aggregator, Initializer, Reducer } from './kstream-aggregate.ts'
import { kstreamSessionWindowAggregate, type Merger } from './kstream-session-window-aggregate.ts'
import { givenSupplier } from './materialize.ts'
import { REDUCE_NAME, WindowedKStream } from './windowed-kstream.ts'

/**
 * Kafka `SessionWindowedKStreamImpl`: a grouped stream cut into session windows. Aggregations give a
 * table keyed by `Windowed<K>` (the session [start, end], both inclusive), stored in a session store
 * whose retention defaults to gap + grace.
 */
export class SessionWindowedKStreamImpl<K, V> extends WindowedKStream<K, V, SessionWindows> {
  // a session closes once stream time passes its end by the gap plus the grace period
  get closeDelayMs(): number {
    return this.windows.gapMs + this.windows.graceMs
  }

  storeBuilder<VA>(
    storeName: string,
    materialized: Materialized<K, VA> | undefined,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<VA> | undefined,
  ): SessionStoreBuilder<K, VA> {
    return sessionStoreBuilder(storeName, materialized, this.windows, keySerde, valueSerde, this.emit)
  }

  /** The number of records per key and session (null values count; null keys are dropped). */
  count(
    namedOrMaterialized?: Named | Materialized<K, number>,
    materialized?: Materialized<K, number>,
  ): KTableImpl<Windowed<K>, number> {
    const { name, storeName, mat } = this.names(AGGREGATE_NAME, namedOrMaterialized, materialized, true)
    const supplier = kstreamSessionWindowAggregate<K, V, number>(
      this.windows,
      storeName,
      this.emit,
      () => 0,
      (_k, _v, count) => count + 1,
      (_k, one, two) => one + two,
    )
    return this.build(name, storeName, mat, supplier, mat?.valueSerde ?? Serdes.Long())
  }

  /**
   * Folds each session's values with the reducer, the first value being the start; merging sessions
   * reduces the earlier aggregate with the later one (Kafka's merger for reduce).
   */
  reduce(
    reducer: Reducer<V>,
    namedOrMaterialized?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTableImpl<Windowed<K>, V> {
    const { name, storeName, mat } = this.names(REDUCE_NAME, namedOrMaterialized, materialized)
    // Kafka's reduce starts from a null aggregate, which the first value replaces
    const aggregator = (_k: K, value: V, aggregate: V | null): V =>
      aggregate === null ? value : reducer(aggregate, value)
    const supplier = kstreamSessionWindowAggregate<K, V, V>(
      this.windows,
      storeName,
      this.emit,
      () => null as V,
      aggregator,
      (key, one, two) => aggregator(key, two, one),
    )
    return this.build(name, storeName, mat, supplier, mat?.valueSerde ?? this.grouped.valueSerde)
  }

  /** Folds each session's values into an aggregate that starts from `initializer()`; `merger` joins two sessions' aggregates. */
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    mergerOrNamed?: Merger<K, VA> | Named | Materialized<K, VA>,
    namedOrMaterialized?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTableImpl<Windowed<K>, VA> {
    // Java requires the merger; the guide's example omits it. Without one, a record joining a session
    // merges that session into the record's fresh aggregate (the aggregate itself, as any merger would
    // give); bridging two existing sessions needs a real merger and fails with a clear error.
    let fresh: VA | undefined
    const init: Initializer<VA> = typeof mergerOrNamed === 'function' ? initializer : () => (fresh = initializer())
    const merger: Merger<K, VA> =
      typeof mergerOrNamed === 'function'
        ? mergerOrNamed
        : (_key, aggregate, session) => {
            if (aggregate === fresh) return session
            throw new StreamsException(
              'a record bridged two sessions of a key, and this session aggregation has no merger: ' +
                'pass one as aggregate(initializer, aggregator, (key, agg1, agg2) => merged)',
            )
          }
    if (typeof mergerOrNamed !== 'function' && mergerOrNamed !== undefined) {
      materialized = namedOrMaterialized as Materialized<K, VA> | undefined
      namedOrMaterialized = mergerOrNamed
    }
    const { name, storeName, mat } = this.names(AGGREGATE_NAME, namedOrMaterialized, materialized)
    const supplier = kstreamSessionWindowAggregate<K, V, VA>(
      this.windows,
      storeName,
      this.emit,
      init,
      aggregator,
      merger,
    )
    return this.build(name, storeName, mat, supplier, mat?.valueSerde)
  }
}

/** Kafka `SessionStoreMaterializer`: the session store of the aggregation. */
function sessionStoreBuilder<K, VA>(
  storeName: string,
  materialized: Materialized<K, VA> | undefined,
  windows: SessionWindows,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<VA> | undefined,
  emitStrategy: EmitStrategy,
): SessionStoreBuilder<K, VA> {
  const given = givenSupplier(materialized, 'session')
  const retention = materialized?.retentionMs ?? windows.gapMs + windows.graceMs
  // a store supplier given in Materialized brings its own retention, as in Kafka
  if (given === undefined && windows.gapMs + windows.graceMs > retention) {
    throw new RangeError(
      `The retention period of the session store ${storeName} must be no smaller than the session inactivity gap plus the grace period. ` +
        `Got gap=[${windows.gapMs}], grace=[${windows.graceMs}], retention=[${retention}]`,
    )
  }
  const emitFinal = emitStrategy.type === 'ON_WINDOW_CLOSE'
  const supplier: SessionBytesStoreSupplier =
    given ??
    (materialized?.storeType === 'in_memory'
      ? inMemorySessionSupplier(storeName, retention)
      : materialized?.storeType === 'lmdb'
        ? persistentSessionSupplier(storeName, retention, emitFinal)
        : dslSessionSupplier(storeName, retention, emitFinal))
  const builder = new SessionStoreBuilder<K, VA>(supplier, keySerde, materialized?.valueSerde ?? valueSerde)
  if (materialized?.loggingEnabled ?? true) builder.withLoggingEnabled(materialized?.topicConfig ?? {})
  else builder.withLoggingDisabled()
  // emit-final reads closed sessions back from the store, so they must be in it, not in a cache
  if ((materialized?.cachingEnabled ?? true) && !emitFinal) builder.withCachingEnabled()
  else builder.withCachingDisabled()
  return builder
}
