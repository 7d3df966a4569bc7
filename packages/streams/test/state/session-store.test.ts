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

function open(t: TestContext, supplier: SessionBytesStoreSupplier, caching: boolean, cacheMaxBytes?: number): Opened {
  const topology = new Topology()
  topology.addSource('source', 'input')
  topology.addProcessor('processor', () => ({ process() {} }), 'source')
  const builder = new SessionStoreBuilder<string, number>(supplier, Serdes.String(), Serdes.Long())
  if (caching) builder.withCachingEnabled()
  topology.addStateStore(builder, 'processor')
  const driver = new TopologyTestDriver(
    topology,
    {
      applicationId: 'app',
      defaultKeySerde: 'string',
      defaultValueSerde: 'string',
      ...(cacheMaxBytes === undefined ? {} : { cacheMaxBytes }),
    },
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

/** A deterministic pseudo-random sequence (xorshift), so failures can be replayed. */
function random(seed: number): () => number {
  let x = seed
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 0x100000000
  }
}

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

      test('many sessions over ten segments, random puts, removes and commits, a cache that evicts', (t) => {
        // retention 100 s in segments of 10 s; every session ends within retention
        const supplier = { ...factory.supplier('store', 100_000), segmentInterval: 10_000 }
        const { store, commit } = open(t, supplier, caching, 20_000)
        const next = random(caching ? 13 : 17)
        const reference = new Map<string, number>()
        const keyOf = (): string => `k${Math.floor(next() * 100)}`
        const parse = (id: string): [string, number, number] => {
          const [key, start, end] = id.split(/[@/]/) as [string, string, string]
          return [key, Number(start), Number(end)]
        }
        // Kafka's order: on disk segment (of the end), then key bytes, end, start; in memory end, key, start
        const order = (x: string, y: string): number => {
          const [kx, sx, ex] = parse(x)
          const [ky, sy, ey] = parse(y)
          const byKey = kx < ky ? -1 : kx > ky ? 1 : 0
          if (factory.kind === 'in-memory') return ex - ey || byKey || sx - sy
          return Math.floor(ex / 10_000) - Math.floor(ey / 10_000) || byKey || ex - ey || sx - sy
        }
        const expected = (keep: (key: string, start: number, end: number) => boolean): string[] =>
          [...reference.keys()]
            .filter((id) => keep(...parse(id)))
            .sort(order)
            .map((id) => `${id}=${reference.get(id)}`)
        for (let step = 0; step < 3000; step++) {
          const r = next()
          if (r < 0.5) {
            const key = keyOf()
            const end = Math.floor(next() * 100) * 1000
            const start = end - Math.floor(next() * 5) * 1000
            store.put(session(key, Math.max(0, start), end), step)
            reference.set(`${key}@${Math.max(0, start)}/${end}`, step)
          } else if (r < 0.6 && reference.size > 0) {
            const ids = [...reference.keys()]
            const victim = ids[Math.floor(next() * ids.length)] as string
            const [key, start, end] = parse(victim)
            store.remove(session(key, start, end))
            reference.delete(victim)
          } else if (r < 0.65) {
            commit()
          } else {
            const [a, b] = [keyOf(), keyOf()]
            const [lo, hi] = a < b ? [a, b] : [b, a]
            const earliestEnd = Math.floor(next() * 100) * 1000
            const latestStart = earliestEnd + Math.floor(next() * 30) * 1000
            const overlaps = (start: number, end: number): boolean => end >= earliestEnd && start <= latestStart
            const range = expected((key, start, end) => key >= lo && key <= hi && overlaps(start, end))
            assert.deepEqual(list(store.findSessions(lo, hi, earliestEnd, latestStart)), range, `step ${step}`)
            const one = expected((key, start, end) => key === lo && overlaps(start, end))
            assert.deepEqual(list(store.findSessions(lo, earliestEnd, latestStart)), one, `step ${step}`)
            const backward = list(store.backwardFindSessions(lo, hi, earliestEnd, latestStart))
            assert.deepEqual(backward, [...range].reverse(), `step ${step}`)
            const oneBackward = list(store.backwardFindSessions(lo, earliestEnd, latestStart))
            assert.deepEqual(oneBackward, [...one].reverse(), `step ${step}`)
          }
        }
        assert.ok(reference.size > 500, `${reference.size} sessions`)
      })

      // Kafka's caching session store on disk bounds a backward search's newest segment by the latest
      // start: it misses the sessions there ending after it, and throws when that time lies in an earlier
      // segment; kstreams gives every variant the results of the store without a cache
      test('a backward search of one key finds every overlapping session, over any segments', (t) => {
        // retention 1 h: segments of 30 min (1,800,000 ms)
        const { store, commit } = openStore(t, 3_600_000)
        store.put(session('c', 1_850_000, 1_900_000), 1)
        assert.deepEqual(list(store.findSessions('c', 0, 1_860_000)), ['c@1850000/1900000=1'])
        assert.deepEqual(list(store.backwardFindSessions('c', 0, 1_860_000)), ['c@1850000/1900000=1'])
        commit()
        store.put(session('c', 1_850_000, 1_900_000), 2)
        // the cache's newer aggregate, not the stored one
        assert.deepEqual(list(store.backwardFindSessions('c', 0, 1_860_000)), ['c@1850000/1900000=2'])
        assert.deepEqual(list(store.backwardFindSessions('c', 0, 1_900_000)), ['c@1850000/1900000=2'])
        // a latest start in an earlier segment than the newest write
        assert.deepEqual(list(store.backwardFindSessions('c', 0, 1000)), [])
        store.put(session('d', 500, 600), 3)
        store.put(session('d', 900, 1_850_000), 4)
        const overlapping = ['d@500/600=3', 'd@900/1850000=4']
        for (const settled of [false, true]) {
          assert.deepEqual(list(store.findSessions('d', 0, 1000)), overlapping)
          assert.deepEqual(list(store.backwardFindSessions('d', 0, 1000)), [...overlapping].reverse())
          assert.deepEqual(list(store.backwardFindSessions('d', 700, 1000)), ['d@900/1850000=4'])
          if (!settled) commit()
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
