import { TopologyException } from '../../errors/topology-exception.ts'
import type { FixedKeyProcessorSupplier, ProcessorSupplier } from '../../processor/api/processor.ts'
import { FailOnInvalidTimestamp } from '../../processor/timestamp-extractor.ts'
import type { TopicNameExtractor } from '../../processor/topic-name-extractor.ts'
import type { Serde } from '../../serde/serde.ts'
import type { Branched } from '../branched.ts'
import { Consumed } from '../consumed.ts'
import {
  withKey,
  type FlatMapper,
  type ForeachAction,
  type KeyValueMapper,
  type Predicate,
  type ValueMapper,
  type ValueMapperWithKey,
} from '../functions.ts'
import type { KeyValueLike } from '../key-value.ts'
import { Named } from '../named.ts'
import type { Printed } from '../printed.ts'
import type { Produced } from '../produced.ts'
import type { Repartitioned } from '../repartitioned.ts'
import type { Grouped } from '../grouped.ts'
import type { Materialized } from '../materialized.ts'
import type { StreamPartitioner } from '../../processor/stream-partitioner.ts'
import { KGroupedStreamImpl, split } from './kgrouped-stream-impl.ts'
import { KTableImpl } from './ktable-impl.ts'
import { bufferStore } from './buffer-store.ts'
import { ktableSource } from './ktable-processors.ts'
import type { Joined } from '../joined.ts'
import { GlobalKTable } from '../global-ktable.ts'
import { joinerWithKey, kstreamKTableJoin, type ValueJoinerWithKey } from './kstream-ktable-join.ts'
import {
  joinMerge,
  JoinTimeTracker,
  kstreamJoinWindow,
  kstreamKStreamJoin,
  kstreamKStreamSelfJoin,
  type JoinSerdes,
} from './kstream-kstream-join.ts'
import { SINGLE_STORE_SELF_JOIN } from './internal-streams-builder.ts'
import type { JoinWindows } from '../join-windows.ts'
import type { StreamJoined } from '../stream-joined.ts'
import { WindowStoreBuilder } from '../../state/internals/window-store-builder.ts'
import { KeyValueStoreBuilder } from '../../state/internals/key-value-store-builder.ts'
import { Serdes } from '../../serde/serdes.ts'
import { dslKeyValueSupplier, dslWindowSupplier, timestampedKeyValueStore } from './materialize.ts'
import { GraphNode } from './graph/graph-node.ts'
import type { InternalStreamsBuilder } from './internal-streams-builder.ts'
import { kstreamBranch, passThrough } from './kstream-branch.ts'
import { kstreamFilter } from './kstream-filter.ts'
import { kstreamFlatMapValues } from './kstream-flat-map-values.ts'
import { kstreamFlatMap } from './kstream-flat-map.ts'
import { kstreamMapValues } from './kstream-map-values.ts'
import { kstreamMap } from './kstream-map.ts'
import { kstreamPeek } from './kstream-peek.ts'
import { kstreamPrint } from './kstream-print.ts'

export const SOURCE_NAME = 'KSTREAM-SOURCE-'
export const SINK_NAME = 'KSTREAM-SINK-'
const FILTER_NAME = 'KSTREAM-FILTER-'
const PEEK_NAME = 'KSTREAM-PEEK-'
const FLATMAP_NAME = 'KSTREAM-FLATMAP-'
const FLATMAPVALUES_NAME = 'KSTREAM-FLATMAPVALUES-'
const MAP_NAME = 'KSTREAM-MAP-'
const MAPVALUES_NAME = 'KSTREAM-MAPVALUES-'
const PROCESSOR_NAME = 'KSTREAM-PROCESSOR-'
const PROCESSVALUES_NAME = 'KSTREAM-PROCESSVALUES-'
const PRINTING_NAME = 'KSTREAM-PRINTER-'
const KEY_SELECT_NAME = 'KSTREAM-KEY-SELECT-'
const FOREACH_NAME = 'KSTREAM-FOREACH-'
const BRANCH_NAME = 'KSTREAM-BRANCH-'
const BRANCHCHILD_NAME = 'KSTREAM-BRANCHCHILD-'
const MERGE_NAME = 'KSTREAM-MERGE-'
const REPARTITION_NAME = 'KSTREAM-REPARTITION-'
const REPARTITION_TOPIC_SUFFIX = '-repartition'
const JOIN_NAME = 'KSTREAM-JOIN-'
const WINDOWED_NAME = 'KSTREAM-WINDOWED-'
const JOINTHIS_NAME = 'KSTREAM-JOINTHIS-'
const JOINOTHER_NAME = 'KSTREAM-JOINOTHER-'
const OUTERTHIS_NAME = 'KSTREAM-OUTERTHIS-'
const OUTEROTHER_NAME = 'KSTREAM-OUTEROTHER-'
const OUTERSHARED_NAME = 'KSTREAM-OUTERSHARED-'
const LEFTJOIN_NAME = 'KSTREAM-LEFTJOIN-'

/** A value joiner: `(value, otherValue) => ...`, or `(key, value, otherValue) => ...` to see the key. */
type Joiner<K, V1, V2, VR> = ((value1: V1, value2: V2) => VR) | ValueJoinerWithKey<K, V1, V2, VR>
const TO_KTABLE_NAME = 'KSTREAM-TOTABLE-'

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>

