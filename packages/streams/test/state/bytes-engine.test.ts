import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test, type TestContext } from 'node:test'
import { open as openLmdb } from 'lmdb'
import type { KeyValue } from '../../src/kstream/key-value.ts'
import type { BytesEngine } from '../../src/state/internals/bytes-engine.ts'
import { InMemoryBytesEngine } from '../../src/state/internals/in-memory-bytes-engine.ts'
import {
  LmdbBytesEngine,
  LmdbEnvironment,
  ProcessorStateException,
} from '../../src/state/internals/lmdb-bytes-engine.ts'
import { InvalidStateStoreException, type KeyValueIterator } from '../../src/state/key-value-iterator.ts'

// One conformance suite for BytesEngine, run against every engine. The lmdb engine runs it twice: once
// with every write still pending (read from its overlay) and once with the setup writes committed (read
// from LMDB), since reads merge the two.

interface EngineFactory {
  readonly kind: string
  /** A fresh, empty engine named `name`, closed (and its files removed) after the test. */
  create(t: TestContext, name?: string): BytesEngine
  /** Called after a test's setup writes: commits them for 'lmdb, committed', nothing otherwise. */
  settle(engine: BytesEngine): void
}

/** Per test: environments to close, then directories to remove, in one `t.after`. */
const fixtures = new WeakMap<TestContext, { readonly envs: LmdbEnvironment[]; readonly dirs: string[] }>()

function fixture(t: TestContext): { readonly envs: LmdbEnvironment[]; readonly dirs: string[] } {
  let found = fixtures.get(t)
  if (found === undefined) {
    const created = { envs: [] as LmdbEnvironment[], dirs: [] as string[] }
    t.after(() => {
      for (const env of created.envs) env.close()
      for (const dir of created.dirs) rmSync(dir, { recursive: true, force: true })
    })
    fixtures.set(t, created)
    found = created
  }
  return found
}

/** A new directory under the OS temp directory, removed after the test. */
function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'kstreams-engine-'))
  fixture(t).dirs.push(dir)
  return dir
}

/** An environment on `dir`, closed after the test (before the directories are removed). */
function openEnv(t: TestContext, dir: string): LmdbEnvironment {
  const env = new LmdbEnvironment(dir)
  fixture(t).envs.push(env)
  return env
}

function lmdbFactory(kind: string, commitSetup: boolean): EngineFactory {
  return {
    kind,
    create(t, name = 'store') {
      return openEnv(t, tempDir(t)).openEngine(name)
    },
    settle(engine) {
      if (commitSetup) engine.flush()
    },
  }
}

const factories: EngineFactory[] = [
  {
    kind: 'in-memory',
    create(t, name = 'store') {
      const engine = new InMemoryBytesEngine(name)
      t.after(() => engine.close())
      return engine
    },
    settle() {},
  },
  lmdbFactory('lmdb, writes pending', false),
  lmdbFactory('lmdb, writes committed', true),
]

const b = (...bytes: number[]): Buffer => Buffer.from(bytes)
const hex = (buffer: Buffer): string => buffer.toString('hex')
const keysOf = (iterator: Iterable<KeyValue<Buffer, Buffer>>): string[] => [...iterator].map((kv) => hex(kv.key))
const entriesOf = (iterator: Iterable<KeyValue<Buffer, Buffer>>): string[] =>
  [...iterator].map((kv) => `${hex(kv.key)}=${hex(kv.value)}`)
/** Puts each key with its own bytes as the value. */
function fill(engine: BytesEngine, keys: Buffer[]): void {
  for (const key of keys) engine.put(key, key)
}
const sortedHex = (keys: Buffer[]): string[] => [...keys].sort((x, y) => Buffer.compare(x, y)).map(hex)

// Keys whose order differs between signed and unsigned bytes, and keys that are prefixes of others.
const orderKeys = [
  b(0x80),
  b(0x00),
  b(0xff, 0xff),
  b(0x7f),
  b(0x01, 0x00),
  b(0xff),
  b(0x00, 0x00),
  b(0x7f, 0xff),
  b(0x80, 0x00),
  b(0x01),
  b(0x01, 0xff),
  b(0x01, 0x00, 0x00),
  b(0xfe, 0xff),
]

