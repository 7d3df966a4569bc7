import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  Consumed,
  FailOnInvalidTimestamp,
  LogAndSkipOnInvalidTimestamp,
  Serdes,
  StreamsBuilder,
  UsePartitionTimeOnInvalidTimestamp,
  WallclockTimestampExtractor,
  type TimestampExtractor,
} from '../../src/index.ts'
import { TestRecord, TopologyTestDriver } from '../../src/test-utils/index.ts'

const record = (timestamp: number) => ({ topic: 't', partition: 0, offset: 7, timestamp, key: null, value: null })

test('the built-in extractors treat negative timestamps as Kafka does', (t) => {
  assert.equal(new FailOnInvalidTimestamp().extract(record(5)), 5)
  assert.throws(
    () => new FailOnInvalidTimestamp().extract(record(-1)),
    /t-0 offset 7 has invalid \(negative\) timestamp -1/,
  )
  const warn = console.warn
  console.warn = () => {}
  t.after(() => (console.warn = warn))
  assert.equal(new LogAndSkipOnInvalidTimestamp().extract(record(-1)), -1)
  assert.equal(new UsePartitionTimeOnInvalidTimestamp().extract(record(-1), 42), 42)
  assert.throws(() => new UsePartitionTimeOnInvalidTimestamp().extract(record(-1), -1), /partition time is unknown/)
  const before = Date.now()
  assert.ok(new WallclockTimestampExtractor().extract() >= before)
})

function run(extractor: TimestampExtractor | undefined, config: Record<string, unknown> = {}): number[] {
  const builder = new StreamsBuilder()
  const consumed = extractor
    ? Consumed.with(Serdes.String(), Serdes.String()).withTimestampExtractor(extractor)
    : Consumed.with(Serdes.String(), Serdes.String())
  builder.stream('in', consumed).to('out', undefined)
  const driver = new TopologyTestDriver(builder.build(), {
    applicationId: 'ts',
    defaultKeySerde: 'string',
    defaultValueSerde: 'string',
    ...config,
  })
  try {
    const input = driver.createInputTopic('in', Serdes.String(), Serdes.String())
    input.pipeInput(new TestRecord('a', '1', null, 100))
    input.pipeInput(new TestRecord('b', '2', null, -5))
    input.pipeInput(new TestRecord('c', '3', null, 50))
    return driver
      .createOutputTopic('out', Serdes.String(), Serdes.String())
      .readRecordsToList()
      .map((r) => r.timestamp ?? NaN)
  } finally {
    driver.close()
  }
}

test('per-source and default extractors decide record time; a negative time drops the record', (t) => {
  const warn = console.warn
  console.warn = () => {}
  t.after(() => (console.warn = warn))
  assert.deepEqual(run(new LogAndSkipOnInvalidTimestamp()), [100, 50])
  assert.deepEqual(run(new UsePartitionTimeOnInvalidTimestamp()), [100, 100, 50])
  assert.deepEqual(
    run(undefined, { defaultTimestampExtractor: new UsePartitionTimeOnInvalidTimestamp() }),
    [100, 100, 50],
  )
  assert.throws(() => run(undefined), /invalid \(negative\) timestamp -5/)
})
