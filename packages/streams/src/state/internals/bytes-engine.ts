import type { KeyValueIterator } from '../key-value-iterator.ts'

/**
 * The storage engine under every store: an ordered map of byte keys to byte values, ordered by unsigned
 * byte comparison (Kafka's `Bytes` order). Everything is synchronous. Two implementations: in memory
 * (`sorted-btree`) and persistent (`lmdb`).
 */
export interface BytesEngine {
  readonly name: string
  readonly persistent: boolean
  get(key: Buffer): Buffer | undefined
  put(key: Buffer, value: Buffer): void
  delete(key: Buffer): void
  /**
   * Entries with from <= key <= to (either bound may be undefined = open), in key order or reversed.
   * The iterator sees the state at the time it was created or later; it must be closed. `keyFilter` is a
   * hint: an engine may leave out entries whose key fails it without reading their values (the caller
   * still filters what it gets).
   */
  range(
    from: Buffer | undefined,
    to: Buffer | undefined,
    reverse?: boolean,
    keyFilter?: (key: Buffer) => boolean,
  ): KeyValueIterator<Buffer, Buffer>
  /** Entries whose key starts with `prefix`, in key order. */
  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer>
  /** Number of entries (exact for memory, estimated for persistent engines). */
  approximateNumEntries(): number
  /** Makes every write so far durable (one transaction per commit for lmdb); no-op in memory. */
  flush(): void
  close(): void
  /** Removes all entries (used when a store is wiped for restore). */
  clear(): void
}
