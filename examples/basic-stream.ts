// The guide's practice file basic-stream.js (기본 스트림 처리): its application structure (filter ->
// mapValues -> to) and the stateless operations map, flatMap and branch, on one stream of orders.
//
//   npm run example:basic-stream [-- --exactly-once --seed 7]
import { Serdes, StreamsBuilder, type Topology } from '@kstreams/streams'
import { exampleArgs, withSuffix } from './lib/example-args.ts'
import { printOutput, runExampleCommand, type GeneratedRecord } from './lib/run-example.ts'
import { seededRandom } from './lib/seeded-random.ts'

/** An order, keyed by its id. */
export interface Order {
  customer: string
  amount: number
  type: 'A' | 'B' | 'C'
  items: string[]
}

/** What the guide's filter -> mapValues writes to output-topic. */
export interface ProcessedOrder extends Order {
  processed: true
  /** When the order was processed, as an ISO string (a Date in JSON). */
  timestamp: string
}

export type BasicStreamTopics = {
  readonly input: string
  /** Orders over 100, marked processed. */
  readonly output: string
  /** The amount of each order, keyed by its customer in capitals. */
  readonly amountsByCustomer: string
  /** One record per item of each order, keyed by the order's id. */
  readonly items: string
  /** Orders by type: A, B, and the rest. */
  readonly typeA: string
  readonly typeB: string
  readonly otherTypes: string
}

export const basicStreamTopics: BasicStreamTopics = {
  input: 'input-topic',
  output: 'output-topic',
  amountsByCustomer: 'amounts-by-customer',
  items: 'order-items',
  typeA: 'orders-type-a',
  typeB: 'orders-type-b',
  otherTypes: 'orders-other-types',
}

export function buildBasicStream(
  topics: BasicStreamTopics = basicStreamTopics,
  builder = new StreamsBuilder(),
): Topology {
  const sourceStream = builder.stream<string, Order>(topics.input)

  // Filter - 조건에 맞는 레코드만 선택, then a new value per record: the guide's basic structure
  const processedStream = sourceStream
    .filter((key, value) => value.amount > 100)
    .mapValues((value) => ({
      ...value,
      processed: true,
      timestamp: new Date(),
    }))
  processedStream.to(topics.output)

  // Map - 레코드 변환: a new key and a new value
  sourceStream
    .map((key, value) => {
      return { key: value.customer.toUpperCase(), value: value.amount }
    })
    .to(topics.amountsByCustomer)

  // FlatMap - 하나의 레코드를 여러 개로 분할: [key, value] tuples
  sourceStream
    .flatMap((key, value) => {
      return value.items.map((item) => [key, item] as const)
    })
    .to(topics.items)

  // Branch - 스트림 분기: a record goes to the first branch whose predicate matches
  const branches = sourceStream.branch(
    (key, value) => value.type === 'A', // branch 0
    (key, value) => value.type === 'B', // branch 1
    (_key, _value) => true, // branch 2 (나머지)
  )
  branches[0]?.to(topics.typeA)
  branches[1]?.to(topics.typeB)
  branches[2]?.to(topics.otherTypes)

  return builder.build()
}

const customers = ['kim', 'lee', 'park', 'choi', 'jung'] as const
const catalog = ['keyboard', 'mouse', 'monitor', 'cable', 'webcam', 'headset'] as const

/** Endless orders from `start` on, one simulated second apart; amounts from 10 to 300. */
export function* generateOrders(
  topic: string,
  { seed, start }: { seed: number; start: number },
): Generator<GeneratedRecord> {
  const random = seededRandom(seed)
  for (let n = 1; ; n++) {
    const order: Order = {
      customer: random.pick(customers),
      amount: random.int(10, 300),
      type: random.pick(['A', 'B', 'C'] as const),
      items: Array.from({ length: random.int(1, 3) }, () => random.pick(catalog)),
    }
    yield { topic, key: `order-${String(n).padStart(5, '0')}`, value: order, timestamp: start + n * 1000 }
  }
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = exampleArgs(argv, 'npm run example:basic-stream')
  const topics = withSuffix(basicStreamTopics, args.suffix)
  const print = (topic: string) =>
    printOutput(
      topic,
      Serdes.String(),
      Serdes.JSON(),
      (key, value) => `${topic.padEnd(20)} ${key}  ${JSON.stringify(value)}`,
    )
  console.log(
    `stateless operations on ${topics.input}: filter + mapValues, map, flatMap, branch; ${args.processingGuarantee}; ` +
      `generator seed ${args.seed}`,
  )
  await runExampleCommand(args, {
    applicationId: `my-stream-app${args.suffix}`,
    topology: buildBasicStream(topics),
    topics: Object.values(topics),
    records: generateOrders(topics.input, args),
    recordsPerSecond: 2,
    outputs: Object.values(topics)
      .filter((topic) => topic !== topics.input)
      .map(print),
  })
}

if (import.meta.main) await main()