/** A processor graph node that adds one processor (Kafka `ProcessorGraphNode` / `StatefulProcessorNode`). */
export function processorNode(
  name: string,
  supplier: unknown,
  stores: readonly string[] = [],
  fixedKey = false,
): GraphNode {
  return new GraphNode(name, (builder, parents) => {
    builder.addProcessor(name, supplier as AnySupplier, parents, fixedKey)
    if (stores.length > 0) builder.connectProcessorAndStateStores(name, stores)
  })
}

/** Kafka `NamedInternal.orElseGenerateWithPrefix`: since 4.x the counter advances even for a given name. */
export function nameOf(named: Named | string | undefined, builder: InternalStreamsBuilder, prefix: string): string {
  const generated = builder.newProcessorName(prefix)
  return (typeof named === 'string' ? named : named?.name) ?? generated
}

/**
 * Kafka `KStreamImpl`: an unbounded stream of records. Every operation adds a graph node and returns a
 * new stream; nothing runs until the topology is built and started. Key-changing operations (map,
 * selectKey, flatMap, process) mark the result for repartitioning before a grouping or a join, as Kafka does.
 */
export class KStreamImpl<K, V> {
  readonly name: string
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  readonly graphNode: GraphNode
  readonly builder: InternalStreamsBuilder
  readonly repartitionRequired: boolean
  readonly subTopologySourceNodes: ReadonlySet<string>

  constructor(
    name: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    subTopologySourceNodes: ReadonlySet<string>,
    repartitionRequired: boolean,
    graphNode: GraphNode,
    builder: InternalStreamsBuilder,
  ) {
    this.name = name
    this.keySerde = keySerde
    this.valueSerde = valueSerde
    this.subTopologySourceNodes = subTopologySourceNodes
    this.repartitionRequired = repartitionRequired
    this.graphNode = graphNode
    this.builder = builder
  }

