// One stream task over a built topology, without a broker: what the benchmarks drive.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RawRecord } from '../packages/streams/src/errors/exception-handlers.ts'
import {
  Headers,
  resolveConfig,
  Serdes,
  type StreamsBuilder,
  type StreamsConfigInput,
} from '../packages/streams/src/index.ts'
import { buildProcessorTopology, StreamTask } from '../packages/streams/src/processor/internals/stream-task.ts'
import { TaskId } from '../packages/streams/src/processor/task-id.ts'

export interface BenchTask {
  readonly task: StreamTask
  /** Records sent to any topic (outputs, changelogs, repartition topics) and their key + value bytes. */
  readonly sent: { records: number; bytes: number }
  /** Closes the task and deletes its state directory. */
  readonly close: () => void
}

export function benchTask(builder: StreamsBuilder, config: Omit<StreamsConfigInput, 'applicationId'>): BenchTask {
  const internal = builder.build().internalTopologyBuilder
  internal.applicationId = 'bench'
  const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-bench-'))
  const sent = { records: 0, bytes: 0 }
  const task = new StreamTask(
    new TaskId(0, 0),
    buildProcessorTopology(internal, new Set(internal.nodeFactories.keys())),
    resolveConfig({ ...config, applicationId: 'bench', stateDir }),
    {
      send: (_topic, key, value) => {
        sent.records++
        sent.bytes += (key?.length ?? 0) + (value?.length ?? 0)
      },
      partitionsFor: (_topic, partitioner) => partitioner(1),
    },
    () => Date.now(),
  )
  task.initialize()
  return {
    task,
    sent,
    close: () => {
      task.close()
      rmSync(stateDir, { recursive: true, force: true })
    },
  }
}

/**
 * Feeds `total` records to the task, a step at a time: the batches `nextBatches` gives (topic and records,
 * all to partition 0), processed to the end, with a commit (`flush`) every `commitEvery` records and at the
 * end. Returns the seconds taken.
 */
export function runBatches(
  task: StreamTask,
  total: number,
  commitEvery: number,
  nextBatches: () => [topic: string, records: RawRecord[]][],
): number {
  const start = process.hrtime.bigint()
  let sinceCommit = 0
  for (let done = 0; done < total;) {
    for (const [topic, records] of nextBatches()) {
      task.addRecords(topic, 0, records)
      done += records.length
      sinceCommit += records.length
    }
    while (task.process()) {
      /* drain */
    }
    if (sinceCommit >= commitEvery) {
      task.flush()
      sinceCommit = 0
    }
  }
  task.flush()
  return Number(process.hrtime.bigint() - start) / 1e9
}

/**
 * Records of `topic`, partition 0, with Integer keys (Java's IntegerSerializer) and 100-byte values, numbered
 * from 0 across calls: each call gives the next `count`, with the time and key `record` gives for a number.
 */
export function integerKeyedRecords(
  topic: string,
  record: (i: number) => { timestamp: number; key: number },
): (count: number) => RawRecord[] {
  const serializer = Serdes.Integer().serializer()
  const headers = new Headers()
  const value = Buffer.alloc(100, 'x')
  let offset = 0
  return (count) =>
    Array.from({ length: count }, () => {
      const i = offset++
      const { timestamp, key } = record(i)
      return { topic, partition: 0, offset: i, timestamp, key: serializer.serialize(topic, key), value, headers }
    })
}
