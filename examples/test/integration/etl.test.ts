// The ETL pipeline end to end: change events into Kafka, the streams application cleaning them, the sink
// loading the clean topic into a real PostgreSQL (a throwaway server of the example's own), and the table
// read back.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Admin, compatibilityPartitioner, ConfigResourceTypes, ProduceAcks, Producer } from '@platformatic/kafka'
import { waitFor } from '../../../packages/streams/test/integration/streams-harness.ts'
import type { SourceCustomer } from '../../use-cases/etl/customers-etl-topology.ts'
import { LocalPostgres } from '../../use-cases/etl/local-postgres.ts'
import { runEtl } from '../../use-cases/etl/main.ts'
import { PostgresSink } from '../../use-cases/etl/postgres-sink.ts'
import { bootstrapServers, readOutputOnceCommitted, startUseCase, uniqueId, waitUntilCommitted } from './helpers.ts'

const ada: SourceCustomer = {
  id: 1,
  name: ' Ada  Lovelace',
  email: 'Ada@Example.COM ',
  balance_cents: 1234,
  country: 'gb',
}
const grace: SourceCustomer = {
  id: 2,
  name: 'Grace Hopper',
  email: 'grace@example.com',
  balance_cents: 0,
  country: null,
}
const alan: SourceCustomer = {
  id: 3,
  name: 'Alan Turing',
  email: 'alan@example.com',
  balance_cents: -250,
  country: 'GB',
}
const edsger: SourceCustomer = {
  id: 4,
  name: 'Edsger Dijkstra',
  email: 'ewd@example.com',
  balance_cents: 5,
  country: 'nl',
}
const barbara: SourceCustomer = {
  id: 5,
  name: 'Barbara Liskov',
  email: 'liskov@example.com',
  balance_cents: 100,
  country: 'us',
}
const donald: SourceCustomer = {
  id: 6,
  name: 'Donald Knuth',
  email: 'knuth@example.com',
  balance_cents: 256,
  country: 'US',
}

// bigint and numeric columns come back from pg as text: cast so that rows compare as plain values
const tableQuery = 'SELECT id::int AS id, name, email, balance::text AS balance, country FROM customers ORDER BY id'

