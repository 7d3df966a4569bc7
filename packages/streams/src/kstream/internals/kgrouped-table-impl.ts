import type { Serde } from '../../serde/serde.ts'
import { Serdes } from '../../serde/serdes.ts'
import type { Materialized } from '../materialized.ts'
import type { Named } from '../named.ts'
import { changedSerde } from './changed-serde.ts'
import { GraphNode } from './graph/graph-node.ts'
import type { InternalStreamsBuilder } from './internal-streams-builder.ts'
import { split } from './kgrouped-stream-impl.ts'
import type { AggregateSupplier, Aggregator, Initializer, Reducer } from './kstream-aggregate.ts'
import { nameOf, SINK_NAME, SOURCE_NAME } from './kstream-impl.ts'
import { ktableAggregate, ktableReduce } from './ktable-aggregate.ts'
import { KTableImpl } from './ktable-impl.ts'
import { timestampedKeyValueStore } from './materialize.ts'
import type { Change } from './change.ts'
import { FailOnInvalidTimestamp } from '../../processor/timestamp-extractor.ts'

const AGGREGATE_NAME = 'KTABLE-AGGREGATE-'
const REDUCE_NAME = 'KTABLE-REDUCE-'

/**
 * Kafka `KGroupedTableImpl`: a table re-grouped by a new key. Its changes travel through a repartition
 * topic as old/new pairs (Java's Change format), and the aggregation subtracts the old value and adds
 * the new one, so updates and deletes move between groups correctly.
 */
export class KGroupedTableImpl<K, V> {
  readonly #builder: InternalStreamsBuilder
  readonly #graphNode: GraphNode
  readonly #keySerde: Serde<K> | undefined
  readonly #valueSerde: Serde<V> | undefined
  readonly #repartitionName: string | undefined
  #repartition: GraphNode | undefined

  constructor(
    builder: InternalStreamsBuilder,
    graphNode: GraphNode,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    repartitionName: string | undefined,
  ) {
    this.#builder = builder
    this.#graphNode = graphNode
    this.#keySerde = keySerde
    this.#valueSerde = valueSerde
    this.#repartitionName = repartitionName
  }

  count(
    namedOrMaterialized?: Named | Materialized<K, number>,
    materialized?: Materialized<K, number>,
  ): KTableImpl<K, number> {
    const { named, mat } = split(namedOrMaterialized, materialized)
    const storeName = mat?.storeName ?? this.#builder.newStoreName(AGGREGATE_NAME)
    const supplier = ktableAggregate<K, V, number>(
      storeName,
      () => 0,
      (_k, _v, count) => count + 1,
      (_k, _v, count) => count - 1,
    )
    return this.#aggregate(named, AGGREGATE_NAME, storeName, mat, supplier, mat?.valueSerde ?? Serdes.Long())
  }

  reduce(
    adder: Reducer<V>,
    subtractor: Reducer<V>,
    namedOrMaterialized?: Named | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTableImpl<K, V> {
    const { named, mat } = split(namedOrMaterialized, materialized)
    // Kafka names a reduce's store with the aggregate prefix
    const storeName = mat?.storeName ?? this.#builder.newStoreName(AGGREGATE_NAME)
    return this.#aggregate(
      named,
      REDUCE_NAME,
      storeName,
      mat,
      ktableReduce<K, V>(storeName, adder, subtractor),
      mat?.valueSerde ?? this.#valueSerde,
    )
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
    namedOrMaterialized?: Named | Materialized<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTableImpl<K, VA> {
    const { named, mat } = split(namedOrMaterialized, materialized)
    const storeName = mat?.storeName ?? this.#builder.newStoreName(AGGREGATE_NAME)
    return this.#aggregate(
      named,
      AGGREGATE_NAME,
      storeName,
      mat,
      ktableAggregate<K, V, VA>(storeName, initializer, adder, subtractor),
      mat?.valueSerde,
    )
  }

  #aggregate<VA>(
    named: Named | undefined,
    prefix: string,
    storeName: string,
    materialized: Materialized<K, VA> | undefined,
    supplier: AggregateSupplier<K, Change<V>, K, VA>,
    valueSerde: Serde<VA> | undefined,
  ): KTableImpl<K, VA> {
    const builder = this.#builder
    const sinkName = nameOf(named?.name === undefined ? undefined : `${named.name}-sink`, builder, SINK_NAME)
    const sourceName = nameOf(named?.name === undefined ? undefined : `${named.name}-source`, builder, SOURCE_NAME)
    const name = nameOf(named, builder, prefix)
    const topic = `${this.#repartitionName ?? storeName}-repartition`
    if (!this.#repartition || this.#repartitionName === undefined) {
      const keySerde = this.#keySerde
      const changed = changedSerde(this.#valueSerde)
      this.#repartition = new GraphNode(sourceName, (topology, parents) => {
        topology.addInternalTopic(topic)
        topology.addSink(
          sinkName,
          topic,
          { keySerializer: keySerde?.serializer(), valueSerializer: changed.serializer() },
          parents,
        )
        topology.addSource(sourceName, [topic], {
          timestampExtractor: new FailOnInvalidTimestamp(),
          keyDeserializer: keySerde?.deserializer(),
          valueDeserializer: changed.deserializer(),
        })
      })
    }
    builder.addGraphNode(this.#graphNode, this.#repartition)
    const keySerde = materialized?.keySerde ?? this.#keySerde
    const node = new GraphNode(name, (topology, parents) => {
      topology.addProcessor(name, supplier, parents)
      topology.addStateStore(timestampedKeyValueStore(storeName, materialized, keySerde, valueSerde), [name])
    })
    builder.addGraphNode(this.#repartition, node)
    return new KTableImpl<K, VA>(
      name,
      keySerde,
      valueSerde,
      new Set([sourceName]),
      materialized?.storeName,
      supplier,
      node,
      builder,
    )
  }
}
