// The real-time dashboard's stream processing: orders counted and summed per category in tumbling windows.
//
//   orders (key: order id) -> groupBy(category) -> windowedBy(tumbling) -> aggregate { orders, revenueCents }
//     -> toStream -> key "<category>@<window start>" -> category-stats topic -> dashboard server -> WebSocket -> page
//
// The aggregate is a windowed KTable: each order updates its category's current window and the change goes
// to the stats topic (after the record cache has deduplicated it, i.e. at most once per commit interval per
// window), so the topic holds a changelog of the latest value of every (category, window). The dashboard
// server (dashboard-server.ts) reads that topic from the beginning and keeps the latest value per key, which
// is what a newly connected page receives first; each record after that is a live update.
import {
  Consumed,
  Duration,
  Grouped,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  type Topology,
} from '@kstreams/streams'

/** An order as the shop writes it to the orders topic, keyed by its id. */
export interface Order {
  readonly orderId: string
  readonly category: string
  /** The order's total in cents (an integer, so sums stay exact). */
  readonly amountCents: number
}

/** The orders and revenue of one category in one window: a value of the category-stats topic. */
export interface CategoryStats {
  readonly category: string
  /** Window bounds, epoch milliseconds; the window is [windowStart, windowEnd). */
  readonly windowStart: number
  readonly windowEnd: number
  readonly orders: number
  readonly revenueCents: number
}

export const defaultOrderStatsTopics = { orders: 'dashboard-orders', stats: 'dashboard-category-stats' } as const

export interface OrderStatsOptions {
  readonly ordersTopic?: string
  readonly statsTopic?: string
  /** Length of the tumbling windows (default one minute). */
  readonly windowSizeMs?: number
  /** How long after a window's end late orders still count (default 10 s). */
  readonly graceMs?: number
}

/** The key of a window's stats in the category-stats topic. */
export function statsKey(category: string, windowStart: number): string {
  return `${category}@${windowStart}`
}

/** Whether a value read from the orders topic is an order the dashboard can count. */
export function isOrder(value: unknown): value is Order {
  if (typeof value !== 'object' || value === null) return false
  const order = value as Partial<Order>
  return (
    typeof order.category === 'string' &&
    order.category.trim() !== '' &&
    typeof order.amountCents === 'number' &&
    Number.isSafeInteger(order.amountCents) &&
    order.amountCents >= 0
  )
}

export function orderStatsTopology(options: OrderStatsOptions = {}): Topology {
  const ordersTopic = options.ordersTopic ?? defaultOrderStatsTopics.orders
  const statsTopic = options.statsTopic ?? defaultOrderStatsTopics.stats
  const windowSizeMs = options.windowSizeMs ?? 60_000
  const graceMs = options.graceMs ?? 10_000
  if (!Number.isSafeInteger(windowSizeMs) || windowSizeMs <= 0) {
    throw new RangeError(`windowSizeMs must be a positive whole number of milliseconds, got ${windowSizeMs}`)
  }
  if (!Number.isSafeInteger(graceMs) || graceMs < 0) {
    throw new RangeError(`graceMs must be a whole number of milliseconds >= 0, got ${graceMs}`)
  }

  const builder = new StreamsBuilder()
  builder
    .stream(ordersTopic, Consumed.with(Serdes.String(), Serdes.JSON<unknown>()))
    .filter((key, value) => {
      if (isOrder(value)) return true
      console.warn(
        `dashboard: skipped order ${key ?? '(no key)'}: expected {"category": non-empty string, "amountCents": whole number >= 0}, got ${JSON.stringify(value)}`,
      )
      return false
    })
    .mapValues((value) => value as Order)
    .groupBy(
      (_orderId, order) => order.category.trim(),
      Grouped.with('orders-by-category', Serdes.String(), Serdes.JSON<Order>()),
    )
    .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(windowSizeMs), Duration.ofMillis(graceMs)))
    .aggregate(
      () => ({ orders: 0, revenueCents: 0 }),
      (_category, order, totals) => ({
        orders: totals.orders + 1,
        revenueCents: totals.revenueCents + order.amountCents,
      }),
      Materialized.as<string, { orders: number; revenueCents: number }>('category-stats')
        .withKeySerde(Serdes.String())
        .withValueSerde(Serdes.JSON<{ orders: number; revenueCents: number }>()),
    )
    .toStream()
    .map((windowed, totals) => ({
      key: statsKey(windowed.key, windowed.window.start),
      value: {
        category: windowed.key,
        windowStart: windowed.window.start,
        windowEnd: windowed.window.end,
        orders: totals.orders,
        revenueCents: totals.revenueCents,
      } satisfies CategoryStats,
    }))
    .to(statsTopic, Produced.with(Serdes.String(), Serdes.JSON<CategoryStats>()))
  return builder.build()
}
