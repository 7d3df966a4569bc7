// Records/s of a windowed count (1-minute tumbling windows over 10,000 keys) through the test driver's
// task: deserialize -> windowed aggregate in a window store -> serialize. No broker.
// With `suppress`, only final counts leave, through suppress(untilWindowCloses).
// Run: npm run bench:windowed-count [-- <records> <in_memory|lmdb> [suppress]]
import { Serdes, StreamsBuilder, Suppressed, TimeWindows, Produced } from '../packages/streams/src/index.ts'
import { benchTask, integerKeyedRecords, runBatches } from './task.ts'

const total = Number(process.argv[2] ?? 500_000)
const engine = process.argv[3] ?? 'lmdb'
const batch = 1000
const keys = 10_000
const commitEvery = 10_000
const suppress = process.argv[4] === 'suppress'

const builder = new StreamsBuilder()
const counts = builder
  .stream<number, string>('events')
  .groupByKey()
  .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
  .count()
;(suppress ? counts.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())) : counts)
  .toStream((windowed) => windowed.key)
  .to('counts', Produced.with(Serdes.Integer(), Serdes.Long()))
const { task, sent, close } = benchTask(builder, {
  defaultKeySerde: 'integer',
  defaultValueSerde: 'string',
  defaultDslStore: engine,
})

const nextBatch = integerKeyedRecords('events', (i) => ({ timestamp: 1_700_000_000_000 + i * 10, key: i % keys }))

const run = (n: number): number => runBatches(task, n, commitEvery, () => [['events', nextBatch(batch)]])

run(Math.min(total / 5, 100_000)) // warm-up
sent.records = 0
const seconds = run(total)
console.log(
  `windowed-count (${engine}${suppress ? ', suppressed' : ''}, cache ${task.context.config.cacheMaxBytes} bytes, commit every ${commitEvery}): ${total.toLocaleString('en')} records in ${seconds.toFixed(2)}s = ` +
    `${Math.round(total / seconds).toLocaleString('en')} records/s (${sent.records.toLocaleString('en')} records produced, changelog included), Node ${process.version}`,
)
close()
