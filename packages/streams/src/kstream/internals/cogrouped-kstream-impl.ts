import type { StoreBuilder } from '../../processor/state-store.ts'
import type { Serde } from '../../serde/serde.ts'
import { EmitStrategy } from '../emit-strategy.ts'
import type { Materialized } from '../materialized.ts'
import type { Named } from '../named.ts'
import { SessionWindows } from '../session-windows.ts'
import { SlidingWindows } from '../sliding-windows.ts'
import type { TimeWindows } from '../time-windows.ts'
import type { Windowed } from '../windowed.ts'
import { GraphNode } from './graph/graph-node.ts'
import { split, type KGroupedStreamImpl } from './kgrouped-stream-impl.ts'
import { kstreamAggregate, type AggregateSupplier, type Aggregator, type Initializer } from './kstream-aggregate.ts'
import { passThrough } from './kstream-branch.ts'
import { nameOf, processorNode } from './kstream-impl.ts'
import { kstreamSessionWindowAggregate, type Merger } from './kstream-session-window-aggregate.ts'
import { kstreamSlidingWindowAggregate } from './kstream-sliding-window-aggregate.ts'
import { kstreamWindowAggregate } from './kstream-window-aggregate.ts'
import { KTableImpl } from './ktable-impl.ts'
import { timestampedKeyValueStore } from './materialize.ts'
import { SessionWindowedKStreamImpl } from './session-windowed-kstream-impl.ts'
import { SlidingWindowedKStreamImpl } from './sliding-windowed-kstream-impl.ts'
import { TimeWindowedKStreamImpl } from './time-windowed-kstream-impl.ts'
import type { WindowedKStream } from './windowed-kstream.ts'

const AGGREGATE_NAME = 'COGROUPKSTREAM-AGGREGATE-'
const MERGE_NAME = 'COGROUPKSTREAM-MERGE-'

type Groups<K, VOut> = ReadonlyMap<KGroupedStreamImpl<K, unknown>, Aggregator<K, unknown, VOut>>

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
    return buildCogroup<K, K, VOut>(this.#groups, named, mat, {
      windowed: false,
      store: (storeName, keySerde) => timestampedKeyValueStore(storeName, mat, keySerde, mat?.valueSerde),
      supplier: (storeName, aggregator) => kstreamAggregate<K, unknown, VOut>(storeName, initializer, aggregator),
    })
  }

  /** The cogroup cut into windows (Kafka `windowedBy`): one aggregate per key and window. */
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): WindowedCogroupedKStreamImpl<K, VOut> {
    return new WindowedCogroupedKStreamImpl<K, VOut>(this.#groups, windows)
  }
}

/**
 * Kafka `TimeWindowedCogroupedKStreamImpl`, `SlidingWindowedCogroupedKStreamImpl` and
 * `SessionWindowedCogroupedKStreamImpl`: the windowed aggregation of each grouped stream, all on one
 * window (or session) store. Session windows also take the merger that joins two sessions' aggregates.
 */
export class WindowedCogroupedKStreamImpl<K, VOut> {
  readonly #groups: Groups<K, VOut>
  readonly #windows: TimeWindows | SlidingWindows | SessionWindows

  constructor(groups: Groups<K, VOut>, windows: TimeWindows | SlidingWindows | SessionWindows) {
    this.#groups = groups
    this.#windows = windows
  }

