// Records/s of `npm run bench`'s window store scenario without a broker, through the test driver's task:
// for every record a processor fetches the keys key-10..key+10 over ts-1 s..ts+1 s from a window store
// (windows of 1 s, retention 3 s, 10,000 Integer keys, 10,000 records per second of event time), then
// puts the record. With the cache on (the default), every fetch merges the record cache's entries in
// that range with the store's, so this measures the cache's range reads as the cache fills.
// Run: npm run bench:window-range-fetch [-- <records> <lmdb|in_memory> [nocache]]
import { Serdes, Stores, StreamsBuilder } from '../packages/streams/src/index.ts'
import type { WindowStore } from '../packages/streams/src/state/window-store.ts'
import { benchTask, integerKeyedRecords, runBatches } from './task.ts'

const total = Number(process.argv[2] ?? 50_000)
const engine = process.argv[3] ?? 'lmdb'
const cache = process.argv[4] !== 'nocache'
const batch = 1000
const keys = 10_000
const commitEvery = 10_000

const supplier =
  engine === 'lmdb'
    ? Stores.persistentWindowStore('store', 3000, 1000)
    : Stores.inMemoryWindowStore('store', 3000, 1000)
const builder = new StreamsBuilder()
builder.addStateStore(Stores.windowStoreBuilder(supplier, Serdes.Integer(), Serdes.ByteArray()).withCachingEnabled())
let read = 0
builder.stream<number, Buffer>('events').process<number, Buffer>(() => {
  let store: WindowStore<number, Buffer>
  return {
    init(context) {
      store = context.getStateStore<WindowStore<number, Buffer>>('store')
    },
    process(record) {
      const found = store.fetchKeyRange(
        Math.max(0, record.key - 10),
        record.key + 10,
        record.timestamp - 1000,
        record.timestamp + 1000,
      )
      try {
        while (found.hasNext()) {
          found.next()
          read++
        }
      } finally {
        found.close()
      }
      store.put(record.key, record.value, record.timestamp)
    },
  }
}, 'store')
const { task, close } = benchTask(builder, {
  defaultKeySerde: 'integer',
  defaultValueSerde: 'bytes',
  ...(cache ? {} : { cacheMaxBytes: 0 }),
})

// every key once per 10,000 records, in a scattered order
const nextBatch = integerKeyedRecords('events', (i) => ({
  timestamp: 1_700_000_000_000 + Math.floor(i / 10),
  key: (i * 7919) % keys,
}))

const run = (n: number): number => runBatches(task, n, commitEvery, () => [['events', nextBatch(batch)]])

const seconds = run(total)
console.log(
  `window-range-fetch (${engine}, cache ${task.context.config.cacheMaxBytes} bytes, commit every ${commitEvery}): ` +
    `${total.toLocaleString('en')} records in ${seconds.toFixed(2)}s = ${Math.round(total / seconds).toLocaleString('en')} records/s ` +
    `(${read.toLocaleString('en')} windows read), Node ${process.version}`,
)
close()
