import { Serdes } from '../../serde/serdes.ts'
import type { StoreBuilder } from '../../processor/state-store.ts'
import type { Serde } from '../../serde/serde.ts'
import type { Grouped } from '../grouped.ts'
import { Materialized } from '../materialized.ts'
import type { Named } from '../named.ts'
import { GraphNode } from './graph/graph-node.ts'
import type { InternalStreamsBuilder } from './internal-streams-builder.ts'
import {
  kstreamAggregate,
  kstreamReduce,
  type AggregateSupplier,
  type Aggregator,
  type Initializer,
  type Reducer,
} from './kstream-aggregate.ts'
import { nameOf, repartitionNode } from './kstream-impl.ts'
import type { TimeWindows } from '../time-windows.ts'
import { TimeWindowedKStreamImpl } from './time-windowed-kstream-impl.ts'
import { CogroupedKStreamImpl } from './cogrouped-kstream-impl.ts'
import { SessionWindows } from '../session-windows.ts'
import { SlidingWindows } from '../sliding-windows.ts'
import { SessionWindowedKStreamImpl } from './session-windowed-kstream-impl.ts'
import { SlidingWindowedKStreamImpl } from './sliding-windowed-kstream-impl.ts'
import { KTableImpl } from './ktable-impl.ts'
import { timestampedKeyValueStore } from './materialize.ts'

export const AGGREGATE_NAME = 'KSTREAM-AGGREGATE-'
const REDUCE_NAME = 'KSTREAM-REDUCE-'

/**
 * Kafka `KGroupedStreamImpl` with `GroupedStreamAggregateBuilder`: a stream grouped by key, ready to be
 * aggregated. If the key may have changed upstream, the aggregation first goes through a repartition
 * topic `<applicationId>-<store or Grouped name>-repartition`, so all records of a key meet in one task.
 */
export class KGroupedStreamImpl<K, V> {
  readonly name: string
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  readonly repartitionName: string | undefined
  readonly repartitionRequired: boolean
  readonly graphNode: GraphNode
  readonly builder: InternalStreamsBuilder
  readonly subTopologySourceNodes: ReadonlySet<string>
  #repartition: { node: GraphNode; sourceName: string } | undefined

  constructor(
    name: string,
    grouped: Grouped<K, V> | undefined,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    repartitionRequired: boolean,
    subTopologySourceNodes: ReadonlySet<string>,
    graphNode: GraphNode,
    builder: InternalStreamsBuilder,
  ) {
    this.name = name
    this.keySerde = grouped?.keySerde ?? keySerde
    this.valueSerde = grouped?.valueSerde ?? valueSerde
    this.repartitionName = grouped?.name
    this.repartitionRequired = repartitionRequired
    this.subTopologySourceNodes = subTopologySourceNodes
    this.graphNode = graphNode
    this.builder = builder
  }