test('creates, updates and deletes end up in PostgreSQL as the cleaned final table', async (t) => {
  const postgres = await LocalPostgres.start()
  t.after(() => postgres.close())
  const servers = bootstrapServers()
  const sourceTopic = uniqueId('cdc-customers')
  const cleanTopic = uniqueId('customers-clean')
  const deadLetterTopic = uniqueId('customers-dead-letter')
  const applicationId = uniqueId('customers-etl')
  const { running, producer } = await startUseCase(t, (common) =>
    runEtl({ ...common, database: postgres, applicationId, sourceTopic, cleanTopic, deadLetterTopic }),
  )

  const events: { key: string; value: unknown }[] = [
    { key: '1', value: { op: 'c', before: null, after: ada } },
    { key: '2', value: { op: 'c', before: null, after: grace } },
    { key: '3', value: { op: 'c', before: null, after: alan } },
    { key: '1', value: { op: 'u', before: ada, after: { ...ada, balance_cents: 99_999 } } },
    { key: '2', value: { op: 'u', before: grace, after: { ...grace, email: 'grace at navy' } } },
    { key: '3', value: { op: 'd', before: alan, after: null } },
    { key: '3', value: null },
    { key: '4', value: { op: 'c', before: null, after: edsger } },
    { key: '4', value: { op: 'u', before: edsger, after: { ...edsger, email: '  EWD@UTEXAS.EDU' } } },
    { key: '5', value: { op: 'c', before: null, after: barbara } },
    { key: '5', value: { op: 'd', before: barbara, after: null } },
    { key: '5', value: { op: 'c', before: null, after: { ...barbara, balance_cents: 4200 } } },
    { key: '2', value: { op: 'u', before: grace, after: { ...grace, country: ' de ' } } },
    { key: '6', value: { op: 'c', before: null, after: donald } },
    { key: '6', value: { op: 'd', before: donald, after: null } },
    { key: '7', value: { op: 'x', before: null, after: null } },
  ]
  await producer.send(sourceTopic, events.slice(0, 9))
  // a record that is not JSON at all, between the others
  await sendRaw(servers, sourceTopic, '5', '{"op": "c", "after": ')
  await producer.send(sourceTopic, events.slice(9))
  const cleanRecords = 13

  await waitFor(() => running.sink.appliedRecords >= cleanRecords, 60_000, 'the sink to apply the clean records')
  const expected = [
    { id: 1, name: 'Ada Lovelace', email: 'ada@example.com', balance: '999.99', country: 'GB' },
    { id: 2, name: 'Grace Hopper', email: 'grace@example.com', balance: '0.00', country: 'DE' },
    { id: 4, name: 'Edsger Dijkstra', email: 'ewd@utexas.edu', balance: '0.05', country: 'NL' },
    { id: 5, name: 'Barbara Liskov', email: 'liskov@example.com', balance: '42.00', country: 'US' },
  ]
  assert.deepEqual((await running.pool.query(tableQuery)).rows, expected)
  assert.equal(running.sink.appliedRecords, cleanRecords)

  // the sink committed its offsets after the database transaction: to the end of the clean topic
  await waitUntilCommitted(servers, `${applicationId}-postgres-sink`, cleanTopic, cleanRecords, 30_000)
  const groups = new Admin({ clientId: 'etl-test-admin', bootstrapBrokers: [...servers] })
  t.after(() => groups.close())
  // the clean topic is a table's changelog: compacted
  const [description] = await groups.describeConfigs({
    resources: [
      { resourceType: ConfigResourceTypes.TOPIC, resourceName: cleanTopic, configurationKeys: ['cleanup.policy'] },
    ],
  })
  assert.equal(description?.configs.find((c) => c.name === 'cleanup.policy')?.value, 'compact')

  // every source record processed and committed (the dead letters are written before that), then the whole topic
  const deadLetters = await readOutputOnceCommitted(t, servers, {
    applicationId,
    input: sourceTopic,
    count: events.length + 1,
    output: deadLetterTopic,
    timeoutMs: 30_000,
  })
  assert.deepEqual(deadLetters.map((r) => [(r.key as Buffer).toString(), (r.value as Buffer).toString()]).sort(), [
    [
      '2',
      JSON.stringify({
        error: 'after.email must be an address like name@example.com, got "grace at navy"',
        event: events[4]?.value,
      }),
    ],
    ['5', '{"op": "c", "after": '],
    [
      '7',
      JSON.stringify({
        error: `op must be 'c' (create), 'u' (update), 'd' (delete) or 'r' (snapshot read), got "x"`,
        event: events[15]?.value,
      }),
    ],
  ])

  // at-least-once: a second sink with a new group replays the whole clean topic into the same table, which
  // must not change (upserts and deletes by primary key are idempotent)
  const replay = await PostgresSink.start({
    bootstrapServers: servers,
    topic: cleanTopic,
    groupId: `${applicationId}-replay`,
    pool: running.pool,
  })
  t.after(() => replay.close())
  await waitFor(() => replay.appliedRecords >= cleanRecords, 60_000, 'the replay to apply the clean records')
  assert.deepEqual((await running.pool.query(tableQuery)).rows, expected)
})

async function sendRaw(servers: readonly string[], topic: string, key: string, text: string): Promise<void> {
  const producer = new Producer({
    clientId: 'etl-test-raw',
    bootstrapBrokers: [...servers],
    acks: ProduceAcks.ALL,
    partitioner: compatibilityPartitioner,
  })
  try {
    await producer.send({ messages: [{ topic, key: Buffer.from(key), value: Buffer.from(text) }] })
  } finally {
    await producer.close()
  }
}
