import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { Serdes } from '@kstreams/streams'
import { TopologyTestDriver } from '@kstreams/streams/test-utils'
import {
  centsToDecimal,
  customersEtlErrorConfig,
  customersEtlTopology,
  type Customer,
  type DeadLetter,
  type SourceCustomer,
} from '../../use-cases/etl/customers-etl-topology.ts'
import { LocalPostgres } from '../../use-cases/etl/local-postgres.ts'
import { toChange } from '../../use-cases/etl/postgres-sink.ts'

function driver(t: TestContext) {
  const testDriver = new TopologyTestDriver(
    customersEtlTopology({ sourceTopic: 'cdc', cleanTopic: 'clean', deadLetterTopic: 'dlq' }),
    { applicationId: 'etl-test', ...customersEtlErrorConfig('dlq') },
  )
  t.after(() => testDriver.close())
  return {
    driver: testDriver,
    source: testDriver.createInputTopic('cdc', Serdes.String(), Serdes.JSON<unknown>()),
    rawSource: testDriver.createInputTopic('cdc', Serdes.String(), Serdes.String()),
    clean: testDriver.createOutputTopic('clean', Serdes.String(), Serdes.JSON<Customer>()),
    deadLetters: testDriver.createOutputTopic('dlq', Serdes.String(), Serdes.JSON<DeadLetter>()),
  }
}

const ada: SourceCustomer = {
  id: 1,
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  balance_cents: 1234,
  country: 'GB',
}

test('creates and updates become cleaned rows keyed by id; deletes become tombstones', (t) => {
  const { source, clean, deadLetters } = driver(t)
  source.pipeInput('1', { op: 'c', before: null, after: ada })
  source.pipeInput('1', { op: 'u', before: ada, after: { ...ada, balance_cents: 99 } })
  source.pipeInput('2', { op: 'r', before: null, after: { ...ada, id: 2, email: 'b@example.org', country: null } })
  source.pipeInput('1', { op: 'd', before: { ...ada, balance_cents: 99 }, after: null })

  assert.deepEqual(clean.readKeyValuesToList(), [
    { key: '1', value: { id: 1, name: 'Ada Lovelace', email: 'ada@example.com', balance: '12.34', country: 'GB' } },
    { key: '1', value: { id: 1, name: 'Ada Lovelace', email: 'ada@example.com', balance: '0.99', country: 'GB' } },
    { key: '2', value: { id: 2, name: 'Ada Lovelace', email: 'b@example.org', balance: '12.34', country: null } },
    { key: '1', value: null },
  ])
  assert.ok(deadLetters.isEmpty())
})

test('fields are normalised: names trimmed and collapsed, emails lower-cased, cents to decimals, countries upper-cased', (t) => {
  const { source, clean } = driver(t)
  const messy = {
    id: 7,
    name: '  Grace \t Brewster  Hopper ',
    email: '  Grace.Hopper@Navy.MIL ',
    balance_cents: -5,
    country: ' us ',
  }
  source.pipeInput('7', { op: 'c', before: null, after: messy })
  source.pipeInput('7', { op: 'u', before: messy, after: { ...messy, balance_cents: 123456789, country: '' } })
  assert.deepEqual(clean.readValuesToList(), [
    { id: 7, name: 'Grace Brewster Hopper', email: 'grace.hopper@navy.mil', balance: '-0.05', country: 'US' },
    { id: 7, name: 'Grace Brewster Hopper', email: 'grace.hopper@navy.mil', balance: '1234567.89', country: null },
  ])
})

test('the clean key is the primary key whatever the source key', (t) => {
  const { source, clean } = driver(t)
  source.pipeInput('{"id":42}', { op: 'c', before: null, after: { ...ada, id: 42 } })
  source.pipeInput('{"id":42}', { op: 'd', before: { ...ada, id: 42 }, after: null })
  assert.deepEqual(
    clean.readKeyValuesToList().map((kv) => [kv.key, kv.value?.id ?? null]),
    [
      ['42', 42],
      ['42', null],
    ],
  )
})

