// What the examples' topologies must compute, worked out here in plain TypeScript from the records a test
// sends: the tests compare the topologies' output (through the TopologyTestDriver and through Kafka) with it.
import type { GeneratedRecord } from '../lib/run-example.ts'
import type { HourlySales, Sale } from '../hourly-sales.ts'
import type { Order, Payment, PaidOrder } from '../order-payment.ts'

/** The first `count` records of a generator. */
export function take<T>(records: Iterable<T>, count: number): T[] {
  const taken: T[] = []
  if (count <= 0) return taken
  for (const record of records) {
    taken.push(record)
    if (taken.length === count) break
  }
  return taken
}

/** `store@windowStart` -> count and total of the store's sales in that hour. */
export function expectedHourlySales(records: readonly GeneratedRecord[], hourMs: number): Map<string, HourlySales> {
  const expected = new Map<string, HourlySales>()
  for (const { key, value, timestamp } of records) {
    const start = timestamp - (timestamp % hourMs)
    const id = `${key}@${start}`
    const before = expected.get(id) ?? { count: 0, total: 0 }
    expected.set(id, { count: before.count + 1, total: before.total + (value as Sale).amount })
  }
  return expected
}

/** Orders and payments of one key within `windowMs` of each other, as an inner stream-stream join pairs them. */
export function expectedPaidOrders(
  records: readonly GeneratedRecord[],
  topics: { orders: string; payments: string },
  windowMs: number,
): Map<string, PaidOrder[]> {
  const orders = records.filter((r) => r.topic === topics.orders)
  const payments = records.filter((r) => r.topic === topics.payments)
  const expected = new Map<string, PaidOrder[]>()
  for (const order of orders) {
    for (const payment of payments) {
      if (payment.key !== order.key || Math.abs(payment.timestamp - order.timestamp) > windowMs) continue
      const { id, amount } = order.value as Order
      const { method, timestamp } = payment.value as Payment
      const list = expected.get(order.key) ?? []
      list.push({ orderId: id, amount, paymentMethod: method, paidAt: timestamp })
      expected.set(order.key, list)
    }
  }
  return expected
}

/** The number of records of `key` with a timestamp in [start, end] (`endInclusive`) or [start, end). */
export function countInWindow(
  records: readonly GeneratedRecord[],
  key: string,
  start: number,
  end: number,
  endInclusive: boolean,
): number {
  return records.filter(
    (r) => r.key === key && r.timestamp >= start && (endInclusive ? r.timestamp <= end : r.timestamp < end),
  ).length
}

/**
 * Sessions per key: timestamps sorted, a new session wherever two are more than `gapMs` apart.
 * `key@start-end` -> number of records.
 */
export function expectedSessions(
  records: readonly { key: string; timestamp: number }[],
  gapMs: number,
): Map<string, number> {
  const byKey = new Map<string, number[]>()
  for (const { key, timestamp } of records) byKey.set(key, [...(byKey.get(key) ?? []), timestamp])
  const sessions = new Map<string, number>()
  for (const [key, times] of byKey) {
    times.sort((a, b) => a - b)
    let start = times[0] ?? 0
    let end = start
    let count = 0
    for (const time of times) {
      if (time - end > gapMs) {
        sessions.set(`${key}@${start}-${end}`, count)
        start = time
        count = 0
      }
      end = time
      count++
    }
    sessions.set(`${key}@${start}-${end}`, count)
  }
  return sessions
}
