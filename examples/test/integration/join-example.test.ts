import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes } from '@kstreams/streams'
import {
  buildJoinExample,
  enrichedPurchaseSerde,
  generatePurchases,
  generateReferenceData,
  joinExampleTopics,
  knownProducts,
  knownUsers,
  type EnrichedPurchase,
  type Purchase,
} from '../../join-example.ts'
import { floorToHour, HOUR } from '../../lib/format.ts'
import { output } from '../../lib/run-example.ts'
import { take } from '../expected.ts'
import { eventually, startExample, uniqueId, uniqueTopics } from './helpers.ts'

test('join-example on Kafka: purchases enriched from the users table and the products global table', async (t) => {
  const topics = uniqueTopics(joinExampleTopics)
  const start = floorToHour(Date.now()) - 12 * HOUR
  const records = take(generatePurchases(topics.purchases, { seed: 23, start }), 200)
  const enriched: { key: string | null; value: EnrichedPurchase | null }[] = []
  const running = await startExample(t, {
    applicationId: uniqueId('join-example'),
    topology: buildJoinExample(topics),
    topics: Object.values(topics),
    initialRecords: generateReferenceData(topics, { start }),
    records,
    outputs: [
      output(topics.output, Serdes.String(), enrichedPurchaseSerde, ({ key, value }) => {
        enriched.push({ key, value })
      }),
    ],
  })

  const expected = records.flatMap(({ key, value }) => {
    const { productId, quantity } = value as Purchase
    const product = knownProducts[productId]
    if (product === undefined) return []
    const user = knownUsers[key]
    return [
      {
        key,
        value: {
          productId,
          quantity,
          userName: user?.name ?? null,
          email: user?.email ?? null,
          productName: product.name,
          total: product.price * quantity,
        },
      },
    ]
  })
  assert.ok(expected.length > 100 && expected.some((r) => r.value.userName === null), 'guests and members')
  await eventually(
    running,
    () => enriched.length >= expected.length,
    () => `${enriched.length} of ${expected.length} enriched purchases`,
  )
  // partitions interleave in the output topic; within a user (one partition) the order is kept
  const byUser = (list: readonly { key: string | null; value: EnrichedPurchase | null }[]) => {
    const map = new Map<string | null, (EnrichedPurchase | null)[]>()
    for (const { key, value } of list) map.set(key, [...(map.get(key) ?? []), value])
    return map
  }
  assert.deepEqual(byUser(enriched), byUser(expected))
})
