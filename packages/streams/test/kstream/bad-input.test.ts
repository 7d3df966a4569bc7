import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  Consumed,
  HandlerResponse,
  Joined,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  StreamsException,
  TimeWindows,
  Topology,
  TopologyException,
  type ProcessingExceptionHandler,
} from '../../src/index.ts'
import { TopologyTestDriver } from '../../src/test-utils/index.ts'

const config = { applicationId: 'bad-input', defaultKeySerde: 'string', defaultValueSerde: 'string' }

test('topology mistakes fail at build time and say what is wrong', () => {
  const topology = new Topology().addSource('src', 'in')
  assert.throws(() => topology.addSource('src', 'other'), /Processor src is already added/)
  assert.throws(() => topology.addSource('src2', 'in'), /Topic in has already been registered by another source/)
  assert.throws(
    () => topology.addProcessor('p', () => ({ process() {} }), 'missing'),
    /Predecessor processor missing is not added yet for p/,
  )
  assert.throws(() => topology.addProcessor('p', () => ({ process() {} })), /Processor p must have at least one parent/)
  topology.addSink('out', 'out-topic', 'src')
  assert.throws(() => topology.addProcessor('q', () => ({ process() {} }), 'out'), /Sink out cannot be used a parent/)
  assert.throws(() => topology.connectProcessorAndStateStores('src', 'store'), /StateStore store is not added yet/)
  assert.throws(() => new Topology().addSource('p', /in.*/).addSource('q', 'input'), TopologyException)
  const builder = new StreamsBuilder()
  builder.stream('twice')
  builder.stream('twice')
  assert.throws(() => builder.build(), /Topic twice has already been registered/)
  const joining = new StreamsBuilder()
  const graceful = Joined.with<string, string, string>(
    Serdes.String(),
    Serdes.String(),
    Serdes.String(),
  ).withGracePeriod(10)
  assert.throws(
    () =>
      joining
        .stream<string, string>('s')
        .join(joining.table<string, string>('t'), (a: string, b: string | null) => a + String(b), graceful),
    /KTable must be versioned to use a grace period in a stream table join/,
  )
})

test('a processor that throws fails with the task, processor, topic, partition and offset', (t) => {
  const builder = new StreamsBuilder()
  builder
    .stream<string, string>('in')
    .mapValues((v: string) => {
      if (v === 'boom') throw new Error('bad value')
      return v
    })
    .to('out')
  const driver = new TopologyTestDriver(builder.build(), config)
  t.after(() => driver.close())
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String())
  input.pipeInput('k', 'fine')
  assert.throws(
    () => input.pipeInput('k', 'boom'),
    (error: unknown) =>
      error instanceof StreamsException &&
      /taskId=0_0, processor=KSTREAM-MAPVALUES-0000000001, topic=in, partition=0, offset=1: bad value/.test(
        error.message,
      ),
  )
})

test('a processing handler that continues drops the failing record only', (t) => {
  const failures: string[] = []
  const handler: ProcessingExceptionHandler = (context, record, error) => {
    failures.push(`${context.processorNodeId}@${context.offset}:${String(record?.value)}:${(error as Error).message}`)
    return HandlerResponse.CONTINUE
  }
  const builder = new StreamsBuilder()
  builder
    .stream<string, string>('in')
    .filter((k, v) => {
      if (v === 'boom') throw new Error('nope')
      return true
    })
    .to('out')
  const driver = new TopologyTestDriver(builder.build(), { ...config, processingExceptionHandler: handler })
  t.after(() => driver.close())
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String())
  for (const v of ['a', 'boom', 'b']) input.pipeInput('k', v)
  assert.deepEqual(driver.createOutputTopic('out', Serdes.String(), Serdes.String()).readValuesToList(), ['a', 'b'])
  assert.deepEqual(failures, ['KSTREAM-FILTER-0000000001@1:boom:nope'])
})

test('a record that cannot be deserialized fails by default and is skipped with logAndContinue', (t) => {
  const build = () => {
    const builder = new StreamsBuilder()
    builder.stream('in', Consumed.with(Serdes.String(), Serdes.Integer())).to('out', undefined)
    return builder.build()
  }
  const failing = new TopologyTestDriver(build(), config)
  t.after(() => failing.close())
  const raw = failing.createInputTopic('in', Serdes.String(), Serdes.Bytes())
  assert.throws(
    () => raw.pipeInput('k', Buffer.from('xyz')),
    /Deserialization exception handler is set to fail[\s\S]*offset 0/,
  )

  const originalWarn = console.warn
  console.warn = () => {}
  t.after(() => (console.warn = originalWarn))
  const skipping = new TopologyTestDriver(build(), {
    ...config,
    defaultValueSerde: 'integer',
    defaultDeserializationExceptionHandler: 'logAndContinue',
  })
  t.after(() => skipping.close())
  const input = skipping.createInputTopic('in', Serdes.String(), Serdes.Bytes())
  input.pipeInput('a', Buffer.from([0, 0, 0, 1]))
  input.pipeInput('bad', Buffer.from('xyz'))
  input.pipeInput('c', Buffer.from([0, 0, 0, 3]))
  assert.deepEqual(skipping.createOutputTopic('out', Serdes.String(), Serdes.Integer()).readKeyValuesToList(), [
    { key: 'a', value: 1 },
    { key: 'c', value: 3 },
  ])
})

test('bad config is refused with the key and the fix', () => {
  const topology = new Topology().addSource('s', 'in')
  assert.throws(
    () => new TopologyTestDriver(topology, { applicationId: 'bad id!' }),
    /applicationId "bad id!" may contain only/,
  )
  assert.throws(
    () => new TopologyTestDriver(topology, { 'default.key.serde': 'strnig' }),
    /config defaultKeySerde: unknown serde "strnig"/,
  )
  assert.throws(
    () => new TopologyTestDriver(topology, { processingGuarantee: 'exactly_once' as never }),
    /processingGuarantee must be/,
  )
})

test('Java dotted config keys mean the same as camelCase ones', (t) => {
  const builder = new StreamsBuilder()
  builder
    .stream<string, number>('in')
    .mapValues((v: number) => v + 1)
    .to('out')
  const driver = new TopologyTestDriver(builder.build(), {
    'application.id': 'dotted',
    'default.key.serde': 'string',
    'default.value.serde': 'long',
  })
  t.after(() => driver.close())
  driver.createInputTopic('in', Serdes.String(), Serdes.Long()).pipeInput('k', 41)
  assert.equal(driver.createOutputTopic('out', Serdes.String(), Serdes.Long()).readValue(), 42)
})

test('without serdes in config or code, the error names the node and the fix', () => {
  const builder = new StreamsBuilder()
  builder.stream('in').to('out')
  assert.throws(
    () => new TopologyTestDriver(builder.build(), { applicationId: 'x' }),
    /no key serde for source node KSTREAM-SOURCE-0000000000: set defaultKeySerde/,
  )
})

test('a windowed cogroup refuses a missing or misplaced session merger', () => {
  const b = new StreamsBuilder()
  const cogrouped = b
    .stream<string, string>('in')
    .groupByKey()
    .cogroup<string>((_k, v, agg) => agg + v)
  assert.throws(
    () => cogrouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10)).aggregate(() => ''),
    /a session-windowed cogroup needs a merger/,
  )
  assert.throws(
    () =>
      cogrouped.windowedBy(TimeWindows.ofSizeWithNoGrace(10)).aggregate(
        () => '',
        (_k, a, c) => a + c,
      ),
    /a merger only applies to session windows/,
  )
})
