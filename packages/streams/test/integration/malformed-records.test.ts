// Malformed records among a million good ones: skipped, counted and sent to a dead-letter topic with
// logAndContinue; with logAndFail the application stops at the first one without committing past it.
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { before, test } from 'node:test'
import {
  Consumed,
  DeadLetterQueueHeaders,
  KafkaStreams,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  type KafkaStreamsState,
  type StreamsConfigInput,
} from '../../src/index.ts'
import { defaultPartition } from '../../src/processor/internals/default-partitioner.ts'
import { bootstrapServers, uniqueTopic } from './kafka-env.ts'
import { client, createTopics, lastValues, readAll, stateDir, TestProducer, waitFor } from './streams-harness.ts'

const partitions = 2
const keys = 64
const good = 1_000_000
const malformed = 10_000
/** Every 101st record is malformed: 1,010,000 records hold exactly 10,000 of them. */
const total = good + malformed
const isMalformed = (i: number): boolean => i % 101 === 100
const keyOf = (i: number): string => `k${i % keys}`
const valueOf = (i: number): number => i % 1000
/** A value the Integer deserializer refuses: 3 or 5 bytes instead of 4. */
const malformedBytes = (i: number): Buffer => Buffer.from(i % 2 === 0 ? [1, 2, 3] : [1, 2, 3, 4, 5])

// recent timestamps: the broker's retention would delete records from long ago
const timestamp = Date.now()
const input = uniqueTopic('malformed-input')
/** Expected sum per key of the good values, and where each malformed record landed. */
const sums = new Map<string, number>()
const badAt = new Map<string, { key: string; value: Buffer }>()
const firstBadOffset = new Map<number, number>()
let producedInMs = 0

before(async () => {
  const admin = client()
  try {
    await createTopics(admin, partitions, input)
    const producer = new TestProducer(partitions)
    const started = Date.now()
    const partitionOf = new Map<string, number>()
    const nextOffset = new Array<number>(partitions).fill(0)
    for (let i = 0; i < total; i++) {
      const key = keyOf(i)
      let partition = partitionOf.get(key)
      if (partition === undefined) {
        partition = defaultPartition(Buffer.from(key, 'utf8'), partitions)
        partitionOf.set(key, partition)
      }
      const offset = nextOffset[partition] ?? 0
      nextOffset[partition] = offset + 1
      let value: Buffer
      if (isMalformed(i)) {
        value = malformedBytes(i)
        badAt.set(`${partition}:${offset}`, { key, value })
        if (!firstBadOffset.has(partition)) firstBadOffset.set(partition, offset)
      } else {
        value = Buffer.allocUnsafe(4)
        value.writeInt32BE(valueOf(i))
        sums.set(key, (sums.get(key) ?? 0) + valueOf(i))
      }
      producer.send(input, key, value, timestamp)
      // a flush now and then: bounded memory, and produce requests the broker accepts (1 MiB per batch)
      if (i % 20_000 === 19_999) await producer.flush()
    }
    await producer.flush()
    await producer.close()
    producedInMs = Date.now() - started
  } finally {
    await admin.close()
  }
})

function sumPerKey(output: string) {
  const builder = new StreamsBuilder()
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.Integer()))
    .groupByKey()
    .aggregate(
      () => 0,
      (_key, value: number, sum: number) => sum + value,
      Materialized.with<string, number>(Serdes.String(), Serdes.Long()),
    )
    .toStream()
    .to(output, Produced.with(Serdes.String(), Serdes.Long()))
  return builder.build()
}

function streamsOf(output: string, config: Partial<StreamsConfigInput>): { streams: KafkaStreams; dir: string } {
  const dir = stateDir()
  const streams = new KafkaStreams(sumPerKey(output), {
    applicationId: uniqueTopic('malformed'),
    bootstrapServers: bootstrapServers(),
    stateDir: dir,
    commitIntervalMs: 1000,
    ...config,
  })
  return { streams, dir }
}

