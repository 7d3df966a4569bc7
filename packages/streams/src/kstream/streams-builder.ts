import { Topology } from '../topology.ts'
import type { StreamsConfigInput } from '../streams-config.ts'
import type { Consumed } from './consumed.ts'
import { InternalStreamsBuilder, REUSE_KTABLE_SOURCE_TOPICS } from './internals/internal-streams-builder.ts'
import { nameOf, SOURCE_NAME, streamFrom, type KStreamImpl } from './internals/kstream-impl.ts'
import { GraphNode } from './internals/graph/graph-node.ts'
import { KTableImpl } from './internals/ktable-impl.ts'
import { ktableSource } from './internals/ktable-processors.ts'
import { isVersionedSupplier, timestampedKeyValueStore } from './internals/materialize.ts'
import { Materialized } from './materialized.ts'
import { GlobalKTable } from './global-ktable.ts'
import type { StoreBuilder } from '../processor/state-store.ts'
import type { ProcessorSupplier } from '../processor/api/processor.ts'
import type { Serde } from '../serde/serde.ts'

const KTABLE_SOURCE_NAME = 'KTABLE-SOURCE-'

/** Entry point of the DSL (Kafka `StreamsBuilder`): create streams from topics, then `build()` the topology. */
export class StreamsBuilder {
  readonly #internal = new InternalStreamsBuilder()

