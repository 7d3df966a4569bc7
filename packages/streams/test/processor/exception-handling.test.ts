import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { KafkaClientError } from '../../src/client/kafka-client.ts'
import {
  ConfigException,
  Consumed,
  DeadLetterQueueHeaders,
  HandlerResponse,
  Headers,
  Produced,
  ProductionHandlerResponse,
  PunctuationType,
  Record,
  Serdes,
  SerializationException,
  StreamsBuilder,
  StreamsException,
  TaskId,
  Topology,
  type ErrorHandlerContext,
  type ProcessingExceptionHandler,
  type ProducedRecord,
  type ProductionExceptionHandler,
  type SerializationExceptionOrigin,
  type StreamsConfigInput,
} from '../../src/index.ts'
import { handleProductionError, type ErrorHandlingContext } from '../../src/processor/internals/exception-handling.ts'
import { resolveConfig } from '../../src/streams-config.ts'
import { TestRecord, TopologyTestDriver } from '../../src/test-utils/index.ts'

const base = { applicationId: 'errors', defaultKeySerde: 'string', defaultValueSerde: 'string' }
const T0 = 1_700_000_000_000

/** The built-in handlers log each failure; tests keep the output quiet. */
function quiet(t: TestContext): void {
  const { warn, error } = console
  console.warn = () => {}
  console.error = () => {}
  t.after(() => {
    console.warn = warn
    console.error = error
  })
}

function driverOf(t: TestContext, topology: Topology, config: StreamsConfigInput): TopologyTestDriver {
  const driver = new TopologyTestDriver(topology, { ...base, ...config }, T0)
  t.after(() => driver.close())
  return driver
}

/** in (String, Integer) -> out (String, Integer). */
function integers(): Topology {
  const builder = new StreamsBuilder()
  builder
    .stream('in', Consumed.with(Serdes.String(), Serdes.Integer()))
    .to('out', Produced.with(Serdes.String(), Serdes.Integer()))
  return builder.build()
}

/** in (String, String) -> mapValues that throws on 'boom' -> out. */
function throwing(): Topology {
  const builder = new StreamsBuilder()
  builder
    .stream<string, string>('in')
    .filter(() => true)
    .mapValues((v: string) => {
      if (v === 'boom') throw new RangeError('cannot map boom')
      return v.toUpperCase()
    })
    .to('out')
  return builder.build()
}

/** in (String, String) -> out with a value serde that cannot write 'unwritable' (and a key serde for 'bad-key'). */
function unserializable(): Topology {
  const refusing = (what: string) => ({
    serializer: () => ({
      serialize: (_topic: string, data: string | null) => {
        if (data === what) throw new SerializationException(`cannot serialize ${what}`)
        return data === null ? null : Buffer.from(data, 'utf8')
      },
    }),
    deserializer: () => Serdes.String().deserializer(),
  })
  const builder = new StreamsBuilder()
  builder.stream<string, string>('in').to('out', Produced.with(refusing('bad-key'), refusing('unwritable')))
  return builder.build()
}

function dlqRecords(driver: TopologyTestDriver, topic = 'dlq'): TestRecord<Buffer, Buffer>[] {
  return driver.createOutputTopic(topic, Serdes.Bytes(), Serdes.Bytes()).readRecordsToList()
}

function text(headers: Headers, key: string): string | null {
  const header = headers.lastHeader(key)
  assert.ok(header, `header ${key} is missing`)
  return header.value === null ? null : header.value.toString('utf8')
}

/** The error headers of a dead-letter record, its stack trace cut to the first line. */
function errorHeaders(record: TestRecord<Buffer, Buffer>): { [name: string]: string | null } {
  return {
    exception: text(record.headers, DeadLetterQueueHeaders.EXCEPTION),
    message: text(record.headers, DeadLetterQueueHeaders.MESSAGE),
    stacktrace: text(record.headers, DeadLetterQueueHeaders.STACKTRACE)?.split('\n')[0] ?? null,
    topic: text(record.headers, DeadLetterQueueHeaders.TOPIC),
    partition: text(record.headers, DeadLetterQueueHeaders.PARTITION),
    offset: text(record.headers, DeadLetterQueueHeaders.OFFSET),
  }
}

