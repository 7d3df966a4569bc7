import { Window, Windowed } from '../../kstream/windowed.ts'
import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { Serde } from '../../serde/serde.ts'
import { InvalidStateStoreException, PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import type { SessionStore } from '../session-store.ts'
import type { BytesStore } from './bytes-store.ts'
import { MeteredStore } from './metered-store.ts'
import type { TypedFlushListener } from './metered-key-value-store.ts'
import type { SegmentedReader } from './segmented-bytes-store.ts'
import {
  SESSION_SUFFIX_SIZE,
  sessionKeyEnd,
  sessionKeyKey,
  sessionKeyStart,
  toSessionStoreKey,
} from './session-key-schema.ts'
import type { SessionSegmentedBytesStore } from './session-segmented-bytes-store.ts'

/**
 * Which of Kafka's session stores a store stands for, where they differ: the order of reads over several
 * keys (by segment then key for RocksDB, by end time then key in memory) and the all-keys read by end
 * time that emit-final uses (only the time-ordered RocksDB store and the in-memory store have it; the
 * former also returns sessions past retention that are still on disk).
 */
export type SessionStoreKind = 'lmdb' | 'in_memory' | 'time_ordered'

const LONG_MAX = Number.MAX_SAFE_INTEGER

/**
 * Kafka `MeteredSessionStore` over `RocksDBSessionStore` / `InMemorySessionStore`: the typed session
 * store. Keys are stored as [key][session end][session start] (`session-key-schema.ts`), segmented by
 * end. Searches go to `reads`, the caching layer or else the segments, which give the sessions of the
 * keys searched that overlap the time range, segment by segment; the segments leave out sessions past
 * retention, while a caching layer above them still returns the ones it holds (as Kafka's cache does).
 */
export class MeteredSessionStore<K, AGG> extends MeteredStore<K, AGG> implements SessionStore<K, AGG> {
  readonly #segments: SessionSegmentedBytesStore
  readonly #reads: SegmentedReader
  readonly #kindAt: (context: ProcessorContextImpl) => SessionStoreKind
  readonly #cached: boolean
  #kind: SessionStoreKind = 'lmdb'

  constructor(
    inner: BytesStore,
    segments: SessionSegmentedBytesStore,
    reads: SegmentedReader,
    kindAt: (context: ProcessorContextImpl) => SessionStoreKind,
    cached: boolean,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<AGG> | undefined,
  ) {
    super(inner, keySerde, valueSerde)
    this.#segments = segments
    this.#reads = reads
    this.#kindAt = kindAt
    this.#cached = cached
  }

  get retentionMs(): number {
    return this.#segments.retentionMs
  }

  override init(context: ProcessorContextImpl): void {
    this.#kind = this.#kindAt(context)
    super.init(context)
  }

  #key(key: K | null, what = 'key'): Buffer {
    if (key === null || key === undefined) throw new TypeError(`store ${this.name}: ${what} cannot be null`)
    return this.serializeKey(key)
  }

  #windowed(storeKey: Buffer): Windowed<K> {
    const key = this.deserializeKey(sessionKeyKey(storeKey))
    return new Windowed(key, new Window(sessionKeyStart(storeKey), sessionKeyEnd(storeKey)))
  }

  #storeKey(sessionKey: Windowed<K>): Buffer {
    if (sessionKey === null || sessionKey === undefined)
      throw new TypeError(`store ${this.name}: sessionKey cannot be null`)
    return toSessionStoreKey(this.#key(sessionKey.key), sessionKey.window.start, sessionKey.window.end)
  }

  put(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    this.check()
    const storeKey = this.#storeKey(sessionKey)
    const bytes = this.serializeValue(aggregate)
    if (bytes === null) this.inner.delete(storeKey)
    else this.inner.put(storeKey, bytes)
  }

  remove(sessionKey: Windowed<K>): void {
    this.check()
    this.inner.delete(this.#storeKey(sessionKey))
  }

  fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): AGG | null {
    this.check()
    return this.deserializeValue(this.inner.get(toSessionStoreKey(this.#key(key), sessionStartTime, sessionEndTime)))
  }

  findSessions(earliestSessionEndTime: number, latestSessionEndTime: number): KeyValueIterator<Windowed<K>, AGG>
  findSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, AGG>
  findSessions(
    keyFrom: K | null,
    keyTo: K | null,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, AGG>
  findSessions(...args: unknown[]): KeyValueIterator<Windowed<K>, AGG> {
    if (args.length === 2) return this.#byEndTime(args[0] as number, args[1] as number)
    if (args.length === 3) return this.#findKey(args[0] as K, args[1] as number, args[2] as number, false)
    return this.#findRange(args[0] as K | null, args[1] as K | null, args[2] as number, args[3] as number, false)
  }

  backwardFindSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, AGG>
  backwardFindSessions(
    keyFrom: K | null,
    keyTo: K | null,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, AGG>
  backwardFindSessions(...args: unknown[]): KeyValueIterator<Windowed<K>, AGG> {
    if (args.length === 3) return this.#findKey(args[0] as K, args[1] as number, args[2] as number, true)
    return this.#findRange(args[0] as K | null, args[1] as K | null, args[2] as number, args[3] as number, true)
  }

  fetch(key: K): KeyValueIterator<Windowed<K>, AGG>
  fetch(keyFrom: K | null, keyTo: K | null): KeyValueIterator<Windowed<K>, AGG>
  fetch(...args: unknown[]): KeyValueIterator<Windowed<K>, AGG> {
    if (args.length === 1) return this.#findKey(args[0] as K, 0, LONG_MAX, false)
    return this.#findRange(args[0] as K | null, args[1] as K | null, 0, LONG_MAX, false)
  }

  backwardFetch(key: K): KeyValueIterator<Windowed<K>, AGG>
  backwardFetch(keyFrom: K | null, keyTo: K | null): KeyValueIterator<Windowed<K>, AGG>
  backwardFetch(...args: unknown[]): KeyValueIterator<Windowed<K>, AGG> {
    if (args.length === 1) return this.#findKey(args[0] as K, 0, LONG_MAX, true)
    return this.#findRange(args[0] as K | null, args[1] as K | null, 0, LONG_MAX, true)
  }

  /** Registers the owner's listener on the caching layer: keys arrive as Windowed, values typed. */
  setFlushListener(listener: TypedFlushListener<Windowed<K>, AGG>, sendOldValues: boolean): boolean {
    return this.setBytesFlushListener(
      (key, newValue, oldValue, context) =>
        listener(this.#windowed(key), this.deserializeValue(newValue), this.deserializeValue(oldValue), context),
      sendOldValues,
    )
  }

  /** One key's sessions, by end then start: the order of every Kafka session store. */
  #findKey(key: K, earliestEnd: number, latestStart: number, reverse: boolean): KeyValueIterator<Windowed<K>, AGG> {
    this.check()
    const inner = this.#reads.fetchKey(this.#key(key), earliestEnd, latestStart, reverse)
    return new PullIterator<Windowed<K>, AGG>(
      this.name,
      () => {
        if (!inner.hasNext()) return undefined
        const { key: storeKey, value } = inner.next()
        return { key: this.#windowed(storeKey), value: this.deserializeValue(value) as AGG }
      },
      () => inner.close(),
    )
  }

  /**
   * The sessions of a key range. The bytes layers give them segment by segment, in key order within each,
   * the order of Kafka's RocksDB store; Kafka's in-memory store gives them by end time, so for it they are
   * collected and put in that order (these reads serve interactive queries, not the aggregation's hot
   * path).
   */
  #findRange(
    keyFrom: K | null,
    keyTo: K | null,
    earliestEnd: number,
    latestStart: number,
    reverse: boolean,
  ): KeyValueIterator<Windowed<K>, AGG> {
    this.check()
    const from = keyFrom === null ? undefined : this.#key(keyFrom, 'keyFrom')
    const to = keyTo === null ? undefined : this.#key(keyTo, 'keyTo')
    if (from && to && Buffer.compare(from, to) > 0)
      return new PullIterator<Windowed<K>, AGG>(this.name, () => undefined)
    if (this.#kind !== 'in_memory') {
      const inner = this.#reads.fetchKeyRange(from, to, earliestEnd, latestStart, reverse)
      return new PullIterator<Windowed<K>, AGG>(
        this.name,
        () => {
          if (!inner.hasNext()) return undefined
          const { key: storeKey, value } = inner.next()
          return { key: this.#windowed(storeKey), value: this.deserializeValue(value) as AGG }
        },
        () => inner.close(),
      )
    }
    const found: { storeKey: Buffer; value: Buffer }[] = []
    const inner = this.#reads.fetchKeyRange(from, to, earliestEnd, latestStart, false)
    try {
      while (inner.hasNext()) {
        const { key: storeKey, value } = inner.next()
        found.push({ storeKey, value })
      }
    } finally {
      inner.close()
    }
    found.sort((a, b) => byEndKeyStart(a.storeKey, b.storeKey))
    if (reverse) found.reverse()
    return this.#listIterator(found)
  }

  /**
   * Kafka `findSessions(earliestSessionEndTime, latestSessionEndTime)`: every session ending in that span,
   * by end time. The time-ordered store (emit-final's default) reads it from the segments without the
   * retention filter; the in-memory store drops expired sessions first.
   */
  #byEndTime(earliestEnd: number, latestEnd: number): KeyValueIterator<Windowed<K>, AGG> {
    this.check()
    if (this.#kind === 'lmdb' || this.#cached) {
      throw new InvalidStateStoreException(
        `Store ${this.name}: findSessions(earliestSessionEndTime, latestSessionEndTime) is not supported by this implementation of SessionStore; ` +
          'only the uncached stores of emit-final session aggregations support it (as in Kafka).',
      )
    }
    const found: { storeKey: Buffer; value: Buffer }[] = []
    const inner =
      this.#kind === 'time_ordered'
        ? this.#segments.rangeIncludingExpired(earliestEnd, latestEnd)
        : this.#segments.rangeIn(undefined, undefined, earliestEnd, latestEnd)
    const minLive = Math.max(0, this.#segments.minLiveTime())
    try {
      while (inner.hasNext()) {
        const { key: storeKey, value } = inner.next()
        const end = sessionKeyEnd(storeKey)
        if (end < earliestEnd || end > latestEnd) continue
        if (this.#kind === 'in_memory' && end < minLive) continue
        found.push({ storeKey, value })
      }
    } finally {
      inner.close()
    }
    found.sort(
      this.#kind === 'in_memory'
        ? (a, b) => byEndKeyStart(a.storeKey, b.storeKey)
        : (a, b) => Buffer.compare(timeFirst(a.storeKey), timeFirst(b.storeKey)),
    )
    return this.#listIterator(found)
  }

  #listIterator(found: { storeKey: Buffer; value: Buffer }[]): KeyValueIterator<Windowed<K>, AGG> {
    let i = 0
    return new PullIterator<Windowed<K>, AGG>(this.name, () => {
      const entry = found[i++]
      return entry === undefined
        ? undefined
        : { key: this.#windowed(entry.storeKey), value: this.deserializeValue(entry.value) as AGG }
    })
  }
}

/** Kafka `InMemorySessionStore` order: end time, then key bytes, then start time. */
function byEndKeyStart(a: Buffer, b: Buffer): number {
  return (
    sessionKeyEnd(a) - sessionKeyEnd(b) ||
    Buffer.compare(sessionKeyKey(a), sessionKeyKey(b)) ||
    sessionKeyStart(a) - sessionKeyStart(b)
  )
}

/** Kafka `TimeFirstSessionKeySchema` bytes, [end][key][start], whose order the time-ordered store keeps. */
function timeFirst(storeKey: Buffer): Buffer {
  const keyLength = storeKey.length - SESSION_SUFFIX_SIZE
  const out = Buffer.allocUnsafe(storeKey.length)
  storeKey.copy(out, 0, keyLength, keyLength + 8)
  storeKey.copy(out, 8, 0, keyLength)
  storeKey.copy(out, 8 + keyLength, keyLength + 8)
  return out
}
