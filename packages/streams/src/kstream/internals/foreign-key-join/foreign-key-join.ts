import { TopologyException } from '../../../errors/topology-exception.ts'
import type { InternalTopologyBuilder } from '../../../processor/internals/internal-topology-builder.ts'
import type { StreamPartitioner } from '../../../processor/stream-partitioner.ts'
import { Serdes } from '../../../serde/serdes.ts'
import { KeyValueStoreBuilder } from '../../../state/internals/key-value-store-builder.ts'
import type { Materialized } from '../../materialized.ts'
import { validateName } from '../../named.ts'
import { TableJoined } from '../../table-joined.ts'
import { GraphNode } from '../graph/graph-node.ts'
import type { InternalStreamsBuilder } from '../internal-streams-builder.ts'
import { nameOf, processorNode } from '../kstream-impl.ts'
import type { ValueJoinerWithKey } from '../kstream-ktable-join.ts'
import { KTableImpl } from '../ktable-impl.ts'
import { ktableSource } from '../ktable-processors.ts'
import { dslKeyValueSupplier, isVersionedSupplier, timestampedKeyValueStore } from '../materialize.ts'
import { CombinedKeySchema } from './combined-key-schema.ts'
import { foreignTableJoinProcessorSupplier } from './foreign-table-join-processor-supplier.ts'
import { responseJoinProcessorSupplier } from './response-join-processor-supplier.ts'
import { subscriptionJoinProcessorSupplier } from './subscription-join-processor-supplier.ts'
import { subscriptionReceiveProcessorSupplier } from './subscription-receive-processor-supplier.ts'
import type { SubscriptionResponseWrapper } from './subscription-response-wrapper.ts'
import { subscriptionResponseWrapperSerde } from './subscription-response-wrapper-serde.ts'
import { subscriptionSendProcessorSupplier, type ForeignKeyExtractor } from './subscription-send-processor-supplier.ts'
import { subscriptionWrapperSerde } from './subscription-wrapper-serde.ts'
import type { SubscriptionWrapper } from './subscription-wrapper.ts'

/** A foreign-key extractor as the DSL takes it: `value => fk`, or `(key, value) => fk` (Kafka 4.1, KIP-1104). */
export type ForeignKeyExtractorArg<K, V, KO> = ((value: V) => KO | null) | ((key: K, value: V) => KO | null)

const FK_JOIN = 'KTABLE-FK-JOIN-'
const FK_JOIN_STATE_STORE_NAME = `${FK_JOIN}SUBSCRIPTION-STATE-STORE-`
const SUBSCRIPTION_REGISTRATION = `${FK_JOIN}SUBSCRIPTION-REGISTRATION-`
const SUBSCRIPTION_RESPONSE = `${FK_JOIN}SUBSCRIPTION-RESPONSE-`
const SUBSCRIPTION_PROCESSOR = `${FK_JOIN}SUBSCRIPTION-PROCESSOR-`
const SUBSCRIPTION_RESPONSE_RESOLVER_PROCESSOR = `${FK_JOIN}SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-`
const FK_JOIN_OUTPUT_NAME = `${FK_JOIN}OUTPUT-`
const SOURCE_NAME = 'KTABLE-SOURCE-'
const SINK_NAME = 'KTABLE-SINK-'
const TOPIC_SUFFIX = '-topic'

/**
 * Kafka `KTableImpl.doJoinOnForeignKey`: joins each row of `left` with the row of `right` whose key
 * `foreignKeyExtractor` finds in it. Both tables send old values (which materializes source tables).
 *
 * Left side: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION turns left changes into subscriptions, written to
 * the `...-SUBSCRIPTION-REGISTRATION-<n>-topic` keyed by foreign key. Right side: the receive processor
 * keeps them in the subscription store (KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE, by combined key), the
 * join processor answers each with the right row, and right changes answer every subscriber found by a
 * prefix scan; the answers go to the `...-SUBSCRIPTION-RESPONSE-<n>-topic` keyed by primary key, by
 * default to the left record's partition. Left side again: the resolver drops stale answers (hash
 * mismatch) and joins, and KTABLE-FK-JOIN-OUTPUT is the result table, a source table materialized only
 * when named or when a downstream operator needs it. Names, the name counter and the topics follow
 * Kafka; with `TableJoined.as(name)` every name derives from it (the counter still advances).
 */