function int(n: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeInt32BE(n)
  return bytes
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8')

test('logAndContinue skips a record that cannot be deserialized and counts it dropped', (t) => {
  quiet(t)
  const driver = driverOf(t, integers(), { defaultDeserializationExceptionHandler: 'logAndContinue' })
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.Bytes())
  input.pipeInput('a', int(1))
  input.pipeInput('bad', utf8('xyz'))
  input.pipeInput('b', Buffer.from([0, 0, 0, 0, 2]))
  input.pipeInput('c', int(3))
  assert.deepEqual(driver.createOutputTopic('out', Serdes.String(), Serdes.Integer()).readKeyValuesToList(), [
    { key: 'a', value: 1 },
    { key: 'c', value: 3 },
  ])
  assert.deepEqual(driver.metrics(), { processedRecordsTotal: 2, droppedRecordsTotal: 2 })
  assert.deepEqual([...driver.producedTopicNames()], ['out'])
})

test('logAndFail (the default) throws at the record that cannot be deserialized, naming its offset', (t) => {
  quiet(t)
  const driver = driverOf(t, integers(), {})
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.Bytes())
  input.pipeInput('a', int(1))
  assert.throws(
    () => input.pipeInput('bad', utf8('xyz')),
    (error: unknown) =>
      error instanceof StreamsException &&
      error.message.startsWith(
        'Deserialization exception handler is set to fail upon a deserialization error (topic in, partition 0, ' +
          'offset 1): Size of data received by IntegerDeserializer is not 4 (it is 3).',
      ) &&
      error.cause instanceof SerializationException,
  )
  assert.deepEqual(driver.metrics(), { processedRecordsTotal: 1, droppedRecordsTotal: 0 })
})

test('with a dead-letter topic, logAndContinue sends the raw record there with Kafka error headers', (t) => {
  quiet(t)
  const driver = driverOf(t, integers(), {
    defaultDeserializationExceptionHandler: 'logAndContinue',
    'errors.dead.letter.queue.topic.name': 'dlq',
  })
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.Bytes())
  input.pipeInput('a', int(1), T0 + 1)
  input.pipeInput(new TestRecord('bad', utf8('xyz'), new Headers([['trace', 'abc']]), T0 + 2))
  input.pipeInput('c', int(3), T0 + 3)
  assert.deepEqual(driver.createOutputTopic('out', Serdes.String(), Serdes.Integer()).readValuesToList(), [1, 3])
  const [dead, ...more] = dlqRecords(driver)
  assert.ok(dead)
  assert.equal(more.length, 0)
  assert.deepEqual(dead.key, utf8('bad'))
  assert.deepEqual(dead.value, utf8('xyz'))
  assert.equal(dead.timestamp, T0 + 2)
  // the failed record's headers come first, then Kafka's six
  assert.deepEqual(
    dead.headers.toArray().map((h) => h.key),
    [
      'trace',
      '__streams.errors.exception',
      '__streams.errors.message',
      '__streams.errors.stacktrace',
      '__streams.errors.topic',
      '__streams.errors.partition',
      '__streams.errors.offset',
    ],
  )
  assert.deepEqual(errorHeaders(dead), {
    exception: 'SerializationException',
    message: 'Size of data received by IntegerDeserializer is not 4 (it is 3)',
    stacktrace: 'SerializationException: Size of data received by IntegerDeserializer is not 4 (it is 3)',
    topic: 'in',
    partition: '0',
    offset: '1',
  })
  assert.equal(driver.metrics().droppedRecordsTotal, 1)
})

test('with a dead-letter topic, logAndFail sends the raw record there before it fails', (t) => {
  quiet(t)
  const driver = driverOf(t, integers(), { errorsDeadLetterQueueTopicName: 'dlq' })
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.Bytes())
  input.pipeInput('a', int(1))
  assert.throws(() => input.pipeInput('bad', utf8('12345'), T0 + 5), /offset 1/)
  const dead = dlqRecords(driver)
  assert.equal(dead.length, 1)
  assert.deepEqual([dead[0]?.key, dead[0]?.value, dead[0]?.timestamp], [utf8('bad'), utf8('12345'), T0 + 5])
  assert.equal(errorHeaders(dead[0] as TestRecord<Buffer, Buffer>).offset, '1')
  assert.equal(driver.metrics().droppedRecordsTotal, 0)
})