test('events that cannot be cleaned go to the dead-letter topic with the reason, and nothing else is affected', (t) => {
  const { source, clean, deadLetters } = driver(t)
  const bad: [string, unknown, string][] = [
    [
      '1',
      { op: 'x', before: null, after: ada },
      `op must be 'c' (create), 'u' (update), 'd' (delete) or 'r' (snapshot read), got "x"`,
    ],
    ['1', { op: 'c', before: null, after: null }, `op 'c' needs the new row in "after", got null`],
    [
      '1',
      { op: 'd', before: null, after: null },
      `op 'd' needs the deleted row's id: before is missing: expected the row with its id`,
    ],
    [
      '1',
      { op: 'd', before: { id: 'one' }, after: null },
      `op 'd' needs the deleted row's id: before.id must be a positive integer, got "one"`,
    ],
    ['0', { op: 'c', before: null, after: { ...ada, id: 0 } }, 'after.id must be a positive integer, got 0'],
    ['1', { op: 'u', before: ada, after: { ...ada, name: '   ' } }, 'after.name must be a non-empty string, got "   "'],
    [
      '1',
      { op: 'u', before: ada, after: { ...ada, email: 'ada at example.com' } },
      'after.email must be an address like name@example.com, got "ada at example.com"',
    ],
    [
      '1',
      { op: 'u', before: ada, after: { ...ada, balance_cents: 12.5 } },
      'after.balance_cents must be a whole number of cents, got 12.5',
    ],
    [
      '1',
      { op: 'u', before: ada, after: { ...ada, country: 'Germany' } },
      'after.country must be a two-letter ISO country code or null, got "Germany"',
    ],
    ['1', [1, 2], 'a change event must be an object { op, before, after }, got [1,2]'],
  ]
  for (const [key, event] of bad) source.pipeInput(key, event)
  source.pipeInput('1', { op: 'c', before: null, after: ada })

  assert.deepEqual(
    deadLetters.readKeyValuesToList(),
    bad.map(([key, event, error]) => ({ key, value: { error, event } })),
  )
  assert.deepEqual(clean.readValuesToList(), [
    { id: 1, name: 'Ada Lovelace', email: 'ada@example.com', balance: '12.34', country: 'GB' },
  ])
})

test('a record that is not JSON goes to the dead-letter topic raw, with Kafka Streams` error headers', (t) => {
  const { rawSource, source, driver: testDriver, clean } = driver(t)
  t.mock.method(console, 'warn', () => undefined)
  t.mock.method(console, 'error', () => undefined)
  rawSource.pipeInput('5', '{"op": "c", "after": {')
  source.pipeInput('1', { op: 'c', before: null, after: ada })

  const raw = testDriver.createOutputTopic('dlq', Serdes.String(), Serdes.String()).readRecordsToList()
  assert.equal(raw.length, 1)
  assert.equal(raw[0]?.key, '5')
  assert.equal(raw[0]?.value, '{"op": "c", "after": {')
  const headers = new Map(raw[0]?.headers.toArray().map((h) => [h.key, h.value?.toString('utf8')]))
  assert.equal(headers.get('__streams.errors.topic'), 'cdc')
  assert.match(headers.get('__streams.errors.message') ?? '', /cannot deserialize .* from topic cdc as JSON/)
  assert.equal(clean.getQueueSize(), 1)
})

test('Debezium`s tombstones after deletes are skipped', (t) => {
  const { source, clean, deadLetters } = driver(t)
  source.pipeInput('1', { op: 'd', before: ada, after: null })
  source.pipeInput('1', null)
  assert.deepEqual(clean.readKeyValuesToList(), [{ key: '1', value: null }])
  assert.ok(deadLetters.isEmpty())
})

test('cents become exact decimals', () => {
  assert.deepEqual([0, 5, 99, 100, 1234, -1, -100, -12345, 900719925474099].map(centsToDecimal), [
    '0.00',
    '0.05',
    '0.99',
    '1.00',
    '12.34',
    '-0.01',
    '-1.00',
    '-123.45',
    '9007199254740.99',
  ])
})

test('the sink reads the clean topic`s records as changes and refuses anything else', () => {
  const record = (key: string | undefined, value: string | undefined) => ({
    topic: 'clean',
    partition: 2,
    offset: 7n,
    key: key === undefined ? (undefined as unknown as Buffer) : Buffer.from(key),
    value: value === undefined ? (undefined as unknown as Buffer) : Buffer.from(value),
  })
  const customer = { id: 3, name: 'K', email: 'k@example.com', balance: '1.00', country: null }
  assert.deepEqual(toChange(record('3', JSON.stringify(customer))), { id: 3, customer })
  assert.deepEqual(toChange(record('3', undefined)), { id: 3, customer: null })
  assert.throws(() => toChange(record('x', undefined)), /record clean-2 offset 7 has key "x": expected a customer id/)
  assert.throws(
    () => toChange(record('4', JSON.stringify(customer))),
    /record clean-2 offset 7 has key 4 but holds customer 3/,
  )
})

test('without PostgreSQL`s server binaries the error says how to install them', async (t) => {
  const saved = process.env.PG_BIN
  t.after(() => {
    if (saved === undefined) delete process.env.PG_BIN
    else process.env.PG_BIN = saved
  })
  process.env.PG_BIN = '/nonexistent/postgresql/bin'
  await assert.rejects(
    LocalPostgres.start(),
    /PostgreSQL server binaries \(initdb, pg_ctl\) not found in \/nonexistent\/postgresql\/bin: install Debian's package with `apt-get install -y postgresql`/,
  )
})
