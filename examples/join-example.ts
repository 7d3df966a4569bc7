// The guide's practice file join-example.js (조인 예제): a stream enriched from a table and from a global
// table. Purchases keyed by user are left-joined with the users KTable (the guide's
// `LEFT JOIN users ON o.userId = u.userId`), then joined with the products GlobalKTable by the
// purchase's product id (a broadcast join: every instance holds the whole table, so no repartitioning).
// The stream-stream join with a join window is order-payment.ts.
//
//   npm run example:join-example [-- --exactly-once --seed 7]
import { Serdes, StreamsBuilder, type Topology } from '@kstreams/streams'
import { exampleArgs, withSuffix } from './lib/example-args.ts'
import { won } from './lib/format.ts'
import { printOutput, runExampleCommand, type GeneratedRecord } from './lib/run-example.ts'
import { seededRandom } from './lib/seeded-random.ts'

/** A purchase, keyed by the user who made it. */
export interface Purchase {
  productId: string
  quantity: number
}

/** A user profile, keyed by user id: the users table. */
export interface User {
  name: string
  email: string
}

/** A product, keyed by product id: the products global table. */
export interface Product {
  name: string
  price: number
}

/** What the joins write, keyed by user id. */
export interface EnrichedPurchase {
  productId: string
  quantity: number
  /** null when the user has no profile (the left join still writes the purchase). */
  userName: string | null
  email: string | null
  productName: string
  total: number
}

type PurchaseWithUser = Omit<EnrichedPurchase, 'productName' | 'total'>

export type JoinExampleTopics = {
  readonly purchases: string
  readonly users: string
  readonly products: string
  readonly output: string
}

export const joinExampleTopics: JoinExampleTopics = {
  purchases: 'purchases',
  users: 'users',
  products: 'products',
  output: 'enriched-purchases',
}

export const enrichedPurchaseSerde = Serdes.JSON<EnrichedPurchase>()

export function buildJoinExample(
  topics: JoinExampleTopics = joinExampleTopics,
  builder = new StreamsBuilder(),
): Topology {
  const purchases = builder.stream<string, Purchase>(topics.purchases)
  // KTable: the latest profile per user, from a topic keyed (and partitioned) like the purchases
  const users = builder.table<string, User>(topics.users)
  // GlobalKTable: all products on every instance, whatever the key of the stream joined with it
  const products = builder.globalTable<string, Product>(topics.products)

  purchases
    // stream-table left join: each purchase with its user's current profile, or null
    .leftJoin(users, (purchase: Purchase, user: User | null): PurchaseWithUser => ({
      ...purchase,
      userName: user?.name ?? null,
      email: user?.email ?? null,
    }))
    // stream-global-table inner join on the product id: purchases of unknown products are dropped
    .join(
      products,
      (userId, purchase) => purchase.productId,
      (purchase: PurchaseWithUser, product: Product): EnrichedPurchase => ({
        ...purchase,
        productName: product.name,
        total: product.price * purchase.quantity,
      }),
    )
    .to(topics.output)
  return builder.build()
}

export const knownUsers: Readonly<Record<string, User>> = {
  'user-1': { name: 'Kim Minji', email: 'minji@example.com' },
  'user-2': { name: 'Lee Jisoo', email: 'jisoo@example.com' },
  'user-3': { name: 'Park Hyun', email: 'hyun@example.com' },
  'user-4': { name: 'Choi Seo', email: 'seo@example.com' },
}

export const knownProducts: Readonly<Record<string, Product>> = {
  'p-100': { name: 'keyboard', price: 89_000 },
  'p-200': { name: 'mouse', price: 35_000 },
  'p-300': { name: 'monitor', price: 329_000 },
  'p-400': { name: 'webcam', price: 59_000 },
}

/** The tables' contents, produced before the application starts (reference data), at `start`. */
export function* generateReferenceData(
  topics: Pick<JoinExampleTopics, 'users' | 'products'>,
  { start }: { start: number },
): Generator<GeneratedRecord> {
  for (const [key, value] of Object.entries(knownUsers)) yield { topic: topics.users, key, value, timestamp: start }
  for (const [key, value] of Object.entries(knownProducts))
    yield { topic: topics.products, key, value, timestamp: start }
}

/**
 * Endless purchases, 20 simulated seconds apart after `start`: mostly by known users of known products;
 * one in eight by a guest without a profile (kept by the left join), one in ten of a product no longer
 * sold (dropped by the inner join).
 */
export function* generatePurchases(
  topic: string,
  { seed, start }: { seed: number; start: number },
): Generator<GeneratedRecord> {
  const random = seededRandom(seed)
  const userIds = Object.keys(knownUsers)
  const productIds = Object.keys(knownProducts)
  for (let n = 1; ; n++) {
    const userId = random.next() < 1 / 8 ? `guest-${random.int(1, 99)}` : random.pick(userIds)
    const productId = random.next() < 1 / 10 ? 'p-999' : random.pick(productIds)
    const purchase: Purchase = { productId, quantity: random.int(1, 3) }
    yield { topic, key: userId, value: purchase, timestamp: start + n * 20_000 }
  }
}

/** `user-2   Lee Jisoo  2 x mouse  ₩70,000` */
export function formatEnrichedPurchase(userId: string | null, value: EnrichedPurchase | null): string {
  if (value === null) return `${userId} (tombstone)`
  const who = value.userName ?? '(no profile)'
  return `${(userId ?? '').padEnd(9)} ${who.padEnd(12)} ${value.quantity} x ${value.productName.padEnd(8)} ${won(value.total)}`
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = exampleArgs(argv, 'npm run example:join-example')
  const topics = withSuffix(joinExampleTopics, args.suffix)
  console.log(
    `purchases joined with the users table (left join) and the products global table (inner join), ` +
      `${args.processingGuarantee}; generator seed ${args.seed}`,
  )
  await runExampleCommand(args, {
    applicationId: `join-example${args.suffix}`,
    topology: buildJoinExample(topics),
    topics: Object.values(topics),
    initialRecords: generateReferenceData(topics, args),
    records: generatePurchases(topics.purchases, args),
    recordsPerSecond: 2,
    outputs: [printOutput(topics.output, Serdes.String(), enrichedPurchaseSerde, formatEnrichedPurchase)],
  })
}

if (import.meta.main) await main()