test('a processing failure sends the source record raw bytes to the dead-letter topic and counts the drop', (t) => {
  quiet(t)
  const driver = driverOf(t, throwing(), {
    processingExceptionHandler: 'logAndContinue',
    errorsDeadLetterQueueTopicName: 'dlq',
  })
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String())
  for (const [i, v] of ['a', 'boom', 'b'].entries()) input.pipeInput(`k${i}`, v, T0 + i)
  assert.deepEqual(driver.createOutputTopic('out', Serdes.String(), Serdes.String()).readValuesToList(), ['A', 'B'])
  const dead = dlqRecords(driver)
  assert.equal(dead.length, 1)
  const record = dead[0] as TestRecord<Buffer, Buffer>
  assert.deepEqual([record.key, record.value, record.timestamp], [utf8('k1'), utf8('boom'), T0 + 1])
  assert.deepEqual(errorHeaders(record), {
    exception: 'RangeError',
    message: 'cannot map boom',
    stacktrace: 'RangeError: cannot map boom',
    topic: 'in',
    partition: '0',
    offset: '1',
  })
  assert.deepEqual(driver.metrics(), { processedRecordsTotal: 3, droppedRecordsTotal: 1 })
})

test('logAndFail processing with a dead-letter topic sends the record, then fails naming the processor', (t) => {
  quiet(t)
  const driver = driverOf(t, throwing(), { errorsDeadLetterQueueTopicName: 'dlq' })
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String())
  input.pipeInput('k', 'a')
  assert.throws(
    () => input.pipeInput('k', 'boom'),
    (error: unknown) =>
      error instanceof StreamsException &&
      error.message ===
        'Exception caught in process. taskId=0_0, processor=KSTREAM-MAPVALUES-0000000002, topic=in, partition=0, ' +
          'offset=1: cannot map boom',
  )
  const dead = dlqRecords(driver)
  assert.deepEqual(
    dead.map((r) => [r.key?.toString(), r.value?.toString()]),
    [['k', 'boom']],
  )
})

function ticking(): Topology {
  return new Topology().addSource('source', 'in').addProcessor(
    'ticker',
    () => ({
      init(context) {
        context.schedule(1000, PunctuationType.WALL_CLOCK_TIME, () => {
          throw new Error('tick failed')
        })
      },
      process() {},
    }),
    'source',
  )
}

test('a punctuator failure goes to the processing handler; its dead-letter record has no key, value or topic', (t) => {
  quiet(t)
  const driver = driverOf(t, ticking(), {
    processingExceptionHandler: 'logAndContinue',
    errorsDeadLetterQueueTopicName: 'dlq',
  })
  driver.advanceWallClockTime(1000)
  const dead = dlqRecords(driver)
  assert.deepEqual(
    dead.map((r) => [r.key, r.value, r.timestamp]),
    [[null, null, T0 + 1000]],
  )
  assert.deepEqual(errorHeaders(dead[0] as TestRecord<Buffer, Buffer>), {
    exception: 'Error',
    message: 'tick failed',
    stacktrace: 'Error: tick failed',
    topic: null,
    partition: '-1',
    offset: '-1',
  })
  assert.equal(driver.metrics().droppedRecordsTotal, 1)

  const failing = driverOf(t, ticking(), {})
  assert.throws(
    () => failing.advanceWallClockTime(1000),
    (error: unknown) =>
      error instanceof StreamsException &&
      error.message === 'Exception caught while punctuating processor ticker, taskId=0_0: tick failed',
  )
})

test('a processor failing on a record a punctuator forwards gets no raw bytes', (t) => {
  quiet(t)
  const seen: ErrorHandlerContext[] = []
  const handler: ProcessingExceptionHandler = (context) => {
    seen.push(context)
    return HandlerResponse.CONTINUE
  }
  const topology = new Topology()
    .addSource('source', 'in')
    .addProcessor(
      'ticker',
      () => ({
        init(context) {
          context.schedule(1000, PunctuationType.WALL_CLOCK_TIME, (time) => {
            context.forward(new Record('tick', 'boom', time))
          })
        },
        process() {},
      }),
      'source',
    )
    .addProcessor(
      'failing',
      () => ({
        process() {
          throw new Error('no ticks here')
        },
      }),
      'ticker',
    )
  const driver = driverOf(t, topology, { processingExceptionHandler: handler })
  driver.createInputTopic('in', Serdes.String(), Serdes.String()).pipeInput('k', 'v')
  driver.advanceWallClockTime(1000)
  assert.equal(seen.length, 1)
  const context = seen[0] as ErrorHandlerContext
  assert.deepEqual(
    [context.topic, context.partition, context.offset, context.sourceRawKey, context.sourceRawValue],
    [null, -1, -1, null, null],
  )
  assert.equal(driver.metrics().droppedRecordsTotal, 1)
})

