import assert from 'node:assert/strict'
import { test } from 'node:test'
import { KafkaStreams, Produced, Serdes, StreamsBuilder, type StreamsConfigInput } from '../../src/index.ts'
import { TopologyTestDriver } from '../../src/test-utils/index.ts'

// The guide's stateless snippets, as written there (imports and types aside).

interface Sale {
  amount: number
  type?: string
  items?: string[]
}

const config = {
  applicationId: 'my-stream-app',
  bootstrapServers: 'localhost:9092',
  defaultKeySerde: 'string',
  defaultValueSerde: 'json',
}

test('basic structure: filter -> mapValues -> to', (t) => {
  const builder = new StreamsBuilder()
  const sourceStream = builder.stream<string, Sale>('input-topic')
  const processedStream = sourceStream
    .filter((key, value) => value.amount > 100)
    .mapValues((value) => ({
      ...value,
      processed: true,
      timestamp: new Date(0),
    }))
  processedStream.to('output-topic')
  const topology = builder.build()

  const testDriver = new TopologyTestDriver(topology, config)
  t.after(() => testDriver.close())
  const inputTopic = testDriver.createInputTopic('input-topic', Serdes.String(), Serdes.JSON())
  const outputTopic = testDriver.createOutputTopic('output-topic', Serdes.String(), Serdes.JSON())
  inputTopic.pipeInput('key1', { amount: 50 })
  inputTopic.pipeInput('key2', { amount: 150 })
  const output = outputTopic.readRecord()
  assert.equal(output.key, 'key2')
  assert.deepEqual(output.value, { amount: 150, processed: true, timestamp: '1970-01-01T00:00:00.000Z' })
  assert.ok(outputTopic.isEmpty())
})

test('filter, map with { key, value }, flatMap with [key, value] tuples', (t) => {
  const builder = new StreamsBuilder()
  const stream = builder.stream<string, Sale>('sales')
  stream.filter((key, value) => value.amount > 100).to('big')
  stream
    .map((key, value) => {
      return { key: key.toUpperCase(), value: value.amount * 2 }
    })
    .to('doubled', Produced.with(Serdes.String(), Serdes.Integer()))
  stream
    .flatMap((key, value) => {
      return (value.items ?? []).map((item) => [key, item] as const)
    })
    .to('items', Produced.with(Serdes.String(), Serdes.String()))
  const driver = new TopologyTestDriver(builder.build(), config)
  t.after(() => driver.close())
  const input = driver.createInputTopic('sales', Serdes.String(), Serdes.JSON<Sale>())
  input.pipeInput('a', { amount: 120, items: ['x', 'y'] })
  input.pipeInput('b', { amount: 20, items: [] })
  assert.deepEqual(driver.createOutputTopic('big', Serdes.String(), Serdes.JSON()).readKeyValuesToList(), [
    { key: 'a', value: { amount: 120, items: ['x', 'y'] } },
  ])
  assert.deepEqual(driver.createOutputTopic('doubled', Serdes.String(), Serdes.Integer()).readKeyValuesToList(), [
    { key: 'A', value: 240 },
    { key: 'B', value: 40 },
  ])
  assert.deepEqual(driver.createOutputTopic('items', Serdes.String(), Serdes.String()).readValuesToList(), ['x', 'y'])
})

test('branch(...predicates) returns one stream per predicate; a record goes to the first that matches', (t) => {
  const builder = new StreamsBuilder()
  const stream = builder.stream<string, Sale>('sales')
  const branches = stream.branch(
    (key, value) => value.type === 'A', // branch 0
    (key, value) => value.type === 'B', // branch 1
    (key, value) => true, // branch 2 (the rest)
  )
  branches.forEach((branch, i) => branch.to(`branch-${i}`))
  assert.match(builder.build().describe().toString(), /KSTREAM-BRANCH-0000000001[\s\S]*KSTREAM-BRANCHCHILD-0000000002/)

  const driver = new TopologyTestDriver(builder.build(), config)
  t.after(() => driver.close())
  const input = driver.createInputTopic('sales', Serdes.String(), Serdes.JSON<Sale>())
  for (const [key, type] of [
    ['1', 'A'],
    ['2', 'B'],
    ['3', 'C'],
    ['4', 'A'],
  ] as const)
    input.pipeInput(key, { amount: 1, type })
  const keys = (topic: string) =>
    driver
      .createOutputTopic(topic, Serdes.String(), Serdes.JSON())
      .readKeyValuesToList()
      .map((kv) => kv.key)
  assert.deepEqual(keys('branch-0'), ['1', '4'])
  assert.deepEqual(keys('branch-1'), ['2'])
  assert.deepEqual(keys('branch-2'), ['3'])
})

test('through(topic, Produced.with(...).withStreamPartitioner(...)) writes and reads back the topic', (t) => {
  const numPartitions = 4
  const hashCode = (s: string) => [...s].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 0)
  const seen: number[] = []
  const builder = new StreamsBuilder()
  const stream1 = builder.stream<string, Sale>('orders')
  stream1
    .through(
      'repartitioned-topic',
      Produced.with(Serdes.String(), Serdes.JSON<Sale>()).withStreamPartitioner((topic, key, value) => {
        const partition = Math.abs(hashCode(key)) % numPartitions
        seen.push(partition)
        return partition
      }),
    )
    .mapValues((value) => value.amount)
    .to('amounts', Produced.with(Serdes.String(), Serdes.Double()))
  const driver = new TopologyTestDriver(builder.build(), config)
  t.after(() => driver.close())
  driver.createInputTopic('orders', Serdes.String(), Serdes.JSON<Sale>()).pipeInput('k', { amount: 9.5 })
  assert.deepEqual(driver.createOutputTopic('amounts', Serdes.String(), Serdes.Double()).readKeyValuesToList(), [
    { key: 'k', value: 9.5 },
  ])
  assert.equal(seen.length, 1)
  assert.ok(driver.producedTopicNames().has('repartitioned-topic'))
})

test('the processing-guarantee snippet: exactly_once_v2 is taken, a transactionalId is ignored with a warning', (t) => {
  const base: StreamsConfigInput = {
    applicationId: 'my-stream-app',
    bootstrapServers: 'localhost:9092',
    defaultKeySerde: 'string',
    defaultValueSerde: 'json',
  }
  const warn = t.mock.method(console, 'warn', () => undefined)
  const builder = new StreamsBuilder()
  builder.stream<string, Sale>('input-topic').to('output-topic')
  // the guide sets these on its config object
  const config: StreamsConfigInput = { ...base }
  config.processingGuarantee = 'exactly_once_v2'
  config.transactionalId = 'my-transactional-id'
  const streams = new KafkaStreams(builder.build(), config)
  assert.equal(streams.state(), 'CREATED')
  assert.equal(warn.mock.callCount(), 1)
  assert.match(String(warn.mock.calls[0]?.arguments[0]), /transactionalId "my-transactional-id" is ignored/)

  assert.throws(
    () => new KafkaStreams(builder.build(), { ...base, processingGuarantee: 'exactly_once' as 'exactly_once_v2' }),
    /processingGuarantee must be 'at_least_once' or 'exactly_once_v2', got "exactly_once"/,
  )
})
