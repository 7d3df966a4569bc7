import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes } from '@kstreams/streams'
import { TopologyTestDriver } from '@kstreams/streams/test-utils'
import {
  buildJoinExample,
  enrichedPurchaseSerde,
  generatePurchases,
  generateReferenceData,
  joinExampleTopics,
  knownProducts,
  knownUsers,
  type Product,
  type Purchase,
  type User,
} from '../join-example.ts'
import { take } from './expected.ts'

const config = { applicationId: 'join-example', defaultKeySerde: 'string', defaultValueSerde: 'json' }
const t0 = Date.UTC(2026, 0, 31, 9)

function setUp(t: { after: (fn: () => void) => void }) {
  const driver = new TopologyTestDriver(buildJoinExample(), config)
  t.after(() => driver.close())
  return {
    purchases: driver.createInputTopic(joinExampleTopics.purchases, Serdes.String(), Serdes.JSON<Purchase>()),
    users: driver.createInputTopic(joinExampleTopics.users, Serdes.String(), Serdes.JSON<User>()),
    products: driver.createInputTopic(joinExampleTopics.products, Serdes.String(), Serdes.JSON<Product>()),
    output: driver.createOutputTopic(joinExampleTopics.output, Serdes.String(), enrichedPurchaseSerde),
  }
}

test('purchases get the current user profile (or null) and the product; unknown products are dropped', (t) => {
  const { purchases, users, products, output } = setUp(t)
  products.pipeInput('p-1', { name: 'mouse', price: 35_000 }, t0)
  users.pipeInput('u1', { name: 'Kim Minji', email: 'minji@example.com' }, t0)

  purchases.pipeInput('u1', { productId: 'p-1', quantity: 2 }, t0 + 1000)
  purchases.pipeInput('guest', { productId: 'p-1', quantity: 1 }, t0 + 2000) // no profile: left join keeps it
  purchases.pipeInput('u1', { productId: 'p-9', quantity: 1 }, t0 + 3000) // no such product: inner join drops it
  users.pipeInput('u1', { name: 'Kim Minji', email: 'minji@new.example.com' }, t0 + 4000) // the table changes
  purchases.pipeInput('u1', { productId: 'p-1', quantity: 1 }, t0 + 5000)

  assert.deepEqual(output.readKeyValuesToList(), [
    {
      key: 'u1',
      value: {
        productId: 'p-1',
        quantity: 2,
        userName: 'Kim Minji',
        email: 'minji@example.com',
        productName: 'mouse',
        total: 70_000,
      },
    },
    {
      key: 'guest',
      value: { productId: 'p-1', quantity: 1, userName: null, email: null, productName: 'mouse', total: 35_000 },
    },
    {
      key: 'u1',
      value: {
        productId: 'p-1',
        quantity: 1,
        userName: 'Kim Minji',
        email: 'minji@new.example.com',
        productName: 'mouse',
        total: 35_000,
      },
    },
  ])
  // a table update by itself writes nothing: only the stream side triggers a stream-table join
  assert.ok(output.isEmpty())
})

test("the generator's purchases, after its reference data", (t) => {
  const { purchases, users, products, output } = setUp(t)
  for (const { topic, key, value, timestamp } of generateReferenceData(joinExampleTopics, { start: t0 })) {
    if (topic === joinExampleTopics.users) users.pipeInput(key, value as User, timestamp)
    else products.pipeInput(key, value as Product, timestamp)
  }
  const records = take(generatePurchases(joinExampleTopics.purchases, { seed: 4, start: t0 }), 300)
  for (const { key, value, timestamp } of records) purchases.pipeInput(key, value as Purchase, timestamp)

  const expected = records.flatMap(({ key, value }) => {
    const { productId, quantity } = value as Purchase
    const product = knownProducts[productId]
    if (product === undefined) return []
    const user = knownUsers[key]
    const enriched = {
      productId,
      quantity,
      userName: user?.name ?? null,
      email: user?.email ?? null,
      productName: product.name,
      total: product.price * quantity,
    }
    return [{ key, value: enriched }]
  })
  assert.deepEqual(output.readKeyValuesToList(), expected)
  assert.ok(expected.length < records.length, 'some purchases are of unknown products')
  assert.ok(
    expected.some((r) => r.value.userName === null),
    'some purchases are by guests',
  )
})