test('a value that cannot be serialized goes to the production handler: continue drops and counts it', (t) => {
  quiet(t)
  const driver = driverOf(t, unserializable(), {
    productionExceptionHandler: 'continue',
    errorsDeadLetterQueueTopicName: 'dlq',
  })
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String())
  for (const v of ['a', 'unwritable', 'b']) input.pipeInput('k', v, T0)
  assert.deepEqual(driver.createOutputTopic('out', Serdes.String(), Serdes.String()).readValuesToList(), ['a', 'b'])
  assert.deepEqual(driver.metrics(), { processedRecordsTotal: 3, droppedRecordsTotal: 1 })
  // no bytes exist for a record that failed to serialize
  const dead = dlqRecords(driver)
  assert.equal(dead.length, 1)
  assert.deepEqual([dead[0]?.key, dead[0]?.value, dead[0]?.timestamp], [null, null, T0])
  assert.deepEqual(errorHeaders(dead[0] as TestRecord<Buffer, Buffer>), {
    exception: 'SerializationException',
    message: 'cannot serialize unwritable',
    stacktrace: 'SerializationException: cannot serialize unwritable',
    topic: 'in',
    partition: '0',
    offset: '1',
  })
})

test('the default production handler fails on a serialization error, naming topic, sink and cause', (t) => {
  quiet(t)
  // the processing handler does not get a second say on what the production handler decided
  const driver = driverOf(t, unserializable(), { processingExceptionHandler: 'logAndContinue' })
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String())
  input.pipeInput('k', 'a')
  assert.throws(
    () => input.pipeInput('bad-key', 'b'),
    (error: unknown) =>
      error instanceof StreamsException &&
      error.message.startsWith(
        'Error serializing the key of a record for topic out in sink KSTREAM-SINK-0000000001 (check the serdes',
      ) &&
      error.message.endsWith(': cannot serialize bad-key') &&
      error.cause instanceof SerializationException,
  )
  assert.throws(() => input.pipeInput('k', 'unwritable'), /Error serializing the value of a record for topic out/)
  assert.equal(driver.metrics().droppedRecordsTotal, 0)
})

test('a custom production handler sees the origin and the unserialized record; RETRY means FAIL there', (t) => {
  const calls: { origin: SerializationExceptionOrigin | undefined; record: ProducedRecord; node: string }[] = []
  const handler: ProductionExceptionHandler = (context, record, _error, origin) => {
    calls.push({ origin, record, node: context.processorNodeId })
    return record.unserializedValue === 'unwritable'
      ? ProductionHandlerResponse.RETRY
      : ProductionHandlerResponse.CONTINUE
  }
  const driver = driverOf(t, unserializable(), { 'production.exception.handler': handler })
  const input = driver.createInputTopic('in', Serdes.String(), Serdes.String())
  input.pipeInput('bad-key', 'x', T0 + 7)
  assert.throws(() => input.pipeInput('k', 'unwritable'), /Error serializing the value of a record for topic out/)
  assert.deepEqual(
    calls.map(({ origin, record, node }) => [
      origin,
      node,
      record.topic,
      record.key,
      record.value,
      record.unserializedKey,
      record.unserializedValue,
    ]),
    [
      ['KEY', 'KSTREAM-SINK-0000000001', 'out', null, null, 'bad-key', 'x'],
      ['VALUE', 'KSTREAM-SINK-0000000001', 'out', null, null, 'k', 'unwritable'],
    ],
  )
  assert.equal(calls[0]?.record.timestamp, T0 + 7)
  assert.equal(driver.metrics().droppedRecordsTotal, 1)
})

