import type { RecordContext } from '../../processor/record-context.ts'

/** A cached write: the value (null = deleted), whether it still has to be flushed, and its record's context. */
export interface CacheEntry {
  value: Buffer | null
  dirty: boolean
  context: RecordContext
  size: number
}

interface Node extends CacheEntry {
  key: string
  prev: Node | undefined
  next: Node | undefined
}

const overhead = 64

/**
 * One store's part of the task cache (Kafka `NamedCache`): entries in least-recently-used order in a
 * doubly linked list (O(1) touch and eviction), keys as latin1 strings, and the dirty keys in the order
 * they became dirty, which is the order a flush forwards them in.
 */
export class NamedCache {
  readonly #index = new Map<string, Node>()
  #head: Node | undefined
  #tail: Node | undefined
  #dirty = new Set<string>()
  #flush: ((dirty: [string, CacheEntry][]) => void) | undefined

  setFlusher(flush: (dirty: [string, CacheEntry][]) => void): void {
    this.#flush = flush
  }

  get size(): number {
    return this.#index.size
  }

  get(key: string): CacheEntry | undefined {
    const node = this.#index.get(key)
    if (node) this.#moveToTail(node)
    return node
  }

  /** Entries in key order (for range reads merged with the store). */
  entriesBetween(lo: string | undefined, hi: string | undefined): [string, CacheEntry][] {
    const found: [string, CacheEntry][] = []
    for (const [key, node] of this.#index)
      if ((lo === undefined || key >= lo) && (hi === undefined || key <= hi)) found.push([key, node])
    return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }

  entriesWithPrefix(prefix: string): [string, CacheEntry][] {
    const found: [string, CacheEntry][] = []
    for (const [key, node] of this.#index) if (key.startsWith(prefix)) found.push([key, node])
    return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }

  /** Puts an entry; returns the size change in bytes. */
  put(key: string, value: Buffer | null, dirty: boolean, context: RecordContext): number {
    const size = key.length + (value?.length ?? 0) + overhead
    let node = this.#index.get(key)
    let delta = size
    if (node) {
      delta -= node.size
      node.value = value
      node.context = context
      node.size = size
      node.dirty = dirty || node.dirty
      this.#moveToTail(node)
    } else {
      node = { key, value, dirty, context, size, prev: this.#tail, next: undefined }
      if (this.#tail) this.#tail.next = node
      else this.#head = node
      this.#tail = node
      this.#index.set(key, node)
    }
    if (dirty) this.#dirty.add(key)
    return delta
  }

  /** Hands every dirty entry, in the order they became dirty, to the store's flusher and marks them clean. */
  flush(): void {
    if (this.#dirty.size === 0) return
    const dirty: [string, CacheEntry][] = []
    for (const key of this.#dirty) {
      const node = this.#index.get(key)
      if (node?.dirty) {
        node.dirty = false
        dirty.push([key, node])
      }
    }
    this.#dirty = new Set()
    this.#flush?.(dirty)
  }

  /** Removes the least recently used entry, flushing it first if dirty; returns the bytes freed. */
  evictOne(): number {
    const node = this.#head
    if (!node) return 0
    this.#unlink(node)
    this.#index.delete(node.key)
    if (node.dirty) {
      node.dirty = false
      this.#dirty.delete(node.key)
      this.#flush?.([[node.key, node]])
    }
    return node.size
  }

  /** Bytes of every entry, for releasing the budget when the store closes. */
  totalSize(): number {
    let total = 0
    for (const node of this.#index.values()) total += node.size
    return total
  }

  #moveToTail(node: Node): void {
    if (this.#tail === node) return
    this.#unlink(node)
    node.prev = this.#tail
    node.next = undefined
    if (this.#tail) this.#tail.next = node
    else this.#head = node
    this.#tail = node
  }

  #unlink(node: Node): void {
    if (node.prev) node.prev.next = node.next
    else this.#head = node.next
    if (node.next) node.next.prev = node.prev
    else this.#tail = node.prev
    node.prev = undefined
    node.next = undefined
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
    this.#size += cache.put(key, value, dirty, context)
    while (this.#size > this.maxBytes && cache.size > 0) this.#size -= cache.evictOne()
  }

  get(name: string, key: string): CacheEntry | undefined {
    return this.#caches.get(name)?.get(key)
  }

  flush(name: string): void {
    this.#caches.get(name)?.flush()
  }

  close(name: string): void {
    const cache = this.#caches.get(name)
    if (!cache) return
    this.#size -= cache.totalSize()
    this.#caches.delete(name)
  }
}
