// The guide's first worked example, 실시간 매출 집계 (real-time sales totals): sales events keyed by
// store, counted and summed per store and hour.
//
//   npm run example:hourly-sales [-- --exactly-once --seed 7]
import {
  Duration,
  Produced,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  WindowedSerdes,
  type Topology,
  type Windowed,
} from '@kstreams/streams'
import { exampleArgs, withSuffix } from './lib/example-args.ts'
import { formatWindow, HOUR, MINUTE, won } from './lib/format.ts'
import { printOutput, runExampleCommand, type GeneratedRecord } from './lib/run-example.ts'
import { seededRandom } from './lib/seeded-random.ts'

/** A sale, keyed by the store that made it. */
export interface Sale {
  item: string
  amount: number
}

/** What the aggregation keeps per store and hour. */
export interface HourlySales {
  count: number
  total: number
}

export type HourlySalesTopics = {
  readonly sales: string
  readonly output: string
}

/** The guide's topic names. */
export const hourlySalesTopics: HourlySalesTopics = { sales: 'sales-events', output: 'hourly-sales-output' }

/** Keys of the output topic: the store and its hour, in Kafka's binary format for time-windowed keys. */
export const hourlySalesKeySerde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), HOUR)
export const hourlySalesValueSerde = Serdes.JSON<HourlySales>()

export function buildHourlySales(
  topics: HourlySalesTopics = hourlySalesTopics,
  builder = new StreamsBuilder(),
): Topology {
  const salesStream = builder.stream<string, Sale>(topics.sales)

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

  // The key is now Windowed<string>: as in Java, the default string serde cannot write it, so the sink
  // is given the windowed serde.
  hourlySales.toStream().to(topics.output, Produced.with(hourlySalesKeySerde, hourlySalesValueSerde))
  return builder.build()
}

export const stores = ['seoul', 'busan', 'incheon', 'daegu'] as const
const items = [
  { item: 'americano', price: 4_500 },
  { item: 'latte', price: 5_000 },
  { item: 'bagel', price: 3_500 },
  { item: 'sandwich', price: 7_500 },
  { item: 'beans 500g', price: 18_000 },
] as const

/**
 * Endless sales from `start` on, 30 simulated seconds apart on average; one in thirty arrives late (its
 * timestamp 20 to 90 minutes back), which the window's grace period (with TimeWindows.of, 24 hours minus the size: 23 hours)
 * still accepts. Amounts are whole won, so totals are exact.
 */
export function* generateSales(
  topic: string,
  { seed, start }: { seed: number; start: number },
): Generator<GeneratedRecord> {
  const random = seededRandom(seed)
  let clock = start
  for (;;) {
    clock += random.int(10, 50) * 1000
    const { item, price } = random.pick(items)
    const quantity = random.int(1, 3)
    const late = random.next() < 1 / 30 ? random.int(20, 90) * MINUTE : 0
    yield {
      topic,
      key: random.pick(stores),
      value: { item, amount: price * quantity } satisfies Sale,
      timestamp: clock - late,
    }
  }
}

/** One line per result: `seoul   2026-11-23 09:00-10:00  sales  12  total ₩123,500` */
export function formatHourlySales(key: Windowed<string> | null, value: HourlySales | null): string {
  if (key === null) return `(no key) ${JSON.stringify(value)}`
  const window = formatWindow(key.window.start, key.window.end)
  const sales = value === null ? 'deleted' : `sales ${String(value.count).padStart(4)}  total ${won(value.total)}`
  return `${key.key.padEnd(8)} ${window}  ${sales}`
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = exampleArgs(argv, 'npm run example:hourly-sales')
  const topics = withSuffix(hourlySalesTopics, args.suffix)
  console.log(
    `hourly sales per store (TimeWindows.of(1 hour)), ${args.processingGuarantee}; generator seed ${args.seed}, ` +
      `simulated clock from ${new Date(args.start).toISOString()} at about 10 minutes per second`,
  )
  await runExampleCommand(args, {
    applicationId: `hourly-sales${args.suffix}`,
    topology: buildHourlySales(topics),
    topics: [topics.sales, topics.output],
    records: generateSales(topics.sales, args),
    recordsPerSecond: 20,
    outputs: [printOutput(topics.output, hourlySalesKeySerde, hourlySalesValueSerde, formatHourlySales)],
  })
}

if (import.meta.main) await main()
