import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { Serdes, type Deserializer } from '../../src/index.ts'
import { Window, Windowed } from '../../src/kstream/windowed.ts'
import type { MeteredSessionStore } from '../../src/state/internals/metered-session-store.ts'
import {
  inMemorySessionSupplier,
  persistentSessionSupplier,
  SessionStoreBuilder,
  type SessionBytesStoreSupplier,
} from '../../src/state/internals/session-store-builder.ts'
import type { KeyValueIterator } from '../../src/state/key-value-iterator.ts'
import { TopologyTestDriver } from '../../src/test-utils/index.ts'
import { Topology } from '../../src/topology.ts'

// One conformance suite for session stores, run against every engine (lmdb and in memory), with and
// without a cache. The store is opened by a TopologyTestDriver's task, as a processor's store.

interface StoreFactory {
  readonly kind: string
  supplier(name: string, retentionMs: number): SessionBytesStoreSupplier
}

const factories: StoreFactory[] = [
  { kind: 'lmdb', supplier: (name, retention) => persistentSessionSupplier(name, retention) },
  { kind: 'in-memory', supplier: (name, retention) => inMemorySessionSupplier(name, retention) },
]

interface Opened {
  readonly store: MeteredSessionStore<string, number>
  readonly driver: TopologyTestDriver
  /** Pipes a record through the (idle) processor, so the driver commits and captures what was logged. */
  readonly commit: () => void
}

function open(t: TestContext, supplier: SessionBytesStoreSupplier, caching: boolean): Opened {
  const topology = new Topology()
  topology.addSource('source', 'input')
  topology.addProcessor('processor', () => ({ process() {} }), 'source')
  const builder = new SessionStoreBuilder<string, number>(supplier, Serdes.String(), Serdes.Long())
  if (caching) builder.withCachingEnabled()
  topology.addStateStore(builder, 'processor')
  const driver = new TopologyTestDriver(
    topology,
    { applicationId: 'app', defaultKeySerde: 'string', defaultValueSerde: 'string' },
    0,
  )
  t.after(() => driver.close())
  const store = driver.getStateStore<MeteredSessionStore<string, number>>(supplier.name)
  assert.ok(store)
  const input = driver.createInputTopic('input', Serdes.String(), Serdes.String())
  return { store, driver, commit: () => input.pipeInput('k', 'v', 0) }
}

const session = (key: string, start: number, end: number): Windowed<string> => new Windowed(key, new Window(start, end))

function list(iterator: KeyValueIterator<Windowed<string>, number>): string[] {
  const out: string[] = []
  for (const { key, value } of iterator) out.push(`${key.key}@${key.window.start}/${key.window.end}=${value}`)
  return out
}

const raw: Deserializer<Buffer> = { deserialize: (_topic, data) => data }

