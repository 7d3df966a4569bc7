import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  Duration,
  Produced,
  Record,
  Serdes,
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
