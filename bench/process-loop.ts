// Records/s through a 5-operator stateless topology in one task, no broker:
// deserialize -> filter -> mapValues -> selectKey -> peek -> flatMapValues -> serialize.
// Run: npm run bench:process-loop [-- <records>]
import { Headers, Serdes, StreamsBuilder } from '../packages/streams/src/index.ts'
import type { RawRecord } from '../packages/streams/src/errors/exception-handlers.ts'
import { benchTask } from './task.ts'

const total = Number(process.argv[2] ?? 2_000_000)
const batch = 1000

interface Event {
  user: number
  amount: number
  tag: string
}

const builder = new StreamsBuilder()
builder
  .stream<string, Event>('events')
  .filter((_k, v) => v.amount % 10 !== 0)
  .mapValues((v: Event) => ({ ...v, amount: v.amount * 2 }))
  .selectKey((_k, v) => `user-${v.user}`)
  .peek(() => {})
  .flatMapValues((v: Event) => [v.amount])
  .to('out')
const { task, sent } = benchTask(builder, { defaultKeySerde: 'string', defaultValueSerde: 'json' })

const headers = new Headers()
const inputs: RawRecord[] = Array.from({ length: batch }, (_, i) => ({
  topic: 'events',
  partition: 0,
  offset: i,
  timestamp: 1_700_000_000_000 + i,
  key: Serdes.String()
    .serializer()
    .serialize('events', `k${i % 100}`),
  value: Serdes.JSON()
    .serializer()
    .serialize('events', { user: i % 977, amount: i, tag: 'x'.repeat(40) }),
  headers,
}))

function runOnce(n: number): number {
  const start = process.hrtime.bigint()
  for (let done = 0; done < n; done += batch) {
    task.addRecords('events', 0, inputs)
    while (task.process()) {
      /* drain */
    }
  }
  return Number(process.hrtime.bigint() - start) / 1e9
}

runOnce(Math.min(total / 4, 200_000)) // warm-up
sent.records = 0
sent.bytes = 0
const seconds = runOnce(total)
console.log(
  `process-loop: ${total.toLocaleString('en')} records in ${seconds.toFixed(2)}s = ` +
    `${Math.round(total / seconds).toLocaleString('en')} records/s (${sent.records.toLocaleString('en')} produced, ` +
    `${(sent.bytes / seconds / 1e6).toFixed(1)} MB/s out), Node ${process.version}`,
)
