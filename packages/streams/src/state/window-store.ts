import type { StateStore } from '../processor/api/processor.ts'
import type { Windowed } from '../kstream/windowed.ts'
import type { KeyValueIterator } from './key-value-iterator.ts'
import type { ValueAndTimestamp } from './value-and-timestamp.ts'

/** Entries of one key: window start time -> value. */
export type WindowStoreIterator<V> = KeyValueIterator<number, V>

/** Read access to a window store (Kafka `ReadOnlyWindowStore`); time bounds are inclusive window starts. */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key` in the window starting at `windowStart`. */
  fetch(key: K, windowStart: number): V | null
  /** The windows of `key` starting in [timeFrom, timeTo], oldest first. */
  fetchRange(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V>
  backwardFetchRange(key: K, timeFrom: number, timeTo: number): WindowStoreIterator<V>
  /**
   * The windows of keys in [keyFrom, keyTo] (null = open) starting in [timeFrom, timeTo]: segment by
   * segment (segments of half the retention), in key order within each, as Kafka's stores on disk give them.
   */
  fetchKeyRange(keyFrom: K | null, keyTo: K | null, timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V>
  /** `fetchKeyRange` in the reverse order. */
  backwardFetchKeyRange(
    keyFrom: K | null,
    keyTo: K | null,
    timeFrom: number,
    timeTo: number,
  ): KeyValueIterator<Windowed<K>, V>
  all(): KeyValueIterator<Windowed<K>, V>
  backwardAll(): KeyValueIterator<Windowed<K>, V>
  /** Every window starting in [timeFrom, timeTo]. */
  fetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V>
  backwardFetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V>
}

/** A store of values per key and window (Kafka `WindowStore`): retention drops old windows whole. */
export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /** A null value deletes. Puts older than the retention period are dropped. */
  put(key: K, value: V | null, windowStart: number): void
  readonly persistent: boolean
  isOpen(): boolean
  flush(): void
  close(): void
}

export type TimestampedWindowStore<K, V> = WindowStore<K, ValueAndTimestamp<V>>