export function foreignKeyJoin<K, V, KO, VO, VR>(
  left: KTableImpl<K, V>,
  right: KTableImpl<KO, VO>,
  foreignKeyExtractorArg: ForeignKeyExtractorArg<K, V, KO>,
  valueJoiner: (value: V, otherValue: VO | null) => VR,
  tableJoinedOrMaterialized: TableJoined<K, KO> | Materialized<K, VR> | undefined,
  materializedArg: Materialized<K, VR> | undefined,
  leftJoin: boolean,
): KTableImpl<K, VR> {
  const tableJoined = tableJoinedOrMaterialized instanceof TableJoined ? tableJoinedOrMaterialized : undefined
  const materialized = tableJoined ? materializedArg : (tableJoinedOrMaterialized as Materialized<K, VR> | undefined)
  // as `withKey`: an extractor declaring two parameters gets (key, value), one declaring one gets (value)
  const foreignKeyExtractor: ForeignKeyExtractor<K, V, KO> =
    foreignKeyExtractorArg.length >= 2
      ? (foreignKeyExtractorArg as (key: K, value: V) => KO | null)
      : (_key, value) => (foreignKeyExtractorArg as (value: V) => KO | null)(value)
  const joiner: ValueJoinerWithKey<K, V | null, VO | null, VR> = (_key, value, otherValue) =>
    valueJoiner(value as V, otherValue)
  const builder = left.builder
  const topologyBuilder = builder.topologyBuilder
  // as in Kafka, both tables send old values: the left side needs them to unsubscribe an old foreign key
  right.enableSendingOldValues()
  left.enableSendingOldValues()

  const base = tableJoined?.name
  const name = (suffix: string, prefix: string): string => suffixWithOrElseGet(base, suffix, builder, prefix)

  const subscriptionTopic = name('-subscription-registration', SUBSCRIPTION_REGISTRATION) + TOPIC_SUFFIX
  const primaryKeyTopic = pseudoTopic(topologyBuilder, `${subscriptionTopic}-pk`)
  const foreignKeyTopic = pseudoTopic(topologyBuilder, `${subscriptionTopic}-fk`)
  const valueHashTopic = pseudoTopic(topologyBuilder, `${subscriptionTopic}-vh`)

  const foreignKeySerde = right.keySerde
  const wrapperSerde = subscriptionWrapperSerde<K>(primaryKeyTopic, left.keySerde)
  const responseSerde = subscriptionResponseWrapperSerde<VO>(right.valueSerde)
  const keySchema = new CombinedKeySchema<KO, K>(foreignKeyTopic, foreignKeySerde, primaryKeyTopic, left.keySerde)

  // left side: changes to subscriptions, to the subscription topic
  const send = subscriptionSendProcessorSupplier<K, V, KO>(
    foreignKeyExtractor,
    foreignKeyTopic,
    valueHashTopic,
    foreignKeySerde,
    left.valueSerde,
    leftJoin,
  )
  const sendName = name('-subscription-registration-processor', SUBSCRIPTION_REGISTRATION)
  const sendNode = new GraphNode(sendName, (topology, parents) => {
    send.useVersionedSemantics = left.isVersioned()
    topology.addProcessor(sendName, send, parents)
  })
  builder.addGraphNode(left.graphNode, sendNode)

  const otherPartitioner = tableJoined?.otherPartitioner
  const subscriptionPartitioner: StreamPartitioner<KO, SubscriptionWrapper<K>> | undefined = otherPartitioner
    ? (topic, key, _value, numPartitions) => singlePartition(otherPartitioner(topic, key, null, numPartitions))
    : undefined
  const subscriptionSinkName = name('-subscription-registration-sink', SINK_NAME)
  const subscriptionSink = new GraphNode(subscriptionSinkName, (topology, parents) => {
    topology.addInternalTopic(subscriptionTopic)
    topology.addSink(
      subscriptionSinkName,
      subscriptionTopic,
      {
        keySerializer: foreignKeySerde?.serializer(),
        valueSerializer: wrapperSerde.serializer(),
        partitioner: subscriptionPartitioner as never,
      },
      parents,
    )
  })
  builder.addGraphNode(sendNode, subscriptionSink)

  // right side: the subscription store, answers to subscriptions and to right changes
  const subscriptionSourceName = name('-subscription-registration-source', SOURCE_NAME)
  const subscriptionSource = new GraphNode(subscriptionSourceName, (topology) => {
    topology.addSource(subscriptionSourceName, [subscriptionTopic], {
      keyDeserializer: foreignKeySerde?.deserializer(),
      valueDeserializer: wrapperSerde.deserializer(),
    })
    // the subscription topic must be co-partitioned with the right table
    topology.copartitionSources([...right.subTopologySourceNodes, subscriptionSourceName])
  })
  builder.addGraphNode(subscriptionSink, subscriptionSource)

  const subscriptionStoreName = name('-subscription-store', FK_JOIN_STATE_STORE_NAME)
  // Kafka `SubscriptionStoreFactory`: timestamped, logged, never cached, on the default DSL engine
  const subscriptionStore = new KeyValueStoreBuilder<Buffer, unknown>(
    dslKeyValueSupplier(subscriptionStoreName),
    Serdes.Bytes(),
    wrapperSerde,
    true,
  )
    .withLoggingEnabled({})
    .withCachingDisabled()

  const receiveName = name('-subscription-receive', SUBSCRIPTION_PROCESSOR)
  const receiveNode = processorNode(
    receiveName,
    subscriptionReceiveProcessorSupplier<K, KO>(subscriptionStore, keySchema, wrapperSerde),
  )
  builder.addGraphNode(subscriptionSource, receiveNode)

  const foreignValues = right.valueGetterSupplier()
  const joinForeignName = name('-subscription-join-foreign', SUBSCRIPTION_PROCESSOR)
  const joinForeignNode = processorNode(
    joinForeignName,
    subscriptionJoinProcessorSupplier<K, KO, VO>(foreignValues),
    foreignValues.storeNames,
  )
  builder.addGraphNode(receiveNode, joinForeignNode)

  const foreignJoin = foreignTableJoinProcessorSupplier<K, KO, VO>(subscriptionStore, keySchema)
  const foreignJoinName = name('-foreign-join-subscription', SUBSCRIPTION_PROCESSOR)
  const foreignJoinNode = new GraphNode(foreignJoinName, (topology, parents) => {
    foreignJoin.useVersionedSemantics = right.isVersioned()
    topology.addProcessor(foreignJoinName, foreignJoin, parents)
  })
  builder.addGraphNode(right.graphNode, foreignJoinNode)

  // back to the left side: the response topic
  const responseTopic = name('-subscription-response', SUBSCRIPTION_RESPONSE) + TOPIC_SUFFIX
  const partitioner = tableJoined?.partitioner
  const responsePartitioner: StreamPartitioner<K, SubscriptionResponseWrapper<VO>> = partitioner
    ? (topic, key, _value, numPartitions) => singlePartition(partitioner(topic, key, null, numPartitions))
    : (_topic, _key, value) => value.primaryPartition
  const responseSinkName = name('-subscription-response-sink', SINK_NAME)
  const responseSink = new GraphNode(responseSinkName, (topology, parents) => {
    topology.addInternalTopic(responseTopic)
    topology.addSink(
      responseSinkName,
      responseTopic,
      {
        keySerializer: left.keySerde?.serializer(),
        valueSerializer: responseSerde.serializer(),
        partitioner: responsePartitioner as never,
      },
      parents,
    )
  })
  builder.addGraphNode([joinForeignNode, foreignJoinNode], responseSink)

  const responseSourceName = name('-subscription-response-source', SOURCE_NAME)
  const responseSource = new GraphNode(responseSourceName, (topology) => {
    topology.addSource(responseSourceName, [responseTopic], {
      keyDeserializer: left.keySerde?.deserializer(),
      valueDeserializer: responseSerde.deserializer(),
    })
    // the response topic must be co-partitioned with the left table
    topology.copartitionSources([...left.subTopologySourceNodes, responseSourceName])
  })
  builder.addGraphNode(responseSink, responseSource)
  const resultSources = new Set([...left.subTopologySourceNodes, responseSourceName])

  const primaryValues = left.valueGetterSupplier()
  const resolverName = name('-subscription-response-resolver', SUBSCRIPTION_RESPONSE_RESOLVER_PROCESSOR)
  const resolverNode = processorNode(
    resolverName,
    responseJoinProcessorSupplier<K, V, VO, VR>(primaryValues, left.valueSerde, valueHashTopic, joiner, leftJoin),
    primaryValues.storeNames,
  )
  builder.addGraphNode(responseSource, resolverNode)

  // the result table: a table source, materialized when named (or when downstream needs it)
  const resultName = name('-result', FK_JOIN_OUTPUT_NAME)
  const storeName = materialized?.storeName ?? builder.newStoreName(FK_JOIN_OUTPUT_NAME)
  const keySerde = materialized?.keySerde ?? left.keySerde
  const valueSerde = materialized?.valueSerde
  const result = ktableSource<K, VR>(materialized?.storeName)
  const resultNode = new GraphNode(resultName, (topology, parents) => {
    topology.addProcessor(resultName, result, parents)
    if (result.storeName !== undefined)
      topology.addStateStore(timestampedKeyValueStore(storeName, materialized, keySerde, valueSerde), [resultName])
  })
  builder.addGraphNode(resolverNode, resultNode)

  // as Kafka, the table reports its store name, generated or not, as its queryable name
  const table = new KTableImpl<K, VR>(
    resultName,
    left.keySerde,
    valueSerde,
    resultSources,
    storeName,
    result,
    resultNode,
    builder,
  )
  table.materializeSource = () => result.materialize(storeName)
  table.versioned = materialized?.storeSupplier !== undefined && isVersionedSupplier(materialized.storeSupplier)
  return table
}

