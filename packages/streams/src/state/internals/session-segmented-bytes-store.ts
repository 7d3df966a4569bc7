import { PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import { SegmentedBytesStore, type SegmentOpener } from './segmented-bytes-store.ts'
import { sessionKeyEnd } from './session-key-schema.ts'

/**
 * The segments of a session store (Kafka `RocksDBSegmentedBytesStore` with `SessionKeySchema`): sessions
 * are segmented by their end time, and reads ignore sessions ending before observed time - retention + 1.
 *
 * Two additions to the segmented store. `range` merges the segments into one key order: a caching layer
 * merges its entries with the range in key order, which a segment-by-segment scan over several keys
 * would break (Kafka gets the same effect by prefixing cache keys with their segment id). And
 * `rangeIncludingExpired` reads a time range of segments without the retention filter, as Kafka's
 * time-ordered session store does for emit-final.
 */
export class SessionSegmentedBytesStore extends SegmentedBytesStore {
  #includeExpired = false

  constructor(name: string, persistent: boolean, retentionMs: number, segmentIntervalMs: number, open: SegmentOpener) {
    super(name, persistent, retentionMs, segmentIntervalMs, sessionKeyEnd, open)
  }

  override minLiveTime(): number {
    // rangeIn reads this once, when it creates its iterator; see rangeIncludingExpired
    return this.#includeExpired ? Number.MIN_SAFE_INTEGER : super.minLiveTime()
  }

  /** Entries of the segments that may hold times in [timeFrom, timeTo], whether expired or not. */
  rangeIncludingExpired(timeFrom: number, timeTo: number): KeyValueIterator<Buffer, Buffer> {
    this.#includeExpired = true
    try {
      return this.rangeIn(undefined, undefined, timeFrom, timeTo)
    } finally {
      this.#includeExpired = false
    }
  }

  /** Live entries with from <= key <= to, in key order across segments (reversed for `reverse`). */
  override range(from: Buffer | undefined, to: Buffer | undefined, reverse = false): KeyValueIterator<Buffer, Buffer> {
    if (this.observedStreamTime < 0) return this.rangeIn(from, to, 0, Number.MAX_SAFE_INTEGER, reverse)
    const interval = this.segmentIntervalMs
    const first = Math.floor(Math.max(this.minLiveTime(), 0) / interval)
    const last = Math.floor(this.observedStreamTime / interval)
    if (first === last) return this.rangeIn(from, to, 0, Number.MAX_SAFE_INTEGER, reverse)
    const parts: KeyValueIterator<Buffer, Buffer>[] = []
    for (let id = first; id <= last; id++) {
      parts.push(this.rangeIn(from, to, id * interval, id * interval + interval - 1, reverse))
    }
    const sign = reverse ? -1 : 1
    return new PullIterator<Buffer, Buffer>(
      this.name,
      () => {
        let best: KeyValueIterator<Buffer, Buffer> | undefined
        for (const part of parts) {
          if (!part.hasNext()) continue
          if (!best || sign * Buffer.compare(part.peekNextKey(), best.peekNextKey()) < 0) best = part
        }
        return best?.next()
      },
      () => {
        for (const part of parts) part.close()
      },
    )
  }
}