  #next<K2, V2>(
    node: GraphNode,
    keySerde: Serde<K2> | undefined,
    valueSerde: Serde<V2> | undefined,
    repartitionRequired = this.repartitionRequired,
  ): KStreamImpl<K2, V2> {
    this.builder.addGraphNode(this.graphNode, node)
    return new KStreamImpl(
      node.nodeName,
      keySerde,
      valueSerde,
      this.subTopologySourceNodes,
      repartitionRequired,
      node,
      this.builder,
    )
  }

  /** Keeps records whose key and value satisfy the predicate. */
  filter(predicate: Predicate<K, V>, named?: Named): KStreamImpl<K, V> {
    const name = nameOf(named, this.builder, FILTER_NAME)
    return this.#next(processorNode(name, kstreamFilter(predicate, false)), this.keySerde, this.valueSerde)
  }

  /** Drops records whose key and value satisfy the predicate. */
  filterNot(predicate: Predicate<K, V>, named?: Named): KStreamImpl<K, V> {
    const name = nameOf(named, this.builder, FILTER_NAME)
    return this.#next(processorNode(name, kstreamFilter(predicate, true)), this.keySerde, this.valueSerde)
  }

  /** A new key for each record; marks the stream for repartitioning. */
  selectKey<KR>(mapper: KeyValueMapper<K, V, KR>, named?: Named): KStreamImpl<KR, V> {
    const name = nameOf(named, this.builder, KEY_SELECT_NAME)
    const node = processorNode(
      name,
      kstreamMap<K, V, KR, V>((key, value) => [mapper(key, value), value]),
    )
    node.keyChangingOperation = true
    return this.#next(node, undefined, this.valueSerde, true)
  }

  /** A new key and value for each record (`{ key, value }` or `[key, value]`); marks the stream for repartitioning. */
  map<KR, VR>(mapper: KeyValueMapper<K, V, KeyValueLike<KR, VR>>, named?: Named): KStreamImpl<KR, VR> {
    const name = nameOf(named, this.builder, MAP_NAME)
    const node = processorNode(name, kstreamMap(mapper))
    node.keyChangingOperation = true
    return this.#next(node, undefined, undefined, true)
  }

  /**
   * A new value for each record: `value => ...`, or `(key: K, value: V) => ...` to see the key (a mapper
   * declaring two parameters gets the key; give their types, as TypeScript picks the overload by them).
   */
  mapValues<VR>(mapper: ValueMapper<V, VR>, named?: Named): KStreamImpl<K, VR>
  mapValues<VR>(mapper: ValueMapperWithKey<K, V, VR>, named?: Named): KStreamImpl<K, VR>
  mapValues<VR>(mapper: ValueMapper<V, VR> | ValueMapperWithKey<K, V, VR>, named?: Named): KStreamImpl<K, VR> {
    const name = nameOf(named, this.builder, MAPVALUES_NAME)
    const node = processorNode(name, kstreamMapValues(withKey(mapper)))
    node.valueChangingOperation = true
    return this.#next(node, this.keySerde, undefined)
  }

  /** Zero or more records per record (`[key, value]` tuples or `{ key, value }`); marks the stream for repartitioning. */
  flatMap<KR, VR>(mapper: FlatMapper<K, V, KR, VR>, named?: Named): KStreamImpl<KR, VR> {
    const name = nameOf(named, this.builder, FLATMAP_NAME)
    const node = processorNode(name, kstreamFlatMap(mapper))
    node.keyChangingOperation = true
    return this.#next(node, undefined, undefined, true)
  }

  /** Zero or more values per record, with the record's key. */
  flatMapValues<VR>(
    mapper: ValueMapper<V, Iterable<VR>> | ValueMapperWithKey<K, V, Iterable<VR>>,
    named?: Named,
  ): KStreamImpl<K, VR> {
    const name = nameOf(named, this.builder, FLATMAPVALUES_NAME)
    const node = processorNode(name, kstreamFlatMapValues(withKey(mapper)))
    node.valueChangingOperation = true
    return this.#next(node, this.keySerde, undefined)
  }

  /** Writes each record through `printed` (stdout by default). A terminal operation. */
  print(printed: Printed<K, V>): void {
    const name = nameOf(printed.name, this.builder, PRINTING_NAME)
    this.builder.addGraphNode(this.graphNode, processorNode(name, kstreamPrint(printed, this.name)))
  }

  /** Runs an action per record. A terminal operation. */
  foreach(action: ForeachAction<K, V>, named?: Named): void {
    const name = nameOf(named, this.builder, FOREACH_NAME)
    this.builder.addGraphNode(this.graphNode, processorNode(name, kstreamPeek(action, false)))
  }

  /** Runs an action per record and passes the record on. */
  peek(action: ForeachAction<K, V>, named?: Named): KStreamImpl<K, V> {
    const name = nameOf(named, this.builder, PEEK_NAME)
    return this.#next(processorNode(name, kstreamPeek(action, true)), this.keySerde, this.valueSerde)
  }

  /** Splits the stream by predicates into named branches (Kafka `split()`). */
  split(named?: Named): BranchedKStream<K, V> {
    return new BranchedKStream(this, nameOf(named, this.builder, BRANCH_NAME))
  }

  /**
   * The array form of branching: one stream per predicate, each record going to the first predicate it
   * satisfies (Kafka 3.x `branch()`, removed from Java in 4.0 and kept here for its users).
   */
  branch(...predicates: Predicate<K, V>[]): KStreamImpl<K, V>[] {
    if (predicates.length === 0) throw new TypeError('branch() needs at least one predicate')
    const branchName = this.builder.newProcessorName(BRANCH_NAME)
    const childNames = predicates.map(() => this.builder.newProcessorName(BRANCHCHILD_NAME))
    const branchNode = processorNode(branchName, kstreamBranch(predicates, childNames))
    this.builder.addGraphNode(this.graphNode, branchNode)
    return childNames.map((childName) => {
      const child = processorNode(childName, passThrough())
      this.builder.addGraphNode(branchNode, child)
      return new KStreamImpl<K, V>(
        childName,
        this.keySerde,
        this.valueSerde,
        this.subTopologySourceNodes,
        this.repartitionRequired,
        child,
        this.builder,
      )
    })
  }

  /** Both streams' records in one stream, in processing order. */
  merge(stream: KStreamImpl<K, V>, named?: Named): KStreamImpl<K, V> {
    const name = nameOf(named, this.builder, MERGE_NAME)
    const node = processorNode(name, passThrough())
    node.mergeNode = true
    this.builder.addGraphNode([this.graphNode, stream.graphNode], node)
    const sources = new Set([...this.subTopologySourceNodes, ...stream.subTopologySourceNodes])
    return new KStreamImpl<K, V>(
      name,
      undefined,
      undefined,
      sources,
      this.repartitionRequired || stream.repartitionRequired,
      node,
      this.builder,
    )
  }

  /** Writes the stream to an internal `<applicationId>-<name>-repartition` topic and reads it back (Kafka `repartition()`). */
  repartition(repartitioned?: Repartitioned<K, V>): KStreamImpl<K, V> {
    const name = repartitioned?.name ?? this.builder.newProcessorName(REPARTITION_NAME)
    const keySerde = repartitioned?.keySerde ?? this.keySerde
    const valueSerde = repartitioned?.valueSerde ?? this.valueSerde
    const { node, sourceName } = repartitionNode(
      this.builder,
      name,
      keySerde,
      valueSerde,
      repartitioned?.numberOfPartitions,
      repartitioned?.partitioner,
    )
    this.builder.addGraphNode(this.graphNode, node)
    return new KStreamImpl<K, V>(sourceName, keySerde, valueSerde, new Set([sourceName]), false, node, this.builder)
  }

  /** Groups by the current key; an aggregation repartitions first if the key may have changed. */
  groupByKey(grouped?: Grouped<K, V>): KGroupedStreamImpl<K, V> {
    return new KGroupedStreamImpl<K, V>(
      this.name,
      grouped,
      this.keySerde,
      this.valueSerde,
      this.repartitionRequired,
      this.subTopologySourceNodes,
      this.graphNode,
      this.builder,
    )
  }

  /** Groups by a new key; the aggregation then goes through a repartition topic. */
  groupBy<KR>(selector: KeyValueMapper<K, V, KR>, grouped?: Grouped<KR, V>): KGroupedStreamImpl<KR, V> {
    const name = nameOf(grouped?.name, this.builder, KEY_SELECT_NAME)
    const node = processorNode(
      name,
      kstreamMap<K, V, KR, V>((key, value) => [selector(key, value), value]),
    )
    node.keyChangingOperation = true
    this.builder.addGraphNode(this.graphNode, node)
    return new KGroupedStreamImpl<KR, V>(
      name,
      grouped,
      undefined,
      this.valueSerde,
      true,
      this.subTopologySourceNodes,
      node,
      this.builder,
    )
  }

  /** The stream as a table: the latest value per key, a null value deleting it. */
  toTable(namedOrMaterialized?: Named | Materialized<K, V>, materialized?: Materialized<K, V>): KTableImpl<K, V> {
    const { named, mat } = split(namedOrMaterialized, materialized)
    const name = nameOf(named, this.builder, TO_KTABLE_NAME)
    const storeName = mat?.storeName ?? this.builder.newStoreName(TO_KTABLE_NAME)
    const keySerde = mat?.keySerde ?? this.keySerde
    const valueSerde = mat?.valueSerde ?? this.valueSerde
    const supplier = ktableSource<K, V>(mat?.storeName)
    let parent = this.graphNode
    let sources = this.subTopologySourceNodes
    if (this.repartitionRequired) {
      const repartition = repartitionNode<K, V>(
        this.builder,
        `${name}-repartition`,
        keySerde,
        valueSerde,
        undefined,
        undefined,
      )
      this.builder.optimizableRepartitions.push(repartition.node)
      this.builder.addGraphNode(this.graphNode, repartition.node)
      parent = repartition.node
      sources = new Set([repartition.sourceName])
    }
    const node = new GraphNode(name, (builder, parents) => {
      builder.addProcessor(name, supplier, parents)
      if (supplier.storeName !== undefined)
        builder.addStateStore(timestampedKeyValueStore(storeName, mat, keySerde, valueSerde), [name])
    })
    this.builder.addGraphNode(parent, node)
    const table = new KTableImpl<K, V>(
      name,
      keySerde,
      valueSerde,
      sources,
      mat?.storeName,
      supplier,
      node,
      this.builder,
    )
    table.materializeSource = () => supplier.materialize(storeName)
    return table
  }

  /**
   * Writes to `topic` and reads it back as a new stream (Kafka 3.x `through()`, removed from Java in 4.0;
   * `repartition()` is its replacement). The topic must exist with the partition count you want.
   */
  through(topic: string, produced?: Produced<K, V>): KStreamImpl<K, V> {
    this.to(topic, produced)
    const keySerde = produced?.keySerde ?? this.keySerde
    const valueSerde = produced?.valueSerde ?? this.valueSerde
    let consumed = Consumed.withTimestampExtractor<K, V>(new FailOnInvalidTimestamp())
    if (keySerde) consumed = consumed.withKeySerde(keySerde)
    if (valueSerde) consumed = consumed.withValueSerde(valueSerde)
    return streamFrom(this.builder, [topic], consumed)
  }

  /** Writes every record to a topic, or to the topic an extractor picks per record. A terminal operation. */
  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<K, V>): void {
    const name = nameOf(produced?.name, this.builder, SINK_NAME)
    const keySerde = produced?.keySerde ?? this.keySerde
    const valueSerde = produced?.valueSerde ?? this.valueSerde
    const partitioner = produced?.partitioner
    const node = new GraphNode(name, (builder, parents) => {
      builder.addSink(
        name,
        topic as string | TopicNameExtractor<unknown, unknown>,
        {
          keySerializer: keySerde?.serializer(),
          valueSerializer: valueSerde?.serializer(),
          partitioner: partitioner as never,
        },
        parents,
      )
    })
    this.builder.addGraphNode(this.graphNode, node)
  }

  /**
   * Joins each record with a table's current value for its key (inner: only when there is one), or
   * with a global table's value for the key `keySelector` computes.
   */
  join<VO, VR>(
    other: KStreamImpl<K, VO>,
    joiner: Joiner<K, V, VO, VR>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStreamImpl<K, VR>
  join<VT, VR>(table: KTableImpl<K, VT>, joiner: Joiner<K, V, VT, VR>, joined?: Joined<K, V, VT>): KStreamImpl<K, VR>
  join<KG, VG, VR>(
    table: GlobalKTable<KG, VG>,
    keySelector: KeyValueMapper<K, V, KG>,
    joiner: Joiner<K, V, VG, VR>,
    named?: Named,
  ): KStreamImpl<K, VR>
  join(other: unknown, a: unknown, b?: unknown, c?: unknown): unknown {
    if (other instanceof KStreamImpl)
      return this.#streamJoin(
        other as KStreamImpl<K, unknown>,
        a as Joiner<K, V, unknown, unknown>,
        b as JoinWindows,
        c as StreamJoined<K, V, unknown> | undefined,
        false,
        false,
      )
    return this.#tableJoin(other, a, b, c, false)
  }

  /** As `join`, but every record is forwarded, with null when the table has no value. */
  leftJoin<VO, VR>(
    other: KStreamImpl<K, VO>,
    joiner: Joiner<K, V, NoInfer<VO> | null, VR>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStreamImpl<K, VR>
  leftJoin<VT, VR>(
    table: KTableImpl<K, VT>,
    joiner: Joiner<K, V, NoInfer<VT> | null, VR>,
    joined?: Joined<K, V, VT>,
  ): KStreamImpl<K, VR>
  leftJoin<KG, VG, VR>(
    table: GlobalKTable<KG, VG>,
    keySelector: KeyValueMapper<K, V, KG>,
    joiner: Joiner<K, V, NoInfer<VG> | null, VR>,
    named?: Named,
  ): KStreamImpl<K, VR>
  leftJoin(other: unknown, a: unknown, b?: unknown, c?: unknown): unknown {
    if (other instanceof KStreamImpl)
      return this.#streamJoin(
        other as KStreamImpl<K, unknown>,
        a as Joiner<K, V, unknown, unknown>,
        b as JoinWindows,
        c as StreamJoined<K, V, unknown> | undefined,
        true,
        false,
      )
    return this.#tableJoin(other, a, b, c, true)
  }

  /** Both sides' records, each joined with the other side's within the window, or with null when none came. */
  outerJoin<VO, VR>(
    other: KStreamImpl<K, VO>,
    joiner: Joiner<K, V | null, NoInfer<VO> | null, VR>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStreamImpl<K, VR> {
    return this.#streamJoin(other, joiner, windows, streamJoined, true, true)
  }

  /**
   * Kafka `doJoin` + `KStreamImplJoin.join`: each side's records are kept in a window store (the side's
   * `*-store`); each side's join processor looks up the other's store; a merge node unites the results.
   * Left and outer joins keep records that found no partner in a shared store until their window closes.
   */
  #streamJoin<VO, VR>(
    other: KStreamImpl<K, VO>,
    joinerArg: Joiner<K, V, VO | null, VR>,
    windows: JoinWindows,
    streamJoined: StreamJoined<K, V, VO> | undefined,
    leftOuter: boolean,
    rightOuter: boolean,
  ): KStreamImpl<K, VR> {
    const builder = this.builder
    const joinName = streamJoined?.name
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the left side may be replaced by its repartitioned stream
    let left: KStreamImpl<K, V> = this
    let right: KStreamImpl<K, VO> = other
    if (left.repartitionRequired) {
      left = left.#repartitionForJoin(
        joinName === undefined ? left.name : `${joinName}-left`,
        streamJoined?.keySerde,
        streamJoined?.valueSerde,
      )
    }
    if (right.repartitionRequired) {
      right = right.#repartitionForJoin(
        joinName === undefined ? right.name : `${joinName}-right`,
        streamJoined?.keySerde,
        streamJoined?.otherValueSerde,
      )
    }
    const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join'
    const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join'
    const thisWindowedName = nameOf(
      joinName === undefined ? undefined : `${joinName}-this-windowed`,
      builder,
      WINDOWED_NAME,
    )
    const otherWindowedName = nameOf(
      joinName === undefined ? undefined : `${joinName}-other-windowed`,
      builder,
      WINDOWED_NAME,
    )
    const thisGenerated = builder.newProcessorName(rightOuter ? OUTERTHIS_NAME : JOINTHIS_NAME)
    const otherGenerated = builder.newProcessorName(leftOuter ? OUTEROTHER_NAME : JOINOTHER_NAME)
    const thisName = joinName === undefined ? thisGenerated : joinName + thisSuffix
    const otherName = joinName === undefined ? otherGenerated : joinName + otherSuffix
    const mergeName = nameOf(joinName === undefined ? undefined : `${joinName}-merge`, builder, MERGE_NAME)
    const storeBase = streamJoined?.storeName
    const thisStoreName = `${storeBase === undefined ? thisGenerated : storeBase + thisSuffix}-store`
    const otherStoreName = `${storeBase === undefined ? otherGenerated : storeBase + otherSuffix}-store`
    const outerStoreName = !leftOuter
      ? undefined
      : `${
          storeBase !== undefined
            ? storeBase + (rightOuter ? '-outer-shared-join' : '-left-shared-join')
            : OUTERSHARED_NAME + thisGenerated.substring((rightOuter ? OUTERTHIS_NAME : JOINTHIS_NAME).length)
        }-store`

    const keySerde = streamJoined?.keySerde ?? left.keySerde
    const leftSerde = streamJoined?.valueSerde ?? left.valueSerde
    const rightSerde = streamJoined?.otherValueSerde ?? right.valueSerde
    const logging = streamJoined?.loggingEnabled ?? true
    const windowStore = (name: string, valueSerde: Serde<unknown> | undefined): WindowStoreBuilder<K, unknown> => {
      const store = new WindowStoreBuilder<K, unknown>(
        dslWindowSupplier(name, windows.size() + windows.graceMs, windows.size(), undefined, false, true),
        keySerde,
        valueSerde,
        false,
      )
      return logging ? store.withLoggingEnabled(streamJoined?.topicConfig ?? {}) : store.withLoggingDisabled()
    }
    const thisStore = windowStore(thisStoreName, leftSerde)
    const otherStore = windowStore(otherStoreName, rightSerde)

    // Kafka's single.store.self.join: an inner join of a stream with itself keeps one window store
    const selfJoin = (): boolean =>
      !leftOuter && left.graphNode === right.graphNode && builder.optimizations.has(SINGLE_STORE_SELF_JOIN)
    const thisWindowed = processorNode(thisWindowedName, kstreamJoinWindow<K, V>(thisStoreName))
    builder.addGraphNode(left.graphNode, thisWindowed)
    const otherWindowed = new GraphNode(otherWindowedName, (topology, parents) => {
      if (!selfJoin()) topology.addProcessor(otherWindowedName, kstreamJoinWindow<K, VO>(otherStoreName), parents)
    })
    builder.addGraphNode(right.graphNode, otherWindowed)

    const trackers = new Map<string, JoinTimeTracker>()
    const timeTracker = (taskId: string): JoinTimeTracker => {
      let tracker = trackers.get(taskId)
      if (!tracker) {
        tracker = new JoinTimeTracker()
        trackers.set(taskId, tracker)
      }
      return tracker
    }
    const joiner = joinerWithKey(joinerArg)
    const serdes = { keySerde, leftValueSerde: leftSerde, rightValueSerde: rightSerde } as JoinSerdes<
      K,
      unknown,
      unknown
    >
    const outerStoreForProcessors = windows.spuriousResultFix ? outerStoreName : undefined
    const joinThis = kstreamKStreamJoin<K, V, VO, VR>({
      otherStoreName,
      windows,
      leftSide: true,
      joiner,
      leftJoiner: joiner as ValueJoinerWithKey<K, unknown, unknown, VR>,
      outer: leftOuter,
      outerStoreName: outerStoreForProcessors,
      serdes,
      timeTracker,
    })
    const joinOther = kstreamKStreamJoin<K, VO, V, VR>({
      otherStoreName: thisStoreName,
      windows,
      leftSide: false,
      joiner: (key, otherValue, thisValue) => joiner(key, thisValue as V, otherValue),
      leftJoiner: joiner as ValueJoinerWithKey<K, unknown, unknown, VR>,
      outer: rightOuter,
      outerStoreName: outerStoreForProcessors,
      serdes,
      timeTracker,
    })
    const node = new GraphNode(mergeName, (topology) => {
      if (selfJoin()) {
        const self = kstreamKStreamSelfJoin<K, V, VR>(thisStoreName, windows, joiner as ValueJoinerWithKey<K, V, V, VR>)
        topology.addProcessor(mergeName, self, [thisWindowedName])
        topology.addStateStore(thisStore, [thisWindowedName, mergeName])
        return
      }
      topology.addProcessor(thisName, joinThis, [thisWindowedName])
      topology.addProcessor(otherName, joinOther, [otherWindowedName])
      topology.addProcessor(mergeName, joinMerge(), [thisName, otherName])
      topology.addStateStore(thisStore, [thisWindowedName, otherName])
      topology.addStateStore(otherStore, [otherWindowedName, thisName])
      if (outerStoreForProcessors !== undefined) {
        const outerStore = new KeyValueStoreBuilder<Buffer, Buffer>(
          dslKeyValueSupplier(outerStoreForProcessors),
          Serdes.Bytes(),
          Serdes.Bytes(),
          false,
        )
        topology.addStateStore(
          logging ? outerStore.withLoggingEnabled(streamJoined?.topicConfig ?? {}) : outerStore.withLoggingDisabled(),
          [thisName, otherName],
        )
      }
      topology.copartitionSources([...left.subTopologySourceNodes, ...right.subTopologySourceNodes])
    })
    builder.addGraphNode([left.graphNode, right.graphNode], node)
    const sources = new Set([...left.subTopologySourceNodes, ...right.subTopologySourceNodes])
    return new KStreamImpl<K, VR>(mergeName, streamJoined?.keySerde, undefined, sources, false, node, builder)
  }

  #tableJoin(other: unknown, a: unknown, b: unknown, c: unknown, leftJoin: boolean): KStreamImpl<K, unknown> {
    if (other instanceof KTableImpl)
      return this.#streamTableJoin(
        other as KTableImpl<K, unknown>,
        a as Joiner<K, V, unknown, unknown>,
        b as Joined<K, V, unknown> | undefined,
        leftJoin,
      )
    if (other instanceof GlobalKTable) {
      return this.#globalTableJoin(
        other,
        a as KeyValueMapper<K, V, unknown>,
        b as Joiner<K, V, unknown, unknown>,
        c as Named | undefined,
        leftJoin,
      )
    }
    throw new TypeError('join() takes a KTable, a GlobalKTable or a KStream (with JoinWindows)')
  }

  /** Kafka `doStreamTableJoin`: repartitions this stream first if its key may have changed. */
  #streamTableJoin<VT, VR>(
    table: KTableImpl<K, VT>,
    joiner: Joiner<K, V, VT | null, VR>,
    joined: Joined<K, V, VT> | undefined,
    leftJoin: boolean,
  ): KStreamImpl<K, VR> {
    if (this.repartitionRequired) {
      const repartitioned = this.#repartitionForJoin(joined?.name ?? this.name, joined?.keySerde, joined?.valueSerde)
      return repartitioned.#streamTableJoin(table, joiner, joined, leftJoin)
    }
    const graceMs = joined?.gracePeriodMs
    if (graceMs !== undefined && !table.isVersioned())
      throw new TopologyException('KTable must be versioned to use a grace period in a stream table join.')
    const name = nameOf(joined?.name, this.builder, leftJoin ? LEFTJOIN_NAME : JOIN_NAME)
    const getter = table.valueGetterSupplier()
    const buffer =
      graceMs === undefined
        ? undefined
        : {
            graceMs,
            storeName: `${name}-Buffer`,
            keySerde: joined?.keySerde ?? this.keySerde,
            valueSerde: joined?.valueSerde ?? this.valueSerde,
          }
    const supplier = kstreamKTableJoin<K, V, K, VT, VR>(getter, (key) => key, joinerWithKey(joiner), leftJoin, buffer)
    const node = new GraphNode(name, (builder, parents) => {
      builder.addProcessor(name, supplier, parents)
      if (buffer) builder.addStateStore(bufferStore(buffer.storeName, true), [name])
      if (getter.storeNames.length > 0) builder.connectProcessorAndStateStores(name, getter.storeNames)
      builder.copartitionSources([...this.subTopologySourceNodes, ...table.subTopologySourceNodes])
    })
    this.builder.addGraphNode(this.graphNode, node)
    const sources = new Set([...this.subTopologySourceNodes, ...table.subTopologySourceNodes])
    return new KStreamImpl<K, VR>(
      name,
      joined?.keySerde ?? this.keySerde,
      undefined,
      sources,
      false,
      node,
      this.builder,
    )
  }

  /** Kafka `globalTableJoin`: no repartitioning, the global table holds every key. */
  #globalTableJoin<KG, VG, VR>(
    table: GlobalKTable<KG, VG>,
    keySelector: KeyValueMapper<K, V, KG>,
    joiner: Joiner<K, V, VG | null, VR>,
    named: Named | undefined,
    leftJoin: boolean,
  ): KStreamImpl<K, VR> {
    // Kafka names both global-table joins with the left-join prefix
    const name = nameOf(named, this.builder, LEFTJOIN_NAME)
    const supplier = kstreamKTableJoin<K, V, KG, VG, VR>(
      table.valueGetterSupplier(),
      keySelector,
      joinerWithKey(joiner),
      leftJoin,
    )
    const node = processorNode(name, supplier)
    this.builder.addGraphNode(this.graphNode, node)
    return new KStreamImpl<K, VR>(
      name,
      this.keySerde,
      undefined,
      this.subTopologySourceNodes,
      this.repartitionRequired,
      node,
      this.builder,
    )
  }

  /** Kafka `repartitionForJoin`: a repartition topic `<name>-repartition` before a join. */
  #repartitionForJoin(
    name: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
  ): KStreamImpl<K, V> {
    const k = keySerde ?? this.keySerde
    const v = valueSerde ?? this.valueSerde
    const repartition = repartitionNode<K, V>(this.builder, name, k, v, undefined, undefined)
    this.builder.optimizableRepartitions.push(repartition.node)
    this.builder.addGraphNode(this.graphNode, repartition.node)
    return new KStreamImpl<K, V>(
      repartition.sourceName,
      k,
      v,
      new Set([repartition.sourceName]),
      false,
      repartition.node,
      this.builder,
    )
  }

  /** Runs a Processor API processor on each record; connected stores are named in `stateStoreNames`. */
  process<KOut, VOut>(
    supplier: ProcessorSupplier<K, V, KOut, VOut>,
    namedOrStore?: Named | string,
    ...stateStoreNames: string[]
  ): KStreamImpl<KOut, VOut> {
    const { name, stores } = this.#processArgs(namedOrStore, stateStoreNames, PROCESSOR_NAME)
    const node = processorNode(name, supplier, stores)
    node.keyChangingOperation = true
    return this.#next(node, undefined, undefined, true)
  }

  /** Runs a processor that may change values but not keys, so no repartitioning follows. */
  processValues<VOut>(
    supplier: FixedKeyProcessorSupplier<K, V, VOut>,
    namedOrStore?: Named | string,
    ...stateStoreNames: string[]
  ): KStreamImpl<K, VOut> {
    const { name, stores } = this.#processArgs(namedOrStore, stateStoreNames, PROCESSVALUES_NAME)
    const node = processorNode(name, supplier, stores, true)
    node.valueChangingOperation = true
    return this.#next(node, this.keySerde, undefined)
  }

  #processArgs(
    namedOrStore: Named | string | undefined,
    rest: string[],
    prefix: string,
  ): { name: string; stores: string[] } {
    if (namedOrStore instanceof Named && namedOrStore.name !== undefined)
      return { name: namedOrStore.name, stores: rest }
    const stores = typeof namedOrStore === 'string' ? [namedOrStore, ...rest] : rest
    return { name: this.builder.newProcessorName(prefix), stores }
  }
}

