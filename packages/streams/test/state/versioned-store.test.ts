import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  PUT_RETURN_CODE_NOT_PUT,
  PUT_RETURN_CODE_VALID_TO_UNDEFINED,
  Record,
  Serdes,
  Stores,
  Topology,
  type ProcessorContext,
  type VersionedKeyValueStore,
} from '../../src/index.ts'
import { TopologyTestDriver } from '../../src/test-utils/index.ts'

// A processor writes every record into a versioned store (null value = delete) and forwards put's result.
function driver(): TopologyTestDriver {
  const supplier = Stores.persistentVersionedKeyValueStore('versions', 1000)
  const topology = new Topology()
    .addSource('source', 'in')
    .addProcessor<string, string | null, string, number>(
      'writer',
      () => {
        let context: ProcessorContext<string, number>
        let store: VersionedKeyValueStore<string, string>
        return {
          init(c) {
            context = c
            store = c.getStateStore('versions')
          },
          process(record) {
            context.forward(
              new Record(record.key, store.put(record.key, record.value, record.timestamp), record.timestamp),
            )
          },
        }
      },
      'source',
    )
    .addStateStore(Stores.versionedKeyValueStoreBuilder(supplier, Serdes.String(), Serdes.String()), 'writer')
    .addSink('sink', 'codes', Serdes.String().serializer(), Serdes.Long().serializer(), 'writer')
  return new TopologyTestDriver(topology, {
    applicationId: 'versioned',
    defaultKeySerde: 'string',
    defaultValueSerde: 'string',
  })
}

test('versioned store keeps versions, answers as-of reads and refuses writes past the history', (t) => {
  const d = driver()
  t.after(() => d.close())
  const input = d.createInputTopic('in', Serdes.String(), Serdes.String())
  input.pipeInput('k', 'v1', 1000)
  input.pipeInput('k', 'v3', 3000)
  input.pipeInput('k', 'v2', 2000) // out of order: inserted between, valid until 3000
  input.pipeInput('k', null, 3500) // tombstone
  input.pipeInput('k', 'v0', 500) // older than stream time 3500 - history 1000: refused
  const codes = d.createOutputTopic('codes', Serdes.String(), Serdes.Long()).readValuesToList()
  assert.deepEqual(codes, [
    PUT_RETURN_CODE_VALID_TO_UNDEFINED,
    PUT_RETURN_CODE_VALID_TO_UNDEFINED,
    3000,
    PUT_RETURN_CODE_VALID_TO_UNDEFINED,
    PUT_RETURN_CODE_NOT_PUT,
  ])

  const store = d.getVersionedKeyValueStore<string, string>('versions')
  assert.ok(store)
  assert.equal(store.get('k'), null, 'the latest version is a tombstone')
  assert.deepEqual(store.get('k', 3200), { value: 'v3', timestamp: 3000, validTo: 3500 })
  assert.deepEqual(store.get('k', 2999), { value: 'v2', timestamp: 2000, validTo: 3000 })
  assert.equal(store.get('k', 2600)?.value, 'v2', 'inside the history retention (3500 - 1000)')
  assert.equal(store.get('k', 2400), null, 'older than the history retention')
  assert.equal(store.get('other'), null)
  // every put is logged as (key, value, timestamp = validFrom)
  const changelog = d
    .createOutputTopic('versioned-versions-changelog', Serdes.String(), Serdes.String())
    .readRecordsToList()
  assert.deepEqual(
    changelog.map((r) => [r.value, r.timestamp]),
    [
      ['v1', 1000],
      ['v3', 3000],
      ['v2', 2000],
      [null, 3500],
    ],
  )
})
