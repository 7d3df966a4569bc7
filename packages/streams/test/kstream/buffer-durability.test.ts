import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  Consumed,
  Grouped,
  Headers,
  Joined,
  Produced,
  Materialized,
  Serdes,
  Stores,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  resolveConfig,
} from '../../src/index.ts'
import { buildProcessorTopology, StreamTask } from '../../src/processor/internals/stream-task.ts'
import { TaskId } from '../../src/processor/task-id.ts'
import { TopologyTestDriver } from '../../src/test-utils/index.ts'

const string = Serdes.String()

test('records waiting in a join grace buffer are still there after the task restarts', (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'kstreams-buffer-'))
  t.after(() => rmSync(stateDir, { recursive: true, force: true }))
  const b = new StreamsBuilder()
  const table = b.table<string, string>('t', Materialized.as(Stores.persistentVersionedKeyValueStore('vt', 60_000)))
  b.stream<string, string>('s')
    .join(
      table,
      (l: string, r: string | null) => `${l}+${String(r)}`,
      Joined.with(string, string, string).withGracePeriod(100),
    )
    .to('out')
  const topology = b.build()
  const internal = topology.internalTopologyBuilder
  internal.applicationId = 'durable'
  const config = resolveConfig({
    applicationId: 'durable',
    defaultKeySerde: 'string',
    defaultValueSerde: 'string',
    stateDir,
  })
  const out: string[] = []
  let offset = 0
  const open = (): StreamTask => {
    const task = new StreamTask(
      new TaskId(0, 0),
      buildProcessorTopology(internal, new Set(internal.nodeFactories.keys())),
      config,
      {
        send: (topic, key, value) => {
          if (topic === 'out') out.push(`${String(key)}=${String(value)}`)
        },
        partitionsFor: (_topic, partitioner) => partitioner(1),
      },
      () => 0,
    )
    task.initialize()
    return task
  }
  const pipe = (task: StreamTask, topic: string, key: string, value: string, timestamp: number): void => {
    const record = {
      topic,
      partition: 0,
      offset: offset++,
      timestamp,
      key: Buffer.from(key),
      value: Buffer.from(value),
    }
    task.addRecords(topic, 0, [{ ...record, headers: new Headers() }])
    while (task.process()) {
      /* drain */
    }
  }

  const first = open()
  pipe(first, 't', 'k', 'old', 500)
  pipe(first, 's', 'k', 'waiting', 1000) // buffered until stream time passes 1100
  assert.deepEqual(out, [])
  first.flush()
  first.close()

  const second = open()
  pipe(second, 't', 'k', 'new', 900) // a late table update the waiting record must see
  pipe(second, 's', 'k', 'later', 1200)
  second.flush()
  second.close()
  assert.deepEqual(out, ['k=waiting+new'])
})

test('the suppression buffer logs what it holds to its changelog, and deletes what it emits', (t) => {
  const b = new StreamsBuilder()
  b.stream<string, string>('in')
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(1000))
    .count()
    .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName('final'))
    .toStream()
    .foreach(() => {})
  const config = { applicationId: 'logged', defaultKeySerde: 'string', defaultValueSerde: 'string' }
  const driver = new TopologyTestDriver(b.build(config), config)
  t.after(() => driver.close())
  const input = driver.createInputTopic('in', string.serializer(), string.serializer())
  input.pipeInput('a', 'x', 100)
  input.pipeInput('b', 'x', 200)
  input.pipeInput('a', 'x', 300)
  const changelog = driver.createOutputTopic('logged-final-store-changelog', Serdes.Bytes(), Serdes.Bytes())
  const entries = new Map<string, boolean>()
  const live = (): number => {
    for (const { key, value } of changelog.readKeyValuesToList())
      entries.set(String(key?.toString('hex')), value !== null)
    return [...entries.values()].filter(Boolean).length
  }
  assert.equal(live(), 2, 'both keys wait in the buffer')
  input.pipeInput('c', 'x', 1500) // closes the first window: both leave the buffer, c enters
  assert.equal(live(), 1)
  assert.equal(entries.size, 3)
})

test('the suppression buffer writes windowed keys with the aggregation key serde, also behind a filter', (t) => {
  const b = new StreamsBuilder()
  b.stream<number, string>('in', Consumed.with(Serdes.Integer(), string))
    .groupByKey(Grouped.with(Serdes.Integer(), string))
    .windowedBy(TimeWindows.ofSizeWithNoGrace(1000))
    .count()
    .filter((_k, count) => count > 0)
    .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
    .toStream((windowed) => windowed.key)
    .to('out', Produced.with(Serdes.Integer(), Serdes.Long()))
  const config = { applicationId: 'typed', defaultKeySerde: 'string', defaultValueSerde: 'string' }
  const driver = new TopologyTestDriver(b.build(config), config)
  t.after(() => driver.close())
  const input = driver.createInputTopic('in', Serdes.Integer().serializer(), string.serializer())
  input.pipeInput(7, 'x', 100)
  input.pipeInput(7, 'x', 200)
  input.pipeInput(8, 'x', 1500)
  const out = driver.createOutputTopic('out', Serdes.Integer().deserializer(), Serdes.Long().deserializer())
  assert.deepEqual(out.readKeyValuesToList(), [{ key: 7, value: 2 }])
})