  /** A stream of the records of one topic, several topics, or every topic a pattern matches. */
  stream<K = unknown, V = unknown>(
    topics: string | readonly string[] | RegExp,
    consumed?: Consumed<K, V>,
  ): KStreamImpl<K, V> {
    const list = typeof topics === 'string' ? [topics] : topics
    return streamFrom(this.#internal, list, consumed)
  }

  /**
   * A table over a topic (Kafka `StreamsBuilder.table`): the latest value per key. It is materialized in
   * a store when `materialized` names one, or when a downstream operator needs to read it.
   */
  table<K = unknown, V = unknown>(
    topic: string,
    consumedOrMaterialized?: Consumed<K, V> | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): KTableImpl<K, V> {
    const builder = this.#internal
    const { consumed, mat, storeName, keySerde, valueSerde, sourceName } = tableSource(
      builder,
      topic,
      consumedOrMaterialized,
      materialized,
    )
    const tableSourceName = nameOf(consumed?.name, builder, KTABLE_SOURCE_NAME)
    const supplier = ktableSource<K, V>(mat?.storeName)
    const node = new GraphNode(tableSourceName, (topology) => {
      topology.addSource(sourceName, [topic], {
        timestampExtractor: consumed?.timestampExtractor,
        keyDeserializer: keySerde?.deserializer(),
        valueDeserializer: valueSerde?.deserializer(),
        offsetReset: consumed?.offsetReset,
      })
      topology.addProcessor(tableSourceName, supplier, [sourceName])
      if (supplier.storeName !== undefined) {
        const store = timestampedKeyValueStore(storeName, mat, keySerde, valueSerde)
        topology.addStateStore(store, [tableSourceName])
        if (builder.optimizations.has(REUSE_KTABLE_SOURCE_TOPICS)) {
          // the source topic is the table's changelog already: restore from it, write no second one
          store.withLoggingDisabled()
          topology.connectSourceStoreAndTopic(storeName, topic)
        }
      }
    })
    builder.addGraphNode(builder.root, node)
    const table = new KTableImpl<K, V>(
      tableSourceName,
      keySerde,
      valueSerde,
      new Set([sourceName]),
      mat?.storeName,
      supplier,
      node,
      builder,
    )
    table.materializeSource = () => supplier.materialize(storeName)
    table.versioned = mat?.storeSupplier !== undefined && isVersionedSupplier(mat.storeSupplier)
    return table
  }

  /**
   * A table holding the whole topic on every instance (Kafka `globalTable`), for joins by any key. Its
   * store does not log: the topic is its changelog.
   */
  globalTable<K = unknown, V = unknown>(
    topic: string,
    consumedOrMaterialized?: Consumed<K, V> | Materialized<K, V>,
    materialized?: Materialized<K, V>,
  ): GlobalKTable<K, V> {
    const builder = this.#internal
    const { consumed, mat, storeName, keySerde, valueSerde, sourceName } = tableSource(
      builder,
      topic,
      consumedOrMaterialized,
      materialized,
    )
    const processorName = nameOf(consumed?.name, builder, KTABLE_SOURCE_NAME)
    const supplier = ktableSource<K, V>(storeName)
    const node = new GraphNode(processorName, (topology) => {
      const store = timestampedKeyValueStore(storeName, mat, keySerde, valueSerde).withLoggingDisabled()
      topology.addGlobalStore(store, sourceName, topic, processorName, supplier, {
        timestampExtractor: consumed?.timestampExtractor,
        keyDeserializer: keySerde?.deserializer(),
        valueDeserializer: valueSerde?.deserializer(),
      })
    })
    builder.addGraphNode(builder.root, node)
    return new GlobalKTable<K, V>(storeName, mat?.storeName, keySerde, valueSerde)
  }

  /** Adds a store that processors name in `process(supplier, storeName)` (Kafka `addStateStore`). */
  addStateStore(storeBuilder: StoreBuilder): this {
    const node = new GraphNode(storeBuilder.name, (topology) => topology.addStateStore(storeBuilder))
    this.#internal.addGraphNode(this.#internal.root, node)
    return this
  }

  /**
   * A global store kept by your own processor from a topic (Kafka `addGlobalStore`); the store must have
   * logging disabled.
   */
  addGlobalStore<K, V>(
    storeBuilder: StoreBuilder,
    topic: string,
    consumed: Consumed<K, V>,
    stateUpdateSupplier: ProcessorSupplier<K, V, never, never>,
  ): this {
    const builder = this.#internal
    const sourceName = builder.newProcessorName(SOURCE_NAME)
    const processorName = builder.newProcessorName(KTABLE_SOURCE_NAME)
    const node = new GraphNode(processorName, (topology) =>
      topology.addGlobalStore(storeBuilder, sourceName, topic, processorName, stateUpdateSupplier, {
        timestampExtractor: consumed.timestampExtractor,
        keyDeserializer: consumed.keySerde?.deserializer(),
        valueDeserializer: consumed.valueSerde?.deserializer(),
      }),
    )
    builder.addGraphNode(builder.root, node)
    return this
  }

  /** The topology of everything defined so far; `config` may carry `topologyOptimization`. */
  build(config?: StreamsConfigInput): Topology {
    const optimization = config?.topologyOptimization ?? config?.['topology.optimization']
    return Topology.fromBuilder(
      this.#internal.buildAndOptimizeTopology(typeof optimization === 'string' ? optimization : 'none'),
    )
  }
}

/** What `table` and `globalTable` read from their arguments, and their store and source names, in Kafka's order. */
function tableSource<K, V>(
  builder: InternalStreamsBuilder,
  topic: string,
  consumedOrMaterialized: Consumed<K, V> | Materialized<K, V> | undefined,
  materialized: Materialized<K, V> | undefined,
): {
  consumed: Consumed<K, V> | undefined
  mat: Materialized<K, V> | undefined
  storeName: string
  keySerde: Serde<K> | undefined
  valueSerde: Serde<V> | undefined
  sourceName: string
} {
  const consumed = consumedOrMaterialized instanceof Materialized ? undefined : consumedOrMaterialized
  const mat = consumedOrMaterialized instanceof Materialized ? consumedOrMaterialized : materialized
  const storeName = mat?.storeName ?? builder.newStoreName(`${topic}-`)
  const sourceName = nameOf(consumed?.name === undefined ? undefined : `${consumed.name}-source`, builder, SOURCE_NAME)
  return {
    consumed,
    mat,
    storeName,
    keySerde: consumed?.keySerde ?? mat?.keySerde,
    valueSerde: consumed?.valueSerde ?? mat?.valueSerde,
    sourceName,
  }
}
