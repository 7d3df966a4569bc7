import { StreamsError } from '../../errors/streams-error.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import { PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import type { BytesStore } from './bytes-store.ts'
import { CachingBytesStore } from './caching-bytes-store.ts'
import { FilteredCacheIterator, mergedSortedCacheIterator } from './merged-sorted-cache-iterator.ts'
import { compareBytes } from './ordered-bytes.ts'
import type { KeySchema, SegmentedBytesStore, SegmentedReader } from './segmented-bytes-store.ts'
import { toSessionStoreKey } from './session-key-schema.ts'
import type { CacheIterator } from './task-cache.ts'

const latin1 = (key: Buffer): string => key.toString('latin1')
const exhausted = (): undefined => undefined
const SEGMENT_ID_SIZE = 8

/** The 8-byte big-endian long at `at` in a latin1 string. */
function longAt(key: string, at: number): number {
  let hi = 0
  let lo = 0
  for (let i = at; i < at + 4; i++) hi = hi * 256 + key.charCodeAt(i)
  for (let i = at + 4; i < at + 8; i++) lo = lo * 256 + key.charCodeAt(i)
  return (hi >= 0x80000000 ? hi - 0x100000000 : hi) * 0x100000000 + lo
}

/** The segment id a cache order key starts with. */
const segmentOf = (orderKey: string): number => longAt(orderKey, 0)

/**
 * Kafka `CachingWindowStore` and `CachingSessionStore`: the caching layer of a window or session store.
 * The cache's range reads order its entries by the store key prefixed with its 8-byte segment id (Kafka
 * `SegmentedCacheFunction`'s cache keys), so that they come segment by segment and in key order within
 * each: the order of the segmented store below. Every read merges the two in that order
 * (`mergedSortedCacheIterator`), the cache's entries filtered as the store's are (the key schema's
 * `matches`), except for retention: the cache still holds, and returns, entries the store has expired.
 * Lookups by key use the store key alone, as cheap as a key-value store's: only the cache's tree, built
 * at its first range read, holds the prefixed keys.
 *
 * Which part of the cache a read visits follows Kafka too, because Kafka's results depend on it. Over a
 * persistent store, a window read and a session read of one key go segment by segment (Kafka's
 * `CacheIteratorWrapper`), from the first segment of the time range to the last one holding a cached
 * write, with Kafka's bounds in each, except in two reads where Kafka's bounds give wrong results
 * (see `#windowSegments` and `#sessionSegments`): there kstreams returns what the read gives with the
 * cache off. Every other read (over a store in memory, a session key range, `fetchAll`, `all`) is one
 * range of the cache filtered by the key schema, which here visits only the segments holding cached
 * entries, with bounds per segment, for O(log n + k) instead of a scan of the cache.
 */
export class CachingSegmentedBytesStore extends CachingBytesStore implements SegmentedReader {
  readonly #segments: SegmentedBytesStore
  readonly #schema: KeySchema
  readonly #session: boolean
  readonly #interval: number
  /** Kafka's `maxObservedTimestamp`: the latest segment time written through the cache. */
  #maxObserved = -1
  #prefixId = Number.NaN
  #prefix = ''

  /** `session` picks Kafka's `CachingSessionStore` reads over `CachingWindowStore`'s. */
  constructor(inner: BytesStore, segments: SegmentedBytesStore, session: boolean) {
    super(inner)
    this.#segments = segments
    this.#schema = segments.schema
    this.#session = session
    this.#interval = segments.segmentIntervalMs
  }

  /** Kafka `SegmentedCacheFunction.segmentId`: Java's long division, which truncates. */
  #segmentId(time: number): number {
    return Math.trunc(time / this.#interval)
  }

