import type { KeyValue } from '../../kstream/key-value.ts'
import { PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import type { CacheEntry, CacheIterator } from './task-cache.ts'

/**
 * Kafka `FilteredCacheIterator` over one or more cache ranges read one after another (Kafka's
 * `CacheIteratorWrapper` reads a segmented store's cache segment by segment): the entries whose store key
 * `matches`, with the cache key turned back into the store key.
 */
export class FilteredCacheIterator {
  readonly #nextRange: () => CacheIterator | undefined
  readonly #matches: ((storeKey: Buffer) => boolean) | undefined
  readonly #toStoreKey: (cacheKey: string) => Buffer
  readonly #prefilter: ((cacheKey: string) => boolean) | undefined
  #current: CacheIterator | undefined
  #started = false
  #storeKey: Buffer | undefined

  /**
   * `nextRange` gives the next range to read, undefined when there is none; `matches` undefined keeps all.
   * `prefilter`, a test on the cache key that every matching entry passes, skips most others before their
   * store key is made.
   */
  constructor(
    nextRange: () => CacheIterator | undefined,
    matches: ((storeKey: Buffer) => boolean) | undefined,
    toStoreKey: (cacheKey: string) => Buffer,
    prefilter?: (cacheKey: string) => boolean,
  ) {
    this.#nextRange = nextRange
    this.#matches = matches
    this.#toStoreKey = toStoreKey
    this.#prefilter = prefilter
  }

  hasNext(): boolean {
    if (this.#storeKey !== undefined) return true
    if (!this.#started) {
      this.#started = true
      this.#current = this.#nextRange()
    }
    while (this.#current !== undefined) {
      const current = this.#current
      if (current.hasNext()) {
        const cacheKey = current.peekNextKey()
        if (this.#prefilter !== undefined && !this.#prefilter(cacheKey)) {
          current.skip()
          continue
        }
        const storeKey = this.#toStoreKey(cacheKey)
        if (this.#matches === undefined || this.#matches(storeKey)) {
          this.#storeKey = storeKey
          return true
        }
        current.skip()
        continue
      }
      current.close()
      this.#current = this.#nextRange()
    }
    return false
  }

  /** The next entry's key in the cache; only after `hasNext()` returned true. */
  peekNextKey(): string {
    return (this.#current as CacheIterator).peekNextKey()
  }

  /** The next entry's store key; only after `hasNext()` returned true. */
  peekNextStoreKey(): Buffer {
    return this.#storeKey as Buffer
  }

  peekNextEntry(): CacheEntry {
    return (this.#current as CacheIterator).peekNextEntry()
  }

  skip(): void {
    ;(this.#current as CacheIterator).skip()
    this.#storeKey = undefined
  }

  close(): void {
    this.#current?.close()
    this.#current = undefined
    this.#started = true
    this.#storeKey = undefined
  }
}

/**
 * Kafka `AbstractMergedSortedCacheStoreIterator` (as of Kafka 4.4): merges the cache's entries over the
 * store's, both in the store's order, in which `compare` orders the cache's next entry (by its cache key
 * and store key) against the store's next key. On equal keys the cache wins. Deleted cache entries hide
 * the store's entry of the same key.
 *
 * Deviation from Kafka, on purpose: a deleted cache entry is skipped when it comes before the store's
 * next key in the order of the read, backwards too. Kafka 4.4's `hasNext` compares as if every read went
 * forward, so its reverse reads skip a deleted entry whose key is smaller than the store's next key (the
 * store then returns that key later, with its old value) and return one whose key is greater, with a
 * null value (a reverse `range`/`all` of a cached key-value store returns `x=null` for a key deleted in
 * the cache and absent from the store). A read must not return deleted keys, so kstreams returns what
 * the same read gives with the cache off.
 */
export function mergedSortedCacheIterator(
  name: string,
  cache: FilteredCacheIterator,
  store: KeyValueIterator<Buffer, Buffer>,
  compareKeys: (cacheKey: string, cacheStoreKey: Buffer, storeKey: Buffer) => number,
  reverse: boolean,
): KeyValueIterator<Buffer, Buffer> {
  const compare = (): number => compareKeys(cache.peekNextKey(), cache.peekNextStoreKey(), store.peekNextKey())
  const fromCache = (): KeyValue<Buffer, Buffer> => {
    // never a deleted entry: the loop in the read below skips those
    const entry = { key: cache.peekNextStoreKey(), value: cache.peekNextEntry().value as Buffer }
    cache.skip()
    return entry
  }
  return new PullIterator<Buffer, Buffer>(
    name,
    () => {
      while (cache.hasNext() && cache.peekNextEntry().value === null) {
        if (!store.hasNext()) {
          cache.skip()
          continue
        }
        const comparison = compare()
        if (comparison === 0) {
          store.next()
          cache.skip()
        } else if (reverse ? comparison > 0 : comparison < 0) {
          // the deleted key comes first: the store, past it in the read's order, cannot hold it
          cache.skip()
        } else {
          break
        }
      }
      const inCache = cache.hasNext()
      const inStore = store.hasNext()
      if (!inCache) return inStore ? store.next() : undefined
      if (!inStore) return fromCache()
      const comparison = compare()
      if (comparison === 0) {
        store.next()
        return fromCache()
      }
      return (reverse ? comparison > 0 : comparison < 0) ? fromCache() : store.next()
    },
    () => {
      cache.close()
      store.close()
    },
  )
}
