import type { Serde } from '../../serde/serde.ts'
import type { KTableImpl } from './ktable-impl.ts'
import { Serdes } from '../../serde/serdes.ts'
import type { WindowStoreBuilder } from '../../state/internals/window-store-builder.ts'
import { EmitStrategy } from '../emit-strategy.ts'
import type { Materialized } from '../materialized.ts'
import type { Named } from '../named.ts'
import type { TimeWindows } from '../time-windows.ts'
import type { Windowed } from '../windowed.ts'
import { AGGREGATE_NAME, split, type KGroupedStreamImpl } from './kgrouped-stream-impl.ts'
import type { AggregateSupplier, Aggregator, Initializer, Reducer } from './kstream-aggregate.ts'
import { nameOf } from './kstream-impl.ts'
import { kstreamWindowAggregate } from './kstream-window-aggregate.ts'
import { dslWindowStore } from './materialize.ts'

const REDUCE_NAME = 'KSTREAM-REDUCE-'

/**
 * Kafka `TimeWindowedKStreamImpl`: a grouped stream cut into time windows. Aggregations give a table
 * keyed by `Windowed<K>`, stored in a window store whose retention defaults to window size + grace.
 */
export class TimeWindowedKStreamImpl<K, V> {
  readonly #grouped: KGroupedStreamImpl<K, V>
  readonly #windows: TimeWindows
  #emitStrategy = EmitStrategy.onWindowUpdate()

  constructor(grouped: KGroupedStreamImpl<K, V>, windows: TimeWindows) {
    this.#grouped = grouped
    this.#windows = windows
  }

  emitStrategy(strategy: EmitStrategy): this {
    this.#emitStrategy = strategy
    return this
  }

  count(
    namedOrMaterialized?: Named | Materialized<K, number>,
    materialized?: Materialized<K, number>,
  ): KTableImpl<Windowed<K>, number> {
    const { named, mat } = split(namedOrMaterialized, materialized)
    const builder = this.#grouped.builder
    // Kafka burns a store name here when count() is given an unnamed Materialized, for compatibility
    if (mat && mat.storeName === undefined) builder.newStoreName(AGGREGATE_NAME)
    const storeName = mat?.storeName ?? builder.newStoreName(AGGREGATE_NAME)
    const name = nameOf(named, builder, AGGREGATE_NAME)
    const supplier = kstreamWindowAggregate<K, V, number>(
      this.#windows,
      storeName,
      this.#emitStrategy,
      () => 0,
      (_k, _v, count) => (count ?? 0) + 1,
    )
    return this.#build(name, storeName, mat, supplier, mat?.valueSerde ?? Serdes.Long())
  }

  reduce(
    reducer: Reducer<V>,
    namedOrMaterialized?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTableImpl<Windowed<K>, V> {
    const { named, mat } = split(namedOrMaterialized, materialized)
    const builder = this.#grouped.builder
    const storeName = mat?.storeName ?? builder.newStoreName(REDUCE_NAME)
    const name = nameOf(named, builder, REDUCE_NAME)
    const supplier = kstreamWindowAggregate<K, V, V>(
      this.#windows,
      storeName,
      this.#emitStrategy,
      () => null,
      (_k, value, aggregate) => (aggregate === null ? value : reducer(aggregate, value)),
    )
    return this.#build(name, storeName, mat, supplier, mat?.valueSerde ?? this.#grouped.valueSerde)
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    namedOrMaterialized?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTableImpl<Windowed<K>, VA> {
    const { named, mat } = split(namedOrMaterialized, materialized)
    const builder = this.#grouped.builder
    const storeName = mat?.storeName ?? builder.newStoreName(AGGREGATE_NAME)
    const name = nameOf(named, builder, AGGREGATE_NAME)
    const supplier = kstreamWindowAggregate<K, V, VA>(
      this.#windows,
      storeName,
      this.#emitStrategy,
      initializer,
      (key, value, aggregate) => aggregator(key, value, aggregate as VA),
    )
    return this.#build(name, storeName, mat, supplier, mat?.valueSerde)
  }

  #build<VA>(
    name: string,
    storeName: string,
    materialized: Materialized<K, VA> | undefined,
    supplier: AggregateSupplier<K, V, Windowed<K>, VA>,
    valueSerde: Serde<VA> | undefined,
  ): KTableImpl<Windowed<K>, VA> {
    const grouped = this.#grouped
    const keySerde = materialized?.keySerde ?? grouped.keySerde
    const storeBuilder = windowStoreBuilder(
      storeName,
      materialized,
      this.#windows,
      keySerde,
      valueSerde,
      this.#emitStrategy,
    )
    const table = grouped.aggregateInto<Windowed<K>, VA>(
      name,
      storeName,
      storeBuilder,
      supplier,
      undefined,
      valueSerde,
      materialized?.storeName,
    )
    table.windowCloseDelayMs = this.#windows.graceMs
    return table
  }
}

/** Kafka `TimeWindowedKStreamImpl.materialize`: a timestamped window store for the aggregation. */
function windowStoreBuilder<K, VA>(
  storeName: string,
  materialized: Materialized<K, VA> | undefined,
  windows: TimeWindows,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<VA> | undefined,
  emitStrategy: EmitStrategy,
): WindowStoreBuilder<K, unknown> {
  const retention = materialized?.retentionMs ?? windows.sizeMs + windows.graceMs
  if (retention < windows.sizeMs + windows.graceMs) {
    throw new RangeError(
      `The retention period of the window store ${storeName} must be no smaller than its window size plus the grace period. ` +
        `Got size=[${windows.sizeMs}], grace=[${windows.graceMs}], retention=[${retention}]`,
    )
  }
  return dslWindowStore(
    storeName,
    retention,
    windows.sizeMs,
    materialized,
    keySerde,
    valueSerde,
    emitStrategy.type === 'ON_WINDOW_CLOSE',
  )
}
