import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes, type Windowed } from '@kstreams/streams'
import { TopologyTestDriver } from '@kstreams/streams/test-utils'
import {
  buildHourlySales,
  generateSales,
  hourlySalesKeySerde,
  hourlySalesTopics,
  hourlySalesValueSerde,
  type HourlySales,
  type Sale,
} from '../hourly-sales.ts'
import { HOUR, MINUTE } from '../lib/format.ts'
import { expectedHourlySales, take } from './expected.ts'

const config = { applicationId: 'hourly-sales', defaultKeySerde: 'string', defaultValueSerde: 'json' }
const day = Date.UTC(2026, 0, 31)

function driverFor(t: { after: (fn: () => void) => void }) {
  const driver = new TopologyTestDriver(buildHourlySales(), config)
  t.after(() => driver.close())
  return {
    driver,
    sales: driver.createInputTopic(hourlySalesTopics.sales, Serdes.String(), Serdes.JSON<Sale>()),
    output: driver.createOutputTopic(hourlySalesTopics.output, hourlySalesKeySerde, hourlySalesValueSerde),
  }
}

const line = (key: Windowed<string> | null, value: HourlySales | null): string =>
  `${key?.key} ${((key?.window.start ?? 0) - day) / HOUR}h-${((key?.window.end ?? 0) - day) / HOUR}h ${value?.count}/${value?.total}`

test('counts and sums sales per store and hour, late sales included within the grace period', (t) => {
  const { driver, sales, output } = driverFor(t)
  sales.pipeInput('seoul', { item: 'latte', amount: 5_000 }, day + 9 * HOUR + 1000)
  sales.pipeInput('busan', { item: 'bagel', amount: 3_500 }, day + 9 * HOUR + 2000)
  sales.pipeInput('seoul', { item: 'americano', amount: 4_500 }, day + 9 * HOUR + 59 * MINUTE)
  sales.pipeInput('seoul', { item: 'sandwich', amount: 7_500 }, day + 10 * HOUR)
  // 40 minutes late: TimeWindows.of keeps Kafka's old grace period of 24 hours minus the size, so 9h-10h still
  // takes it
  sales.pipeInput('seoul', { item: 'latte', amount: 10_000 }, day + 9 * HOUR + 20 * MINUTE)

  assert.deepEqual(
    output.readKeyValuesToList().map(({ key, value }) => line(key, value)),
    [
      'seoul 9h-10h 1/5000',
      'busan 9h-10h 1/3500',
      'seoul 9h-10h 2/9500',
      'seoul 10h-11h 1/7500',
      'seoul 9h-10h 3/19500',
    ],
  )
  const store = driver.getWindowStore<string, HourlySales>('KSTREAM-AGGREGATE-STATE-STORE-0000000001')
  assert.deepEqual(store?.fetch('seoul', day + 9 * HOUR), { count: 3, total: 19_500 })
  assert.deepEqual(store?.fetch('busan', day + 10 * HOUR), null)
})

test('a late sale counts until the stream time passes the window end plus the grace of 23 hours', (t) => {
  const { driver, sales, output } = driverFor(t)
  sales.pipeInput('seoul', { item: 'latte', amount: 5_000 }, day + 9 * HOUR)
  sales.pipeInput('seoul', { item: 'latte', amount: 5_000 }, day + 33 * HOUR - 1) // stream time 32:59:59.999
  sales.pipeInput('seoul', { item: 'bagel', amount: 3_500 }, day + 9 * HOUR + 30 * MINUTE) // 9h-10h still open
  sales.pipeInput('seoul', { item: 'latte', amount: 5_000 }, day + 33 * HOUR) // 10h + 23h: 9h-10h closes
  sales.pipeInput('seoul', { item: 'bagel', amount: 3_500 }, day + 9 * HOUR + 40 * MINUTE) // too late: dropped
  assert.deepEqual(
    output.readKeyValuesToList().map(({ key, value }) => line(key, value)),
    ['seoul 9h-10h 1/5000', 'seoul 32h-33h 1/5000', 'seoul 9h-10h 2/8500', 'seoul 33h-34h 1/5000'],
  )
  assert.equal(driver.metrics().droppedRecordsTotal, 1)
})

test("the generator's sales give the totals worked out independently", (t) => {
  const { sales, output } = driverFor(t)
  const records = take(generateSales(hourlySalesTopics.sales, { seed: 11, start: day }), 600)
  for (const record of records) sales.pipeInput(record.key, record.value as Sale, record.timestamp)

  const last = new Map<string, HourlySales | null>()
  for (const { key, value } of output.readKeyValuesToList()) last.set(`${key?.key}@${key?.window.start}`, value)
  const expected = expectedHourlySales(records, HOUR)
  assert.deepEqual(last, expected)
  // 600 sales about 30 s apart span about five hours, over every store, some of them late
  assert.ok(expected.size >= 5 * 4, `windows: ${expected.size}`)
  assert.ok(records.some((r, i) => i > 0 && r.timestamp < (records[i - 1]?.timestamp ?? 0)))
})
