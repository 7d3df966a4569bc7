// Records/s through a 5-operator stateless topology in one task, no broker:
// deserialize -> filter -> mapValues -> selectKey -> peek -> flatMapValues -> serialize.
// Run: npm run bench:process-loop [-- <records>]
import { Headers, Serdes, StreamsBuilder, resolveConfig } from '../packages/streams/src/index.ts'
import type { RawRecord } from '../packages/streams/src/errors/exception-handlers.ts'
import { buildProcessorTopology, StreamTask } from '../packages/streams/src/processor/internals/stream-task.ts'
import { TaskId } from '../packages/streams/src/processor/task-id.ts'

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
const topology = builder.build()
const internal = topology.internalTopologyBuilder
internal.applicationId = 'bench'
const config = resolveConfig({ applicationId: 'bench', defaultKeySerde: 'string', defaultValueSerde: 'json' })
let produced = 0
let bytes = 0
const task = new StreamTask(
  new TaskId(0, 0),
  buildProcessorTopology(internal, new Set(internal.nodeFactories.keys())),
  config,
  {
    send: (_topic, key, value) => {
      produced++
      bytes += (key?.length ?? 0) + (value?.length ?? 0)
    },
    partitionsFor: (_topic, partitioner) => partitioner(1),
  },
  () => Date.now(),
)
task.initialize()

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
produced = 0
bytes = 0
const seconds = runOnce(total)
console.log(
  `process-loop: ${total.toLocaleString('en')} records in ${seconds.toFixed(2)}s = ` +
    `${Math.round(total / seconds).toLocaleString('en')} records/s (${produced.toLocaleString('en')} produced, ` +
    `${(bytes / seconds / 1e6).toFixed(1)} MB/s out), Node ${process.version}`,
)
