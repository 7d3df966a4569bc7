import type { Serde } from '../../serde/serde.ts'
import type { KeyValueMapper, Predicate, ValueMapper, ValueMapperWithKey } from '../functions.ts'
import { withKey } from '../functions.ts'
import type { Materialized } from '../materialized.ts'
import type { Named } from '../named.ts'
import { GraphNode } from './graph/graph-node.ts'
import type { InternalStreamsBuilder } from './internal-streams-builder.ts'
import { KStreamImpl, nameOf, processorNode } from './kstream-impl.ts'
import {
  ktableToStream,
  ktableTransform,
  type KTableProcessorSupplier,
  type ValueTransformerWithKey,
} from './ktable-processors.ts'
import { split } from './kgrouped-stream-impl.ts'
import { joinerWithKey, type ValueJoinerWithKey } from './kstream-ktable-join.ts'
import { ktableKTableJoin, ktableKTableJoinMerger } from './ktable-ktable-join.ts'
import { computedValueGetter, storeValueGetter, type KTableValueGetterSupplier } from './ktable-value-getter.ts'
import { ktableSuppress } from './ktable-suppress.ts'
import type { Suppressed } from '../suppressed.ts'
import { TopologyException } from '../../errors/topology-exception.ts'
import { ktableRepartitionMap } from './ktable-aggregate.ts'
import { KGroupedTableImpl } from './kgrouped-table-impl.ts'
import type { Grouped } from '../grouped.ts'
import type { KeyValueLike } from '../key-value.ts'
import { timestampedKeyValueStore } from './materialize.ts'
import { bufferStore } from './buffer-store.ts'
import type { TableJoined } from '../table-joined.ts'
import { foreignKeyJoin, type ForeignKeyExtractorArg } from './foreign-key-join/foreign-key-join.ts'

const FILTER_NAME = 'KTABLE-FILTER-'
const MAPVALUES_NAME = 'KTABLE-MAPVALUES-'
const TOSTREAM_NAME = 'KTABLE-TOSTREAM-'
const SELECT_NAME = 'KTABLE-SELECT-'
const TRANSFORMVALUES_NAME = 'KTABLE-TRANSFORMVALUES-'
const SUPPRESS_NAME = 'KTABLE-SUPPRESS-'
const MERGE_NAME = 'KTABLE-MERGE-'
const TABLE_JOINTHIS_NAME = 'KTABLE-JOINTHIS-'
const TABLE_JOINOTHER_NAME = 'KTABLE-JOINOTHER-'

/** A value joiner: `(value, otherValue) => ...`, or `(key, value, otherValue) => ...` to see the key. */
type TableJoiner<K, V1, V2, VR> = ((value1: V1, value2: V2) => VR) | ValueJoinerWithKey<K, V1, V2, VR>

/** The supplier behind a table: an operator whose output can be switched to carry old values. */
export interface TableSupplier {
  sendOldValues: boolean
  readonly storeName?: string | undefined
}

/**
 * Kafka `KTableImpl`: a changelog stream, the latest value per key. Operators forward `Change(new, old)`
 * records; `toStream()` turns them back into plain records, a delete into a null value.
 */
export class KTableImpl<K, V> {
  readonly name: string
  readonly keySerde: Serde<K> | undefined
  readonly valueSerde: Serde<V> | undefined
  readonly subTopologySourceNodes: ReadonlySet<string>
  readonly queryableStoreName: string | undefined
  readonly supplier: TableSupplier
  readonly graphNode: GraphNode
  readonly builder: InternalStreamsBuilder
  /** For a source table: materializes it, so that downstream operators can read it. */
  materializeSource: (() => void) | undefined
  /** For a windowed aggregation's table: the time after a window's end until it closes (grace, or gap + grace). */
  windowCloseDelayMs: number | undefined
  /** For a windowed aggregation's table: the serde of the keys inside its `Windowed` keys. */
  windowedKeySerde: Serde<unknown> | undefined

