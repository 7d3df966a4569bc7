import type { StateStore } from '../processor/api/processor.ts'
import type { Windowed } from '../kstream/windowed.ts'
import type { KeyValueIterator } from './key-value-iterator.ts'

/**
 * Read access to a session store (Kafka `ReadOnlySessionStore`). A session's window is [start, end], both
 * inclusive. Searches return the sessions that end at or after `earliestSessionEndTime` and start at or
 * before `latestSessionStartTime`, i.e. those overlapping that span; sessions past the store's retention
 * are not returned.
 */
export interface ReadOnlySessionStore<K, AGG> {
  /** The sessions of `key` overlapping [earliestSessionEndTime, latestSessionStartTime], oldest end first. */
  findSessions(
    key: K,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, AGG>
  /** The same for the keys in [keyFrom, keyTo] (null = open). */
  findSessions(
    keyFrom: K | null,
    keyTo: K | null,
    earliestSessionEndTime: number,
    latestSessionStartTime: number,
  ): KeyValueIterator<Windowed<K>, AGG>
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
  /** The aggregate of exactly the session [sessionStartTime, sessionEndTime] of `key`, or null. */
  fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): AGG | null
  /** Every session of `key` (or of the keys in [keyFrom, keyTo]). */
  fetch(key: K): KeyValueIterator<Windowed<K>, AGG>
  fetch(keyFrom: K | null, keyTo: K | null): KeyValueIterator<Windowed<K>, AGG>
  backwardFetch(key: K): KeyValueIterator<Windowed<K>, AGG>
  backwardFetch(keyFrom: K | null, keyTo: K | null): KeyValueIterator<Windowed<K>, AGG>
}

/**
 * A store of aggregates per key and session (Kafka `SessionStore`), as session-window aggregations keep
 * them. Sessions are kept for the store's retention, counted back from the latest session end put.
 */
export interface SessionStore<K, AGG> extends StateStore, ReadOnlySessionStore<K, AGG> {
  /**
   * Every session of any key ending in [earliestSessionEndTime, latestSessionEndTime], by end time. Only
   * the stores emit-final aggregations use support it (as in Kafka); others throw.
   */
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
  /** Stores the session's aggregate; a null aggregate removes the session. */
  put(sessionKey: Windowed<K>, aggregate: AGG | null): void
  remove(sessionKey: Windowed<K>): void
  readonly persistent: boolean
  isOpen(): boolean
  flush(): void
  close(): void
}
