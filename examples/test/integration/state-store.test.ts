import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes } from '@kstreams/streams'
import { floorToHour, HOUR } from '../../lib/format.ts'
import { output, type GeneratedRecord } from '../../lib/run-example.ts'
import {
  buildStateStore,
  changelogTopic,
  generateSpending,
  spendTotalSerde,
  stateStoreTopics,
  type Spend,
  type SpendTotal,
} from '../../state-store.ts'
import { take } from '../expected.ts'
import { eventually, startExample, uniqueId, uniqueTopics } from './helpers.ts'

function totals(records: readonly GeneratedRecord[]): Map<string, SpendTotal> {
  const result = new Map<string, SpendTotal>()
  for (const { key, value } of records) {
    const before = result.get(key) ?? { count: 0, total: 0 }
    result.set(key, { count: before.count + 1, total: before.total + (value as Spend).amount })
  }
  return result
}

test('state store on Kafka: a second instance with an empty state directory restores the totals from the changelog', async (t) => {
  const topics = uniqueTopics(stateStoreTopics)
  const applicationId = uniqueId('spending-totals')
  const records = take(generateSpending(topics.spending, { seed: 31, start: floorToHour(Date.now()) - HOUR }), 200)
  const firstHalf = records.slice(0, 100)

  const run = async (input: readonly GeneratedRecord[], expected: Map<string, SpendTotal>) => {
    const last = new Map<string, SpendTotal | null>()
    const changelog = new Map<string, SpendTotal | null>()
    const running = await startExample(t, {
      applicationId,
      topology: buildStateStore(topics),
      topics: [topics.spending, topics.output],
      records: input,
      outputs: [
        output(topics.output, Serdes.String(), spendTotalSerde, ({ key, value }) => last.set(key ?? '', value)),
        output(changelogTopic(applicationId), Serdes.String(), spendTotalSerde, ({ key, value }) =>
          changelog.set(key ?? '', value),
        ),
      ],
    })
    const done = (map: Map<string, SpendTotal | null>) => () =>
      [...expected].every(([user, total]) => map.get(user)?.count === total.count)
    await eventually(running, done(last), () => JSON.stringify([...last]))
    assert.deepEqual(last, expected)
    // the store's changes are in its changelog topic, the last one per user being the store's content
    await eventually(running, done(changelog), () => JSON.stringify([...changelog]))
    assert.deepEqual(changelog, expected)
    await running.close()
  }

  await run(firstHalf, totals(firstHalf))
  // a new instance (runExample gives each a fresh state directory) carries on from the restored store
  await run(records.slice(100), totals(records))
})
