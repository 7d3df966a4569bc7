import type { Serde } from '../../serde/serde.ts'
import type { Materialized } from '../materialized.ts'
import type { Named } from '../named.ts'
import { GraphNode } from './graph/graph-node.ts'
import { split, type KGroupedStreamImpl } from './kgrouped-stream-impl.ts'
import { kstreamAggregate, type Aggregator, type Initializer } from './kstream-aggregate.ts'
import { nameOf, processorNode } from './kstream-impl.ts'
import { passThrough } from './kstream-branch.ts'
import { KTableImpl } from './ktable-impl.ts'
import { timestampedKeyValueStore } from './materialize.ts'

const AGGREGATE_NAME = 'COGROUPKSTREAM-AGGREGATE-'
const MERGE_NAME = 'COGROUPKSTREAM-MERGE-'

/**
 * Kafka `CogroupedKStreamImpl`: several grouped streams folded into one aggregate per key, each with its
 * own aggregator, sharing one store; the per-stream aggregation processors feed one merge node, so the
 * result is one table.
 */
export class CogroupedKStreamImpl<K, VOut> {
  readonly #groups = new Map<KGroupedStreamImpl<K, unknown>, Aggregator<K, unknown, VOut>>()

  cogroup<V>(grouped: KGroupedStreamImpl<K, V>, aggregator: Aggregator<K, V, VOut>): this {
    this.#groups.set(grouped as KGroupedStreamImpl<K, unknown>, aggregator as Aggregator<K, unknown, VOut>)
    return this
  }

  aggregate(
    initializer: Initializer<VOut>,
    namedOrMaterialized?: Named | Materialized<K, VOut>,
    materialized?: Materialized<K, VOut>,
  ): KTableImpl<K, VOut> {
    const { named, mat } = split(namedOrMaterialized, materialized)
    const first = [...this.#groups.keys()][0]
    if (!first) throw new TypeError('cogroup() needs at least one grouped stream')
    const builder = first.builder
    const storeName = mat?.storeName ?? builder.newStoreName(AGGREGATE_NAME)
    const keySerde: Serde<K> | undefined = mat?.keySerde ?? first.keySerde
    const valueSerde = mat?.valueSerde
    const parents = new Map<KGroupedStreamImpl<K, unknown>, GraphNode>()
    const sources = new Set<string>()
    for (const grouped of this.#groups.keys()) {
      const { parent, sourceNodes } = grouped.aggregationParent(storeName)
      parents.set(grouped, parent)
      for (const source of sourceNodes) sources.add(source)
    }
    const processors: GraphNode[] = []
    const suppliers: { sendOldValues: boolean }[] = []
    let counter = 0
    let storeAdded = false
    for (const [grouped, aggregator] of this.#groups) {
      const name = nameOf(
        named?.name === undefined ? undefined : `${named.name}-cogroup-agg-${counter}`,
        builder,
        AGGREGATE_NAME,
      )
      counter++
      const supplier = kstreamAggregate<K, unknown, VOut>(storeName, initializer, aggregator)
      suppliers.push(supplier)
      const addStore = !storeAdded
      storeAdded = true
      const node = new GraphNode(name, (topology, parentNames) => {
        topology.addProcessor(name, supplier, parentNames)
        if (addStore) topology.addStateStore(timestampedKeyValueStore(storeName, mat, keySerde, valueSerde), [name])
        else topology.connectProcessorAndStateStores(name, [storeName])
      })
      builder.addGraphNode(parents.get(grouped) as GraphNode, node)
      processors.push(node)
    }
    const mergeName = nameOf(named?.name === undefined ? undefined : `${named.name}-cogroup-merge`, builder, MERGE_NAME)
    const merge = processorNode(mergeName, passThrough())
    builder.addGraphNode(processors, merge)
    // asking the merged table for old values asks every aggregation feeding it
    const tableSupplier = {
      storeName,
      get sendOldValues(): boolean {
        return suppliers.some((s) => s.sendOldValues)
      },
      set sendOldValues(value: boolean) {
        for (const s of suppliers) s.sendOldValues = value
      },
    }
    return new KTableImpl<K, VOut>(
      mergeName,
      keySerde,
      valueSerde,
      sources,
      mat?.storeName,
      tableSupplier,
      merge,
      builder,
    )
  }
}