test('logAndContinue processes every good record and sends each malformed one to the dead-letter topic', async (t) => {
  const admin = client()
  const output = uniqueTopic('malformed-sums')
  const dlq = uniqueTopic('malformed-dlq')
  await createTopics(admin, partitions, output)
  await createTopics(admin, 1, dlq)
  // logAndContinue logs a warning per skipped record: 10,000 of them
  const warn = console.warn
  let warnings = 0
  console.warn = () => {
    warnings++
  }
  const { streams, dir } = streamsOf(output, {
    defaultDeserializationExceptionHandler: 'logAndContinue',
    errorsDeadLetterQueueTopicName: dlq,
  })
  t.after(async () => {
    console.warn = warn
    await streams.close()
    rmSync(dir, { recursive: true, force: true })
    await admin.close()
  })
  const errors: Error[] = []
  streams.setUncaughtExceptionHandler((error) => {
    errors.push(error)
    return 'SHUTDOWN_CLIENT'
  })
  const started = Date.now()
  await streams.start()
  const done = () => streams.metrics().processedRecordsTotal + streams.metrics().droppedRecordsTotal >= total
  await waitFor(() => done() || errors.length > 0, 120_000, `${total} records processed or dropped`)
  assert.deepEqual(errors, [])
  t.diagnostic(`produced ${total} records in ${producedInMs} ms, processed them in ${Date.now() - started} ms`)
  assert.deepEqual(streams.metrics(), { processedRecordsTotal: good, droppedRecordsTotal: malformed })
  assert.equal(warnings, malformed)
  await streams.close()
  // the threads are gone; their totals stay
  assert.deepEqual(streams.metrics(), { processedRecordsTotal: good, droppedRecordsTotal: malformed })

  const totals = await lastValues(admin, output)
  assert.equal(totals.size, keys)
  assert.deepEqual(new Map([...totals].sort()), new Map([...sums].sort()))

  const dead = await readAll(admin, dlq, { quietMs: 1000 })
  assert.equal(dead.length, malformed)
  const seen = new Set<string>()
  for (const record of dead) {
    const header = (name: string) => record.headers.lastHeader(name)?.value?.toString('utf8')
    assert.equal(header(DeadLetterQueueHeaders.TOPIC), input)
    assert.equal(header(DeadLetterQueueHeaders.EXCEPTION), 'SerializationException')
    assert.match(header(DeadLetterQueueHeaders.MESSAGE) ?? '', /^Size of data received by IntegerDeserializer is not 4/)
    assert.match(header(DeadLetterQueueHeaders.STACKTRACE) ?? '', /^SerializationException: Size of data received/)
    assert.equal(record.timestamp, timestamp)
    const at = `${header(DeadLetterQueueHeaders.PARTITION)}:${header(DeadLetterQueueHeaders.OFFSET)}`
    const expected = badAt.get(at)
    assert.ok(expected, `a dead-letter record for ${at}, where no malformed record is`)
    assert.ok(!seen.has(at), `two dead-letter records for ${at}`)
    seen.add(at)
    assert.equal(record.key?.toString('utf8'), expected.key)
    assert.deepEqual(record.value, expected.value)
  }
  assert.equal(seen.size, malformed)
})

test('logAndFail stops the application at the first malformed record without committing past it', async (t) => {
  const admin = client()
  const output = uniqueTopic('malformed-fail-sums')
  await createTopics(admin, partitions, output)
  const error = console.error
  console.error = () => {}
  const applicationId = uniqueTopic('malformed-fail')
  const { streams, dir } = streamsOf(output, { applicationId, commitIntervalMs: 0 })
  const errors: Error[] = []
  const states: KafkaStreamsState[] = []
  streams.setStateListener((state) => states.push(state))
  streams.setUncaughtExceptionHandler((e) => {
    errors.push(e)
    return 'SHUTDOWN_CLIENT'
  })
  t.after(async () => {
    console.error = error
    await streams.close()
    rmSync(dir, { recursive: true, force: true })
    await admin.close()
  })
  await streams.start()
  await waitFor(() => streams.state() === 'ERROR', 60_000, 'state ERROR')
  assert.deepEqual(states.slice(-2), ['PENDING_ERROR', 'ERROR'])
  assert.equal(errors.length, 1)
  const match = new RegExp(
    `^Deserialization exception handler is set to fail upon a deserialization error \\(topic ${input}, ` +
      `partition (\\d), offset (\\d+)\\)`,
  ).exec(errors[0]?.message ?? '')
  assert.ok(match, errors[0]?.message)
  const partition = Number(match[1])
  const offset = Number(match[2])
  assert.equal(offset, firstBadOffset.get(partition))
  const committed = await admin.committedOffsets(applicationId, [{ topic: input, partition }])
  const committedOffset = committed.get(`${input}:${partition}`)?.offset ?? 0
  assert.ok(committedOffset <= offset, `committed offset ${committedOffset} is past the malformed record at ${offset}`)
  t.diagnostic(`failed at ${input}:${partition} offset ${offset}, committed offset ${committedOffset}`)
  assert.equal(streams.metrics().droppedRecordsTotal, 0)
})
