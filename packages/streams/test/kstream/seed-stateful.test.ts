import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  Duration,
  JoinWindows,
  Produced,
  Record,
  Serdes,
  SessionWindows,
  Stores,
  StreamsBuilder,
  TimeWindows,
  Topology,
  WindowedSerdes,
  type KeyValueStore,
  type ProcessorContext,
  type Windowed,
} from '../../src/index.ts'
import { TopologyTestDriver } from '../../src/test-utils/index.ts'

// The guide's stateful examples, as written there (imports and types aside).

interface Sale {
  amount: number
}
interface HourlySales {
  count: number
  total: number
}

const config = { applicationId: 'sales', defaultKeySerde: 'string', defaultValueSerde: 'json' }
const hour = 3_600_000

test('hourly sales: a windowed aggregate of count and total per store and hour', (t) => {
  const builder = new StreamsBuilder()
  const salesStream = builder.stream<string, Sale>('sales-events')

  // 시간별 매출 집계
  const hourlySales = salesStream
    .groupByKey()
    .windowedBy(TimeWindows.of(Duration.ofHours(1)))
    .aggregate(
      () => ({ count: 0, total: 0 }),
      (key, value, agg) => ({
        count: agg.count + 1,
        total: agg.total + value.amount,
      }),
    )

  hourlySales
    .toStream()
    .to(
      'hourly-sales-output',
      Produced.with(WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), hour), Serdes.JSON<HourlySales>()),
    )

  const driver = new TopologyTestDriver(builder.build(), config)
  t.after(() => driver.close())
  const input = driver.createInputTopic('sales-events', Serdes.String(), Serdes.JSON<Sale>())
  input.pipeInput('store-1', { amount: 10 }, 9 * hour + 1000)
  input.pipeInput('store-2', { amount: 5 }, 9 * hour + 2000)
  input.pipeInput('store-1', { amount: 7.5 }, 9 * hour + 59 * 60_000)
  input.pipeInput('store-1', { amount: 100 }, 10 * hour)
  // late by 40 minutes: still inside the old-style 24 h grace of TimeWindows.of, so it counts
  input.pipeInput('store-1', { amount: 2.5 }, 9 * hour + 20 * 60_000)

  const output = driver.createOutputTopic(
    'hourly-sales-output',
    WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), hour),
    Serdes.JSON<HourlySales>(),
  )
  const results = output.readKeyValuesToList().map(({ key, value }) => {
    const windowed = key as Windowed<string>
    return `${windowed.key} ${windowed.window.start / hour}h-${windowed.window.end / hour}h count=${value?.count} total=${value?.total}`
  })
  assert.deepEqual(results, [
    'store-1 9h-10h count=1 total=10',
    'store-2 9h-10h count=1 total=5',
    'store-1 9h-10h count=2 total=17.5',
    'store-1 10h-11h count=1 total=100',
    'store-1 9h-10h count=3 total=20',
  ])

  const store = driver.getWindowStore<string, HourlySales>('KSTREAM-AGGREGATE-STATE-STORE-0000000001')
  assert.deepEqual(store?.fetch('store-1', 9 * hour), { count: 3, total: 20 })
})