/** Kafka `BranchedKStreamImpl`: the builder `split()` returns. */
export class BranchedKStream<K, V> {
  readonly #source: KStreamImpl<K, V>
  readonly #splitterName: string
  readonly #splitter: GraphNode
  readonly #predicates: Predicate<K, V>[] = []
  readonly #childNames: string[] = []
  readonly #outputs = new Map<string, KStreamImpl<K, V>>()
  #done = false

  constructor(source: KStreamImpl<K, V>, splitterName: string) {
    this.#source = source
    this.#splitterName = splitterName
    this.#splitter = processorNode(splitterName, kstreamBranch(this.#predicates, this.#childNames))
    source.builder.addGraphNode(source.graphNode, this.#splitter)
  }

  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): this {
    this.#checkOpen()
    this.#predicates.push(predicate)
    this.#createBranch(branched, this.#predicates.length)
    return this
  }

  defaultBranch(branched?: Branched<K, V>): Map<string, KStreamImpl<K, V>> {
    this.#checkOpen()
    this.#createBranch(branched, 0)
    this.#done = true
    return this.#outputs
  }

  noDefaultBranch(): Map<string, KStreamImpl<K, V>> {
    this.#checkOpen()
    this.#done = true
    return this.#outputs
  }

  #checkOpen(): void {
    if (this.#done)
      throw new TopologyException('this split() is complete: defaultBranch() or noDefaultBranch() was already called')
  }

