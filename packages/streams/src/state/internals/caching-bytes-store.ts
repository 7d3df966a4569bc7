import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { KeyValueIterator } from '../key-value-iterator.ts'
import { WrappedBytesStore, type CachedBytesStore, type FlushListener } from './bytes-store.ts'
import { FilteredCacheIterator, mergedSortedCacheIterator } from './merged-sorted-cache-iterator.ts'
import { compareBytes } from './ordered-bytes.ts'
import type { CacheEntry, NamedCache, TaskCache } from './task-cache.ts'

const latin1 = (key: Buffer): string => key.toString('latin1')
const bytes = (key: string): Buffer => Buffer.from(key, 'latin1')
const compareStoreKeys = (_cacheKey: string, cacheStoreKey: Buffer, storeKey: Buffer): number =>
  compareBytes(cacheStoreKey, storeKey)

/** The smallest string greater than every string starting with `prefix`, or undefined if there is none. */
function prefixEnd(prefix: string): string | undefined {
  let end = prefix.length
  while (end > 0 && prefix.charCodeAt(end - 1) === 0xff) end--
  if (end === 0) return undefined
  return prefix.slice(0, end - 1) + String.fromCharCode(prefix.charCodeAt(end - 1) + 1)
}

/**
 * Kafka `CachingKeyValueStore`: writes stay in the task cache, deduplicated per key, until a commit
 * flushes them or the cache evicts them; only then do they reach the inner layers (changelog, engine)
 * and, through the flush listener, the downstream processors, as one change per key with the old value
 * read from the inner store. Reads see cached writes first; range reads merge the cache's entries in the
 * range, read in key order, with the inner store's (`mergedSortedCacheIterator`).
 *
 * The cache key of a store key is its latin1 string. The segmented stores' caching layer
 * (`CachingSegmentedBytesStore`) orders the cache's range reads by segment first, as Kafka's
 * `SegmentedCacheFunction` does (`NamedCache.setOrder`), and overrides `storeKey` to match.
 */
export class CachingBytesStore extends WrappedBytesStore implements CachedBytesStore {
  #cache!: TaskCache
  #context!: ProcessorContextImpl
  #listener: FlushListener | undefined
  #sendOldValues = false
  /** As in Kafka, a zero cache size turns caching off: writes go straight through. */
  protected disabled = false

  override init(context: ProcessorContextImpl): void {
    super.init(context)
    this.#context = context
    this.#cache = context.taskCache
    this.disabled = context.config.cacheMaxBytes === 0
    this.#cache.cache(this.name).setFlusher((dirty) => this.#flushEntries(dirty))
  }

  /** This store's part of the task cache. */
  protected get namedCache(): NamedCache {
    return this.#cache.cache(this.name)
  }

  /** The store key of a key in the cache's range order (Kafka `CacheFunction.key`). */
  protected storeKey(orderKey: string): Buffer {
    return bytes(orderKey)
  }

  setFlushListener(listener: FlushListener, sendOldValues: boolean): boolean {
    if (this.disabled) return false
    this.#listener = listener
    this.#sendOldValues = sendOldValues
    return true
  }

  #flushEntries(dirty: [string, CacheEntry][]): void {
    const context = this.#context
    const current = context.recordContext
    try {
      for (const [key, entry] of dirty) {
        const keyBytes = bytes(key)
        const oldValue =
          this.#listener && (entry.value === null || this.#sendOldValues) ? (this.inner.get(keyBytes) ?? null) : null
        if (this.#listener && entry.value === null && oldValue === null) continue
        context.recordContext = entry.context
        if (entry.value === null) this.inner.delete(keyBytes)
        else this.inner.put(keyBytes, entry.value)
        this.#listener?.(keyBytes, entry.value, this.#sendOldValues ? oldValue : null, entry.context)
      }
    } finally {
      context.recordContext = current
    }
  }

  override get(key: Buffer): Buffer | undefined {
    if (this.disabled) return this.inner.get(key)
    const entry = this.#cache.get(this.name, latin1(key))
    if (entry) return entry.value ?? undefined
    return this.inner.get(key)
  }

  override put(key: Buffer, value: Buffer): void {
    if (this.disabled) return this.inner.put(key, value)
    this.#cache.put(this.name, latin1(key), value, true, this.#context.recordContext)
  }

  override delete(key: Buffer): void {
    if (this.disabled) return this.inner.delete(key)
    this.#cache.put(this.name, latin1(key), null, true, this.#context.recordContext)
  }

  /** Kafka `range` / `reverseRange` / `all` / `reverseAll`: the cache's entries in [from, to] over the store's. */
  override range(from: Buffer | undefined, to: Buffer | undefined, reverse = false): KeyValueIterator<Buffer, Buffer> {
    if (this.disabled) return this.inner.range(from, to, reverse)
    const store = this.inner.range(from, to, reverse)
    const lo = from === undefined ? undefined : latin1(from)
    const hi = to === undefined ? undefined : latin1(to)
    return this.#merged(store, lo, hi, false, reverse)
  }

  /** Kafka `prefixScan`: the cache's entries in [prefix, prefix + 1) over the store's. */
  override prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    if (this.disabled) return this.inner.prefixScan(prefix)
    const store = this.inner.prefixScan(prefix)
    const lo = latin1(prefix)
    return this.#merged(store, lo, prefixEnd(lo), true, false)
  }

  #merged(
    store: KeyValueIterator<Buffer, Buffer>,
    lo: string | undefined,
    hi: string | undefined,
    hiExclusive: boolean,
    reverse: boolean,
  ): KeyValueIterator<Buffer, Buffer> {
    let read = false
    const cache = new FilteredCacheIterator(
      () => {
        if (read) return undefined
        read = true
        return this.namedCache.range(lo, hi, reverse, hiExclusive)
      },
      undefined,
      bytes,
    )
    return mergedSortedCacheIterator(this.name, cache, store, compareStoreKeys, reverse)
  }

  override flush(): void {
    this.#cache.flush(this.name)
    super.flush()
  }

  override close(): void {
    this.#cache.flush(this.name)
    this.#cache.close(this.name)
    super.close()
  }
}
