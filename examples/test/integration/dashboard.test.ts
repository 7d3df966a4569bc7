// The real-time dashboard end to end: orders into Kafka, the streams application's windowed aggregate, the
// dashboard server, and the page in a real headless Chromium reading the numbers it shows.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { chromium, type Page } from 'playwright-core'
import { runDashboard } from '../../use-cases/dashboard/main.ts'
import type { Order } from '../../use-cases/dashboard/order-stats-topology.ts'
import { assertEventuallyDeepEqual, startUseCase, uniqueId } from './helpers.ts'

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const minute = 60_000
// recent timestamps (the broker's retention would delete old records), aligned to a window
const t0 = Math.floor((Date.now() - 30 * minute) / minute) * minute

interface Row {
  windowStart: number
  category: string
  orders: string
  revenue: string
}

/** What the page should show: one row per category and window plus each window's total, as the page orders them. */
function expectedRows(orders: readonly { order: Order; timestamp: number }[]): Row[] {
  const totals = new Map<number, Map<string, { orders: number; cents: number }>>()
  for (const { order, timestamp } of orders) {
    const start = timestamp - (timestamp % minute)
    const window = totals.get(start) ?? new Map<string, { orders: number; cents: number }>()
    totals.set(start, window)
    const total = window.get(order.category) ?? { orders: 0, cents: 0 }
    window.set(order.category, { orders: total.orders + 1, cents: total.cents + order.amountCents })
  }
  const money = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
  const rows: Row[] = []
  for (const start of [...totals.keys()].sort((a, b) => b - a)) {
    const window = totals.get(start) as Map<string, { orders: number; cents: number }>
    let orderCount = 0
    let cents = 0
    for (const category of [...window.keys()].sort()) {
      const total = window.get(category) as { orders: number; cents: number }
      rows.push({ windowStart: start, category, orders: String(total.orders), revenue: money(total.cents) })
      orderCount += total.orders
      cents += total.cents
    }
    rows.push({ windowStart: start, category: 'total', orders: String(orderCount), revenue: money(cents) })
  }
  return rows
}

// runs in the page: the rows of every window section, then its total row (the test reads what a person sees)
const readRowsScript = `[...document.querySelectorAll('section.window')].flatMap((section) => [
  ...[...section.querySelectorAll('tbody tr')].map((tr) => ({
    windowStart: Number(section.dataset.windowStart),
    category: tr.querySelector('.category').textContent,
    orders: tr.querySelector('.orders').textContent,
    revenue: tr.querySelector('.revenue').textContent,
  })),
  ...[...section.querySelectorAll('tfoot tr')].map((tr) => ({
    windowStart: Number(section.dataset.windowStart),
    category: 'total',
    orders: tr.querySelector('.orders').textContent,
    revenue: tr.querySelector('.revenue').textContent,
  })),
])`

const readRows = (page: Page) => page.evaluate<Row[]>(readRowsScript)

function requireChromium(): void {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}: install Debian's package with \`apt-get install -y chromium\` ` +
        `(.ci/run does this) or set CHROMIUM_PATH to a Chromium executable`,
    )
  }
}

async function launchChromium(t: TestContext) {
  const profile = mkdtempSync(join(tmpdir(), 'kstreams-chromium-'))
  // the machine's closed network refuses Chromium's background connections: turn them all off
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  t.after(async () => {
    await browser.close()
    rmSync(profile, { recursive: true, force: true })
  })
  return browser
}

test('the dashboard page shows the windowed aggregates and updates live', async (t) => {
  requireChromium()
  const ordersTopic = uniqueId('dashboard-orders')
  const { running, producer } = await startUseCase(t, (common) =>
    runDashboard({
      ...common,
      applicationId: uniqueId('dashboard'),
      ordersTopic,
      statsTopic: uniqueId('dashboard-stats'),
      windowSizeMs: minute,
      graceMs: 60 * minute,
    }),
  )

  const sent: { order: Order; timestamp: number }[] = []
  const send = async (orders: [string, string, number, number][]) => {
    const records = orders.map(([orderId, category, amountCents, at]) => ({
      order: { orderId, category, amountCents },
      timestamp: t0 + at,
    }))
    sent.push(...records)
    await producer.send(
      ordersTopic,
      records.map(({ order, timestamp }) => ({ key: order.orderId, value: order, timestamp })),
    )
  }

  await send([
    ['o1', 'books', 1250, 1_000],
    ['o2', 'toys', 999, 2_000],
    ['o3', 'books', 2_000, 30_000],
    ['o4', 'garden', 4_505, 59_999],
    ['o5', 'books', 101, minute + 5],
    ['o6', 'toys', 1, minute + 10_000],
    ['o7', 'toys', 10_000, minute + 20_000],
  ])
  const first = expectedRows(sent)
  assert.deepEqual(first.slice(0, 3), [
    { windowStart: t0 + minute, category: 'books', orders: '1', revenue: '1.01' },
    { windowStart: t0 + minute, category: 'toys', orders: '2', revenue: '100.01' },
    { windowStart: t0 + minute, category: 'total', orders: '3', revenue: '101.02' },
  ])

  // the server has the aggregates before the page connects: the page must get them with its first message
  await assertEventuallyDeepEqual(() => running.server.view.snapshot().reduce((n, s) => n + s.orders, 0), sent.length, {
    what: 'the number of orders counted in the dashboard server',
  })
  const browser = await launchChromium(t)
  const page = await browser.newPage()
  await page.goto(running.url)
  await assertEventuallyDeepEqual(() => readRows(page), first, { what: 'the rows on the page', timeoutMs: 15_000 })
  assert.equal(await page.locator('#status').textContent(), 'live')

  // more orders, into the last window and a new one: the open page follows without a reload
  await page.evaluate('window.loadedOnce = true')
  await send([
    ['o8', 'books', 899, minute + 40_000],
    ['o9', 'electronics', 129_900, 2 * minute + 1],
    ['o10', 'books', 1, 2 * minute + 2],
  ])
  const second = expectedRows(sent)
  assert.equal(second.length, first.length + 3)
  await assertEventuallyDeepEqual(() => readRows(page), second, { what: 'the rows on the open page' })
  assert.equal(await page.evaluate('window.loadedOnce'), true, 'the page was reloaded')
  assert.match((await page.locator('#status').textContent()) ?? '', /^live, \d+ updates? received$/)

  // a page opened now starts from the whole current state
  const another = await browser.newPage()
  await another.goto(running.url)
  await assertEventuallyDeepEqual(() => readRows(another), second, {
    what: 'the rows on a new page',
    timeoutMs: 15_000,
  })
  assert.equal(await another.locator('#status').textContent(), 'live')
})
