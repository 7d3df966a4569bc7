import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Headers } from '../../src/header/headers.ts'
import type { RecordContext } from '../../src/processor/record-context.ts'
import { NamedCache, TaskCache, type CacheEntry, type CacheIterator } from '../../src/state/internals/task-cache.ts'

// The record cache's ordered range reads (Kafka `NamedCache` / `ThreadCache.range`), with many entries,
// evictions, deletions and writes during a read. The stores' suites test them through the caching layers.

const context: RecordContext = { topic: 't', partition: 0, offset: 0, timestamp: 0, headers: new Headers() }
const value = (s: string): Buffer => Buffer.from(s)

function keys(iterator: CacheIterator): string[] {
  const out: string[] = []
  while (iterator.hasNext()) {
    out.push(iterator.peekNextKey())
    iterator.skip()
  }
  return out
}

function entries(iterator: CacheIterator): string[] {
  const out: string[] = []
  while (iterator.hasNext()) {
    const entry = iterator.peekNextEntry()
    out.push(`${iterator.peekNextKey()}=${entry.value === null ? 'null' : entry.value.toString()}`)
    iterator.skip()
  }
  return out
}

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

describe('NamedCache range reads', () => {
  test('key order, inclusive and open bounds, reversed, exclusive upper bound; lo > hi is empty', () => {
    const cache = new NamedCache()
    for (const key of ['d', 'b', 'a', 'c', 'e', 'bb', '\xff', '']) cache.put(key, value(key), true, context)
    assert.deepEqual(keys(cache.range(undefined, undefined, false)), ['', 'a', 'b', 'bb', 'c', 'd', 'e', '\xff'])
    assert.deepEqual(keys(cache.range('b', 'd', false)), ['b', 'bb', 'c', 'd'])
    assert.deepEqual(keys(cache.range('b', 'd', true)), ['d', 'c', 'bb', 'b'])
    assert.deepEqual(keys(cache.range('b', 'd', false, true)), ['b', 'bb', 'c'])
    assert.deepEqual(keys(cache.range('b', 'd', true, true)), ['c', 'bb', 'b'])
    assert.deepEqual(keys(cache.range('ba', 'bz', false)), ['bb'])
    assert.deepEqual(keys(cache.range(undefined, 'b', true)), ['b', 'a', ''])
    assert.deepEqual(keys(cache.range('e', undefined, false)), ['e', '\xff'])
    assert.deepEqual(keys(cache.range('d', 'b', false)), [])
    assert.deepEqual(keys(cache.range('b', 'b', false, true)), [])
    assert.equal(cache.ceilingKey('bc'), 'c')
    assert.equal(cache.floorKey('bc'), 'bb')
    assert.equal(cache.ceilingKey('\xff\xff'), undefined)
    assert.equal(cache.floorKey(''), '')
  })

  test('the key order is built at the first range read from the entries already cached, then kept in step', () => {
    const cache = new NamedCache()
    for (let i = 999; i >= 0; i--) cache.put(String(i).padStart(4, '0'), value(String(i)), false, context)
    assert.deepEqual(keys(cache.range('0995', undefined, false)), ['0995', '0996', '0997', '0998', '0999'])
    cache.put('0996x', value('new'), true, context)
    // the least recently used go first: 0999 to 0995 were just read, so 0994 down to 0984
    while (cache.size > 990) cache.evictOne()
    assert.deepEqual(keys(cache.range('0980', undefined, false)), [
      '0980',
      '0981',
      '0982',
      '0983',
      '0995',
      '0996',
      '0996x',
      '0997',
      '0998',
      '0999',
    ])
  })

  test('with an order function, range reads order by order key while lookups stay by key', () => {
    const cache = new NamedCache()
    // as a segmented store's cache: the segment (here the last character) first
    cache.setOrder((key) => key.slice(-1) + key)
    for (const key of ['a2', 'b1', 'c2', 'a1']) cache.put(key, value(key), false, context)
    assert.deepEqual(keys(cache.range(undefined, undefined, false)), ['1a1', '1b1', '2a2', '2c2'])
    cache.put('b2', value('b2'), false, context)
    assert.deepEqual(keys(cache.range('2', undefined, true)), ['2c2', '2b2', '2a2'])
    assert.equal(cache.ceilingKey('2'), '2a2')
    assert.equal(cache.floorKey('2'), '1b1')
    assert.equal(cache.get('c2')?.value?.toString(), 'c2')
    // a1 and b1 are the least recently used: the reads touched 1a1, 1b1, 2a2, 2c2, then 2c2, 2b2, 2a2
    cache.evictOne()
    cache.evictOne()
    assert.deepEqual(entries(cache.range(undefined, undefined, false)), ['2a2=a2', '2b2=b2', '2c2=c2'])
  })

  test('an open read keeps the keys it started with: values as they are when reached, evicted keys skipped', () => {
    const cache = new NamedCache()
    for (const key of ['a', 'b', 'c', 'd']) cache.put(key, value(`${key}1`), false, context)
    const forward = cache.range(undefined, undefined, false)
    const backward = cache.range('a', 'd', true)
    assert.equal(forward.peekNextKey(), 'a')
    forward.skip()
    cache.put('bb', value('new'), true, context)
    cache.put('c', value('c2'), true, context)
    cache.put('d', null, true, context)
    cache.evictOne() // a, the least recently used
    cache.evictOne() // b
    assert.deepEqual(entries(forward), ['c=c2', 'd=null'])
    assert.deepEqual(entries(backward), ['d=null', 'c=c2'])
    // a read started now sees the new state
    assert.deepEqual(entries(cache.range(undefined, undefined, false)), ['bb=new', 'c=c2', 'd=null'])
  })

  test('entries a read reaches count as used for the LRU order, as Kafka cache reads do', () => {
    const cache = new NamedCache()
    for (const key of ['a', 'b', 'c']) cache.put(key, value(key), false, context)
    assert.deepEqual(keys(cache.range('a', 'a', false)), ['a'])
    cache.evictOne()
    assert.deepEqual(keys(cache.range(undefined, undefined, false)), ['a', 'c'])
  })

  test('closing a read early, or a store closing its cache, ends the read', () => {
    const taskCache = new TaskCache(1 << 20)
    const cache = taskCache.cache('store')
    for (const key of ['a', 'b', 'c']) taskCache.put('store', key, value(key), true, context)
    const read = cache.range(undefined, undefined, false)
    assert.equal(read.peekNextKey(), 'a')
    read.close()
    assert.equal(read.hasNext(), false)
    const open = cache.range(undefined, undefined, false)
    taskCache.close('store')
    assert.deepEqual(keys(open), [])
    assert.deepEqual(keys(taskCache.cache('store').range(undefined, undefined, false)), [])
  })
})