/** Kafka `NamedInternal.suffixWithOrElseGet`: `<name><suffix>` if named, else a generated name; the counter advances either way. */
function suffixWithOrElseGet(
  name: string | undefined,
  suffix: string,
  builder: InternalStreamsBuilder,
  prefix: string,
): string {
  const generated = nameOf(undefined, builder, prefix)
  if (name === undefined) return generated
  const suffixed = name + suffix
  validateName(suffixed)
  return suffixed
}

/**
 * Kafka `decoratePseudoTopic`: the topic a serde sees for data that is not written to a topic of its own
 * (the keys in a subscription, the value hashed), `<applicationId>-<topic>`, resolved when first used.
 */
function pseudoTopic(topologyBuilder: InternalTopologyBuilder, topic: string): () => string {
  let decorated: string | undefined
  return () => {
    if (decorated === undefined) {
      const applicationId = topologyBuilder.applicationId
      if (applicationId === undefined)
        throw new TopologyException(
          'there are internal topics and the application id has not been set: run the topology with an applicationId',
        )
      decorated = `${applicationId}-${topic}`
    }
    return decorated
  }
}

/** Kafka's `getPartition` for the foreign-key join's partitioners: none (the default), or exactly one. */
function singlePartition(partitions: number | Iterable<number> | null | undefined): number | null | undefined {
  if (partitions === null || partitions === undefined || typeof partitions === 'number') return partitions
  const all = [...partitions]
  if (all.length !== 1)
    throw new TypeError(
      'The partitions returned by StreamPartitioner#partitions method when used for FK join should be a singleton set',
    )
  return all[0]
}
