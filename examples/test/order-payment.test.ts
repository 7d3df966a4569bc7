import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes } from '@kstreams/streams'
import { TopologyTestDriver } from '@kstreams/streams/test-utils'
import { MINUTE } from '../lib/format.ts'
import {
  buildOrderPayment,
  generateOrders,
  orderPaymentTopics,
  paidOrderSerde,
  type Order,
  type PaidOrder,
  type Payment,
} from '../order-payment.ts'
import { expectedPaidOrders, take } from './expected.ts'

const config = { applicationId: 'order-payment', defaultKeySerde: 'string', defaultValueSerde: 'json' }
const t0 = Date.UTC(2026, 0, 31, 9)

function setUp(t: { after: (fn: () => void) => void }) {
  const driver = new TopologyTestDriver(buildOrderPayment(), config)
  t.after(() => driver.close())
  return {
    orders: driver.createInputTopic(orderPaymentTopics.orders, Serdes.String(), Serdes.JSON<Order>()),
    payments: driver.createInputTopic(orderPaymentTopics.payments, Serdes.String(), Serdes.JSON<Payment>()),
    paid: driver.createOutputTopic(orderPaymentTopics.output, Serdes.String(), paidOrderSerde),
  }
}

test('an order joins its payment when they are at most 10 minutes apart, in either order', (t) => {
  const { orders, payments, paid } = setUp(t)
  const at = (minutes: number): number => t0 + minutes * MINUTE
  orders.pipeInput('o1', { id: 'o1', amount: 30_000 }, at(0))
  orders.pipeInput('o2', { id: 'o2', amount: 12_000 }, at(0))
  payments.pipeInput('o1', { method: 'card', timestamp: at(10) }, at(10)) // exactly 10 minutes: joins
  payments.pipeInput('o2', { method: 'cash', timestamp: at(11) }, at(11)) // 11 minutes: too late
  orders.pipeInput('o3', { id: 'o3', amount: 5_000 }, at(20))
  payments.pipeInput('o3', { method: 'card', timestamp: at(15) }, at(15)) // before the order, within 10 minutes
  payments.pipeInput('o4', { method: 'card', timestamp: at(21) }, at(21)) // no order at all

  assert.deepEqual(
    paid.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]),
    [
      ['o1', { orderId: 'o1', amount: 30_000, paymentMethod: 'card', paidAt: at(10) }, at(10)],
      // a join result is timestamped with the later of the two records
      ['o3', { orderId: 'o3', amount: 5_000, paymentMethod: 'card', paidAt: at(15) }, at(20)],
    ],
  )
})

test("the generator's orders: exactly those paid within 10 minutes come out", (t) => {
  const { orders, payments, paid } = setUp(t)
  const records = take(generateOrders(orderPaymentTopics, { seed: 9, start: t0 }), 800)
  for (const { topic, key, value, timestamp } of records) {
    if (topic === orderPaymentTopics.orders) orders.pipeInput(key, value as Order, timestamp)
    else payments.pipeInput(key, value as Payment, timestamp)
  }
  const actual = new Map<string, PaidOrder[]>()
  for (const { key, value } of paid.readKeyValuesToList()) {
    if (key !== null && value !== null) actual.set(key, [...(actual.get(key) ?? []), value])
  }
  const expected = expectedPaidOrders(records, orderPaymentTopics, 10 * MINUTE)
  assert.deepEqual(actual, expected)
  // some orders are paid too late or never, so not every order comes out
  const orderCount = records.filter((r) => r.topic === orderPaymentTopics.orders).length
  assert.ok(expected.size > orderCount * 0.6 && expected.size < orderCount * 0.95, `${expected.size}/${orderCount}`)
})