  /** The number of records per key (null keys and null values are dropped). */
  count(
    namedOrMaterialized?: Named | Materialized<K, number>,
    materialized?: Materialized<K, number>,
  ): KTableImpl<K, number> {
    const { named, mat } = split(namedOrMaterialized, materialized)
    // Kafka burns a store name here when count() is given an unnamed Materialized, for compatibility
    if (mat && mat.storeName === undefined) this.builder.newStoreName(AGGREGATE_NAME)
    const storeName = mat?.storeName ?? this.builder.newStoreName(AGGREGATE_NAME)
    const name = nameOf(named, this.builder, AGGREGATE_NAME)
    return this.#build(
      name,
      storeName,
      mat,
      kstreamAggregate<K, V, number>(
        storeName,
        () => 0,
        (_k, _v, count) => count + 1,
      ),
      mat?.valueSerde ?? Serdes.Long(),
    )
  }

  /** Folds each key's values with the reducer, the first value being the start. */
  reduce(
    reducer: Reducer<V>,
    namedOrMaterialized?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTableImpl<K, V> {
    const { named, mat } = split(namedOrMaterialized, materialized)
    const storeName = mat?.storeName ?? this.builder.newStoreName(REDUCE_NAME)
    const name = nameOf(named, this.builder, REDUCE_NAME)
    return this.#build(
      name,
      storeName,
      mat,
      kstreamReduce<K, V>(storeName, reducer),
      mat?.valueSerde ?? this.valueSerde,
    )
  }

  /** Folds each key's values into an aggregate that starts from `initializer()`. */
  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    namedOrMaterialized?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTableImpl<K, VA> {
    const { named, mat } = split(namedOrMaterialized, materialized)
    const storeName = mat?.storeName ?? this.builder.newStoreName(AGGREGATE_NAME)
    const name = nameOf(named, this.builder, AGGREGATE_NAME)
    return this.#build(
      name,
      storeName,
      mat,
      kstreamAggregate<K, V, VA>(storeName, initializer, aggregator),
      mat?.valueSerde,
    )
  }

  /** Starts a cogroup: this stream's records folded with `aggregator`; add more streams with `cogroup()`. */
  cogroup<VOut>(aggregator: Aggregator<K, V, VOut>): CogroupedKStreamImpl<K, VOut> {
    return new CogroupedKStreamImpl<K, VOut>().cogroup(this, aggregator)
  }

  /** Cuts the grouped stream into time windows (tumbling, hopping), sliding windows or sessions. */
  windowedBy(windows: TimeWindows): TimeWindowedKStreamImpl<K, V>
  windowedBy(windows: SlidingWindows): SlidingWindowedKStreamImpl<K, V>
  windowedBy(windows: SessionWindows): SessionWindowedKStreamImpl<K, V>
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedKStreamImpl<K, V> | SlidingWindowedKStreamImpl<K, V> | SessionWindowedKStreamImpl<K, V> {
    if (windows instanceof SessionWindows) return new SessionWindowedKStreamImpl<K, V>(this, windows)
    if (windows instanceof SlidingWindows) return new SlidingWindowedKStreamImpl<K, V>(this, windows)
    return new TimeWindowedKStreamImpl<K, V>(this, windows)
  }

  /**
   * The source node feeding an aggregation: this stream's, or a repartition topic's (created once per
   * Grouped name, as Kafka reuses a user-named repartition node).
   */
  aggregationParent(storeName: string): { parent: GraphNode; sourceNodes: ReadonlySet<string> } {
    if (!this.repartitionRequired) return { parent: this.graphNode, sourceNodes: this.subTopologySourceNodes }
    const prefix = this.repartitionName ?? storeName
    const created = repartitionNode<K, V>(this.builder, prefix, this.keySerde, this.valueSerde, undefined, undefined)
    if (!this.#repartition || this.repartitionName === undefined) {
      this.#repartition = created
      this.builder.optimizableRepartitions.push(created.node)
    }
    this.builder.addGraphNode(this.graphNode, this.#repartition.node)
    return { parent: this.#repartition.node, sourceNodes: new Set([this.#repartition.sourceName]) }
  }

  #build<VA>(
    name: string,
    storeName: string,
    materialized: Materialized<K, VA> | undefined,
    supplier: AggregateSupplier<K, V, K, VA>,
    valueSerde: Serde<VA> | undefined,
  ): KTableImpl<K, VA> {
    const keySerde = materialized?.keySerde ?? this.keySerde
    const store = timestampedKeyValueStore(storeName, materialized, keySerde, valueSerde)
    return this.aggregateInto<K, VA>(name, storeName, store, supplier, keySerde, valueSerde, materialized?.storeName)
  }

  /**
   * Adds an aggregation processor with its store below this stream (or its repartition topic) and
   * returns its table (Kafka `GroupedStreamAggregateBuilder.build`); windowed aggregations use it too.
   */
  aggregateInto<KOut, VA>(
    name: string,
    storeName: string,
    store: StoreBuilder,
    supplier: AggregateSupplier<K, V, KOut, VA>,
    keySerde: Serde<KOut> | undefined,
    valueSerde: Serde<VA> | undefined,
    queryableStoreName: string | undefined,
  ): KTableImpl<KOut, VA> {
    const { parent, sourceNodes } = this.aggregationParent(storeName)
    const node = new GraphNode(name, (builder, parents) => {
      builder.addProcessor(name, supplier, parents)
      builder.addStateStore(store, [name])
    })
    this.builder.addGraphNode(parent, node)
    return new KTableImpl<KOut, VA>(
      name,
      keySerde,
      valueSerde,
      sourceNodes,
      queryableStoreName,
      supplier,
      node,
      this.builder,
    )
  }
}

/** Java's overloads `(Named)`, `(Materialized)` and `(Named, Materialized)`. */
export function split<M>(
  first: Named | M | undefined,
  second: M | undefined,
): { named: Named | undefined; mat: M | undefined } {
  if (first instanceof Materialized) return { named: undefined, mat: first as M }
  return { named: first as Named | undefined, mat: second }
}