for (const factory of factories) {
  for (const caching of [false, true]) {
    describe(`session store (${factory.kind}${caching ? ', cached' : ''})`, () => {
      const openStore = (t: TestContext, retention = 10_000): Opened =>
        open(t, factory.supplier('store', retention), caching)

      test('put, fetchSession and findSessions of one key, by end time', (t) => {
        const { store } = openStore(t)
        store.put(session('a', 20, 30), 2)
        store.put(session('a', 0, 10), 1)
        store.put(session('aa', 0, 10), 4)
        store.put(session('b', 5, 15), 3)
        assert.equal(store.fetchSession('a', 0, 10), 1)
        assert.equal(store.fetchSession('a', 0, 11), null)
        assert.deepEqual(list(store.findSessions('a', 0, 100)), ['a@0/10=1', 'a@20/30=2'])
        assert.deepEqual(list(store.backwardFindSessions('a', 0, 100)), ['a@20/30=2', 'a@0/10=1'])
        // sessions overlapping [earliest end, latest start], bounds inclusive
        assert.deepEqual(list(store.findSessions('a', 11, 19)), [])
        assert.deepEqual(list(store.findSessions('a', 10, 20)), ['a@0/10=1', 'a@20/30=2'])
        assert.deepEqual(list(store.findSessions('a', 30, 30)), ['a@20/30=2'])
        assert.deepEqual(list(store.fetch('a')), ['a@0/10=1', 'a@20/30=2'])
        assert.deepEqual(list(store.backwardFetch('aa')), ['aa@0/10=4'])
        assert.deepEqual(list(store.fetch('c')), [])
      })

      test('remove, and put of a null aggregate, delete a session', (t) => {
        const { store } = openStore(t)
        store.put(session('a', 0, 10), 1)
        store.put(session('a', 20, 30), 2)
        store.remove(session('a', 0, 10))
        store.put(session('a', 20, 30), null)
        store.remove(session('a', 40, 50))
        assert.deepEqual(list(store.fetch('a')), [])
        assert.equal(store.fetchSession('a', 0, 10), null)
      })

      test('key ranges come in Kafka order: by segment then key on disk, by end time in memory', (t) => {
        const { store } = openStore(t)
        store.put(session('b', 5, 15), 3)
        store.put(session('a', 20, 30), 2)
        store.put(session('aa', 0, 10), 4)
        store.put(session('a', 0, 10), 1)
        store.put(session('c', 0, 1), 5)
        const expected =
          factory.kind === 'lmdb'
            ? ['a@0/10=1', 'a@20/30=2', 'aa@0/10=4', 'b@5/15=3']
            : ['a@0/10=1', 'aa@0/10=4', 'b@5/15=3', 'a@20/30=2']
        assert.deepEqual(list(store.fetch('a', 'b')), expected)
        assert.deepEqual(list(store.backwardFetch('a', 'b')), [...expected].reverse())
        const disk = factory.kind === 'lmdb'
        assert.deepEqual(
          list(store.findSessions('a', 'b', 12, 100)),
          disk ? ['a@20/30=2', 'b@5/15=3'] : ['b@5/15=3', 'a@20/30=2'],
        )
        assert.deepEqual(list(store.fetch(null, 'a')), ['a@0/10=1', 'a@20/30=2'])
        assert.deepEqual(list(store.fetch('b', null)), disk ? ['b@5/15=3', 'c@0/1=5'] : ['c@0/1=5', 'b@5/15=3'])
        assert.deepEqual(list(store.fetch('b', 'a')), [])
      })

      test('key ranges over several segments see the latest writes, removes included', (t) => {
        // retention 200 s: segments of 100 s
        const { store, commit } = openStore(t, 200_000)
        store.put(session('b', 5, 5), 1)
        store.put(session('a', 150_000, 150_000), 2)
        store.put(session('d', 10, 20), 3)
        commit()
        store.remove(session('b', 5, 5))
        store.put(session('c', 160_000, 160_000), 4)
        store.put(session('d', 10, 20), 5)
        const expected = ['d@10/20=5', 'a@150000/150000=2', 'c@160000/160000=4']
        assert.deepEqual(list(store.fetch(null, null)), expected)
        assert.deepEqual(list(store.backwardFetch('a', 'd')), [...expected].reverse())
        commit()
        assert.deepEqual(list(store.fetch(null, null)), expected)
      })

      test('reads ignore sessions ending before the latest end - retention + 1', (t) => {
        const { store, commit } = openStore(t, 100)
        store.put(session('a', 0, 100), 1)
        store.put(session('a', 150, 150), 2)
        commit()
        store.put(session('b', 200, 200), 3)
        commit()
        // observed 200, retention 100: sessions ending before 101 are gone for the store
        assert.equal(store.fetchSession('a', 150, 150), 2)
        if (caching) {
          // as in Kafka, the cache still holds the expired session (flushed, not evicted) and returns it
          assert.equal(store.fetchSession('a', 0, 100), 1)
          assert.deepEqual(list(store.fetch('a')), ['a@0/100=1', 'a@150/150=2'])
        } else {
          assert.equal(store.fetchSession('a', 0, 100), null)
          assert.deepEqual(list(store.fetch('a')), ['a@150/150=2'])
          assert.deepEqual(list(store.findSessions('a', 0, 1000)), ['a@150/150=2'])
        }
      })

      test('the changelog gets [key][end][start] keys, raw aggregates and tombstones', (t) => {
        const { store, driver, commit } = openStore(t)
        store.put(session('a', 1, 2), 7)
        commit()
        store.remove(session('a', 1, 2))
        commit()
        const changelog = driver.createOutputTopic('app-store-changelog', raw, raw).readRecordsToList()
        assert.equal(changelog.length, 2)
        const key = Buffer.concat([Buffer.from('a'), Buffer.from('00000000000000020000000000000001', 'hex')])
        assert.deepEqual(changelog[0]?.key, key)
        assert.deepEqual(changelog[0]?.value, Buffer.from('0000000000000007', 'hex'))
        assert.deepEqual(changelog[1]?.key, key)
        assert.equal(changelog[1]?.value, null)
      })
    })
  }
}

describe('session store reads by end time (emit-final)', () => {
  test('the in-memory store gives live sessions of every key by end, then key', (t) => {
    const { store } = open(t, inMemorySessionSupplier('store', 100), false)
    store.put(session('b', 0, 10), 1)
    store.put(session('a', 5, 10), 2)
    store.put(session('a', 0, 5), 3)
    store.put(session('c', 50, 60), 4)
    assert.deepEqual(list(store.findSessions(0, 10)), ['a@0/5=3', 'a@5/10=2', 'b@0/10=1'])
    store.put(session('c', 150, 150), 5)
    // observed 150, retention 100: only sessions ending at 51 or later are live
    assert.deepEqual(list(store.findSessions(0, 100)), ['c@50/60=4'])
  })

  test('the time-ordered store also gives expired sessions still on disk', (t) => {
    const { store } = open(t, persistentSessionSupplier('store', 100, true), false)
    store.put(session('b', 0, 10), 1)
    store.put(session('a', 0, 5), 3)
    store.put(session('c', 150, 150), 5)
    assert.deepEqual(list(store.findSessions(0, 100)), ['a@0/5=3', 'b@0/10=1'])
    assert.deepEqual(list(store.fetch('a')), [])
  })

  test('other stores do not support it, as in Kafka', (t) => {
    const { store } = open(t, persistentSessionSupplier('store', 100), false)
    assert.throws(() => store.findSessions(0, 100), /not supported/)
    const cached = open(t, inMemorySessionSupplier('cached', 100), true).store
    assert.throws(() => cached.findSessions(0, 100), /not supported/)
  })
})