describe('NamedCache flush and eviction', () => {
  test('a flush hands the dirty entries in the order they became dirty, then drops the deleted ones', () => {
    const cache = new NamedCache()
    const flushed: string[][] = []
    cache.setFlusher((dirty: [string, CacheEntry][]) =>
      flushed.push(dirty.map(([key, entry]) => `${key}=${entry.value?.toString() ?? 'null'}`)),
    )
    cache.put('b', value('1'), true, context)
    cache.put('a', value('2'), true, context)
    cache.put('c', null, true, context)
    cache.put('b', value('3'), true, context)
    assert.deepEqual(keys(cache.range(undefined, undefined, false)), ['a', 'b', 'c'])
    const size = cache.totalSize()
    const freed = cache.flush()
    assert.deepEqual(flushed, [['b=3', 'a=2', 'c=null']])
    assert.equal(freed, size - cache.totalSize())
    assert.ok(freed > 0)
    assert.deepEqual(entries(cache.range(undefined, undefined, false)), ['a=2', 'b=3'])
    assert.equal(cache.get('c'), undefined)
    assert.equal(cache.flush(), 0)
  })

  test('a task cache over budget evicts the least recently used entries, flushing the dirty ones', () => {
    const taskCache = new TaskCache(1000)
    const cache = taskCache.cache('store')
    const flushed: string[] = []
    cache.setFlusher((dirty) => flushed.push(...dirty.map(([key]) => key)))
    for (let i = 0; i < 100; i++)
      taskCache.put('store', `k${String(i).padStart(3, '0')}`, value('v'), i % 2 === 0, context)
    // each entry takes 4 + 1 + 64 bytes: the last 14 fit
    const kept = keys(cache.range(undefined, undefined, false))
    assert.equal(kept.length, 14)
    assert.equal(kept[0], 'k086')
    assert.deepEqual(
      flushed,
      Array.from({ length: 43 }, (_, i) => `k${String(2 * i).padStart(3, '0')}`),
    )
  })

  test('random puts, deletes, evictions and flushes: range reads agree with a sorted reference', () => {
    const next = random(20261204)
    const taskCache = new TaskCache(40_000)
    const cache = taskCache.cache('store')
    // the reference follows what the cache holds: what is evicted or flushed away leaves it
    const reference = new Map<string, string | null>()
    const inCache = (key: string): void => {
      const entry = cache.get(key)
      if (entry === undefined) reference.delete(key)
    }
    cache.setFlusher(() => {})
    const keyOf = (n: number): string => String.fromCharCode(n % 7 === 0 ? 0xff : 0x61 + (n % 5)) + String(n % 2000)
    for (let step = 0; step < 20_000; step++) {
      const r = next()
      const key = keyOf(Math.floor(next() * 1_000_000))
      if (r < 0.6) {
        const v = `v${step}`
        taskCache.put('store', key, value(v), next() < 0.8, context)
        reference.set(key, v)
      } else if (r < 0.75) {
        taskCache.put('store', key, null, true, context)
        reference.set(key, null)
      } else if (r < 0.78) {
        taskCache.flush('store')
        for (const [k, v] of reference) if (v === null) reference.delete(k)
      } else {
        // what eviction removed
        for (const k of [...reference.keys()]) if (!cacheHas(cache, k)) reference.delete(k)
        const a = keyOf(Math.floor(next() * 1_000_000))
        const b = keyOf(Math.floor(next() * 1_000_000))
        const [lo, hi] = a < b ? [a, b] : [b, a]
        const reverse = next() < 0.5
        const expected = [...reference.entries()]
          .filter(([k]) => k >= lo && k <= hi)
          .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
          .map(([k, v]) => `${k}=${v ?? 'null'}`)
        if (reverse) expected.reverse()
        assert.deepEqual(entries(cache.range(lo, hi, reverse)), expected, `step ${step}`)
      }
      inCache(key)
    }
    assert.ok(cache.size > 100 && cache.size < 2000, `cache holds ${cache.size} entries`)
  })
})

/** Whether `key` is cached, without touching the LRU order (a range read of that one key would). */
function cacheHas(cache: NamedCache, key: string): boolean {
  return cache.ceilingKey(key) === key
}
