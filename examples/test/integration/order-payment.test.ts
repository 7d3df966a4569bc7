import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes } from '@kstreams/streams'
import { floorToHour, HOUR, MINUTE } from '../../lib/format.ts'
import { output } from '../../lib/run-example.ts'
import {
  buildOrderPayment,
  generateOrders,
  orderPaymentTopics,
  paidOrderSerde,
  type PaidOrder,
} from '../../order-payment.ts'
import { expectedPaidOrders, take } from '../expected.ts'
import { eventually, startExample, uniqueId, uniqueTopics } from './helpers.ts'

test('order-payment on Kafka under exactly-once: each order paid within 10 minutes comes out once', async (t) => {
  const topics = uniqueTopics(orderPaymentTopics)
  const records = take(generateOrders(topics, { seed: 19, start: floorToHour(Date.now()) - 12 * HOUR }), 400)
  const expected = expectedPaidOrders(records, topics, 10 * MINUTE)
  const paid = new Map<string, PaidOrder[]>()
  let results = 0
  const running = await startExample(t, {
    applicationId: uniqueId('order-payment'),
    topology: buildOrderPayment(topics),
    topics: [topics.orders, topics.payments, topics.output],
    records,
    processingGuarantee: 'exactly_once_v2',
    outputs: [
      output(topics.output, Serdes.String(), paidOrderSerde, ({ key, value }) => {
        if (key !== null && value !== null) paid.set(key, [...(paid.get(key) ?? []), value])
        results++
      }),
    ],
  })
  const expectedCount = [...expected.values()].reduce((n, list) => n + list.length, 0)
  assert.ok(expectedCount > 100, `paid orders: ${expectedCount}`)
  await eventually(
    running,
    () => results >= expectedCount,
    () => `${results} of ${expectedCount} paid orders`,
  )
  assert.deepEqual(paid, expected)
})
