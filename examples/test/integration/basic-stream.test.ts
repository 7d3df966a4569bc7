import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes } from '@kstreams/streams'
import { basicStreamTopics, buildBasicStream, generateOrders, type Order } from '../../basic-stream.ts'
import { floorToHour, HOUR } from '../../lib/format.ts'
import { output } from '../../lib/run-example.ts'
import { take } from '../expected.ts'
import { eventually, startExample, uniqueId, uniqueTopics } from './helpers.ts'

test('basic-stream on Kafka: every output topic holds what its operator makes of the orders', async (t) => {
  const topics = uniqueTopics(basicStreamTopics)
  const records = take(generateOrders(topics.input, { seed: 29, start: floorToHour(Date.now()) - HOUR }), 150)
  const orders = new Map(records.map((r) => [r.key, r.value as Order]))
  const received = new Map<string, { key: string | null; value: unknown }[]>()
  const running = await startExample(t, {
    applicationId: uniqueId('basic-stream'),
    topology: buildBasicStream(topics),
    topics: Object.values(topics),
    records,
    outputs: Object.values(topics)
      .filter((topic) => topic !== topics.input)
      .map((topic) =>
        output(topic, Serdes.String(), Serdes.JSON(), ({ key, value }) => {
          received.set(topic, [...(received.get(topic) ?? []), { key, value }])
        }),
      ),
  })

  const all = [...orders]
  const expectedSizes = new Map([
    [topics.output, all.filter(([, order]) => order.amount > 100).length],
    [topics.amountsByCustomer, all.length],
    [topics.items, all.reduce((n, [, order]) => n + order.items.length, 0)],
    [topics.typeA, all.filter(([, order]) => order.type === 'A').length],
    [topics.typeB, all.filter(([, order]) => order.type === 'B').length],
    [topics.otherTypes, all.filter(([, order]) => order.type === 'C').length],
  ])
  const sizes = (): Map<string, number> =>
    new Map([...expectedSizes.keys()].map((topic) => [topic, received.get(topic)?.length ?? 0]))
  await eventually(
    running,
    () => [...expectedSizes].every(([topic, size]) => (received.get(topic)?.length ?? 0) >= size),
    () => JSON.stringify([...sizes()]),
  )
  assert.deepEqual(sizes(), expectedSizes)

  for (const { key, value } of received.get(topics.output) ?? []) {
    const order = orders.get(key ?? '')
    assert.ok(order && order.amount > 100)
    assert.deepEqual(
      { ...(value as object), timestamp: undefined },
      { ...order, processed: true, timestamp: undefined },
    )
  }
  const amounts = (received.get(topics.amountsByCustomer) ?? []).reduce((sum, { value }) => sum + (value as number), 0)
  assert.equal(
    amounts,
    all.reduce((sum, [, order]) => sum + order.amount, 0),
  )
  for (const { key } of received.get(topics.typeB) ?? []) assert.equal(orders.get(key ?? '')?.type, 'B')
})