test('Stores.persistentKeyValueStore(...).withCachingEnabled().withLoggingEnabled() in a custom processor', (t) => {
  const storeBuilder = Stores.persistentKeyValueStore('my-store').withCachingEnabled().withLoggingEnabled()
  const topology = new Topology()
    .addSource('source', 'clicks')
    .addProcessor<string, Sale, string, number>(
      'totals',
      () => {
        let context: ProcessorContext<string, number>
        let store: KeyValueStore<string, number>
        return {
          init(c) {
            context = c
            store = c.getStateStore('my-store')
          },
          process(record) {
            const total = (store.get(record.key) ?? 0) + record.value.amount
            store.put(record.key, total)
            context.forward(new Record(record.key, total, record.timestamp))
          },
        }
      },
      'source',
    )
    .addStateStore(storeBuilder, 'totals')
    .addSink('sink', 'totals-out', 'totals')
  const driver = new TopologyTestDriver(topology, config)
  t.after(() => driver.close())
  const input = driver.createInputTopic('clicks', Serdes.String(), Serdes.JSON<Sale>())
  input.pipeInput('u1', { amount: 3 })
  input.pipeInput('u1', { amount: 4 })
  input.pipeInput('u2', { amount: 1 })
  assert.deepEqual(driver.createOutputTopic('totals-out', Serdes.String(), Serdes.JSON()).readValuesToList(), [3, 7, 1])
  assert.equal(driver.getKeyValueStore<string, number>('my-store')?.get('u1'), 7)
  // the cache flushes at each commit, and the change-logging layer writes the changelog topic
  assert.deepEqual(
    driver.createOutputTopic('sales-my-store-changelog', Serdes.String(), Serdes.JSON()).readKeyValuesToList(),
    [
      { key: 'u1', value: 3 },
      { key: 'u1', value: 7 },
      { key: 'u2', value: 1 },
    ],
  )
})

interface Click {
  userId: string
  page: string
  timestamp: number
}
interface Session {
  clicks: Click[]
  duration: number
  pages: Set<string>
}

test('user sessions: clicks regrouped by user into 30-minute sessions, as the guide writes it', (t) => {
  const builder = new StreamsBuilder()
  const clickStream = builder.stream<string, Click>('user-clicks')

  // 30분 세션 윈도우로 사용자 활동 추적
  const userSessions = clickStream
    .groupBy((key, value) => value.userId)
    .windowedBy(SessionWindows.with(Duration.ofMinutes(30)))
    .aggregate(
      (): Session => ({
        clicks: [],
        duration: 0,
        pages: new Set(),
      }),
      (userId, click, session) => ({
        clicks: [...session.clicks, click],
        duration: click.timestamp - (session.clicks[0]?.timestamp as number) || 0,
        pages: session.pages.add(click.page),
      }),
    )
  userSessions
    .toStream()
    .to('sessions', Produced.with(WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String()), Serdes.JSON<Session>()))

  const driver = new TopologyTestDriver(builder.build(), {
    applicationId: 'clicks',
    defaultKeySerde: 'string',
    defaultValueSerde: 'json',
  })
  t.after(() => driver.close())
  const input = driver.createInputTopic('user-clicks', Serdes.String(), Serdes.JSON<Click>())
  const minute = 60_000
  const click = (userId: string, page: string, at: number): void =>
    input.pipeInput(`device-${userId}`, { userId, page, timestamp: at }, at)
  click('u1', '/home', 0)
  click('u1', '/cart', 10 * minute)
  click('u2', '/home', 12 * minute)
  click('u1', '/home', 25 * minute)
  click('u1', '/pay', 2 * 60 * minute) // more than 30 minutes later: a new session

  const sessions = driver
    .createOutputTopic('sessions', WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String()), Serdes.JSON<Session>())
    .readKeyValuesToList()
    .filter(({ value }) => value !== null) // a session that grows is replaced: its old window is deleted
    .map(
      ({ key, value }) =>
        `${key?.key} ${(key?.window.start ?? 0) / minute}-${(key?.window.end ?? 0) / minute}m clicks=${value?.clicks.length} pages=${[...(value?.pages ?? [])].join(',')} duration=${(value?.duration ?? 0) / minute}m`,
    )
  assert.deepEqual(sessions, [
    'u1 0-0m clicks=1 pages=/home duration=0m',
    'u1 0-10m clicks=2 pages=/home,/cart duration=10m',
    'u2 12-12m clicks=1 pages=/home duration=0m',
    'u1 0-25m clicks=3 pages=/home,/cart duration=25m',
    'u1 120-120m clicks=1 pages=/pay duration=0m',
  ])
})