test('a custom handler returns its own dead-letter records, sent whether or not the topic is configured', (t) => {
  const raw: (string | undefined)[] = []
  const handler: ProcessingExceptionHandler = (context, record) => {
    raw.push(`${context.sourceRawKey?.toString()}=${context.sourceRawValue?.toString()}`)
    return {
      response: HandlerResponse.CONTINUE,
      deadLetterQueueRecords: [
        { topic: 'my-dlq', key: utf8('failed'), value: utf8(String(record?.value)) },
        { topic: 'audit', key: null, value: utf8('x'), headers: new Headers([['n', '1']]), timestamp: 5, partition: 0 },
      ],
    }
  }
  const driver = driverOf(t, throwing(), { processingExceptionHandler: handler })
  driver.createInputTopic('in', Serdes.String(), Serdes.String()).pipeInput('k', 'boom', T0 + 100)
  assert.deepEqual(raw, ['k=boom'])
  const mine = dlqRecords(driver, 'my-dlq')
  // no timestamp given: the task's wall-clock time, as a producer stamps a record without one
  assert.deepEqual(
    mine.map((r) => [r.key?.toString(), r.value?.toString(), r.timestamp, r.headers.size]),
    [['failed', 'boom', T0, 0]],
  )
  const audit = dlqRecords(driver, 'audit')
  assert.deepEqual(
    audit.map((r) => [r.key, r.value?.toString(), r.timestamp, text(r.headers, 'n')]),
    [[null, 'x', 5, '1']],
  )
  assert.equal(driver.metrics().droppedRecordsTotal, 1)
})

test('a handler answering something else, or throwing, fails with a clear error', (t) => {
  quiet(t)
  const answering = driverOf(t, throwing(), { processingExceptionHandler: () => 'SKIP' as never })
  assert.throws(
    () => answering.createInputTopic('in', Serdes.String(), Serdes.String()).pipeInput('k', 'boom'),
    /^StreamsException: Invalid processingExceptionHandler response "SKIP": a handler returns one of CONTINUE, FAIL, or \{ response, deadLetterQueueRecords \}$/,
  )
  const throwingHandler = driverOf(t, integers(), {
    defaultDeserializationExceptionHandler: () => {
      throw new Error('handler bug')
    },
  })
  assert.throws(
    () => throwingHandler.createInputTopic('in', Serdes.String(), Serdes.Bytes()).pipeInput('k', utf8('x')),
    /^StreamsException: Fatal user code error in deserialization error callback \(topic in, partition 0, offset 0\): handler bug$/,
  )
})

/** A task context for the production path, with a collector that keeps what it is sent. */
function taskContext(config: StreamsConfigInput): ErrorHandlingContext & { sent: unknown[][] } {
  const sent: unknown[][] = []
  return {
    sent,
    taskId: new TaskId(1, 2),
    config: resolveConfig({ applicationId: 'app', ...config }),
    collector: {
      send: (...args) => {
        sent.push(args)
      },
      partitionsFor: (_topic, partitioner) => partitioner(1),
    },
    droppedRecords: 0,
    errorHandlerContext: (processorNodeId) => ({
      topic: 'in',
      partition: 3,
      offset: 42,
      headers: new Headers(),
      timestamp: T0,
      processorNodeId,
      taskId: new TaskId(1, 2),
      sourceRawKey: null,
      sourceRawValue: null,
    }),
    currentSystemTimeMs: () => T0 + 1,
  }
}

test('handleProductionError: the default handler retries retriable send errors and fails others', (t) => {
  quiet(t)
  const record: ProducedRecord = {
    topic: 'out',
    key: utf8('k'),
    value: utf8('v'),
    headers: new Headers(),
    timestamp: 9,
  }
  const retriable = new KafkaClientError('not leader', 6)
  const fatal = new KafkaClientError('record too large', 10)
  assert.equal(retriable.retriable, true)
  assert.equal(fatal.retriable, false)
  // Kafka's RetriableException codes after a broker failover: network failure, offset not available yet
  assert.equal(new KafkaClientError('connection closed', -1).retriable, true)
  assert.equal(new KafkaClientError('offset not available', 78).retriable, true)

  const plain = taskContext({})
  assert.equal(handleProductionError(plain, record, retriable, 'sink'), 'RETRY')
  assert.equal(handleProductionError(plain, record, fatal, 'sink'), 'FAIL')
  assert.deepEqual([plain.sent.length, plain.droppedRecords], [0, 0])

  // with a dead-letter topic FAIL comes with the serialized record, sent before the caller fails
  const dlq = taskContext({ errorsDeadLetterQueueTopicName: 'dlq' })
  assert.equal(handleProductionError(dlq, record, fatal, 'sink'), 'FAIL')
  assert.equal(dlq.sent.length, 1)
  const [topic, key, value, headers, timestamp, partition] = dlq.sent[0] as [
    string,
    Buffer,
    Buffer,
    Headers,
    number,
    null,
  ]
  assert.deepEqual([topic, key, value, timestamp, partition], ['dlq', utf8('k'), utf8('v'), T0, null])
  assert.deepEqual(
    [
      text(headers, DeadLetterQueueHeaders.EXCEPTION),
      text(headers, DeadLetterQueueHeaders.MESSAGE),
      text(headers, DeadLetterQueueHeaders.TOPIC),
      text(headers, DeadLetterQueueHeaders.PARTITION),
      text(headers, DeadLetterQueueHeaders.OFFSET),
    ],
    ['KafkaClientError', 'record too large', 'in', '3', '42'],
  )
})

