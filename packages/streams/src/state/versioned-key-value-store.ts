import type { StateStore } from '../processor/api/processor.ts'

/** A value with the time range it was valid in: [timestamp, validTo) (Kafka `VersionedRecord`). */
export interface VersionedRecord<V> {
  readonly value: V
  readonly timestamp: number
  /** Undefined while the record is the latest version. */
  readonly validTo: number | undefined
}

/** `put` results (Kafka `VersionedKeyValueStore.PUT_RETURN_CODE_*`). */
export const PUT_RETURN_CODE_VALID_TO_UNDEFINED = -1
export const PUT_RETURN_CODE_NOT_PUT = Number.MIN_SAFE_INTEGER

/**
 * A key-value store that keeps past versions for a history retention period (Kafka
 * `VersionedKeyValueStore`, KIP-889): reads can ask for the value as of a time. Writes older than
 * observed stream time minus the history retention are refused.
 */
export interface VersionedKeyValueStore<K, V> extends StateStore {
  /**
   * Adds a version (null = tombstone) valid from `timestamp`. Returns PUT_RETURN_CODE_VALID_TO_UNDEFINED
   * when it became the latest version, PUT_RETURN_CODE_NOT_PUT when it was too old to keep, or the end
   * of its validity otherwise.
   */
  put(key: K, value: V | null, timestamp: number): number
  /** A tombstone at `timestamp`; returns the version that was valid at that time. */
  delete(key: K, timestamp: number): VersionedRecord<V> | null
  /** The latest version, null if there is none or it is a tombstone. */
  get(key: K): VersionedRecord<V> | null
  /** The version valid at `asOfTimestamp`, null if none (or older than the history retention). */
  get(key: K, asOfTimestamp: number): VersionedRecord<V> | null
  readonly persistent: boolean
  readonly historyRetentionMs: number
  isOpen(): boolean
  flush(): void
  close(): void
}
