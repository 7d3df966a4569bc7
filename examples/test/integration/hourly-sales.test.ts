import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  buildHourlySales,
  generateSales,
  hourlySalesKeySerde,
  hourlySalesTopics,
  hourlySalesValueSerde,
  type HourlySales,
} from '../../hourly-sales.ts'
import { floorToHour, HOUR } from '../../lib/format.ts'
import { output } from '../../lib/run-example.ts'
import { expectedHourlySales, take } from '../expected.ts'
import { eventually, startExample, uniqueId, uniqueTopics } from './helpers.ts'

test('hourly sales on Kafka: the output topic ends with every store-hour total of the sales sent', async (t) => {
  const topics = uniqueTopics(hourlySalesTopics)
  const records = take(generateSales(topics.sales, { seed: 21, start: floorToHour(Date.now()) - 12 * HOUR }), 500)
  const expected = expectedHourlySales(records, HOUR)
  assert.ok(expected.size > 20, `windows: ${expected.size}`)
  const last = new Map<string, HourlySales | null>()
  let results = 0
  const running = await startExample(t, {
    applicationId: uniqueId('hourly-sales'),
    topology: buildHourlySales(topics),
    topics: [topics.sales, topics.output],
    records,
    outputs: [
      output(topics.output, hourlySalesKeySerde, hourlySalesValueSerde, ({ key, value }) => {
        last.set(`${key?.key}@${key?.window.start}`, value)
        results++
      }),
    ],
  })
  assert.equal(running.produced, records.length)
  await eventually(
    running,
    () => [...expected].every(([id, totals]) => last.get(id)?.count === totals.count),
    () => `${last.size} of ${expected.size} windows after ${results} results`,
  )
  assert.deepEqual(last, expected)
})