for (const factory of factories) {
  describe(`BytesEngine conformance: ${factory.kind}`, () => {
    test('get, put, overwrite and delete', (t) => {
      const engine = factory.create(t)
      assert.equal(engine.get(b(1)), undefined)
      engine.put(b(1), Buffer.from('one'))
      engine.put(b(2), Buffer.from('two'))
      factory.settle(engine)
      assert.deepEqual(engine.get(b(1)), Buffer.from('one'))
      engine.put(b(1), Buffer.from('uno'))
      assert.deepEqual(engine.get(b(1)), Buffer.from('uno'))
      engine.delete(b(2))
      assert.equal(engine.get(b(2)), undefined)
      engine.delete(b(3)) // absent: nothing happens
      assert.equal(engine.get(b(3)), undefined)
      engine.put(b(2), Buffer.from('again'))
      assert.deepEqual(engine.get(b(2)), Buffer.from('again'))
      engine.flush()
      assert.deepEqual(entriesOf(engine.range(undefined, undefined)), ['01=756e6f', '02=616761696e'])
    })

    test('the empty key and empty values are ordinary entries', (t) => {
      const engine = factory.create(t)
      engine.put(b(), Buffer.from('empty key'))
      engine.put(b(0), b())
      factory.settle(engine)
      assert.deepEqual(engine.get(b()), Buffer.from('empty key'))
      assert.deepEqual(engine.get(b(0)), b())
      assert.deepEqual(keysOf(engine.range(undefined, undefined)), ['', '00'])
      assert.deepEqual(keysOf(engine.range(undefined, undefined, true)), ['00', ''])
      assert.deepEqual(keysOf(engine.range(b(), b())), [''])
      assert.deepEqual(keysOf(engine.range(b(), b(0))), ['', '00'])
      assert.deepEqual(keysOf(engine.prefixScan(b())), ['', '00'])
      assert.equal(engine.approximateNumEntries(), 2)
      engine.delete(b())
      assert.equal(engine.get(b()), undefined)
      assert.deepEqual(keysOf(engine.range(undefined, undefined)), ['00'])
      engine.flush()
      assert.deepEqual(keysOf(engine.range(undefined, undefined, true)), ['00'])
      assert.equal(engine.approximateNumEntries(), 1)
    })

    test('keys are ordered as unsigned bytes, prefixes first', (t) => {
      const engine = factory.create(t)
      fill(engine, orderKeys)
      factory.settle(engine)
      const expected = sortedHex(orderKeys)
      assert.deepEqual(expected.slice(0, 4), ['00', '0000', '01', '0100'])
      assert.deepEqual(keysOf(engine.range(undefined, undefined)), expected)
      assert.deepEqual(keysOf(engine.range(undefined, undefined, true)), [...expected].reverse())
      for (const key of orderKeys) assert.deepEqual(engine.get(key), key)
    })

    test('range bounds are inclusive, may be open, and may lie between keys', (t) => {
      const engine = factory.create(t)
      fill(engine, orderKeys)
      factory.settle(engine)
      assert.deepEqual(keysOf(engine.range(b(0x01), b(0x7f))), ['01', '0100', '010000', '01ff', '7f'])
      assert.deepEqual(keysOf(engine.range(b(0x01), b(0x7f), true)), ['7f', '01ff', '010000', '0100', '01'])
      assert.deepEqual(keysOf(engine.range(b(0x02), b(0x7f, 0x80))), ['7f'])
      assert.deepEqual(keysOf(engine.range(b(0x02), b(0x80))), ['7f', '7fff', '80'])
      assert.deepEqual(keysOf(engine.range(b(0x80, 0x00, 0x00), b(0xff))), ['feff', 'ff'])
      assert.deepEqual(keysOf(engine.range(undefined, b(0x00, 0x00))), ['00', '0000'])
      assert.deepEqual(keysOf(engine.range(undefined, b(0x00, 0x00), true)), ['0000', '00'])
      assert.deepEqual(keysOf(engine.range(b(0xfe), undefined)), ['feff', 'ff', 'ffff'])
      assert.deepEqual(keysOf(engine.range(b(0xfe), undefined, true)), ['ffff', 'ff', 'feff'])
      assert.deepEqual(keysOf(engine.range(b(0x7f), b(0x7f))), ['7f'])
      assert.deepEqual(keysOf(engine.range(b(0x7e), b(0x7e))), [])
      assert.deepEqual(keysOf(engine.range(b(0xff, 0xff, 0x00), undefined)), [])
    })

    test('range with from > to is empty, in both directions', (t) => {
      const engine = factory.create(t)
      fill(engine, orderKeys)
      factory.settle(engine)
      assert.deepEqual(keysOf(engine.range(b(0x80), b(0x7f))), [])
      assert.deepEqual(keysOf(engine.range(b(0x80), b(0x7f), true)), [])
      assert.deepEqual(keysOf(engine.range(b(0x01, 0x00), b(0x01))), [])
    })

    test('prefixScan returns the keys starting with the prefix, in order', (t) => {
      const engine = factory.create(t)
      fill(engine, [...orderKeys, b(0x02), b(0x00, 0xff)])
      factory.settle(engine)
      assert.deepEqual(keysOf(engine.prefixScan(b(0x01))), ['01', '0100', '010000', '01ff'])
      assert.deepEqual(keysOf(engine.prefixScan(b(0x01, 0x00))), ['0100', '010000'])
      assert.deepEqual(keysOf(engine.prefixScan(b(0x00))), ['00', '0000', '00ff'])
      assert.deepEqual(keysOf(engine.prefixScan(b(0x7f))), ['7f', '7fff'])
      assert.deepEqual(keysOf(engine.prefixScan(b(0xff))), ['ff', 'ffff'])
      assert.deepEqual(keysOf(engine.prefixScan(b(0xff, 0xff))), ['ffff'])
      assert.deepEqual(keysOf(engine.prefixScan(b(0xfe))), ['feff'])
      assert.deepEqual(keysOf(engine.prefixScan(b(0x03))), [])
      assert.deepEqual(keysOf(engine.prefixScan(b(0xff, 0xff, 0xff))), [])
      assert.equal(keysOf(engine.prefixScan(b())).length, orderKeys.length + 2)
    })

    test('hasNext, next and peekNextKey; next past the end throws', (t) => {
      const engine = factory.create(t)
      fill(engine, [b(1), b(2)])
      factory.settle(engine)
      const iterator = engine.range(undefined, undefined)
      assert.equal(iterator.hasNext(), true)
      assert.equal(iterator.hasNext(), true)
      assert.deepEqual(iterator.peekNextKey(), b(1))
      assert.deepEqual(iterator.next(), { key: b(1), value: b(1) })
      assert.deepEqual(iterator.peekNextKey(), b(2))
      assert.deepEqual(iterator.next().key, b(2))
      assert.equal(iterator.hasNext(), false)
      assert.throws(() => iterator.next(), RangeError)
      assert.throws(() => iterator.peekNextKey(), RangeError)
      iterator.close()
    })

    test('using an iterator after close throws InvalidStateStoreException; close is idempotent', (t) => {
      const engine = factory.create(t)
      fill(engine, [b(1), b(2)])
      factory.settle(engine)
      const iterator = engine.prefixScan(b(1))
      iterator.close()
      iterator.close()
      assert.throws(() => iterator.hasNext(), InvalidStateStoreException)
      assert.throws(() => iterator.next(), InvalidStateStoreException)
      assert.throws(() => iterator.peekNextKey(), InvalidStateStoreException)
    })

    test('for...of closes the iterator, also after break', (t) => {
      const engine = factory.create(t)
      fill(engine, [b(1), b(2), b(3)])
      factory.settle(engine)
      const whole = engine.range(undefined, undefined)
      assert.equal([...whole].length, 3)
      assert.throws(() => whole.hasNext(), InvalidStateStoreException)
      const partial = engine.range(undefined, undefined, true)
      for (const entry of partial) {
        assert.deepEqual(entry.key, b(3))
        break
      }
      assert.throws(() => partial.next(), InvalidStateStoreException)
    })

    test('an open iterator is not disturbed by writes: it reads the state it started with', (t) => {
      const engine = factory.create(t)
      fill(engine, [b(1), b(2), b(3), b(4), b(5)])
      factory.settle(engine)
      const forward = engine.range(b(1), b(5))
      const backward = engine.range(undefined, undefined, true)
      assert.deepEqual(forward.next().key, b(1))
      assert.deepEqual(backward.next().key, b(5))
      engine.put(b(2, 0), b(0xaa)) // inserted ahead of both
      engine.delete(b(3))
      engine.put(b(4), b(0xbb))
      engine.delete(b(1))
      engine.put(b(6), b(6))
      assert.deepEqual(entriesOf(forward), ['02=02', '03=03', '04=04', '05=05'])
      assert.deepEqual(entriesOf(backward), ['04=04', '03=03', '02=02', '01=01'])
      assert.deepEqual(entriesOf(engine.range(undefined, undefined)), ['02=02', '0200=aa', '04=bb', '05=05', '06=06'])
    })

    test('open iterators over a large map keep their snapshot through many writes', (t) => {
      const engine = factory.create(t)
      const key = (i: number): Buffer => b(i >> 8, i & 0xff)
      for (let i = 0; i < 5000; i += 2) engine.put(key(i), b(1))
      factory.settle(engine)
      const forward = engine.range(undefined, undefined)
      const backward = engine.range(key(1000), key(3999), true)
      const seenForward = Array.from({ length: 1000 }, () => hex(forward.next().key))
      for (let i = 0; i < 5000; i++) {
        if (i % 3 === 0) engine.delete(key(i))
        else engine.put(key(i), b(2))
        if (i % 1000 === 999) engine.flush()
      }
      const restForward = [...forward]
      assert.equal(seenForward.length + restForward.length, 2500)
      assert.ok(restForward.every((entry) => entry.value[0] === 1))
      const all = [...seenForward, ...restForward.map((entry) => hex(entry.key))]
      assert.deepEqual(
        all,
        Array.from({ length: 2500 }, (_, i) => hex(key(i * 2))),
      )
      assert.equal([...backward].length, 1500)
      assert.equal(keysOf(engine.range(undefined, undefined)).length, 5000 - Math.ceil(5000 / 3))
    })

    test('an open iterator survives flush and clear', (t) => {
      const engine = factory.create(t)
      fill(engine, [b(1), b(2), b(3)])
      factory.settle(engine)
      engine.put(b(4), b(4))
      const iterator = engine.range(undefined, undefined)
      assert.deepEqual(iterator.next().key, b(1))
      engine.delete(b(2))
      engine.flush()
      engine.put(b(5), b(5))
      engine.clear()
      assert.deepEqual(keysOf(iterator), ['02', '03', '04'])
      assert.deepEqual(keysOf(engine.range(undefined, undefined)), [])
    })

    test('many iterators opened and closed between writes', (t) => {
      const engine = factory.create(t)
      for (let i = 0; i < 200; i++) {
        engine.put(b(i >> 8, i & 0xff), b(i & 0xff))
        const iterator = engine.range(undefined, undefined, i % 2 === 1)
        assert.equal(iterator.hasNext(), true)
        if (i % 3 === 0) iterator.close() // the others are left open until the engine closes
        if (i % 50 === 49) engine.flush()
      }
      assert.equal(keysOf(engine.range(undefined, undefined)).length, 200)
    })

    test('pending writes and deletes merge with what was written before', (t) => {
      const engine = factory.create(t)
      fill(engine, [b(1), b(2), b(3), b(4), b(5), b(0xff)])
      factory.settle(engine)
      engine.delete(b(2))
      engine.put(b(3), b(0x33))
      engine.put(b(2, 0), b(0x20))
      engine.delete(b(0xff))
      engine.put(b(0), b(0))
      engine.delete(b(7)) // never existed
      const expected = ['00=00', '01=01', '0200=20', '03=33', '04=04', '05=05']
      assert.deepEqual(entriesOf(engine.range(undefined, undefined)), expected)
      assert.deepEqual(entriesOf(engine.range(undefined, undefined, true)), [...expected].reverse())
      assert.deepEqual(entriesOf(engine.range(b(2), b(3))), ['0200=20', '03=33'])
      assert.deepEqual(entriesOf(engine.range(b(2), b(3), true)), ['03=33', '0200=20'])
      assert.deepEqual(entriesOf(engine.prefixScan(b(2))), ['0200=20'])
      assert.equal(engine.get(b(2)), undefined)
      assert.deepEqual(engine.get(b(3)), b(0x33))
      assert.equal(engine.approximateNumEntries(), 6)
      engine.flush()
      assert.deepEqual(entriesOf(engine.range(undefined, undefined)), expected)
      assert.equal(engine.approximateNumEntries(), 6)
    })

    test('a key filter keeps every entry whose key passes it, merged with pending writes', (t) => {
      const engine = factory.create(t)
      fill(engine, [b(1), b(2), b(3), b(4), b(5), b(6)])
      factory.settle(engine)
      engine.delete(b(4))
      engine.put(b(2), b(0x22))
      engine.put(b(3, 2), b(0x32))
      const even = (key: Buffer): boolean => (key.at(-1) as number) % 2 === 0
      // the filter is a hint: an engine may still return keys that fail it, so the caller filters again
      const read = (reverse: boolean): string[] =>
        entriesOf([...engine.range(b(2), b(6), reverse, even)].filter((entry) => even(entry.key)))
      assert.deepEqual(read(false), ['02=22', '0302=32', '06=06'])
      assert.deepEqual(read(true), ['06=06', '0302=32', '02=22'])
    })

    test('approximateNumEntries counts entries', (t) => {
      const engine = factory.create(t)
      assert.equal(engine.approximateNumEntries(), 0)
      for (let i = 0; i < 100; i++) engine.put(b(i), b(i))
      factory.settle(engine)
      assert.equal(engine.approximateNumEntries(), 100)
      engine.put(b(5), b(0)) // overwrite
      engine.delete(b(6))
      engine.delete(b(6))
      engine.delete(b(200)) // absent
      engine.put(b(200), b(1))
      assert.equal(engine.approximateNumEntries(), 100)
      engine.flush()
      assert.equal(engine.approximateNumEntries(), 100)
    })

    test('clear removes every entry; the engine stays usable', (t) => {
      const engine = factory.create(t)
      fill(engine, [b(), b(1), b(2), b(3)])
      factory.settle(engine)
      engine.put(b(4), b(4))
      engine.clear()
      assert.equal(engine.get(b(1)), undefined)
      assert.equal(engine.get(b()), undefined)
      assert.deepEqual(keysOf(engine.range(undefined, undefined)), [])
      assert.equal(engine.approximateNumEntries(), 0)
      engine.put(b(2), b(0x22))
      assert.deepEqual(entriesOf(engine.range(undefined, undefined, true)), ['02=22'])
      assert.equal(engine.approximateNumEntries(), 1)
      engine.flush()
      assert.deepEqual(entriesOf(engine.range(undefined, undefined)), ['02=22'])
      assert.equal(engine.approximateNumEntries(), 1)
    })

    test('large values and many entries', (t) => {
      const engine = factory.create(t)
      const big = Buffer.alloc(8 * 1024 * 1024)
      for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff
      engine.put(b(1), big)
      engine.put(b(2), Buffer.alloc(70_000, 7))
      for (let i = 0; i < 10_000; i++)
        engine.put(Buffer.from(`k${String(i).padStart(6, '0')}`), Buffer.alloc(100, i & 0xff))
      factory.settle(engine)
      assert.ok(engine.get(b(1))?.equals(big))
      assert.ok(engine.get(b(2))?.equals(Buffer.alloc(70_000, 7)))
      let count = 0
      let previous: Buffer | undefined
      for (const { key, value } of engine.prefixScan(Buffer.from('k'))) {
        if (previous) assert.ok(Buffer.compare(previous, key) < 0)
        assert.equal(value[0], count & 0xff)
        previous = key
        count++
      }
      assert.equal(count, 10_000)
      assert.equal(engine.approximateNumEntries(), 10_002)
    })

    test('a closed engine throws InvalidStateStoreException and closes its open iterators', (t) => {
      const engine = factory.create(t)
      fill(engine, [b(1), b(2)])
      factory.settle(engine)
      const iterator = engine.range(undefined, undefined)
      engine.close()
      engine.close()
      assert.throws(() => iterator.hasNext(), InvalidStateStoreException)
      assert.throws(() => engine.get(b(1)), InvalidStateStoreException)
      assert.throws(() => engine.put(b(1), b(1)), InvalidStateStoreException)
      assert.throws(() => engine.range(undefined, undefined), InvalidStateStoreException)
      assert.throws(() => engine.prefixScan(b(1)), InvalidStateStoreException)
      assert.throws(() => engine.approximateNumEntries(), /Store store is currently closed/)
    })

    test('random operations agree with a sorted reference', (t) => {
      const engine = factory.create(t)
      const reference = new Map<string, Buffer>()
      let seed = 42
      const random = (n: number): number => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        return seed % n
      }
      const randomKey = (): Buffer =>
        Buffer.from(Array.from({ length: random(3) + 1 }, () => [0, 1, 0x7f, 0x80, 0xff][random(5)] as number))
      for (let step = 0; step < 3000; step++) {
        const key = randomKey()
        if (random(3) === 0) {
          engine.delete(key)
          reference.delete(hex(key))
        } else {
          const value = b(random(256))
          engine.put(key, value)
          reference.set(hex(key), value)
        }
        if (step % 97 === 0) engine.flush()
        if (step % 101 === 0) {
          const from = randomKey()
          const to = randomKey()
          const reverse = random(2) === 0
          const expected = [...reference]
            .map(([k, v]) => [Buffer.from(k, 'hex'), v] as const)
            .filter(([k]) => Buffer.compare(from, k) <= 0 && Buffer.compare(k, to) <= 0)
            .sort(([x], [y]) => Buffer.compare(x, y))
            .map(([k, v]) => `${hex(k)}=${hex(v)}`)
          if (reverse) expected.reverse()
          assert.deepEqual(entriesOf(engine.range(from, to, reverse)), expected)
          const prefix = key.subarray(0, 1)
          assert.deepEqual(
            keysOf(engine.prefixScan(prefix)),
            [...reference.keys()]
              .filter((k) => k.startsWith(hex(prefix)))
              .sort((x, y) => Buffer.compare(Buffer.from(x, 'hex'), Buffer.from(y, 'hex'))),
          )
        }
      }
      assert.equal(engine.approximateNumEntries(), reference.size)
    })
  })
}

