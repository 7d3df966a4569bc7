import type { RecordContext } from '../../processor/record-context.ts'

/** A cached write: the value (null = deleted), whether it still has to be flushed, and its record's context. */
export interface CacheEntry {
  value: Buffer | null
  dirty: boolean
  context: RecordContext
  size: number
}

const overhead = 64

/**
 * One store's part of the task cache (Kafka `NamedCache`): entries in least-recently-used order (a Map
 * keeps insertion order; a touched entry is re-inserted), keys as latin1 strings.
 */
export class NamedCache {
  readonly entries = new Map<string, CacheEntry>()
  #flush: ((dirty: [string, CacheEntry][]) => void) | undefined

  setFlusher(flush: (dirty: [string, CacheEntry][]) => void): void {
    this.#flush = flush
  }

  /** Hands every dirty entry, oldest first, to the store's flusher and marks them clean. */
  flush(): void {
    const dirty: [string, CacheEntry][] = []
    for (const item of this.entries) if (item[1].dirty) dirty.push(item)
    if (dirty.length === 0) return
    for (const [, entry] of dirty) entry.dirty = false
    this.#flush?.(dirty)
  }

  /** Removes the least recently used entry, flushing it first if dirty. */
  evictOne(): number {
    const first = this.entries.entries().next()
    if (first.done) return 0
    const [key, entry] = first.value
    this.entries.delete(key)
    if (entry.dirty) {
      entry.dirty = false
      this.#flush?.([[key, entry]])
    }
    return entry.size
  }
}

/**
 * The record cache of a task (Kafka `ThreadCache`): one byte budget shared by its stores' named caches.
 * A put beyond the budget evicts that store's least recently used entries, forwarding dirty ones.
 */
export class TaskCache {
  readonly maxBytes: number
  #size = 0
  readonly #caches = new Map<string, NamedCache>()

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes
  }

  cache(name: string): NamedCache {
    let cache = this.#caches.get(name)
    if (!cache) {
      cache = new NamedCache()
      this.#caches.set(name, cache)
    }
    return cache
  }

  put(name: string, key: string, value: Buffer | null, dirty: boolean, context: RecordContext): void {
    const cache = this.cache(name)
    const previous = cache.entries.get(key)
    if (previous) {
      this.#size -= previous.size
      cache.entries.delete(key)
    }
    const size = key.length + (value?.length ?? 0) + overhead
    cache.entries.set(key, { value, dirty: dirty || (previous?.dirty ?? false), context, size })
    this.#size += size
    while (this.#size > this.maxBytes && cache.entries.size > 0) this.#size -= cache.evictOne()
  }

  get(name: string, key: string): CacheEntry | undefined {
    return this.#caches.get(name)?.entries.get(key)
  }

  flush(name: string): void {
    this.#caches.get(name)?.flush()
  }

  close(name: string): void {
    const cache = this.#caches.get(name)
    if (!cache) return
    for (const entry of cache.entries.values()) this.#size -= entry.size
    this.#caches.delete(name)
  }
}
