import type { KeyValueIterator } from '../key-value-iterator.ts'
import { SegmentedBytesStore, type SegmentOpener } from './segmented-bytes-store.ts'
import { sessionKeySchema } from './session-key-schema.ts'

/**
 * The segments of a session store (Kafka `RocksDBSegmentedBytesStore` with `SessionKeySchema`): sessions
 * are segmented by their end time, and reads ignore sessions ending before observed time - retention + 1.
 *
 * One addition to the segmented store: `rangeIncludingExpired` reads a time range of segments without
 * the retention filter, as Kafka's time-ordered session store does for emit-final.
 */
export class SessionSegmentedBytesStore extends SegmentedBytesStore {
  #includeExpired = false

  constructor(name: string, persistent: boolean, retentionMs: number, segmentIntervalMs: number, open: SegmentOpener) {
    super(name, persistent, retentionMs, segmentIntervalMs, sessionKeySchema, open)
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
}