  aggregate(
    initializer: Initializer<VOut>,
    namedOrMaterialized?: Named | Materialized<K, VOut>,
    materialized?: Materialized<K, VOut>,
  ): KTableImpl<Windowed<K>, VOut>
  aggregate(
    initializer: Initializer<VOut>,
    sessionMerger: Merger<K, VOut>,
    namedOrMaterialized?: Named | Materialized<K, VOut>,
    materialized?: Materialized<K, VOut>,
  ): KTableImpl<Windowed<K>, VOut>
  aggregate(
    initializer: Initializer<VOut>,
    mergerOrNamed?: Merger<K, VOut> | Named | Materialized<K, VOut>,
    namedOrMaterialized?: Named | Materialized<K, VOut>,
    materialized?: Materialized<K, VOut>,
  ): KTableImpl<Windowed<K>, VOut> {
    const windows = this.#windows
    let merger: Merger<K, VOut> | undefined
    if (typeof mergerOrNamed === 'function') merger = mergerOrNamed
    else {
      materialized = namedOrMaterialized as Materialized<K, VOut> | undefined
      namedOrMaterialized = mergerOrNamed
    }
    if (windows instanceof SessionWindows && !merger)
      throw new TypeError(
        'a session-windowed cogroup needs a merger: aggregate(initializer, (key, agg1, agg2) => merged)',
      )
    if (!(windows instanceof SessionWindows) && merger)
      throw new TypeError('a merger only applies to session windows: aggregate(initializer, named?, materialized?)')
    const { named, mat } = split(namedOrMaterialized, materialized)
    const onUpdate = EmitStrategy.onWindowUpdate()
    // the store and the window bounds come from the windowed stream of the first group, as in Kafka
    const first = firstGroup(this.#groups)
    const view: WindowedKStream<K, unknown, unknown> =
      windows instanceof SessionWindows
        ? new SessionWindowedKStreamImpl(first, windows)
        : windows instanceof SlidingWindows
          ? new SlidingWindowedKStreamImpl(first, windows)
          : new TimeWindowedKStreamImpl(first, windows)
    const table = buildCogroup<K, Windowed<K>, VOut>(this.#groups, named, mat, {
      windowed: true,
      store: (storeName, keySerde) => view.storeBuilder(storeName, mat, keySerde, mat?.valueSerde),
      supplier: (storeName, aggregator) => {
        const fold = (key: K, value: unknown, aggregate: VOut | null): VOut => aggregator(key, value, aggregate as VOut)
        if (windows instanceof SessionWindows)
          return kstreamSessionWindowAggregate(
            windows,
            storeName,
            onUpdate,
            initializer,
            aggregator,
            merger as Merger<K, VOut>,
          )
        if (windows instanceof SlidingWindows)
          return kstreamSlidingWindowAggregate(windows, storeName, onUpdate, initializer, fold)
        return kstreamWindowAggregate(windows, storeName, onUpdate, initializer, fold)
      },
    })
    table.windowCloseDelayMs = view.closeDelayMs
    table.windowedKeySerde = mat?.keySerde ?? first.keySerde
    return table
  }
}

/** Kafka `CogroupedStreamAggregateBuilder.build`: one aggregation processor per stream, one store, one merge. */
function buildCogroup<K, KOut, VOut>(
  groups: Groups<K, VOut>,
  named: Named | undefined,
  mat: Materialized<K, VOut> | undefined,
  parts: {
    /** A windowed table's keys are `Windowed<K>`: it has no key serde of its own. */
    windowed: boolean

    store: (storeName: string, keySerde: Serde<K> | undefined) => StoreBuilder
    supplier: (storeName: string, aggregator: Aggregator<K, unknown, VOut>) => AggregateSupplier<K, unknown, KOut, VOut>
  },
): KTableImpl<KOut, VOut> {
  const first = firstGroup(groups)
  const builder = first.builder
  const storeName = mat?.storeName ?? builder.newStoreName(AGGREGATE_NAME)
  const keySerde = mat?.keySerde ?? first.keySerde
  const parents = new Map<KGroupedStreamImpl<K, unknown>, GraphNode>()
  const sources = new Set<string>()
  for (const grouped of groups.keys()) {
    const { parent, sourceNodes } = grouped.aggregationParent(storeName)
    parents.set(grouped, parent)
    for (const source of sourceNodes) sources.add(source)
  }
  const processors: GraphNode[] = []
  const suppliers: { sendOldValues: boolean }[] = []
  let counter = 0
  let storeAdded = false
  for (const [grouped, aggregator] of groups) {
    const name = nameOf(
      named?.name === undefined ? undefined : `${named.name}-cogroup-agg-${counter}`,
      builder,
      AGGREGATE_NAME,
    )
    counter++
    const supplier = parts.supplier(storeName, aggregator)
    suppliers.push(supplier)
    const addStore = !storeAdded
    storeAdded = true
    const node = new GraphNode(name, (topology, parentNames) => {
      topology.addProcessor(name, supplier, parentNames)
      if (addStore) topology.addStateStore(parts.store(storeName, keySerde), [name])
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
  return new KTableImpl<KOut, VOut>(
    mergeName,
    parts.windowed ? undefined : (keySerde as Serde<KOut> | undefined),
    mat?.valueSerde,
    sources,
    mat?.storeName,
    tableSupplier,
    merge,
    builder,
  )
}

function firstGroup<K, VOut>(groups: Groups<K, VOut>): KGroupedStreamImpl<K, unknown> {
  const [first] = groups.keys()
  if (!first) throw new TypeError('cogroup() needs at least one grouped stream')
  return first
}
