// Records/s of a windowed count (1-minute tumbling windows over 10,000 keys) through the test driver's
// task: deserialize -> windowed aggregate in a window store -> serialize. No broker.
// With `suppress`, only final counts leave, through suppress(untilWindowCloses).
// Run: npm run bench:windowed-count [-- <records> <in_memory|lmdb> [suppress]]
import {
  Headers,
  Serdes,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  Produced,
  resolveConfig,
} from '../packages/streams/src/index.ts'
import type { RawRecord } from '../packages/streams/src/errors/exception-handlers.ts'
import { buildProcessorTopology, StreamTask } from '../packages/streams/src/processor/internals/stream-task.ts'
import { TaskId } from '../packages/streams/src/processor/task-id.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

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
const topology = builder.build()
const internal = topology.internalTopologyBuilder
internal.applicationId = 'bench'
const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-bench-'))
const config = resolveConfig({
  applicationId: 'bench',
  defaultKeySerde: 'integer',
  defaultValueSerde: 'string',
  stateDir,
  defaultDslStore: engine,
})
let produced = 0
const task = new StreamTask(
  new TaskId(0, 0),
  buildProcessorTopology(internal, new Set(internal.nodeFactories.keys())),
  config,
  { send: () => void produced++, partitionsFor: (_topic, partitioner) => partitioner(1) },
  () => Date.now(),
)
task.initialize()

const headers = new Headers()
const value = Buffer.from('x'.repeat(100))
let offset = 0
function nextBatch(): RawRecord[] {
  return Array.from({ length: batch }, () => {
    const i = offset++
    return {
      topic: 'events',
      partition: 0,
      offset: i,
      timestamp: 1_700_000_000_000 + i * 10,
      key: Serdes.Integer()
        .serializer()
        .serialize('events', i % keys),
      value,
      headers,
    }
  })
}

function run(n: number): number {
  const start = process.hrtime.bigint()
  for (let done = 0; done < n; done += batch) {
    task.addRecords('events', 0, nextBatch())
    while (task.process()) {
      /* drain */
    }
    if ((done + batch) % commitEvery === 0) task.flush()
  }
  task.flush()
  return Number(process.hrtime.bigint() - start) / 1e9
}

run(Math.min(total / 5, 100_000)) // warm-up
produced = 0
const seconds = run(total)
console.log(
  `windowed-count (${engine}${suppress ? ', suppressed' : ''}, cache ${config.cacheMaxBytes} bytes, commit every ${commitEvery}): ${total.toLocaleString('en')} records in ${seconds.toFixed(2)}s = ` +
    `${Math.round(total / seconds).toLocaleString('en')} records/s (${produced.toLocaleString('en')} records produced, changelog included), Node ${process.version}`,
)
task.close()
rmSync(stateDir, { recursive: true, force: true })
