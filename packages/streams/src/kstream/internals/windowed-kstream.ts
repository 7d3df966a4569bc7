import type { StoreBuilder } from '../../processor/state-store.ts'
import type { Serde } from '../../serde/serde.ts'
import { Serdes } from '../../serde/serdes.ts'
import { EmitStrategy } from '../emit-strategy.ts'
import type { Materialized } from '../materialized.ts'
import type { Named } from '../named.ts'
import type { Windowed } from '../windowed.ts'
import { AGGREGATE_NAME, split, type KGroupedStreamImpl } from './kgrouped-stream-impl.ts'
import type { AggregateSupplier, Aggregator, Initializer, Reducer } from './kstream-aggregate.ts'
import { nameOf } from './kstream-impl.ts'
import type { KTableImpl } from './ktable-impl.ts'

export const REDUCE_NAME = 'KSTREAM-REDUCE-'

/** What every windowed grouped stream shares: its emit strategy, its names, its store and its table. */
export abstract class WindowedKStream<K, V, W> {
  readonly grouped: KGroupedStreamImpl<K, V>
  readonly windows: W
  protected emit = EmitStrategy.onWindowUpdate()

  constructor(grouped: KGroupedStreamImpl<K, V>, windows: W) {
    this.grouped = grouped
    this.windows = windows
  }

  emitStrategy(strategy: EmitStrategy): this {
    this.emit = strategy
    return this
  }

  /** The store of one aggregation (Kafka's `...StoreMaterializer`); windowed cogroups use it too. */
  abstract storeBuilder<VA>(
    storeName: string,
    materialized: Materialized<K, VA> | undefined,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<VA> | undefined,
  ): StoreBuilder

  /** How long after a window's end stream time must go before it closes (read by `suppress`). */
  abstract get closeDelayMs(): number

  /**
   * The processor and store names of one aggregation, in Kafka's counter order. Time and session
   * `count()` burn one store name when given an unnamed Materialized, as Kafka does for compatibility.
   */
  protected names<VA>(
    prefix: string,
    namedOrMaterialized: Named | Materialized<K, VA> | undefined,
    materialized: Materialized<K, VA> | undefined,
    burnUnnamedStore = false,
  ): { name: string; storeName: string; mat: Materialized<K, VA> | undefined } {
    const { named, mat } = split(namedOrMaterialized, materialized)
    const builder = this.grouped.builder
    if (burnUnnamedStore && mat && mat.storeName === undefined) builder.newStoreName(prefix)
    const storeName = mat?.storeName ?? builder.newStoreName(prefix)
    return { name: nameOf(named, builder, prefix), storeName, mat }
  }

  protected build<VA>(
    name: string,
    storeName: string,
    materialized: Materialized<K, VA> | undefined,
    supplier: AggregateSupplier<K, V, Windowed<K>, VA>,
    valueSerde: Serde<VA> | undefined,
  ): KTableImpl<Windowed<K>, VA> {
    const keySerde = materialized?.keySerde ?? this.grouped.keySerde
    const table = this.grouped.aggregateInto<Windowed<K>, VA>(
      name,
      storeName,
      this.storeBuilder(storeName, materialized, keySerde, valueSerde),
      supplier,
      undefined,
      valueSerde,
      materialized?.storeName,
    )
    table.windowCloseDelayMs = this.closeDelayMs
    table.windowedKeySerde = keySerde
    return table
  }
}

/**
 * Time and sliding windows: count, reduce and aggregate differ only in the aggregation processor
 * (`supplier`) and the store.
 */
export abstract class FixedWindowedKStream<K, V, W> extends WindowedKStream<K, V, W> {
  /** Whether `count()` with an unnamed Materialized burns a store name (time windows do, sliding do not). */
  protected abstract readonly countBurnsStoreName: boolean

  protected abstract supplier<VA>(
    storeName: string,
    initializer: () => VA | null,
    aggregator: (key: K, value: V, aggregate: VA | null) => VA,
  ): AggregateSupplier<K, V, Windowed<K>, VA>

  /** The number of records per key and window (null keys and null values are dropped). */
  count(
    namedOrMaterialized?: Named | Materialized<K, number>,
    materialized?: Materialized<K, number>,
  ): KTableImpl<Windowed<K>, number> {
    const names = this.names(AGGREGATE_NAME, namedOrMaterialized, materialized, this.countBurnsStoreName)
    const supplier = this.supplier<number>(
      names.storeName,
      () => 0,
      (_k, _v, count) => (count ?? 0) + 1,
    )
    return this.build(names.name, names.storeName, names.mat, supplier, names.mat?.valueSerde ?? Serdes.Long())
  }

  /** Folds each window's values with the reducer, the first value being the start. */
  reduce(
    reducer: Reducer<V>,
    namedOrMaterialized?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTableImpl<Windowed<K>, V> {
    const names = this.names(REDUCE_NAME, namedOrMaterialized, materialized)
    const supplier = this.supplier<V>(
      names.storeName,
      () => null,
      (_k, value, aggregate) => (aggregate === null ? value : reducer(aggregate, value)),
    )
    const valueSerde = names.mat?.valueSerde ?? this.grouped.valueSerde
    return this.build(names.name, names.storeName, names.mat, supplier, valueSerde)
  }

  /** Folds each window's values into an aggregate that starts from `initializer()`. */
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    namedOrMaterialized?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTableImpl<Windowed<K>, VA> {
    const names = this.names(AGGREGATE_NAME, namedOrMaterialized, materialized)
    const supplier = this.supplier<VA>(names.storeName, initializer, (key, value, aggregate) =>
      aggregator(key, value, aggregate as VA),
    )
    return this.build(names.name, names.storeName, names.mat, supplier, names.mat?.valueSerde)
  }
}
