import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Materialized, Serdes, SessionWindows, Stores, StreamsBuilder, TimeWindows } from '../../src/index.ts'
import { TopologyTestDriver } from '../../src/test-utils/index.ts'

const config = { applicationId: 'suppliers', defaultKeySerde: 'string', defaultValueSerde: 'string' }

test('a windowed aggregation keeps its windows in the window store supplier Materialized gives', (t) => {
  const b = new StreamsBuilder()
  b.stream<string, string>('in')
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(1000))
    .count(Materialized.as(Stores.inMemoryWindowStore('counts', 60_000, 1000, false)))
  const driver = new TopologyTestDriver(b.build(config), config)
  t.after(() => driver.close())
  const input = driver.createInputTopic('in', Serdes.String().serializer(), Serdes.String().serializer())
  input.pipeInput('a', 'x', 100)
  input.pipeInput('a', 'x', 900)
  input.pipeInput('a', 'x', 1100)
  const store = driver.getTimestampedWindowStore<string, number>('counts')
  assert.equal(store?.fetch('a', 0)?.value, 2)
  assert.equal(store?.fetch('a', 1000)?.value, 1)
})

test('a session aggregation keeps its sessions in the session store supplier Materialized gives', (t) => {
  const b = new StreamsBuilder()
  b.stream<string, string>('in')
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(500))
    .count(Materialized.as(Stores.persistentSessionStore('sessions', 60_000)))
  const driver = new TopologyTestDriver(b.build(config), config)
  t.after(() => driver.close())
  const input = driver.createInputTopic('in', Serdes.String().serializer(), Serdes.String().serializer())
  input.pipeInput('a', 'x', 100)
  input.pipeInput('a', 'x', 400)
  input.pipeInput('a', 'x', 2000)
  assert.equal(driver.getSessionStore<string, number>('sessions')?.fetchSession('a', 100, 400), 2)
  assert.equal(driver.getSessionStore<string, number>('sessions')?.fetchSession('a', 2000, 2000), 1)
})

test('a store supplier of the wrong kind is refused with the kind to use', () => {
  const b = new StreamsBuilder()
  const grouped = b.stream<string, string>('in').groupByKey()
  assert.throws(
    () =>
      grouped
        .windowedBy(TimeWindows.ofSizeWithNoGrace(1000))
        .count(Materialized.as(Stores.inMemoryKeyValueStore('kv'))),
    /kv is not a window store supplier: use Stores.persistentWindowStore/,
  )
  assert.throws(
    () =>
      grouped
        .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(500))
        .count(Materialized.as(Stores.inMemoryWindowStore('w', 1000, 100, false))),
    /w is not a session store supplier/,
  )
  const table = new StreamsBuilder()
  table.table('in', Materialized.as(Stores.persistentSessionStore('s', 1000)))
  assert.throws(() => table.build(config), /s is a session store supplier, but this operation keeps a key-value store/)
})