  /** The table this one derives from without a store of its own (filter, mapValues). */
  parent: KTableImpl<unknown, unknown> | undefined
  /** For a table derived without a store: how its value follows from its parent's. */
  compute: ((key: K, value: unknown) => V | null) | undefined
  /** A source table materialized in a versioned store (read as of a time by stream-table joins). */
  versioned = false

  constructor(
    name: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    subTopologySourceNodes: ReadonlySet<string>,
    queryableStoreName: string | undefined,
    supplier: TableSupplier,
    graphNode: GraphNode,
    builder: InternalStreamsBuilder,
  ) {
    this.name = name
    this.keySerde = keySerde
    this.valueSerde = valueSerde
    this.subTopologySourceNodes = subTopologySourceNodes
    this.queryableStoreName = queryableStoreName
    this.supplier = supplier
    this.graphNode = graphNode
    this.builder = builder
  }

  /**
   * Makes this table forward old values with new ones (Kafka `enableSendingOldValues`), which a
   * downstream table aggregation needs to subtract. A table without a store asks its parent, and a
   * source table gets materialized.
   */
  enableSendingOldValues(): void {
    if (this.materializeSource) this.materializeSource()
    else if (this.parent && this.supplier.storeName === undefined) this.parent.enableSendingOldValues()
    this.supplier.sendOldValues = true
  }

  /**
   * Holds back updates (Kafka `suppress`): `untilWindowCloses` gives one final result per window of a
   * windowed aggregation; `untilTimeLimit` emits a key's latest value once it has waited that long.
   */
  suppress(suppressed: Suppressed): KTableImpl<K, V> {
    const name = suppressed.name ?? this.builder.newProcessorName(SUPPRESS_NAME)
    const storeName =
      suppressed.name !== undefined ? `${suppressed.name}-store` : this.builder.newStoreName(SUPPRESS_NAME)
    // the windowed aggregation upstream, through filters and mapValues (Kafka `GraphGraceSearchUtil`)
    let windowed: KTableImpl<unknown, unknown> | undefined = this as KTableImpl<unknown, unknown>
    while (windowed && windowed.windowCloseDelayMs === undefined) windowed = windowed.parent
    let durationMs = suppressed.timeLimitMs
    if (suppressed.kind === 'untilWindowCloses') {
      if (windowed?.windowCloseDelayMs === undefined) {
        throw new TopologyException(
          'suppress(untilWindowCloses) only applies to the table of a windowed aggregation (windowedBy(...).count/aggregate/reduce)',
        )
      }
      durationMs = windowed.windowCloseDelayMs
    }
    // a windowed table's keys are Windowed: the buffer writes the key inside with the aggregation's key serde
    const keySerde = (windowed?.windowedKeySerde ?? this.keySerde) as Serde<K> | undefined
    const supplier = ktableSuppress<K, V>(suppressed, storeName, durationMs, keySerde, this.valueSerde)
    this.enableSendingOldValues()
    const node = new GraphNode(name, (builder, parents) => {
      builder.addProcessor(name, supplier, parents)
      const store = bufferStore(storeName, false)
      const { loggingEnabled, logConfig } = suppressed.bufferConfig
      if (loggingEnabled) store.withLoggingEnabled(logConfig)
      else store.withLoggingDisabled()
      builder.addStateStore(store, [name])
    })
    this.builder.addGraphNode(this.graphNode, node)
    return new KTableImpl<K, V>(
      name,
      this.keySerde,
      this.valueSerde,
      new Set([this.name]),
      undefined,
      supplier,
      node,
      this.builder,
    )
  }

  /** Kafka `isOutputVersioned`: the table's values come from a versioned store. */
  isVersioned(): boolean {
    if (this.supplier.storeName !== undefined || !this.parent) return this.versioned
    return this.parent.isVersioned()
  }

