import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { test } from 'node:test'
import {
  Consumed,
  Duration,
  JoinWindows,
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  type KafkaStreamsState,
  type StreamsConfigInput,
} from '../../src/index.ts'
import type { Topology } from '../../src/topology.ts'
import { bootstrapServers, uniqueTopic } from './kafka-env.ts'
import { client, createTopics, readAll, stateDir, TestProducer, waitFor } from './streams-harness.ts'

/** Starts an application expected to fail; resolves with the errors its handler saw and its states. */
async function runToError(
  topology: Topology,
  config: Partial<StreamsConfigInput> = {},
): Promise<{ errors: string[]; states: KafkaStreamsState[] }> {
  const dir = stateDir()
  const streams = new KafkaStreams(topology, {
    applicationId: uniqueTopic('errors'),
    bootstrapServers: bootstrapServers(),
    stateDir: dir,
    ...config,
  })
  const errors: string[] = []
  const states: KafkaStreamsState[] = []
  streams.setStateListener((state) => states.push(state))
  streams.setUncaughtExceptionHandler((error) => {
    errors.push(error.message)
    return 'SHUTDOWN_CLIENT'
  })
  await streams.start()
  await waitFor(() => streams.state() === 'ERROR', 60_000, 'state ERROR')
  rmSync(dir, { recursive: true, force: true })
  return { errors, states }
}

test('a missing source topic stops the application with an error naming it', async () => {
  const missing = uniqueTopic('missing-source')
  const builder = new StreamsBuilder()
  builder.stream(missing, Consumed.with(Serdes.String(), Serdes.String())).to(uniqueTopic('out'))
  const { errors, states } = await runToError(builder.build())
  assert.deepEqual(states, ['REBALANCING', 'PENDING_ERROR', 'ERROR'])
  assert.match(errors[0] ?? '', new RegExp(`Missing source topic ${missing}: create it before starting`))
})

test('joined topics with different partition counts stop the application with both counts', async (t) => {
  const admin = client()
  t.after(() => admin.close())
  const left = uniqueTopic('copart-left')
  const right = uniqueTopic('copart-right')
  await createTopics(admin, 2, left)
  await createTopics(admin, 3, right)
  const builder = new StreamsBuilder()
  const serdes = Consumed.with(Serdes.String(), Serdes.String())
  builder
    .stream(left, serdes)
    .join(
      builder.stream(right, serdes),
      (a: string, b: string) => a + b,
      JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofSeconds(1)),
    )
    .to(uniqueTopic('out'))
  const { errors } = await runToError(builder.build())
  assert.match(errors[0] ?? '', /Topics not co-partitioned/)
  assert.ok(errors[0]?.includes(`${left}=2`) && errors[0].includes(`${right}=3`), errors[0])
})

test('unreachable brokers stop the application once taskTimeoutMs has passed', async () => {
  const builder = new StreamsBuilder()
  builder.stream(uniqueTopic('in'), Consumed.with(Serdes.String(), Serdes.String())).to(uniqueTopic('out'))
  const { errors } = await runToError(builder.build(), {
    bootstrapServers: '127.0.0.1:1',
    taskTimeoutMs: 1000,
    requestTimeoutMs: 500,
  })
  assert.match(errors[0] ?? '', /Cannot reach any Kafka broker of bootstrapServers 127\.0\.0\.1:1.*taskTimeoutMs=1000/)
})

test('a record that fails processing stops the application without committing past it', async (t) => {
  const admin = client()
  t.after(() => admin.close())
  const input = uniqueTopic('poison-input')
  const output = uniqueTopic('poison-output')
  await createTopics(admin, 1, input, output)
  const producer = new TestProducer(1)
  for (let i = 0; i < 100; i++) producer.send(input, 'k', i === 60 ? 'poison' : String(i), Date.now())
  await producer.close()
  const app = uniqueTopic('poison')
  const builder = new StreamsBuilder()
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
    .mapValues((v: string) => {
      if (v === 'poison') throw new Error('cannot handle poison')
      return v
    })
    .to(output)
  const { errors } = await runToError(builder.build(), {
    applicationId: app,
    defaultKeySerde: 'string',
    defaultValueSerde: 'string',
  })
  assert.match(errors[0] ?? '', /cannot handle poison/)
  const committed = await admin.committedOffsets(app, [{ topic: input, partition: 0 }])
  const offset = committed.get(`${input}:0`)?.offset ?? 0
  assert.ok(offset <= 60, `committed offset ${offset} is past the failed record at 60`)
  // what was committed was also produced
  const produced = await readAll(admin, output, { quietMs: 500 })
  assert.ok(produced.length >= offset)
})
