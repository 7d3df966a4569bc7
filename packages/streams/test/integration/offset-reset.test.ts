import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { test } from 'node:test'
import { tpKey } from '../../src/client/kafka-client.ts'
import { Consumed, KafkaStreams, Produced, Serdes, StreamsBuilder } from '../../src/index.ts'
import { bootstrapServers, uniqueTopic } from './kafka-env.ts'
import { client, createTopics, readAll, stateDir, TestProducer, waitFor } from './streams-harness.ts'

function echo(input: string, output: string, consumed = Consumed.with(Serdes.String(), Serdes.String())) {
  const builder = new StreamsBuilder()
  builder.stream(input, consumed).to(output, Produced.with(Serdes.String(), Serdes.String()))
  return builder.build()
}

test('a committed offset deleted from the log: reading resumes at the earliest offset, with a warning', async (t) => {
  const admin = client()
  const input = uniqueTopic('reset-input')
  const output = uniqueTopic('reset-output')
  await createTopics(admin, 1, input, output)
  const producer = new TestProducer(1)
  const dir = stateDir()
  const applicationId = uniqueTopic('reset-app')
  const config = { applicationId, bootstrapServers: bootstrapServers(), stateDir: dir, commitIntervalMs: 100 }
  const warn = t.mock.method(console, 'warn', () => undefined)
  t.after(async () => {
    await producer.close()
    await admin.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const now = Date.now()
  for (let i = 0; i < 100; i++) producer.send(input, `k${i}`, String(i), now + i)
  await producer.flush()

  const first = new KafkaStreams(echo(input, output), config)
  await first.start()
  await waitFor(() => first.processedRecords === 100, 30_000, 'the first 100 records processed')
  await first.close()

  // 100 more records, then the log start moves past the committed offset (100) to 150
  for (let i = 100; i < 200; i++) producer.send(input, `k${i}`, String(i), now + i)
  await producer.flush()
  await admin.deleteRecords(new Map([[tpKey(input, 0), 150]]))

  const second = new KafkaStreams(echo(input, output), config)
  t.after(() => second.close())
  await second.start()
  await waitFor(() => second.processedRecords === 50, 30_000, 'the 50 records left processed')
  const values = (await readAll(admin, output, { count: 150 })).map((r) => r.value?.toString())
  assert.deepEqual(values, [
    ...Array.from({ length: 100 }, (_, i) => String(i)),
    ...Array.from({ length: 50 }, (_, i) => String(150 + i)),
  ])
  assert.equal(second.state(), 'RUNNING')
  assert.ok(
    warn.mock.calls.some((call) =>
      /offset 100 is gone; reading from the earliest offset 150/.test(String(call.arguments[0])),
    ),
    'a warning names the lost offset and where reading resumed',
  )
})

test('a source with offset reset policy none and no committed offset stops the application, naming the topic', async (t) => {
  const admin = client()
  const input = uniqueTopic('reset-none-input')
  const output = uniqueTopic('reset-none-output')
  await createTopics(admin, 1, input, output)
  const dir = stateDir()
  const errors: string[] = []
  const streams = new KafkaStreams(
    echo(input, output, Consumed.with(Serdes.String(), Serdes.String()).withOffsetResetPolicy('none')),
    { applicationId: uniqueTopic('reset-none'), bootstrapServers: bootstrapServers(), stateDir: dir },
  )
  t.after(async () => {
    await streams.close()
    await admin.close()
    rmSync(dir, { recursive: true, force: true })
  })
  streams.setUncaughtExceptionHandler((error) => {
    errors.push(error.message)
    return 'SHUTDOWN_CLIENT'
  })
  await streams.start()
  await waitFor(() => streams.state() === 'ERROR', 30_000, 'state ERROR')
  assert.match(
    errors[0] ?? '',
    new RegExp(`No valid committed offset for input topic ${input} partition 0 and its offset reset policy is none`),
  )
})