test('a session aggregation without a merger says so when a record bridges two sessions', (t) => {
  const builder = new StreamsBuilder()
  builder
    .stream<string, string>('in')
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(1000))
    .aggregate(
      () => '',
      (key, value, agg) => agg + value,
    )
  const driver = new TopologyTestDriver(builder.build(), {
    applicationId: 'bridge',
    defaultKeySerde: 'string',
    defaultValueSerde: 'string',
  })
  t.after(() => driver.close())
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String())
  input.pipeInput('k', 'a', 0)
  input.pipeInput('k', 'b', 500) // joins the session: fine without a merger
  input.pipeInput('k', 'c', 2000)
  assert.throws(
    () => input.pipeInput('k', 'd', 1200),
    /bridged two sessions of a key, and this session aggregation has no merger/,
  )
})

test("the guide's order-payment join: orders paid within 10 minutes either side", (t) => {
  interface Order {
    id: string
    amount: number
  }
  interface Payment {
    method: string
    timestamp: number
  }
  const builder = new StreamsBuilder()

  // 주문과 결제 조인
  const orders = builder.stream<string, Order>('orders')
  const payments = builder.stream<string, Payment>('payments')

  const paidOrders = orders.join(
    payments,
    (order: Order, payment: Payment) => ({
      orderId: order.id,
      amount: order.amount,
      paymentMethod: payment.method,
      paidAt: payment.timestamp,
    }),
    JoinWindows.of(Duration.ofMinutes(10)),
  )

  paidOrders.to('paid-orders')
  const driver = new TopologyTestDriver(builder.build(), config)
  t.after(() => driver.close())
  const minute = 60_000
  const orderTopic = driver.createInputTopic('orders', Serdes.String(), Serdes.JSON<Order>())
  const paymentTopic = driver.createInputTopic('payments', Serdes.String(), Serdes.JSON<Payment>())
  orderTopic.pipeInput('o1', { id: 'o1', amount: 30 }, 0)
  orderTopic.pipeInput('o2', { id: 'o2', amount: 12 }, 0)
  paymentTopic.pipeInput('o1', { method: 'card', timestamp: 9 * minute }, 9 * minute) // within 10 minutes
  paymentTopic.pipeInput('o2', { method: 'cash', timestamp: 11 * minute }, 11 * minute) // too late
  orderTopic.pipeInput('o3', { id: 'o3', amount: 5 }, 20 * minute)
  paymentTopic.pipeInput('o3', { method: 'card', timestamp: 15 * minute }, 15 * minute) // out of order, still within
  const out = driver.createOutputTopic('paid-orders', Serdes.String(), Serdes.JSON()).readRecordsToList()
  assert.deepEqual(
    out.map((r) => [r.key, r.value, r.timestamp]),
    [
      ['o1', { orderId: 'o1', amount: 30, paymentMethod: 'card', paidAt: 9 * minute }, 9 * minute],
      ['o3', { orderId: 'o3', amount: 5, paymentMethod: 'card', paidAt: 15 * minute }, 20 * minute],
    ],
  )
})

test("the guide's stream1.join(stream2, merge, JoinWindows.of(5 minutes))", (t) => {
  const builder = new StreamsBuilder()
  const stream1 = builder.stream<string, { a?: number; b?: number }>('left')
  const stream2 = builder.stream<string, { a?: number; b?: number }>('right')

  // Join - 조인
  stream1
    .join(
      stream2,
      (value1: { a?: number }, value2: { b?: number }) => ({ ...value1, ...value2 }),
      JoinWindows.of(Duration.ofMinutes(5)),
    )
    .to('joined')
  const driver = new TopologyTestDriver(builder.build(), config)
  t.after(() => driver.close())
  driver.createInputTopic('left', Serdes.String(), Serdes.JSON()).pipeInput('k', { a: 1 }, 0)
  driver.createInputTopic('right', Serdes.String(), Serdes.JSON()).pipeInput('k', { b: 2 }, 5 * 60_000)
  assert.deepEqual(driver.createOutputTopic('joined', Serdes.String(), Serdes.JSON()).readValuesToList(), [
    { a: 1, b: 2 },
  ])
})