  #createBranch(branched: Branched<K, V> | undefined, index: number): void {
    const source = this.#source
    const childName = this.#splitterName + (branched?.name ?? String(index))
    this.#childNames.push(childName)
    source.builder.newProcessorName(childName)
    const node = processorNode(childName, passThrough())
    source.builder.addGraphNode(this.#splitter, node)
    const branch = new KStreamImpl<K, V>(
      childName,
      source.keySerde,
      source.valueSerde,
      source.subTopologySourceNodes,
      source.repartitionRequired,
      node,
      source.builder,
    )
    if (branched?.chainFunction) {
      const result = branched.chainFunction(branch)
      if (result) this.#outputs.set(childName, result)
    } else if (branched?.chainConsumer) {
      branched.chainConsumer(branch)
    } else {
      this.#outputs.set(childName, branch)
    }
  }
}

/** Adds a source node for topics or a pattern (Kafka `InternalStreamsBuilder.stream`). */
export function streamFrom<K, V>(
  builder: InternalStreamsBuilder,
  topics: readonly string[] | RegExp,
  consumed?: Consumed<K, V>,
): KStreamImpl<K, V> {
  const name = nameOf(consumed?.name, builder, SOURCE_NAME)
  const keySerde = consumed?.keySerde
  const valueSerde = consumed?.valueSerde
  const node = new GraphNode(name, (topologyBuilder) => {
    topologyBuilder.addSource(name, topics, {
      timestampExtractor: consumed?.timestampExtractor,
      keyDeserializer: keySerde?.deserializer(),
      valueDeserializer: valueSerde?.deserializer(),
      offsetReset: consumed?.offsetReset,
    })
  })
  builder.addGraphNode(builder.root, node)
  return new KStreamImpl<K, V>(name, keySerde, valueSerde, new Set([name]), false, node, builder)
}