  /**
   * How a downstream operator (a join) reads this table's current value for a key (Kafka
   * `valueGetterSupplier`): from the table's store, materializing a source table when needed, or by
   * computing from the parent's value for a filter or mapValues without a store.
   */
  valueGetterSupplier(): KTableValueGetterSupplier<K, V> {
    if (this.materializeSource) this.materializeSource()
    const storeName = this.supplier.storeName
    if (storeName !== undefined) return storeValueGetter<K, V>(storeName)
    if (this.parent && this.compute)
      return computedValueGetter(
        this.parent.valueGetterSupplier() as KTableValueGetterSupplier<K, unknown>,
        this.compute,
      )
    throw new TopologyException(
      `the table ${this.name} cannot be read by key: materialize it (Materialized.as(...)) to join it`,
    )
  }

  /** Joins with another table on the key: a row when both sides have a value for it. */
  join<VO, VR>(
    other: KTableImpl<K, VO>,
    joiner: TableJoiner<K, V, VO, VR>,
    namedOrMaterialized?: Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTableImpl<K, VR>
  /**
   * Foreign-key join (Kafka `KTable.join(other, foreignKeyExtractor, joiner, ...)`): each row of this
   * table joins the row of `other` whose key `foreignKeyExtractor` takes from it (`value => fk`, or
   * `(key, value) => fk`); a row whose foreign key is null, or points at no row, has no result.
   */
  join<KO, VO, VR>(
    other: KTableImpl<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: (value: V, otherValue: VO) => VR,
    tableJoinedOrMaterialized?: TableJoined<K, KO> | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTableImpl<K, VR>
  join<KO, VO, VR>(
    other: KTableImpl<KO, VO>,
    foreignKeyExtractor: (key: K, value: V) => KO | null,
    joiner: (value: V, otherValue: VO) => VR,
    tableJoinedOrMaterialized?: TableJoined<K, KO> | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTableImpl<K, VR>
  join<KO, VO, VR>(
    other: KTableImpl<K, VO> | KTableImpl<KO, VO>,
    joinerOrExtractor: TableJoiner<K, V, VO, VR> | ForeignKeyExtractorArg<K, V, KO>,
    namedOrMaterializedOrJoiner?: Named | Materialized<K, VR> | ((value: V, otherValue: VO) => VR),
    tableJoinedOrMaterialized?: TableJoined<K, KO> | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTableImpl<K, VR> {
    return this.#keyOrForeignKeyJoin<KO, VO, VR>(
      other,
      joinerOrExtractor,
      namedOrMaterializedOrJoiner,
      tableJoinedOrMaterialized,
      materialized,
      false,
    )
  }

  /** Joins with another table on the key: a row for every key of this table, with null when the other has none. */
  leftJoin<VO, VR>(
    other: KTableImpl<K, VO>,
    joiner: TableJoiner<K, V, NoInfer<VO> | null, VR>,
    namedOrMaterialized?: Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTableImpl<K, VR>
  /**
   * Foreign-key left join (Kafka `KTable.leftJoin(other, foreignKeyExtractor, joiner, ...)`): every row
   * of this table has a result, joined with null when its foreign key is null or points at no row.
   */
  leftJoin<KO, VO, VR>(
    other: KTableImpl<KO, VO>,
    foreignKeyExtractor: (value: V) => KO | null,
    joiner: (value: V, otherValue: VO | null) => VR,
    tableJoinedOrMaterialized?: TableJoined<K, KO> | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTableImpl<K, VR>
  leftJoin<KO, VO, VR>(
    other: KTableImpl<KO, VO>,
    foreignKeyExtractor: (key: K, value: V) => KO | null,
    joiner: (value: V, otherValue: VO | null) => VR,
    tableJoinedOrMaterialized?: TableJoined<K, KO> | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTableImpl<K, VR>
  leftJoin<KO, VO, VR>(
    other: KTableImpl<K, VO> | KTableImpl<KO, VO>,
    joinerOrExtractor: TableJoiner<K, V, VO | null, VR> | ForeignKeyExtractorArg<K, V, KO>,
    namedOrMaterializedOrJoiner?: Named | Materialized<K, VR> | ((value: V, otherValue: VO | null) => VR),
    tableJoinedOrMaterialized?: TableJoined<K, KO> | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTableImpl<K, VR> {
    return this.#keyOrForeignKeyJoin<KO, VO, VR>(
      other,
      joinerOrExtractor,
      namedOrMaterializedOrJoiner,
      tableJoinedOrMaterialized,
      materialized,
      true,
    )
  }

  /** join / leftJoin: the foreign-key form is the only one whose third argument is a function. */
  #keyOrForeignKeyJoin<KO, VO, VR>(
    other: KTableImpl<K, VO> | KTableImpl<KO, VO>,
    joinerOrExtractor: TableJoiner<K, V, never, VR> | ForeignKeyExtractorArg<K, V, KO>,
    namedOrMaterializedOrJoiner: Named | Materialized<K, VR> | ((value: V, otherValue: never) => VR) | undefined,
    tableJoinedOrMaterialized: TableJoined<K, KO> | Materialized<K, VR> | undefined,
    materialized: Materialized<K, VR> | undefined,
    leftJoin: boolean,
  ): KTableImpl<K, VR> {
    if (typeof namedOrMaterializedOrJoiner === 'function')
      return foreignKeyJoin<K, V, KO, VO, VR>(
        this,
        other as KTableImpl<KO, VO>,
        joinerOrExtractor as ForeignKeyExtractorArg<K, V, KO>,
        namedOrMaterializedOrJoiner as (value: V, otherValue: VO | null) => VR,
        tableJoinedOrMaterialized,
        materialized,
        leftJoin,
      )
    return this.#tableJoin(
      other as KTableImpl<K, VO>,
      joinerOrExtractor as TableJoiner<K, V | null, VO | null, VR>,
      namedOrMaterializedOrJoiner,
      tableJoinedOrMaterialized as Materialized<K, VR> | undefined,
      leftJoin,
      false,
    )
  }

  /** Joins with another table on the key: a row for every key of either table. */
  outerJoin<VO, VR>(
    other: KTableImpl<K, VO>,
    joiner: TableJoiner<K, V | null, NoInfer<VO> | null, VR>,
    namedOrMaterialized?: Named | Materialized<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTableImpl<K, VR> {
    return this.#tableJoin(other, joiner, namedOrMaterialized, materialized, true, true)
  }

  /**
   * Kafka `KTableImpl.doJoin`: each side's changes look up the other side's value through its value
   * getter (materializing source tables), and a merge node unites them, optionally into a store.
   */
  #tableJoin<VO, VR>(
    other: KTableImpl<K, VO>,
    joinerArg: TableJoiner<K, V | null, VO | null, VR>,
    namedOrMaterialized: Named | Materialized<K, VR> | undefined,
    materializedArg: Materialized<K, VR> | undefined,
    leftOuter: boolean,
    rightOuter: boolean,
  ): KTableImpl<K, VR> {
    const { named, mat } = split(namedOrMaterialized, materializedArg)
    const builder = this.builder
    const storeName = mat ? (mat.storeName ?? builder.newStoreName(MERGE_NAME)) : undefined
    const mergeName = nameOf(named, builder, MERGE_NAME)
    if (leftOuter) this.enableSendingOldValues()
    if (rightOuter) other.enableSendingOldValues()
    const joiner = joinerWithKey(joinerArg)
    const reversed: ValueJoinerWithKey<K, VO | null, V | null, VR> = (key, otherValue, thisValue) =>
      joiner(key, thisValue, otherValue)
    const thisKind = !leftOuter ? 'inner' : !rightOuter ? 'left' : 'outer'
    const otherKind = !leftOuter ? 'inner' : !rightOuter ? 'right' : 'outer'
    const thisName = nameOf(
      named?.name === undefined ? undefined : `${named.name}-join-this`,
      builder,
      TABLE_JOINTHIS_NAME,
    )
    const otherName = nameOf(
      named?.name === undefined ? undefined : `${named.name}-join-other`,
      builder,
      TABLE_JOINOTHER_NAME,
    )
    const thisGetter = this.valueGetterSupplier()
    const otherGetter = other.valueGetterSupplier()
    const merger = ktableKTableJoinMerger<K, VR>(storeName)
    const sendOldValues = (): boolean => merger.sendOldValues
    const joinThis = ktableKTableJoin<K, V, VO, VR>(otherGetter, joiner, thisKind, sendOldValues, this.isVersioned())
    const joinOther = ktableKTableJoin<K, VO, V, VR>(
      thisGetter,
      reversed,
      otherKind,
      sendOldValues,
      other.isVersioned(),
    )
    const keySerde = mat?.keySerde ?? this.keySerde
    const valueSerde = mat?.valueSerde
    const node = new GraphNode(mergeName, (topology) => {
      topology.addProcessor(thisName, joinThis, [this.name])
      topology.addProcessor(otherName, joinOther, [other.name])
      topology.addProcessor(mergeName, merger, [thisName, otherName])
      if (otherGetter.storeNames.length > 0) topology.connectProcessorAndStateStores(thisName, otherGetter.storeNames)
      if (thisGetter.storeNames.length > 0) topology.connectProcessorAndStateStores(otherName, thisGetter.storeNames)
      if (storeName !== undefined)
        topology.addStateStore(timestampedKeyValueStore(storeName, mat, keySerde, valueSerde), [mergeName])
      topology.copartitionSources([...this.subTopologySourceNodes, ...other.subTopologySourceNodes])
    })
    builder.addGraphNode([this.graphNode, other.graphNode], node)
    const sources = new Set([...this.subTopologySourceNodes, ...other.subTopologySourceNodes])
    return new KTableImpl<K, VR>(mergeName, keySerde, valueSerde, sources, mat?.storeName, merger, node, builder)
  }

  /** Re-groups the table by a new key and value (`{ key, value }` or `[key, value]`) for a table aggregation. */
  groupBy<KR, VR>(
    selector: KeyValueMapper<K, V, KeyValueLike<KR, VR>>,
    grouped?: Grouped<KR, VR>,
  ): KGroupedTableImpl<KR, VR> {
    const name = nameOf(grouped?.name, this.builder, SELECT_NAME)
    const node = processorNode(name, ktableRepartitionMap(selector, this.isVersioned()))
    this.builder.addGraphNode(this.graphNode, node)
    this.enableSendingOldValues()
    return new KGroupedTableImpl<KR, VR>(this.builder, node, grouped?.keySerde, grouped?.valueSerde, grouped?.name)
  }

  /** The name under which the table's store can be queried, if it was materialized with a name. */
  queryableStoreNameOrNull(): string | null {
    return this.queryableStoreName ?? null
  }

  filter(predicate: Predicate<K, V>, named?: Named, materialized?: Materialized<K, V>): KTableImpl<K, V> {
    return this.#transform<V>(
      FILTER_NAME,
      (key, value) => (predicate(key, value) ? value : null),
      named,
      materialized,
      this.valueSerde,
    )
  }

  filterNot(predicate: Predicate<K, V>, named?: Named, materialized?: Materialized<K, V>): KTableImpl<K, V> {
    return this.#transform<V>(
      FILTER_NAME,
      (key, value) => (predicate(key, value) ? null : value),
      named,
      materialized,
      this.valueSerde,
    )
  }

  mapValues<VR>(mapper: ValueMapper<V, VR>, named?: Named, materialized?: Materialized<K, VR>): KTableImpl<K, VR>
  mapValues<VR>(
    mapper: ValueMapperWithKey<K, V, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTableImpl<K, VR>
  mapValues<VR>(
    mapper: ValueMapper<V, VR> | ValueMapperWithKey<K, V, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTableImpl<K, VR> {
    return this.#transform<VR>(MAPVALUES_NAME, withKey(mapper), named, materialized, undefined)
  }

  /** Kafka `transformValues`: a new value per key from a stateful transformer (which also sees deletes). */
  transformValues<VR>(
    transformerSupplier: () => ValueTransformerWithKey<K, V | null, VR>,
    namedOrMaterialized?: Named | Materialized<K, VR>,
    ...stateStoreNames: string[]
  ): KTableImpl<K, VR> {
    const { named, mat } = split(namedOrMaterialized, undefined)
    return this.#transform<VR>(
      TRANSFORMVALUES_NAME,
      () => null,
      named,
      mat,
      undefined,
      transformerSupplier,
      stateStoreNames,
    )
  }

  /**
   * The table's changes as a stream: each update's new value, deletes as null values. With a mapper,
   * the stream's key is computed from each record (Kafka `toStream(KeyValueMapper)`).
   */
  toStream(named?: Named): KStreamImpl<K, V>
  toStream<KR>(mapper: KeyValueMapper<K, V, KR>, named?: Named): KStreamImpl<KR, V>
  toStream<KR>(
    mapperOrNamed?: KeyValueMapper<K, V, KR> | Named,
    named?: Named,
  ): KStreamImpl<K, V> | KStreamImpl<KR, V> {
    if (typeof mapperOrNamed === 'function') return this.#toStream(named).selectKey(mapperOrNamed)
    return this.#toStream(mapperOrNamed)
  }

  #toStream(named: Named | undefined): KStreamImpl<K, V> {
    const name = nameOf(named, this.builder, TOSTREAM_NAME)
    const node = processorNode(name, ktableToStream<K, V>())
    this.builder.addGraphNode(this.graphNode, node)
    return new KStreamImpl<K, V>(
      name,
      this.keySerde,
      this.valueSerde,
      this.subTopologySourceNodes,
      false,
      node,
      this.builder,
    )
  }

  #transform<VR>(
    prefix: string,
    compute: (key: K, value: V) => VR | null,
    named: Named | undefined,
    materialized: Materialized<K, VR> | undefined,
    resultSerde: Serde<VR> | undefined,
    transformer?: () => ValueTransformerWithKey<K, V | null, VR>,
    stateStoreNames: readonly string[] = [],
  ): KTableImpl<K, VR> {
    // Kafka names the store (when materialized without a name) before the processor
    const storeName = materialized ? (materialized.storeName ?? this.builder.newStoreName(prefix)) : undefined
    const name = nameOf(named, this.builder, prefix)
    const supplier: KTableProcessorSupplier<K, V, VR> = ktableTransform(compute, storeName, transformer)
    const keySerde = materialized?.keySerde ?? this.keySerde
    const valueSerde = materialized?.valueSerde ?? resultSerde
    const node = new GraphNode(name, (builder, parents) => {
      builder.addProcessor(name, supplier, parents)
      if (storeName !== undefined) {
        builder.addStateStore(timestampedKeyValueStore(storeName, materialized, keySerde, valueSerde), [name])
      }
      if (stateStoreNames.length > 0) builder.connectProcessorAndStateStores(name, stateStoreNames)
    })
    this.builder.addGraphNode(this.graphNode, node)
    const table = new KTableImpl<K, VR>(
      name,
      keySerde,
      valueSerde,
      this.subTopologySourceNodes,
      materialized?.storeName,
      supplier,
      node,
      this.builder,
    )
    table.parent = this as KTableImpl<unknown, unknown>
    table.compute = transformer
      ? (key, value) => transformerForGetter(transformer)(key, value as V | null)
      : (key, value) => (value === null ? null : compute(key, value as V))
    return table
  }
}

/** One transformer instance serving a value getter (Kafka gives each getter its own transformer). */
function transformerForGetter<K, V, VR>(
  supplier: () => ValueTransformerWithKey<K, V | null, VR>,
): (key: K, value: V | null) => VR | null {
  const transformer = supplier()
  return (key, value) => transformer.transform(key, value)
}
