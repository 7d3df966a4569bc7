// Records/s of a session-windowed count (5-second inactivity gap over 10,000 keys) through the test
// driver's task: deserialize -> session aggregate (a search of the key's sessions per record, merging)
// in a session store -> serialize. No broker. With the cache on (the default), every search reads the
// record cache's sessions of the key as well as the store's.
// Run: npm run bench:session-count [-- <records> <in_memory|lmdb> [nocache]]
import { Duration, Produced, Serdes, SessionWindows, StreamsBuilder } from '../packages/streams/src/index.ts'
import { benchTask, integerKeyedRecords, runBatches } from './task.ts'

const total = Number(process.argv[2] ?? 200_000)
const engine = process.argv[3] ?? 'in_memory'
const cache = process.argv[4] !== 'nocache'
const batch = 1000
const keys = 10_000
const commitEvery = 10_000

const builder = new StreamsBuilder()
builder
  .stream<number, string>('events')
  .groupByKey()
  .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofSeconds(5)))
  .count()
  .toStream((windowed) => windowed.key)
  .to('counts', Produced.with(Serdes.Integer(), Serdes.Long()))
const { task, sent, close } = benchTask(builder, {
  defaultKeySerde: 'integer',
  defaultValueSerde: 'string',
  defaultDslStore: engine,
  ...(cache ? {} : { cacheMaxBytes: 0 }),
})

const nextBatch = integerKeyedRecords('events', (i) => ({
  // each key comes back every 10,000 records = 2 s, so its session grows; a pause of 10 s every
  // 100,000 records closes them all and new ones start
  timestamp: 1_700_000_000_000 + Math.floor(i / 5) + Math.floor(i / 100_000) * 10_000,
  key: i % keys,
}))

const run = (n: number): number => runBatches(task, n, commitEvery, () => [['events', nextBatch(batch)]])

run(Math.min(total / 5, 50_000)) // warm-up
sent.records = 0
const seconds = run(total)
console.log(
  `session-count (${engine}, cache ${task.context.config.cacheMaxBytes} bytes, commit every ${commitEvery}): ${total.toLocaleString('en')} records in ${seconds.toFixed(2)}s = ` +
    `${Math.round(total / seconds).toLocaleString('en')} records/s (${sent.records.toLocaleString('en')} records produced, changelog included), Node ${process.version}`,
)
close()
