import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes } from '@kstreams/streams'
import { TopologyTestDriver } from '@kstreams/streams/test-utils'
import {
  basicStreamTopics,
  buildBasicStream,
  generateOrders,
  type Order,
  type ProcessedOrder,
} from '../basic-stream.ts'
import { take } from './expected.ts'

const config = {
  applicationId: 'my-stream-app',
  bootstrapServers: 'localhost:9092',
  defaultKeySerde: 'string',
  defaultValueSerde: 'json',
}

function setUp(t: { after: (fn: () => void) => void }) {
  const driver = new TopologyTestDriver(buildBasicStream(), config)
  t.after(() => driver.close())
  const read = <V>(topic: string) => driver.createOutputTopic(topic, Serdes.String(), Serdes.JSON<V>())
  return {
    input: driver.createInputTopic(basicStreamTopics.input, Serdes.String(), Serdes.JSON<Order>()),
    read,
  }
}

test('filter -> mapValues -> to: orders over 100, marked processed with the time of processing', (t) => {
  const { input, read } = setUp(t)
  const before = Date.now()
  input.pipeInput('o1', { customer: 'kim', amount: 50, type: 'A', items: ['mouse'] })
  input.pipeInput('o2', { customer: 'lee', amount: 150, type: 'B', items: ['monitor', 'cable'] })
  const after = Date.now()

  const output = read<ProcessedOrder>(basicStreamTopics.output).readRecord()
  assert.equal(output.key, 'o2')
  const { timestamp, ...rest } = output.value as ProcessedOrder
  assert.deepEqual(rest, { customer: 'lee', amount: 150, type: 'B', items: ['monitor', 'cable'], processed: true })
  // new Date() becomes an ISO string in JSON
  const processedAt = Date.parse(timestamp)
  assert.ok(processedAt >= before && processedAt <= after, timestamp)
  assert.ok(read(basicStreamTopics.output).isEmpty())
})

test('map, flatMap and branch', (t) => {
  const { input, read } = setUp(t)
  input.pipeInput('o1', { customer: 'kim', amount: 50, type: 'A', items: ['mouse'] })
  input.pipeInput('o2', { customer: 'lee', amount: 150, type: 'B', items: ['monitor', 'cable'] })
  input.pipeInput('o3', { customer: 'kim', amount: 70, type: 'C', items: [] })
  input.pipeInput('o4', { customer: 'park', amount: 20, type: 'A', items: ['webcam'] })

  // map: a new key (the customer in capitals) and a new value (the amount)
  assert.deepEqual(read<number>(basicStreamTopics.amountsByCustomer).readKeyValuesToList(), [
    { key: 'KIM', value: 50 },
    { key: 'LEE', value: 150 },
    { key: 'KIM', value: 70 },
    { key: 'PARK', value: 20 },
  ])
  // flatMap: one record per item, none for an order without items
  assert.deepEqual(read<string>(basicStreamTopics.items).readKeyValuesToList(), [
    { key: 'o1', value: 'mouse' },
    { key: 'o2', value: 'monitor' },
    { key: 'o2', value: 'cable' },
    { key: 'o4', value: 'webcam' },
  ])
  // branch: the first matching predicate wins; the last one takes the rest
  const keys = (topic: string): (string | null)[] =>
    read(topic)
      .readKeyValuesToList()
      .map((r) => r.key)
  assert.deepEqual(keys(basicStreamTopics.typeA), ['o1', 'o4'])
  assert.deepEqual(keys(basicStreamTopics.typeB), ['o2'])
  assert.deepEqual(keys(basicStreamTopics.otherTypes), ['o3'])
})

test("the generator's orders: every operator's output accounts for every order", (t) => {
  const { input, read } = setUp(t)
  const records = take(generateOrders(basicStreamTopics.input, { seed: 2, start: Date.UTC(2026, 0, 31) }), 200)
  for (const { key, value, timestamp } of records) input.pipeInput(key, value as Order, timestamp)
  const orders = records.map((r) => ({ key: r.key, order: r.value as Order }))

  assert.deepEqual(
    read<ProcessedOrder>(basicStreamTopics.output)
      .readKeyValuesToList()
      .map((r) => r.key),
    orders.filter(({ order }) => order.amount > 100).map(({ key }) => key),
  )
  assert.equal(
    read(basicStreamTopics.items).readKeyValuesToList().length,
    orders.reduce((n, { order }) => n + order.items.length, 0),
  )
  const branchSizes = [basicStreamTopics.typeA, basicStreamTopics.typeB, basicStreamTopics.otherTypes].map(
    (topic) => read(topic).readKeyValuesToList().length,
  )
  assert.deepEqual(branchSizes, [
    orders.filter(({ order }) => order.type === 'A').length,
    orders.filter(({ order }) => order.type === 'B').length,
    orders.filter(({ order }) => order.type === 'C').length,
  ])
})
