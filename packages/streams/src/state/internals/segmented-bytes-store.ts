import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import { PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import type { BytesEngine } from './bytes-engine.ts'
import type { BytesStore } from './bytes-store.ts'

/** Opens one segment's engine; `name` is `<store>.<segment start time>`, as Kafka names segments. */
export type SegmentOpener = (context: ProcessorContextImpl, name: string) => BytesEngine

/**
 * Kafka `SegmentedBytesStore.KeySchema`: how a time-keyed store's binary keys are laid out, [key][suffix],
 * and searched. Implemented by `windowKeySchema` and `sessionKeySchema`.
 */
export interface KeySchema {
  readonly suffixSize: number
  /** Whether a search whose `to` lies before its (retention-adjusted) `from` is empty (window stores). */
  readonly emptyWhenToBeforeFrom: boolean
  /** The time a store key is segmented by: the window start, or the session end. */
  readonly segmentTimestamp: (storeKey: Buffer) => number
  /** Below every store key of keys >= `key` (Kafka `lowerRange`). */
  lowerRange(key: Buffer, from: number): Buffer
  /** Kafka's scan bound above the store keys of keys <= `key` up to time `to` (`upperRange`). */
  upperRange(key: Buffer, to: number): Buffer
  /** The first store key of `key` a search from `from` may return (`lowerRangeFixedSize`). */
  lowerRangeFixedSize(key: Buffer, from: number): Buffer
  /** The last store key of `key` a search up to `to` may return (`upperRangeFixedSize`). */
  upperRangeFixedSize(key: Buffer, to: number): Buffer
  /** The latest segment time a search up to `to` visits. */
  searchTo(to: number): number
  /**
   * Kafka `hasNextCondition`: whether an entry's key is in [keyFrom, keyTo] (undefined = open) and its
   * times match [from, to] (window: start in it; session: ends at or after from, starts at or before to).
   */
  matches(storeKey: Buffer, keyFrom: Buffer | undefined, keyTo: Buffer | undefined, from: number, to: number): boolean
}

/**
 * The reads of a time-keyed store (Kafka `SegmentedBytesStore` / `WindowStore<Bytes, byte[]>` /
 * `SessionStore<Bytes, byte[]>`), by the segments, or by the caching layer above them. Results come segment
 * by segment, in key order within each (reversed for `reverse`), filtered with the key schema's `matches`.
 */
export interface SegmentedReader {
  /** The entries of one key with times matching [from, to]. */
  fetchKey(key: Buffer, from: number, to: number, reverse: boolean): KeyValueIterator<Buffer, Buffer>
  /** The entries of keys in [keyFrom, keyTo] (undefined = open) with times matching [from, to]. */
  fetchKeyRange(
    keyFrom: Buffer | undefined,
    keyTo: Buffer | undefined,
    from: number,
    to: number,
    reverse: boolean,
  ): KeyValueIterator<Buffer, Buffer>
  /** Every entry whose segment time is in [from, to]. */
  fetchAll(from: number, to: number, reverse: boolean): KeyValueIterator<Buffer, Buffer>
  /** Every live entry. */
  all(reverse: boolean): KeyValueIterator<Buffer, Buffer>
}

const exhausted = (): undefined => undefined

/**
 * Kafka `AbstractRocksDBSegmentedBytesStore`: a time-keyed store split into segments of
 * `segmentInterval` ms, each its own engine, so that retention drops whole segments. The key schema reads
 * the time from a store key (window start, or session end) and bounds the searches. The store tracks the
 * highest time it has seen (observed stream time): a put older than `observed - retention` is dropped,
 * reads ignore entries older than `observed - retention + 1`, and segments entirely before that are
 * deleted.
 */
export class SegmentedBytesStore implements BytesStore, SegmentedReader {
  readonly name: string
  readonly persistent: boolean
  retentionMs: number
  readonly segmentIntervalMs: number
  readonly #timeOrdered: ((context: ProcessorContextImpl) => boolean) | undefined
  readonly #open: SegmentOpener
  readonly schema: KeySchema
  readonly #timeOf: (key: Buffer) => number
  readonly #segments = new Map<number, BytesEngine>()
  #context!: ProcessorContextImpl
  #observed = -1
  expiredPuts = 0

  constructor(
    name: string,
    persistent: boolean,
    retentionMs: number,
    segmentIntervalMs: number,
    schema: KeySchema,
    open: SegmentOpener,
    timeOrdered?: (context: ProcessorContextImpl) => boolean,
  ) {
    this.#timeOrdered = timeOrdered
    this.name = name
    this.persistent = persistent
    this.retentionMs = retentionMs
    this.segmentIntervalMs = segmentIntervalMs
    this.schema = schema
    this.#timeOf = schema.segmentTimestamp
    this.#open = open
  }

  init(context: ProcessorContextImpl): void {
    this.#context = context
    // a time-ordered store keeps windows starting exactly at observed - retention (Kafka keeps one ms more there)
    if (this.#timeOrdered?.(context)) this.retentionMs += 1
    if (this.persistent) {
      // segments written before a restart
      const prefix = `${this.name}.`
      for (const name of context.persistentStoreNames()) {
        const start = name.startsWith(prefix) ? Number(name.slice(prefix.length)) : Number.NaN
        if (Number.isInteger(start)) this.#segment(start, true)
      }
    }
  }

  /** The highest time put so far, -1 before any. */
  get observedStreamTime(): number {
    return this.#observed
  }

  /** The oldest time still readable. */
  minLiveTime(): number {
    return this.#observed - this.retentionMs + 1
  }

  #segmentId(time: number): number {
    return Math.floor(time / this.segmentIntervalMs)
  }

  #segment(time: number, create: boolean): BytesEngine | undefined {
    const id = this.#segmentId(time)
    let segment = this.#segments.get(id)
    if (!segment && create) {
      segment = this.#open(this.#context, `${this.name}.${id * this.segmentIntervalMs}`)
      this.#segments.set(id, segment)
    }
    return segment
  }

  #dropExpired(): void {
    const minLive = this.#segmentId(this.#observed - this.retentionMs)
    for (const [id, segment] of this.#segments) {
      if (id < minLive) {
        segment.clear()
        segment.close()
        this.#segments.delete(id)
      }
    }
  }

  get(key: Buffer): Buffer | undefined {
    const time = this.#timeOf(key)
    if (time < this.minLiveTime()) return undefined
    return this.#segment(time, false)?.get(key)
  }

  put(key: Buffer, value: Buffer): void {
    const time = this.#timeOf(key)
    if (time > this.#observed) this.#observed = time
    if (this.#segmentId(time) < this.#segmentId(this.#observed - this.retentionMs)) {
      this.expiredPuts++
      return
    }
    this.#segment(time, true)?.put(key, value)
    this.#dropExpired()
  }

  delete(key: Buffer): void {
    // as Kafka's remove: the time counts as observed, and a segment past retention is left alone
    const time = this.#timeOf(key)
    if (time > this.#observed) this.#observed = time
    if (this.#segmentId(time) < this.#segmentId(this.#observed - this.retentionMs)) return
    this.#segment(time, false)?.delete(key)
    this.#dropExpired()
  }

  fetchKey(key: Buffer, from: number, to: number, reverse: boolean): KeyValueIterator<Buffer, Buffer> {
    const actualFrom = Math.max(from, this.minLiveTime())
    if (this.schema.emptyWhenToBeforeFrom && to < actualFrom) return new PullIterator(this.name, exhausted)
    const lo = this.schema.lowerRangeFixedSize(key, actualFrom)
    const hi = this.schema.upperRangeFixedSize(key, to)
    return this.#search(actualFrom, this.schema.searchTo(to), lo, hi, reverse, (storeKey) =>
      this.schema.matches(storeKey, key, key, actualFrom, to),
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
    const actualFrom = Math.max(from, this.minLiveTime())
    if (this.schema.emptyWhenToBeforeFrom && to < actualFrom) return new PullIterator(this.name, exhausted)
    const lo = keyFrom === undefined ? undefined : this.schema.lowerRange(keyFrom, actualFrom)
    const hi = keyTo === undefined ? undefined : this.schema.upperRange(keyTo, to)
    return this.#search(actualFrom, this.schema.searchTo(to), lo, hi, reverse, (storeKey) =>
      this.schema.matches(storeKey, keyFrom, keyTo, actualFrom, to),
    )
  }

  fetchAll(from: number, to: number, reverse: boolean): KeyValueIterator<Buffer, Buffer> {
    const actualFrom = Math.max(from, this.minLiveTime())
    if (this.schema.emptyWhenToBeforeFrom && to < actualFrom) return new PullIterator(this.name, exhausted)
    return this.#search(actualFrom, to, undefined, undefined, reverse, (storeKey) =>
      this.schema.matches(storeKey, undefined, undefined, actualFrom, to),
    )
  }

  all(reverse: boolean): KeyValueIterator<Buffer, Buffer> {
    const actualFrom = Math.max(0, this.minLiveTime())
    const to = Number.MAX_SAFE_INTEGER
    return this.#search(actualFrom, to, undefined, undefined, reverse, (storeKey) =>
      this.schema.matches(storeKey, undefined, undefined, actualFrom, to),
    )
  }

  /**
   * Kafka's `SegmentIterator`: the segments holding times in [timeFrom, timeTo], in time order (reversed
   * for `reverse`), each scanned over [lo, hi], and the entries that `matches`.
   */
  #search(
    timeFrom: number,
    timeTo: number,
    lo: Buffer | undefined,
    hi: Buffer | undefined,
    reverse: boolean,
    matches: (storeKey: Buffer) => boolean,
  ): KeyValueIterator<Buffer, Buffer> {
    return this.#acrossSegments(this.#segmentId(timeFrom), this.#segmentId(timeTo), lo, hi, reverse, matches, matches)
  }

  /** Key-ordered within each segment, segments in time order (reversed for `reverse`). */
  range(from: Buffer | undefined, to: Buffer | undefined, reverse = false): KeyValueIterator<Buffer, Buffer> {
    return this.rangeIn(from, to, 0, Number.MAX_SAFE_INTEGER, reverse)
  }

  /** A key range restricted to the segments that may hold times in [timeFrom, timeTo], live entries only. */
  rangeIn(
    from: Buffer | undefined,
    to: Buffer | undefined,
    timeFrom: number,
    timeTo: number,
    reverse = false,
  ): KeyValueIterator<Buffer, Buffer> {
    const minLive = this.minLiveTime()
    return this.#acrossSegments(
      this.#segmentId(Math.max(timeFrom, 0)),
      this.#segmentId(Math.min(timeTo, Number.MAX_SAFE_INTEGER)),
      from,
      to,
      reverse,
      (storeKey) => this.#timeOf(storeKey) >= minLive,
    )
  }

  /**
   * The entries that `keep` of the segments first..last, in time order (reversed for `reverse`), each
   * scanned over [lo, hi]; `keyFilter` is passed on to the segments' engines as a hint.
   */
  #acrossSegments(
    first: number,
    last: number,
    lo: Buffer | undefined,
    hi: Buffer | undefined,
    reverse: boolean,
    keep: (storeKey: Buffer) => boolean,
    keyFilter?: (storeKey: Buffer) => boolean,
  ): KeyValueIterator<Buffer, Buffer> {
    const ids = [...this.#segments.keys()].filter((id) => id >= first && id <= last).sort((a, b) => a - b)
    if (reverse) ids.reverse()
    let current: KeyValueIterator<Buffer, Buffer> | undefined
    let index = 0
    return new PullIterator<Buffer, Buffer>(
      this.name,
      () => {
        for (;;) {
          if (!current) {
            const id = ids[index++]
            if (id === undefined) return undefined
            const segment = this.#segments.get(id)
            if (!segment) continue
            current = segment.range(lo, hi, reverse, keyFilter)
          }
          while (current.hasNext()) {
            const entry = current.next()
            if (keep(entry.key)) return entry
          }
          current.close()
          current = undefined
        }
      },
      () => current?.close(),
    )
  }

  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    const end = Buffer.concat([prefix, Buffer.alloc(64, 0xff)])
    return this.range(prefix, end)
  }

  approximateNumEntries(): number {
    let total = 0
    for (const segment of this.#segments.values()) total += segment.approximateNumEntries()
    return total
  }

  flush(): void {
    // persistent segments are committed by their task, with all its stores, in one transaction
    if (this.persistent) return
    for (const segment of this.#segments.values()) segment.flush()
  }

  close(): void {
    for (const segment of this.#segments.values()) segment.close()
    this.#segments.clear()
  }

  clear(): void {
    for (const segment of this.#segments.values()) segment.clear()
  }
}