  /** The 8-byte segment id as a latin1 string; consecutive keys mostly fall in one segment. */
  #segmentPrefix(id: number): string {
    if (id !== this.#prefixId) {
      const prefix = Buffer.allocUnsafe(SEGMENT_ID_SIZE)
      prefix.writeBigInt64BE(BigInt(id))
      this.#prefix = prefix.toString('latin1')
      this.#prefixId = id
    }
    return this.#prefix
  }

  /** Kafka `SegmentedCacheFunction.cacheKey`: [segment id][store key], the cache's order key. */
  #cacheKey(storeKey: Buffer): string {
    return this.#segmentPrefix(this.#segmentId(this.#schema.segmentTimestamp(storeKey))) + latin1(storeKey)
  }

  /** The same from a cached key (a store key's latin1 string), whose segment time starts its suffix. */
  readonly #orderKey = (key: string): string =>
    this.#segmentPrefix(this.#segmentId(longAt(key, key.length - this.#schema.suffixSize))) + key

  override init(context: ProcessorContextImpl): void {
    super.init(context)
    // lookups by key stay on plain store keys; only range reads order by segment first
    this.namedCache.setOrder(this.#orderKey)
  }

  protected override storeKey(orderKey: string): Buffer {
    return Buffer.from(orderKey, 'latin1').subarray(SEGMENT_ID_SIZE)
  }

  override put(key: Buffer, value: Buffer): void {
    super.put(key, value)
    this.#observe(key)
  }

  override delete(key: Buffer): void {
    super.delete(key)
    this.#observe(key)
  }

  /** Kafka's caching put: the segment time counts for `maxObservedTimestamp`. */
  #observe(key: Buffer): void {
    if (this.disabled) return
    const time = this.#schema.segmentTimestamp(key)
    if (time > this.#maxObserved) this.#maxObserved = time
  }

  fetchKey(key: Buffer, from: number, to: number, reverse: boolean): KeyValueIterator<Buffer, Buffer> {
    const store = this.#segments.fetchKey(key, from, to, reverse)
    if (this.disabled) return store
    const schema = this.#schema
    let ranges: () => CacheIterator | undefined
    if (this.persistent) {
      ranges = this.#session
        ? this.#sessionSegments(key, from, to, reverse)
        : this.#windowSegments(key, key, from, to, reverse)
    } else {
      const lo = latin1(schema.lowerRangeFixedSize(key, from))
      const hi = latin1(schema.upperRangeFixedSize(key, to))
      ranges = this.#presentSegments(
        this.#segmentId(Math.max(0, from)),
        this.#segmentId(schema.searchTo(to)),
        reverse,
        (prefix) => [prefix + lo, prefix + hi, false],
      )
    }
    return this.#merged(
      ranges,
      (storeKey) => schema.matches(storeKey, key, key, from, to),
      store,
      reverse,
      this.#windowTimeIn(from, to),
    )
  }

  fetchKeyRange(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    from: number,
    to: number,
    reverse: boolean,
  ): KeyValueIterator<Buffer, Buffer> {
    if (keyFrom !== undefined && keyTo !== undefined && Buffer.compare(keyFrom, keyTo) > 0) {
      return new PullIterator(this.name, exhausted)
    }
    const store = this.#segments.fetchKeyRange(keyFrom, keyTo, from, to, reverse)
    if (this.disabled) return store
    const schema = this.#schema
    let ranges: () => CacheIterator | undefined
    if (this.persistent && !this.#session) {
      ranges = this.#windowSegments(keyFrom, keyTo, from, to, reverse)
    } else {
      // Kafka reads [lowerRange(keyFrom)] to [upperRange(keyTo, to)] of the last segment that may match
      // (the session schema's bound lies past every segment): the segments in between whole
      const lastTo = schema.searchTo(to)
      const last = this.#segmentId(lastTo)
      const lo = keyFrom === undefined ? '' : latin1(schema.lowerRange(keyFrom, from))
      const hiLast = keyTo === undefined ? undefined : latin1(schema.upperRange(keyTo, to))
      // above every store key of keys <= keyTo while times stay below 2^56 (a suffix's first byte is then 0)
      const hiMiddle = keyTo === undefined ? undefined : latin1(keyTo) + '\xff'.repeat(schema.suffixSize + 1)
      ranges = this.#presentSegments(this.#segmentId(Math.max(0, from)), last, reverse, (prefix, segment) => {
        const hi = segment === last && lastTo === to ? hiLast : hiMiddle
        return hi === undefined
          ? [prefix + lo, this.#segmentPrefix(segment + 1), true]
          : [prefix + lo, prefix + hi, false]
      })
    }
    return this.#merged(
      ranges,
      (storeKey) => schema.matches(storeKey, keyFrom, keyTo, from, to),
      store,
      reverse,
      this.#windowTimeIn(from, to),
    )
  }

  /**
   * For a window store, a test that a cache key's window start lies in [from, to], read from the key as
   * it is: a range over many keys and times mostly fails it, and then costs no store key.
   */
  #windowTimeIn(from: number, to: number): ((cacheKey: string) => boolean) | undefined {
    if (this.#session) return undefined
    const at = this.#schema.suffixSize
    return (cacheKey) => {
      const time = longAt(cacheKey, cacheKey.length - at)
      return time >= from && time <= to
    }
  }

  fetchAll(from: number, to: number, reverse: boolean): KeyValueIterator<Buffer, Buffer> {
    const store = this.#segments.fetchAll(from, to, reverse)
    if (this.disabled) return store
    const schema = this.#schema
    // Kafka filters the whole cache by time; the entries that can match are those of the segments in
    // [from, to], one stretch of the cache (unless times before 0, whose segment ids sort last, may match)
    const whole = from < 0
    const lo = whole ? undefined : this.#segmentPrefix(this.#segmentId(from))
    const hi = whole ? undefined : this.#segmentPrefix(this.#segmentId(to) + 1)
    return this.#merged(
      this.#once(lo, hi, !whole, reverse),
      (storeKey) => schema.matches(storeKey, undefined, undefined, from, to),
      store,
      reverse,
    )
  }

  all(reverse: boolean): KeyValueIterator<Buffer, Buffer> {
    const store = this.#segments.all(reverse)
    if (this.disabled) return store
    return this.#merged(this.#once(undefined, undefined, false, reverse), undefined, store, reverse)
  }

  /** Raw byte bounds over the whole store, in the segmented store's order (segment, then key). */
  override range(from: Buffer | undefined, to: Buffer | undefined, reverse = false): KeyValueIterator<Buffer, Buffer> {
    const store = this.inner.range(from, to, reverse)
    if (this.disabled) return store
    const inRange = (storeKey: Buffer): boolean =>
      (from === undefined || Buffer.compare(storeKey, from) >= 0) &&
      (to === undefined || Buffer.compare(storeKey, to) <= 0)
    return this.#merged(this.#once(undefined, undefined, false, reverse), inRange, store, reverse)
  }

  override prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    return this.range(prefix, Buffer.concat([prefix, Buffer.alloc(64, 0xff)]))
  }

  /** Kafka `SegmentedCacheFunction.compareSegmentedKeys`: by segment, then by store key. */
  readonly #compareKeys = (cacheKey: string, cacheStoreKey: Buffer, storeKey: Buffer): number =>
    segmentOf(cacheKey) - this.#segmentId(this.#schema.segmentTimestamp(storeKey)) ||
    compareBytes(cacheStoreKey, storeKey)

  #merged(
    ranges: () => CacheIterator | undefined,
    matches: ((storeKey: Buffer) => boolean) | undefined,
    store: KeyValueIterator<Buffer, Buffer>,
    reverse: boolean,
    prefilter?: (cacheKey: string) => boolean,
  ): KeyValueIterator<Buffer, Buffer> {
    const cache = new FilteredCacheIterator(ranges, matches, (cacheKey) => this.storeKey(cacheKey), prefilter)
    return mergedSortedCacheIterator(this.name, cache, store, this.#compareKeys, reverse)
  }

  /** One range of the cache. */
  #once(
    lo: string | undefined,
    hi: string | undefined,
    hiExclusive: boolean,
    reverse: boolean,
  ): () => CacheIterator | undefined {
    let read = false
    return () => {
      if (read) return undefined
      read = true
      return this.namedCache.range(lo, hi, reverse, hiExclusive)
    }
  }

  /**
   * The segments in [first, last] that hold cached entries, in order (reversed for `reverse`), each read
   * over the bounds `bounds` gives for it: [lo, hi, hiExclusive], the segment's prefix included. Finding
   * the next such segment is one search of the cache's tree.
   */
  #presentSegments(
    first: number,
    last: number,
    reverse: boolean,
    bounds: (prefix: string, segment: number) => [string, string, boolean],
  ): () => CacheIterator | undefined {
    let next: number | undefined = reverse ? last : first
    return () => {
      if (next === undefined) return undefined
      const segment = reverse ? this.#segmentAtOrBefore(next) : this.#segmentAtOrAfter(next)
      if (segment === undefined || (reverse ? segment < first : segment > last)) {
        next = undefined
        return undefined
      }
      next = reverse ? segment - 1 : segment + 1
      const [lo, hi, hiExclusive] = bounds(this.#segmentPrefix(segment), segment)
      return this.namedCache.range(lo, hi, reverse, hiExclusive)
    }
  }

  /** The first segment at or after `segment` that holds cached entries. */
  #segmentAtOrAfter(segment: number): number | undefined {
    const key = this.namedCache.ceilingKey(this.#segmentPrefix(segment))
    return key === undefined ? undefined : segmentOf(key)
  }

  /** The last segment at or before `segment` that holds cached entries. */
  #segmentAtOrBefore(segment: number): number | undefined {
    const key = this.namedCache.floorKey(this.#segmentPrefix(segment + 1))
    return key === undefined ? undefined : segmentOf(key)
  }

  /**
   * Kafka `CachingWindowStore.CacheIteratorWrapper`: the window cache read segment by segment from
   * `timeFrom`'s segment to that of min(timeTo, maxObserved) (reversed for backward reads), re-reading
   * maxObserved at each step as Kafka does; a segment without cached entries gives nothing, so the walk
   * jumps to the next one that has some.
   *
   * Deviation from Kafka, on purpose: with a null key bound, each segment's range ends at that segment's
   * own start or end. Kafka's `CacheIteratorWrapper.setCacheKeyRange` leaves the range open there (a null
   * `cacheKeyFrom` or `cacheKeyTo` reads from the start or to the end of the whole cache), so a key range
   * with a null bound returns the entries of the other segments once more for every segment it visits:
   * duplicates. kstreams returns each window once, as the read does with the cache off.
   */
  #windowSegments(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    timeFrom: number,
    timeTo: number,
    reverse: boolean,
  ): () => CacheIterator | undefined {
    const interval = this.#interval
    const schema = this.#schema
    const sameKey = keyFrom !== undefined && keyTo !== undefined && keyFrom.equals(keyTo)
    let current = 0
    let last = 0
    let started = false
    const begin = (): number => current * interval
    const lastTime = (): number => Math.min(timeTo, begin() + interval - 1)
    const range = (lowerTime: number, upperTime: number): CacheIterator => {
      this.#checkSegment(lowerTime, upperTime)
      if (sameKey) {
        const lo = this.#cacheKey(schema.lowerRangeFixedSize(keyFrom, lowerTime))
        const hi = this.#cacheKey(schema.upperRangeFixedSize(keyTo, upperTime))
        return this.namedCache.range(lo, hi, reverse)
      }
      const prefix = this.#segmentPrefix(current)
      // an open key bound stops at the segment's start, or before the next segment's
      const lo = keyFrom === undefined ? prefix : prefix + latin1(schema.lowerRange(keyFrom, lowerTime))
      if (keyTo === undefined) return this.namedCache.range(lo, this.#segmentPrefix(current + 1), reverse, true)
      return this.namedCache.range(lo, prefix + latin1(schema.upperRange(keyTo, timeTo)), reverse)
    }
    return () => {
      if (!started) {
        started = true
        const latest = Math.min(timeTo, this.#maxObserved)
        if (reverse) {
          current = this.#segmentId(latest)
          last = this.#segmentId(timeFrom)
          return range(begin(), latest)
        }
        last = this.#segmentId(latest)
        current = this.#segmentId(timeFrom)
        return range(timeFrom, lastTime())
      }
      if (reverse) {
        current = this.#cachedSegmentBefore(current, last)
        if (current < last) return undefined
      } else {
        current = this.#cachedSegmentAfter(current)
        last = this.#segmentId(Math.min(timeTo, this.#maxObserved))
        if (current > last) return undefined
      }
      return range(begin(), lastTime())
    }
  }

  /**
   * Kafka `CachingSessionStore.CacheIteratorWrapper`: one key's cached sessions, segment by segment from
   * that of `earliestEnd` to that of maxObserved (reversed for backward reads), with Kafka's bounds in
   * each; segments without cached entries are skipped, as they give nothing.
   *
   * Deviation from Kafka, on purpose: a backward read reads its first (newest) segment whole, as every
   * other one. Kafka's `CacheIteratorWrapper` constructor bounds it by min(latestSessionStartTime,
   * maxObservedTimestamp) as an end time, so a backward search misses the cached sessions there that end
   * after `latestSessionStartTime` (and still overlap the search), and throws when that time lies in an
   * earlier segment than maxObserved. kstreams finds every matching session, as the read does with the
   * cache off.
   */
  #sessionSegments(
    key: Buffer,
    earliestEnd: number,
    latestStart: number,
    reverse: boolean,
  ): () => CacheIterator | undefined {
    const interval = this.#interval
    const schema = this.#schema
    let current = 0
    let last = 0
    let started = false
    const begin = (): number => current * interval
    const range = (lowerEnd: number, upperEnd: number): CacheIterator => {
      this.#checkSegment(lowerEnd, upperEnd)
      // from the session (start 0, end lowerEnd) to (start min(latestStart, upperEnd), end upperEnd)
      const lo = schema.lowerRangeFixedSize(key, lowerEnd)
      const hi = toSessionStoreKey(key, Math.min(latestStart, upperEnd), upperEnd)
      return this.namedCache.range(this.#cacheKey(lo), this.#cacheKey(hi), reverse)
    }
    return () => {
      if (!started) {
        started = true
        if (reverse) {
          current = this.#segmentId(this.#maxObserved)
          last = this.#segmentId(earliestEnd)
          return range(begin(), begin() + interval - 1)
        }
        current = this.#segmentId(earliestEnd)
        last = this.#segmentId(this.#maxObserved)
        return range(earliestEnd, begin() + interval - 1)
      }
      if (reverse) {
        current = this.#cachedSegmentBefore(current, last)
        if (current < last) return undefined
      } else {
        current = this.#cachedSegmentAfter(current)
        last = this.#segmentId(this.#maxObserved)
        if (current > last) return undefined
      }
      return range(begin(), begin() + interval - 1)
    }
  }

  /**
   * The next segment after `segment` a segment-by-segment walk reads: the first holding cached entries,
   * +Infinity if none does. Negative segment ids sort after the others in the cache, so the walk steps
   * through them one by one, as Kafka's does.
   */
  #cachedSegmentAfter(segment: number): number {
    const next = segment + 1
    return next < 0 ? next : (this.#segmentAtOrAfter(next) ?? Number.POSITIVE_INFINITY)
  }

  /** The same backwards, down to `last`: -Infinity if no segment in [last, segment) is left to read. */
  #cachedSegmentBefore(segment: number, last: number): number {
    const previous = segment - 1
    if (previous < 0) return previous
    return this.#segmentAtOrBefore(previous) ?? (last < 0 ? -1 : Number.NEGATIVE_INFINITY)
  }

  /** Kafka's check that both bounds of a segment's range lie in that segment. */
  #checkSegment(lowerTime: number, upperTime: number): void {
    if (this.#segmentId(lowerTime) === this.#segmentId(upperTime)) return
    throw new StreamsError(
      'KSTREAMS_ILLEGAL_STATE',
      `Store ${this.name}: Error iterating over segments: segment interval has changed. Kafka Streams' caching ` +
        `${this.#session ? 'session' : 'window'} store fails the same way for this read (a time range that ends ` +
        'before the segment it starts in, or starts a segment or more before time 0); read from time 0 on, ' +
        'or turn caching off for this store.',
    )
  }
}