const moduleUrl = new URL('../../src/state/internals/lmdb-bytes-engine.ts', import.meta.url).href

describe('LmdbEnvironment', () => {
  test('committed data survives close and reopen; uncommitted writes do not', (t) => {
    const dir = tempDir(t)
    const env = new LmdbEnvironment(dir)
    const engine = env.openEngine('counts')
    engine.put(b(1), Buffer.from('one'))
    engine.put(b(), Buffer.from('empty'))
    engine.put(b(2), Buffer.from('two'))
    env.commit()
    engine.delete(b(2))
    engine.put(b(3), Buffer.from('three'))
    env.commit()
    engine.put(b(4), Buffer.from('never committed'))
    engine.delete(b(1))
    env.close() // drops the pending writes, like an aborted transaction
    assert.throws(() => engine.get(b(1)), InvalidStateStoreException)

    const reopened = openEnv(t, dir)
    const again = reopened.openEngine('counts')
    assert.deepEqual(entriesOf(again.range(undefined, undefined)), ['=656d707479', '01=6f6e65', '03=7468726565'])
    assert.equal(again.approximateNumEntries(), 3)
  })

  test('flush() commits one store; closing a store keeps its writes for the next commit', (t) => {
    const dir = tempDir(t)
    const env = new LmdbEnvironment(dir)
    const a = env.openEngine('a')
    const c = env.openEngine('c')
    a.put(b(1), b(1))
    c.put(b(1), b(0xc))
    a.flush()
    c.put(b(2), b(0xc))
    c.close()
    // reopening the store in the same environment sees its pending writes
    const c2 = env.openEngine('c')
    assert.deepEqual(keysOf(c2.range(undefined, undefined)), ['01', '02'])
    c2.put(b(3), b(0xc))
    c2.close()
    env.commit()
    env.close()

    const reopened = openEnv(t, dir)
    assert.deepEqual(keysOf(reopened.openEngine('a').range(undefined, undefined)), ['01'])
    assert.deepEqual(keysOf(reopened.openEngine('c').range(undefined, undefined)), ['01', '02', '03'])
  })

  test('metadata is committed in the same transaction as the data', (t) => {
    const dir = tempDir(t)
    const env = new LmdbEnvironment(dir)
    const engine = env.openEngine('store')
    assert.equal(env.readMetadata('changelog-offsets'), undefined)
    engine.put(b(1), b(1))
    env.commit(
      new Map([
        ['changelog-offsets', Buffer.from('{"p0":10}')],
        ['other', Buffer.from('x')],
      ]),
    )
    assert.deepEqual(env.readMetadata('changelog-offsets'), Buffer.from('{"p0":10}'))
    env.commit(new Map([['other', null]])) // metadata alone; null removes
    assert.equal(env.readMetadata('other'), undefined)
    engine.put(b(2), b(2))
    env.close()

    const reopened = openEnv(t, dir)
    assert.deepEqual(reopened.readMetadata('changelog-offsets'), Buffer.from('{"p0":10}'))
    assert.equal(reopened.readMetadata('other'), undefined)
    assert.deepEqual(keysOf(reopened.openEngine('store').range(undefined, undefined)), ['01'])
    assert.throws(() => reopened.commit(new Map([['', b(1)]])), ProcessorStateException)
  })

  test('several stores in one environment keep separate key spaces', (t) => {
    const dir = tempDir(t)
    const env = new LmdbEnvironment(dir)
    const names = ['orders', 'orders-by-user', 'KSTREAM-AGGREGATE-STATE-STORE-0000000001']
    const stores: LmdbBytesEngine[] = names.map((name) => env.openEngine(name))
    stores.forEach((engine, i) => {
      engine.put(b(1), b(i))
      engine.put(b(), b(i))
      engine.put(b(2 + i), b(i))
    })
    env.commit()
    const [first, second] = stores
    second?.clear()
    assert.deepEqual(entriesOf(first?.range(undefined, undefined) ?? []), ['=00', '01=00', '02=00'])
    env.commit()
    env.close()

    const reopened = openEnv(t, dir)
    const contents = names.map((name) => entriesOf(reopened.openEngine(name).range(undefined, undefined)))
    assert.deepEqual(contents, [['=00', '01=00', '02=00'], [], ['=02', '01=02', '04=02']])
    assert.throws(
      () => reopened.openEngine('orders'),
      (error: unknown) => {
        assert.ok(error instanceof ProcessorStateException)
        assert.match(error.message, /"orders" is already open/)
        return true
      },
    )
    assert.throws(() => reopened.openEngine('kstreams:metadata'), /reserved/)
  })

  test('a store cleared and closed is dropped at the next commit, freeing its slot', (t) => {
    const dir = tempDir(t)
    const env = new LmdbEnvironment(dir, { maxDbs: 3 })
    fixture(t).envs.push(env)
    const live: LmdbBytesEngine[] = []
    // Window segments come and go; with maxDbs 3, keeping every segment's database would fail at the fourth.
    for (let segment = 0; segment < 40; segment++) {
      const engine = env.openEngine(`window.${segment * 60_000}`)
      engine.put(b(segment), b(segment))
      live.push(engine)
      if (live.length > 2) {
        const expired = live.shift()
        expired?.clear()
        expired?.close()
      }
      env.commit()
    }
    assert.deepEqual(
      live.map((engine) => keysOf(engine.range(undefined, undefined))),
      [['26'], ['27']],
    )
    env.close()
    const reopened = openEnv(t, dir)
    assert.deepEqual(keysOf(reopened.openEngine('window.0').range(undefined, undefined)), [])
    assert.deepEqual(keysOf(reopened.openEngine('window.2340000').range(undefined, undefined)), ['27'])
  })

  test('too many stores in one environment is an error saying to raise maxDbs', (t) => {
    const env = new LmdbEnvironment(tempDir(t), { maxDbs: 2 })
    fixture(t).envs.push(env)
    env.openEngine('a')
    env.openEngine('b')
    assert.throws(
      () => env.openEngine('c'),
      (error: unknown) => {
        assert.ok(error instanceof ProcessorStateException)
        assert.equal(error.storeName, 'c')
        assert.match(error.message, /Cannot open store "c" in .*at most 2 stores; raise maxDbs/)
        return true
      },
    )
  })

  test('keys longer than LMDB allows are refused at put, naming the store', (t) => {
    const engine = openEnv(t, tempDir(t)).openEngine('wide')
    engine.put(Buffer.alloc(1978, 1), b(1))
    assert.throws(
      () => engine.put(Buffer.alloc(1979, 1), b(1)),
      (error: unknown) => {
        assert.ok(error instanceof ProcessorStateException)
        assert.equal(error.code, 'KSTREAMS_PROCESSOR_STATE')
        assert.match(error.message, /1979 bytes.*"wide".*at most 1978/)
        return true
      },
    )
    engine.flush()
    assert.equal(engine.approximateNumEntries(), 1)
  })

  function assertOpenError(error: unknown, store: string, path: string, corrupted: boolean): true {
    assert.ok(error instanceof ProcessorStateException, String(error))
    assert.equal(error.code, 'KSTREAMS_PROCESSOR_STATE')
    assert.equal(error.storeName, store)
    assert.equal(error.path, path)
    assert.equal(error.corrupted, corrupted)
    assert.ok(error.message.includes(`"${store}"`), error.message)
    assert.ok(error.message.includes(path), error.message)
    return true
  }

  test('a regular file where the directory should be is an error naming the store and the path', (t) => {
    const dir = tempDir(t)
    const file = join(dir, '0_1')
    writeFileSync(file, 'not a directory')
    assert.throws(
      () => new LmdbEnvironment(file).openEngine('counts'),
      (error) =>
        assertOpenError(error, 'counts', file, false) &&
        /not a directory.*Remove or rename that file/.test(String(error)),
    )
    const below = join(file, 'task')
    assert.throws(
      () => new LmdbEnvironment(below).openEngine('counts'),
      (error) => assertOpenError(error, 'counts', below, false) && /a parent of .* is a file/.test(String(error)),
    )
    const env = new LmdbEnvironment(file, { owner: 'task 0_1' })
    assert.throws(() => env.open(), /Cannot open the state directory .*0_1 \(task 0_1\)/)
    assert.equal(env.isOpen, false)
  })

  test('a data.mdb that is not an LMDB file is reported as corrupted, not opened', (t) => {
    const dir = tempDir(t)
    const garbage = join(dir, 'garbage')
    mkdirSync(garbage)
    writeFileSync(join(garbage, 'data.mdb'), Buffer.alloc(20_000, 0x41))
    assert.throws(
      () => new LmdbEnvironment(garbage).openEngine('counts'),
      (error) =>
        assertOpenError(error, 'counts', garbage, true) &&
        /not an LMDB data file.*delete .*garbage and restart/.test(String(error)),
    )

    const tiny = join(dir, 'tiny')
    mkdirSync(tiny)
    writeFileSync(join(tiny, 'data.mdb'), 'hello')
    assert.throws(
      () => new LmdbEnvironment(tiny).openEngine('counts'),
      (error) => assertOpenError(error, 'counts', tiny, true),
    )

    const truncated = join(dir, 'truncated')
    const env = new LmdbEnvironment(truncated)
    env.openEngine('counts').put(b(1), Buffer.alloc(50_000))
    env.commit()
    env.close()
    truncateSync(join(truncated, 'data.mdb'), 5000)
    assert.throws(
      () => new LmdbEnvironment(truncated).openEngine('counts'),
      (error) => assertOpenError(error, 'counts', truncated, true) && /truncated/.test(String(error)),
    )

    const lockDir = join(dir, 'lock-dir')
    mkdirSync(join(lockDir, 'lock.mdb'), { recursive: true })
    assert.throws(
      () => new LmdbEnvironment(lockDir).openEngine('counts'),
      (error) => assertOpenError(error, 'counts', lockDir, false),
    )
  })

  test(
    'a directory left open when the machine restarted is reported as corrupted',
    { skip: !existsSync('/proc/sys/kernel/random/boot_id') && 'needs Linux boot ids' },
    (t) => {
      const dir = tempDir(t)
      const env = new LmdbEnvironment(dir)
      env.openEngine('counts').put(b(1), b(1))
      env.commit()
      env.close()
      // What an unclean stop leaves behind, as if written during an earlier boot of the machine.
      const raw = openLmdb({ path: dir, noSync: true, maxDbs: 4 })
      raw
        .openDB('kstreams:internal', { keyEncoding: 'binary', encoding: 'binary' })
        .putSync(Buffer.from('session'), Buffer.from('earlier-boot'))
      void raw.close()
      assert.throws(
        () => new LmdbEnvironment(dir).openEngine('counts'),
        (error) =>
          assertOpenError(error, 'counts', dir, true) &&
          /not closed cleanly before the machine restarted/.test(String(error)),
      )
      // An unclean stop within this boot (a process crash) is fine: the page cache kept every commit.
      const crashed = tempDir(t)
      const child = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { LmdbEnvironment } from ${JSON.stringify(moduleUrl)}
          const env = new LmdbEnvironment(${JSON.stringify(crashed)})
          env.openEngine('counts').put(Buffer.from([1]), Buffer.from([1]))
          env.commit()
          process.exit(0)`,
        ],
        { encoding: 'utf8' },
      )
      assert.equal(child.status, 0, child.stderr)
      assert.deepEqual(openEnv(t, crashed).openEngine('counts').get(b(1)), b(1))
    },
  )

  test(
    'a full disk fails the commit with an error naming the stores and the path; nothing of it is written',
    { skip: process.platform === 'win32' && 'needs ulimit' },
    (t) => {
      const dir = tempDir(t)
      // A child limited to files of 2 MiB (ulimit -f, with SIGXFSZ ignored so writes fail with EFBIG)
      // stands in for a full disk.
      const script = `
        import { LmdbEnvironment } from ${JSON.stringify(moduleUrl)}
        const env = new LmdbEnvironment(${JSON.stringify(dir)})
        const engine = env.openEngine('big-store')
        engine.put(Buffer.from('first'), Buffer.from('committed'))
        env.commit(new Map([['offsets', Buffer.from('1')]]))
        for (let i = 0; i < 4000; i++) engine.put(Buffer.from('k' + i), Buffer.alloc(1000, 1))
        let result = { committed: true }
        try {
          env.commit(new Map([['offsets', Buffer.from('2')]]))
        } catch (error) {
          result = { name: error.name, code: error.code, message: error.message, storeName: error.storeName,
            path: error.path, pendingKept: engine.approximateNumEntries() }
        }
        try { env.close() } catch {}
        console.log(JSON.stringify(result))
      `
      const node = process.execPath
      const child = spawnSync(
        'bash',
        ['-c', `trap '' XFSZ; ulimit -f 2048; exec "$0" --input-type=module -e "$1"`, node, script],
        { encoding: 'utf8' },
      )
      assert.equal(child.status, 0, child.stderr)
      const result = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>
      assert.equal(result.code, 'KSTREAMS_PROCESSOR_STATE', child.stdout)
      assert.equal(result.name, 'ProcessorStateException')
      assert.equal(result.storeName, 'big-store')
      assert.equal(result.path, dir)
      assert.equal(result.pendingKept, 4001)
      assert.match(String(result.message), /Cannot commit the writes of store "big-store" to .*free space/)
      assert.ok(String(result.message).includes(dir))

      const reopened = openEnv(t, dir)
      assert.deepEqual(reopened.readMetadata('offsets'), Buffer.from('1'))
      const engine = reopened.openEngine('big-store')
      assert.deepEqual(keysOf(engine.range(undefined, undefined)), [hex(Buffer.from('first'))])
    },
  )

  test('closing the environment closes its engines and their iterators', (t) => {
    const env = new LmdbEnvironment(tempDir(t))
    const engine = env.openEngine('store')
    engine.put(b(1), b(1))
    env.commit()
    const iterator: KeyValueIterator<Buffer, Buffer> = engine.range(undefined, undefined)
    assert.equal(iterator.hasNext(), true)
    env.close()
    env.close()
    assert.equal(engine.isOpen, false)
    assert.throws(() => iterator.next(), InvalidStateStoreException)
    assert.throws(() => engine.flush(), InvalidStateStoreException)
  })
})
