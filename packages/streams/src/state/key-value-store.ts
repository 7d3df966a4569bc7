import type { KeyValue } from '../kstream/key-value.ts'
import type { StateStore } from '../processor/api/processor.ts'
import type { KeyValueIterator } from './key-value-iterator.ts'
import type { ValueAndTimestamp } from './value-and-timestamp.ts'

/** Read access to a key-value store (Kafka `ReadOnlyKeyValueStore`); ranges are in serialized-key byte order. */
export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | null
  /** Entries with from <= key <= to; a null bound is open. */
  range(from: K | null, to: K | null): KeyValueIterator<K, V>
  reverseRange(from: K | null, to: K | null): KeyValueIterator<K, V>
  all(): KeyValueIterator<K, V>
  reverseAll(): KeyValueIterator<K, V>
  /** Entries whose serialized key starts with the serialized prefix. */
  prefixScan<P>(
    prefix: P,
    prefixSerializer: { serialize(topic: string, data: P): Buffer | null },
  ): KeyValueIterator<K, V>
  approximateNumEntries(): number
}

/** A key-value store (Kafka `KeyValueStore`): a null value deletes. */
export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  put(key: K, value: V | null): void
  putIfAbsent(key: K, value: V | null): V | null
  putAll(entries: readonly KeyValue<K, V | null>[]): void
  delete(key: K): V | null
  readonly persistent: boolean
  isOpen(): boolean
  flush(): void
  close(): void
}

/** A key-value store whose values carry their timestamp (Kafka `TimestampedKeyValueStore`). */
export type TimestampedKeyValueStore<K, V> = KeyValueStore<K, ValueAndTimestamp<V>>
