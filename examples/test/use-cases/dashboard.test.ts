import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { Serdes } from '@kstreams/streams'
import { TopologyTestDriver } from '@kstreams/streams/test-utils'
import { orderStatsTopology, type CategoryStats, type Order } from '../../use-cases/dashboard/order-stats-topology.ts'
import { StatsView } from '../../use-cases/dashboard/stats-view.ts'

const minute = 60_000
const t0 = Date.UTC(2024, 0, 1, 12, 0, 0)

function driver(t: TestContext) {
  const testDriver = new TopologyTestDriver(
    orderStatsTopology({ ordersTopic: 'orders', statsTopic: 'stats', windowSizeMs: minute, graceMs: 10_000 }),
    { applicationId: 'dashboard-test' },
  )
  t.after(() => testDriver.close())
  return {
    orders: testDriver.createInputTopic('orders', Serdes.String(), Serdes.JSON<unknown>()),
    stats: testDriver.createOutputTopic('stats', Serdes.String(), Serdes.JSON<CategoryStats>()),
  }
}

const order = (orderId: string, category: string, amountCents: number): Order => ({ orderId, category, amountCents })

test('each order updates the count and revenue of its category in its one-minute window', (t) => {
  const { orders, stats } = driver(t)
  orders.pipeInput('o1', order('o1', 'books', 1250), t0 + 1000)
  orders.pipeInput('o2', order('o2', 'toys', 999), t0 + 2000)
  orders.pipeInput('o3', order('o3', 'books', 2000), t0 + 30_000)
  orders.pipeInput('o4', order('o4', 'books', 101), t0 + minute + 5)

  assert.deepEqual(stats.readKeyValuesToList(), [
    {
      key: `books@${t0}`,
      value: { category: 'books', windowStart: t0, windowEnd: t0 + minute, orders: 1, revenueCents: 1250 },
    },
    {
      key: `toys@${t0}`,
      value: { category: 'toys', windowStart: t0, windowEnd: t0 + minute, orders: 1, revenueCents: 999 },
    },
    {
      key: `books@${t0}`,
      value: { category: 'books', windowStart: t0, windowEnd: t0 + minute, orders: 2, revenueCents: 3250 },
    },
    {
      key: `books@${t0 + minute}`,
      value: {
        category: 'books',
        windowStart: t0 + minute,
        windowEnd: t0 + 2 * minute,
        orders: 1,
        revenueCents: 101,
      },
    },
  ])
})

test('a late order within the grace period still counts; after it, it is dropped', (t) => {
  const { orders, stats } = driver(t)
  orders.pipeInput('o1', order('o1', 'garden', 500), t0 + 10_000)
  orders.pipeInput('o2', order('o2', 'garden', 700), t0 + minute + 5000)
  // stream time is t0 + 65 s: the first window closes at t0 + 60 s + 10 s grace
  orders.pipeInput('o3', order('o3', 'garden', 300), t0 + 50_000)
  orders.pipeInput('o4', order('o4', 'garden', 100), t0 + minute + 20_000)
  orders.pipeInput('o5', order('o5', 'garden', 900), t0 + 59_000)

  assert.deepEqual(
    stats.readValuesToList().map((s) => [s?.windowStart, s?.orders, s?.revenueCents]),
    [
      [t0, 1, 500],
      [t0 + minute, 1, 700],
      [t0, 2, 800],
      [t0 + minute, 2, 800],
    ],
  )
})

test('orders that are not orders are skipped with a warning, and the rest go on', (t) => {
  const { orders, stats } = driver(t)
  const warnings: string[] = []
  t.mock.method(console, 'warn', (line: string) => warnings.push(line))
  orders.pipeInput('bad1', { category: 'books' }, t0)
  orders.pipeInput('bad2', { category: '  ', amountCents: 100 }, t0)
  orders.pipeInput('bad3', { category: 'books', amountCents: 12.5 }, t0)
  orders.pipeInput('bad4', 'books', t0)
  orders.pipeInput('o1', order('o1', ' books ', 100), t0)

  assert.deepEqual(stats.readValuesToList(), [
    { category: 'books', windowStart: t0, windowEnd: t0 + minute, orders: 1, revenueCents: 100 },
  ])
  assert.equal(warnings.length, 4)
  assert.match(warnings[0] ?? '', /skipped order bad1: expected \{"category": non-empty string, "amountCents"/)
})

test('the stats view keeps the latest stats of the newest windows and tells its listeners', () => {
  const view = new StatsView(2)
  const seen: string[] = []
  view.onChange((s) => seen.push(`${s.category}@${s.windowStart}=${s.orders}`))
  const stats = (category: string, windowStart: number, orders: number): CategoryStats => ({
    category,
    windowStart,
    windowEnd: windowStart + minute,
    orders,
    revenueCents: orders * 100,
  })
  view.apply(stats('toys', t0, 1))
  view.apply(stats('books', t0, 1))
  view.apply(stats('books', t0, 2))
  view.apply(stats('books', t0 + minute, 1))
  assert.deepEqual(view.windowStarts(), [t0 + minute, t0])
  // a third window pushes out the oldest one
  view.apply(stats('toys', t0 + 2 * minute, 1))
  assert.deepEqual(view.snapshot(), [stats('toys', t0 + 2 * minute, 1), stats('books', t0 + minute, 1)])
  // a record of a window older than those kept is ignored
  view.apply(stats('books', t0, 3))
  assert.deepEqual(view.windowStarts(), [t0 + 2 * minute, t0 + minute])
  assert.deepEqual(seen, [
    `toys@${t0}=1`,
    `books@${t0}=1`,
    `books@${t0}=2`,
    `books@${t0 + minute}=1`,
    `toys@${t0 + 2 * minute}=1`,
  ])
  assert.throws(() => new StatsView(0), /maxWindows must be a whole number >= 1, got 0/)
})