test('handleProductionError: continue counts the drop; RETRY on a non-retriable error is FAIL; handler errors throw', (t) => {
  quiet(t)
  const record: ProducedRecord = { topic: 'out', key: null, value: utf8('v'), headers: new Headers(), timestamp: 9 }
  const continuing = taskContext({ productionExceptionHandler: 'continue' })
  assert.equal(handleProductionError(continuing, record, new KafkaClientError('too large', 10)), 'CONTINUE')
  assert.equal(continuing.droppedRecords, 1)

  const retrying = taskContext({ productionExceptionHandler: () => 'RETRY' })
  assert.equal(handleProductionError(retrying, record, new Error('not retriable')), 'FAIL')
  assert.equal(
    handleProductionError(retrying, record, Object.assign(new Error('try again'), { retriable: true })),
    'RETRY',
  )
  assert.equal(retrying.droppedRecords, 0)

  const broken = taskContext({
    productionExceptionHandler: () => {
      throw new Error('handler bug')
    },
  })
  assert.throws(
    () => handleProductionError(broken, record, new Error('send failed')),
    /^StreamsException: Fatal user code error in production error callback \(record for topic out\): handler bug$/,
  )
})

test('handler names, aliases and the dead-letter topic are checked when the config is resolved', () => {
  const resolved = resolveConfig({
    applicationId: 'a',
    'production.exception.handler': 'continue',
    'errors.dead.letter.queue.topic.name': 'dlq',
    'deserialization.exception.handler': 'logAndContinue',
  })
  assert.equal(resolved.errorsDeadLetterQueueTopicName, 'dlq')
  assert.equal(resolveConfig({ applicationId: 'a' }).errorsDeadLetterQueueTopicName, undefined)
  resolveConfig({ applicationId: 'a', productionExceptionHandlerClass: 'default' })
  resolveConfig({
    applicationId: 'a',
    'default.production.exception.handler': 'org.apache.kafka.streams.errors.DefaultProductionExceptionHandler',
  })
  const refused = (config: StreamsConfigInput, message: string) =>
    assert.throws(
      () => resolveConfig({ applicationId: 'a', ...config }),
      (error: unknown) => error instanceof ConfigException && error.message === message,
    )
  refused(
    { productionExceptionHandler: 'logAndContinue' },
    `config productionExceptionHandler: unknown production exception handler "logAndContinue": use 'default', 'continue' or a function (context, record, error) => response`,
  )
  refused(
    { 'processing.exception.handler': 'skip' },
    `config processingExceptionHandler: unknown processing exception handler "skip": use 'logAndContinue', 'logAndFail' or a function (context, record, error) => response`,
  )
  refused(
    { defaultDeserializationExceptionHandlerClass: 42 },
    `config defaultDeserializationExceptionHandler: unknown deserialization exception handler 42: use 'logAndContinue', 'logAndFail' or a function (context, record, error) => response`,
  )
  refused(
    { errorsDeadLetterQueueTopicName: 42 as never },
    'config errorsDeadLetterQueueTopicName (errors.dead.letter.queue.topic.name) must be a topic name, got 42',
  )
  refused(
    { 'errors.dead.letter.queue.topic.name': '' },
    'config errorsDeadLetterQueueTopicName (errors.dead.letter.queue.topic.name) must be a topic name, got ""',
  )
})
