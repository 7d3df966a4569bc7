import assert from 'node:assert/strict'
import { test } from 'node:test'
import { JoinWindows, Repartitioned, StreamsBuilder, type Topology } from '../../src/index.ts'
import { repartitionTopicPartitions } from '../../src/processor/internals/copartitioning.ts'

const config = { applicationId: 'app', defaultKeySerde: 'string', defaultValueSerde: 'string' }
const joiner = (a: string, b: string | null): string => `${a}+${String(b)}`
const counts =
  (given: { [topic: string]: number }) =>
  (topic: string): number | undefined =>
    given[topic]
function partitionsOf(topology: Topology, given: { [topic: string]: number }): Map<string, number> {
  topology.internalTopologyBuilder.applicationId = config.applicationId
  return repartitionTopicPartitions(topology.internalTopologyBuilder, counts(given))
}

function streamTableJoin(): Topology {
  const b = new StreamsBuilder()
  b.stream<string, string>('orders').join(b.table<string, string>('customers'), joiner).to('out')
  return b.build(config)
}

test('joined topics with different partition counts are refused, naming both', () => {
  assert.throws(
    () => partitionsOf(streamTableJoin(), { orders: 3, customers: 2 }),
    /Topics not co-partitioned: \[\{customers=2, orders=3\}\]/,
  )
  assert.deepEqual(partitionsOf(streamTableJoin(), { orders: 3, customers: 3 }), new Map())
})

test('a missing input topic is named', () => {
  assert.throws(() => partitionsOf(streamTableJoin(), { orders: 3 }), /Topic not found: customers/)
})

test('a repartition topic before a join takes the partition count of the topic it joins', () => {
  const b = new StreamsBuilder()
  const rekeyed = b.stream<string, string>('clicks').selectKey((_k: string, v: string) => v)
  rekeyed.join(b.table<string, string>('users'), joiner).to('out')
  const topology = b.build(config)
  const [topic] = topology.internalTopologyBuilder.internalTopics.keys()
  // the writer reads 8 partitions, the table 4: the join side wins
  assert.deepEqual(partitionsOf(topology, { clicks: 8, users: 4 }), new Map([[topic, 4]]))
})

test('repartition topics joined together take the largest upstream count', () => {
  const b = new StreamsBuilder()
  const left = b.stream<string, string>('a').selectKey((_k: string, v: string) => v)
  const right = b.stream<string, string>('b').selectKey((_k: string, v: string) => v)
  left.join(right, joiner, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out')
  const topology = b.build(config)
  const result = partitionsOf(topology, { a: 2, b: 5 })
  assert.deepEqual([...result.values()], [5, 5])
})

test('a fixed repartition count that contradicts the joined topic is refused', () => {
  const b = new StreamsBuilder()
  b.stream<string, string>('clicks')
    .repartition(Repartitioned.numberOfPartitions<string, string>(6).withName('by-user'))
    .join(b.table<string, string>('users'), joiner)
    .to('out')
  assert.throws(
    () => partitionsOf(b.build(config), { clicks: 8, users: 4 }),
    /Number of partitions \[6\] of repartition topic \[app-by-user-repartition\] doesn't match number of partitions \[4\] of the source topic/,
  )
})

test('a repartition topic fed by another repartition topic follows it', () => {
  const b = new StreamsBuilder()
  b.stream<string, string>('in')
    .repartition(Repartitioned.numberOfPartitions<string, string>(3).withName('first'))
    .selectKey((_k: string, v: string) => v)
    .groupByKey()
    .count()
  const result = partitionsOf(b.build(config), { in: 10 })
  assert.equal(result.get('first-repartition'), 3)
  assert.equal([...result.values()].filter((count) => count === 3).length, 2)
})

test('a foreign-key join sizes its subscription topic like the other table and its response topic like this one', () => {
  const b = new StreamsBuilder()
  b.table<string, string>('orders')
    .join(
      b.table<string, string>('customers'),
      (order: string) => order,
      (order: string, customer: string) => `${order}/${customer}`,
    )
    .toStream()
    .to('out')
  const result = partitionsOf(b.build(config), { orders: 4, customers: 2 })
  assert.deepEqual(
    [...result].sort(),
    [
      ['KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic', 2],
      ['KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic', 4],
    ].sort(),
  )
})

test('after merge.repartition.topics, a join stays co-partitioned with the merged repartition topic', () => {
  const b = new StreamsBuilder()
  const rekeyed = b.stream<string, string>('clicks').selectKey((_k: string, v: string) => v)
  rekeyed.groupByKey().count()
  rekeyed.join(b.table<string, string>('users'), joiner).to('out')
  const topology = b.build({ ...config, topologyOptimization: 'all' })
  const internal = topology.internalTopologyBuilder
  assert.equal(internal.internalTopics.size, 1, 'one merged repartition topic')
  const [merged] = internal.internalTopics.keys()
  assert.deepEqual(partitionsOf(topology, { clicks: 8, users: 4 }), new Map([[merged, 4]]))
})
