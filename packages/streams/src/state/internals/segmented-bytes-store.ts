import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import { PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import type { BytesEngine } from './bytes-engine.ts'
import type { BytesStore } from './bytes-store.ts'

/** Opens one segment's engine; `name` is `<store>.<segment start time>`, as Kafka names segments. */
export type SegmentOpener = (context: ProcessorContextImpl, name: string) => BytesEngine

/**
 * Kafka `AbstractRocksDBSegmentedBytesStore`: a time-keyed store split into segments of
 * `segmentInterval` ms, each its own engine, so that retention drops whole segments. `timeOf` reads the
 * time from a store key (window start, or session end). The store tracks the highest time it has seen
 * (observed stream time): a put older than `observed - retention` is dropped, reads ignore entries older
 * than `observed - retention + 1`, and segments entirely before that are deleted.
 */
export class SegmentedBytesStore implements BytesStore {
  readonly name: string
  readonly persistent: boolean
  retentionMs: number
  readonly segmentIntervalMs: number
  readonly #timeOrdered: ((context: ProcessorContextImpl) => boolean) | undefined
  readonly #open: SegmentOpener
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
    timeOf: (key: Buffer) => number,
    open: SegmentOpener,
    timeOrdered?: (context: ProcessorContextImpl) => boolean,
  ) {
    this.#timeOrdered = timeOrdered
    this.name = name
    this.persistent = persistent
    this.retentionMs = retentionMs
    this.segmentIntervalMs = segmentIntervalMs
    this.#timeOf = timeOf
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
    this.#segment(this.#timeOf(key), false)?.delete(key)
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
    const lo = this.#segmentId(Math.max(timeFrom, 0))
    const hi = this.#segmentId(Math.min(timeTo, Number.MAX_SAFE_INTEGER))
    const ids = [...this.#segments.keys()].filter((id) => id >= lo && id <= hi).sort((a, b) => a - b)
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
            current = segment.range(from, to, reverse)
          }
          while (current.hasNext()) {
            const entry = current.next()
            if (this.#timeOf(entry.key) >= minLive) return entry
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
