import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes } from '@kstreams/streams'
import { TopologyTestDriver } from '@kstreams/streams/test-utils'
import {
  buildStateStore,
  changelogTopic,
  generateSpending,
  spendTotalSerde,
  stateStoreTopics,
  storeName,
  type Spend,
  type SpendTotal,
} from '../state-store.ts'
import { take } from './expected.ts'

const config = { applicationId: 'spending-totals', defaultKeySerde: 'string', defaultValueSerde: 'json' }

function setUp(t: { after: (fn: () => void) => void }) {
  const driver = new TopologyTestDriver(buildStateStore(), config)
  t.after(() => driver.close())
  return {
    driver,
    spending: driver.createInputTopic(stateStoreTopics.spending, Serdes.String(), Serdes.JSON<Spend>()),
    totals: driver.createOutputTopic(stateStoreTopics.output, Serdes.String(), spendTotalSerde),
    changelog: driver.createOutputTopic(changelogTopic(config.applicationId), Serdes.String(), spendTotalSerde),
  }
}

test('the processor keeps a running total per user in the store, and the store logs every change', (t) => {
  const { driver, spending, totals, changelog } = setUp(t)
  spending.pipeInput('user-1', { amount: 3_000 })
  spending.pipeInput('user-1', { amount: 4_000 })
  spending.pipeInput('user-2', { amount: 1_000 })

  assert.deepEqual(totals.readKeyValuesToList(), [
    { key: 'user-1', value: { count: 1, total: 3_000 } },
    { key: 'user-1', value: { count: 2, total: 7_000 } },
    { key: 'user-2', value: { count: 1, total: 1_000 } },
  ])
  const store = driver.getKeyValueStore<string, SpendTotal>(storeName)
  assert.deepEqual(store?.get('user-1'), { count: 2, total: 7_000 })
  assert.equal(store?.get('user-3'), null)
  // the cache forwards its changes to the change-logging layer at each commit (after each record here)
  assert.deepEqual(changelog.readKeyValuesToList(), [
    { key: 'user-1', value: { count: 1, total: 3_000 } },
    { key: 'user-1', value: { count: 2, total: 7_000 } },
    { key: 'user-2', value: { count: 1, total: 1_000 } },
  ])
})

test("the generator's payments: the store holds each user's count and sum", (t) => {
  const { driver, spending, totals } = setUp(t)
  const records = take(generateSpending(stateStoreTopics.spending, { seed: 8, start: Date.UTC(2026, 0, 31) }), 300)
  for (const { key, value, timestamp } of records) spending.pipeInput(key, value as Spend, timestamp)

  const expected = new Map<string, SpendTotal>()
  for (const { key, value } of records) {
    const before = expected.get(key) ?? { count: 0, total: 0 }
    expected.set(key, { count: before.count + 1, total: before.total + (value as Spend).amount })
  }
  const store = driver.getKeyValueStore<string, SpendTotal>(storeName)
  for (const [user, total] of expected) assert.deepEqual(store?.get(user), total, user)
  assert.equal(totals.readKeyValuesToList().length, records.length)
})
