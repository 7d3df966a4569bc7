// The guide's State Store section: a custom processor (Processor API) keeping a running total per user in
// the guide's `Stores.persistentKeyValueStore('my-store').withCachingEnabled().withLoggingEnabled()`.
// The store lives on local disk (lmdb) and every change goes to the changelog topic
// `<applicationId>-my-store-changelog`, from which a new instance restores it (자동 백업/복구).
//
//   npm run example:state-store [-- --exactly-once --seed 7]
import {
  Serdes,
  Stores,
  StreamsBuilder,
  type KeyValueStore,
  type ProcessorContext,
  type ProcessorSupplier,
  type Topology,
} from '@kstreams/streams'
import { exampleArgs, withSuffix } from './lib/example-args.ts'
import { won } from './lib/format.ts'
import { printOutput, runExampleCommand, type GeneratedRecord } from './lib/run-example.ts'
import { seededRandom } from './lib/seeded-random.ts'

/** A card payment, keyed by user. */
export interface Spend {
  amount: number
}

/** What the store keeps, and the processor writes, per user. */
export interface SpendTotal {
  count: number
  total: number
}

export type StateStoreTopics = {
  readonly spending: string
  readonly output: string
}

export const stateStoreTopics: StateStoreTopics = { spending: 'card-spending', output: 'spending-totals' }

export const storeName = 'my-store'

export const spendTotalSerde = Serdes.JSON<SpendTotal>()

/** The changelog topic Kafka Streams writes the store's changes to. */
export function changelogTopic(applicationId: string): string {
  return `${applicationId}-${storeName}-changelog`
}

/** Kafka's Processor API: init() gets the store from the context, process() reads and updates it. */
const runningTotal: ProcessorSupplier<string, Spend, string, SpendTotal> = () => {
  let context: ProcessorContext<string, SpendTotal>
  let store: KeyValueStore<string, SpendTotal>
  return {
    init(processorContext) {
      context = processorContext
      store = processorContext.getStateStore(storeName)
    },
    process(record) {
      const before = store.get(record.key) ?? { count: 0, total: 0 }
      const after = { count: before.count + 1, total: before.total + record.value.amount }
      store.put(record.key, after)
      context.forward(record.withValue(after))
    },
  }
}

export function buildStateStore(topics: StateStoreTopics = stateStoreTopics, builder = new StreamsBuilder()): Topology {
  // RocksDB 설정 최적화 in the guide; here the persistent engine is lmdb
  const storeSupplier = Stores.persistentKeyValueStore(storeName)
    .withCachingEnabled() // 캐싱 활성화
    .withLoggingEnabled() // 변경 로그 활성화
  builder.addStateStore(storeSupplier)

  builder.stream<string, Spend>(topics.spending).process(runningTotal, storeName).to(topics.output)
  return builder.build()
}

export const users = ['user-1', 'user-2', 'user-3', 'user-4', 'user-5'] as const

/** Endless card payments of 1,000 to 50,000 won, one simulated second apart after `start`. */
export function* generateSpending(
  topic: string,
  { seed, start }: { seed: number; start: number },
): Generator<GeneratedRecord> {
  const random = seededRandom(seed)
  for (let n = 1; ; n++) {
    const spend: Spend = { amount: random.int(1, 50) * 1_000 }
    yield { topic, key: random.pick(users), value: spend, timestamp: start + n * 1000 }
  }
}

/** `user-3   payments  12  total ₩312,000` */
export function formatSpendTotal(user: string | null, value: SpendTotal | null): string {
  if (value === null) return `${user} (tombstone)`
  return `${(user ?? '').padEnd(8)} payments ${String(value.count).padStart(4)}  total ${won(value.total)}`
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = exampleArgs(argv, 'npm run example:state-store')
  const topics = withSuffix(stateStoreTopics, args.suffix)
  const applicationId = `spending-totals${args.suffix}`
  console.log(
    `running totals per user in the key-value store '${storeName}' (changelog ${changelogTopic(applicationId)}), ` +
      `${args.processingGuarantee}; generator seed ${args.seed}`,
  )
  await runExampleCommand(args, {
    applicationId,
    topology: buildStateStore(topics),
    topics: [topics.spending, topics.output],
    records: generateSpending(topics.spending, args),
    recordsPerSecond: 5,
    outputs: [printOutput(topics.output, Serdes.String(), spendTotalSerde, formatSpendTotal)],
  })
}

if (import.meta.main) await main()