/**
 * Kafka `createRepartitionedSource` + the repartition graph nodes: a filter dropping null keys, a sink to
 * `<prefix>-repartition` (an internal topic, so `<applicationId>-` is prepended at run time) and a source
 * reading it back. Generated prefixes give generated node names; a user-given one names them
 * `<topic>-sink`, `<topic>-filter`, `<topic>-source`.
 */
export function repartitionNode<K, V>(
  builder: InternalStreamsBuilder,
  prefix: string,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
  partitions: number | undefined,
  partitioner: StreamPartitioner<K, V> | undefined,
): { node: GraphNode; sourceName: string } {
  const topic = prefix.endsWith(REPARTITION_TOPIC_SUFFIX) ? prefix : prefix + REPARTITION_TOPIC_SUFFIX
  // the three names are always generated, to keep the counter where Kafka keeps it
  const genSink = builder.newProcessorName(SINK_NAME)
  const genFilter = builder.newProcessorName(FILTER_NAME)
  const genSource = builder.newProcessorName(SOURCE_NAME)
  const generated = /^KSTREAM.*-[0-9]{10}$/.test(prefix)
  const sinkName = generated ? genSink : `${topic}-sink`
  const filterName = generated ? genFilter : `${topic}-filter`
  const sourceName = generated ? genSource : `${topic}-source`
  const node = new GraphNode(sourceName, (topology, parents) => {
    topology.addInternalTopic(topic, partitions === undefined ? {} : { numberOfPartitions: partitions })
    // records with a null key are not written to the repartition topic
    topology.addProcessor(
      filterName,
      kstreamFilter<K, V>((key) => key !== null && key !== undefined, false),
      parents,
    )
    topology.addSink(
      sinkName,
      topic,
      {
        keySerializer: keySerde?.serializer(),
        valueSerializer: valueSerde?.serializer(),
        partitioner: partitioner as never,
      },
      [filterName],
    )
    topology.addSource(sourceName, [topic], {
      timestampExtractor: new FailOnInvalidTimestamp(),
      keyDeserializer: keySerde?.deserializer(),
      valueDeserializer: valueSerde?.deserializer(),
    })
  })
  node.repartition = { topic, keySerde, valueSerde }
  return { node, sourceName }
}
