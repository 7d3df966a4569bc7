import sortedBtree from 'sorted-btree'
import type { RecordContext } from '../../processor/record-context.ts'

// sorted-btree is CommonJS with `exports.default = BTree`; an ESM default import gets `module.exports`.
const BTree = sortedBtree.default

/** A cached write: the value (null = deleted), whether it still has to be flushed, and its record's context. */
export interface CacheEntry {
  value: Buffer | null
  dirty: boolean
  context: RecordContext
  size: number
}

interface Node extends CacheEntry {
  key: string
  /** Whether the cache holds this node under its key (a range read's snapshot may hold removed ones). */
  live: boolean
  /** Its key in the key order, once the tree holds it (see `NamedCache.setOrder`). */
  orderKey: string | undefined
  prev: Node | undefined
  next: Node | undefined
}

const overhead = 64

/** latin1 strings hold one byte per char, so `<` on them is unsigned byte order (Kafka's `Bytes` order). */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

const newTree = () => new BTree<string, Node>(undefined, compareKeys)
type Tree = ReturnType<typeof newTree>

/**
 * A read of a key range of a named cache (Kafka `ThreadCache.MemoryLRUCacheBytesIterator`): the keys are
 * those the range held when the read began, each read as it is when the iterator reaches it. An entry
 * evicted or deleted since is skipped, and every entry read counts as a use for the LRU order, as in
 * Kafka. It must be closed, or run to its end.
 */
export class CacheIterator {
  readonly #cache: NamedCache
  readonly #source: Iterator<[string, Node]>
  readonly #past: (key: string) => boolean
  readonly #release: () => void
  #key: string | undefined
  #entry: CacheEntry | undefined
  #done = false

  constructor(
    cache: NamedCache,
    source: Iterator<[string, Node]>,
    past: (key: string) => boolean,
    release: () => void,
  ) {
    this.#cache = cache
    this.#source = source
    this.#past = past
    this.#release = release
  }

  hasNext(): boolean {
    if (this.#key === undefined && !this.#done) this.#fill()
    return this.#key !== undefined
  }

  /** The next entry's key in the key order (its order key); only after `hasNext()` returned true. */
  peekNextKey(): string {
    if (!this.hasNext()) throw new RangeError('no more entries in the cache iterator')
    return this.#key as string
  }

  /** The next entry; only after `hasNext()` returned true. */
  peekNextEntry(): CacheEntry {
    if (!this.hasNext()) throw new RangeError('no more entries in the cache iterator')
    return this.#entry as CacheEntry
  }

  /** Moves past the next entry. */
  skip(): void {
    if (!this.hasNext()) throw new RangeError('no more entries in the cache iterator')
    this.#key = undefined
    this.#entry = undefined
  }

  close(): void {
    this.#key = undefined
    this.#entry = undefined
    if (this.#done) return
    this.#done = true
    this.#release()
  }

  #fill(): void {
    for (;;) {
      const step = this.#source.next()
      if (step.done === true || this.#past(step.value[0])) return this.close()
      // the entry cached under the key now, as Kafka reads it by key
      const entry = this.#cache.current(step.value[1])
      if (entry === undefined) continue
      this.#key = step.value[0]
      this.#entry = entry
      return
    }
  }
}

const exhausted: Iterator<[string, Node]> = { next: () => ({ done: true, value: undefined }) }
const never = (): boolean => false
const nothing = (): void => {}

/**
 * One store's part of the task cache (Kafka `NamedCache`): entries in least-recently-used order in a
 * doubly linked list (O(1) touch and eviction), keys as latin1 strings, the dirty keys in the order they
 * became dirty (the order a flush forwards them in), and, for range reads in O(log n + k), the same
 * entries in key order in a B+ tree (Kafka's `TreeMap`).
 *
 * The tree is built at the first range read and kept in step from then on: a store that is only read by
 * key (a windowed count's) never pays for it (a tree insert and delete per record cost a windowed count
 * over 10,000 keys a quarter of its throughput). Only a new key or an eviction writes the tree; a put
 * over a cached key changes the entry in place. Range reads walk the tree lazily: while one is open, the
 * next write to the tree first swaps in an O(1) copy-on-write `clone()`, and the reads keep the tree they
 * started on, which is never written again (the in-memory engine's trick). That gives Kafka's snapshot of
 * the range's keys without copying them.
 */
export class NamedCache {
  readonly #index = new Map<string, Node>()
  #orderKey: (key: string) => string = (key) => key
  /** The entries in key order, from the first range read on. */
  #tree: Tree | undefined
  /** Open reads of `#tree`; a write first replaces `#tree` by a clone when there are any. */
  #readers = 0
  #head: Node | undefined
  #tail: Node | undefined
  #dirty = new Set<string>()
  #flush: ((dirty: [string, CacheEntry][]) => void) | undefined

  setFlusher(flush: (dirty: [string, CacheEntry][]) => void): void {
    this.#flush = flush
  }

  /**
   * The key order of range reads: entries are ordered by `orderKey(key)` rather than by key (Kafka's
   * `CacheFunction`: a segmented store's cache orders by segment, then key). Range bounds, `ceilingKey`,
   * `floorKey` and the keys range reads return are order keys; everything else takes keys. Lookups by
   * key stay free of it: only the tree, built at the first range read, holds order keys.
   */
  setOrder(orderKey: (key: string) => string): void {
    this.#orderKey = orderKey
  }

  get size(): number {
    return this.#index.size
  }

  /** The entry of `key`, which counts as a use for the LRU order. */
  get(key: string): CacheEntry | undefined {
    const node = this.#index.get(key)
    if (node) this.#moveToTail(node)
    return node
  }

  /** The entry cached now under `node`'s key (the node itself while it is cached), as `get` does. */
  current(node: Node): CacheEntry | undefined {
    if (!node.live) return this.get(node.key)
    this.#moveToTail(node)
    return node
  }

  /**
   * Entries with lo <= order key <= hi (< hi when `hiExclusive`), in that order or reversed (Kafka
   * `ThreadCache.range` / `reverseRange`); an undefined bound is open. Empty when lo > hi.
   */
  range(lo: string | undefined, hi: string | undefined, reverse: boolean, hiExclusive = false): CacheIterator {
    if (lo !== undefined && hi !== undefined && (lo > hi || (hiExclusive && lo === hi))) {
      return new CacheIterator(this, exhausted, never, nothing)
    }
    const tree = this.#ordered()
    const pair: (string | Node)[] = []
    const source = reverse ? tree.entriesReversed(hi, pair, hiExclusive) : tree.entries(lo, pair)
    const past = reverse
      ? lo === undefined
        ? never
        : (key: string) => key < lo
      : hi === undefined
        ? never
        : hiExclusive
          ? (key: string) => key >= hi
          : (key: string) => key > hi
    this.#readers++
    const release = (): void => {
      if (this.#tree === tree) this.#readers--
    }
    return new CacheIterator(this, source, past, release)
  }

  /** The smallest cached order key >= `orderKey`, without touching the LRU order. */
  ceilingKey(orderKey: string): string | undefined {
    return this.#ordered().getPairOrNextHigher(orderKey)?.[0]
  }

  /** The largest cached order key <= `orderKey`, without touching the LRU order. */
  floorKey(orderKey: string): string | undefined {
    return this.#ordered().getPairOrNextLower(orderKey)?.[0]
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
      node = { key, live: true, orderKey: undefined, value, dirty, context, size, prev: this.#tail, next: undefined }
      if (this.#tail) this.#tail.next = node
      else this.#head = node
      this.#tail = node
      this.#index.set(key, node)
      if (this.#tree) this.#writable(this.#tree).set(this.#orderKeyOf(node), node)
    }
    if (dirty) this.#dirty.add(key)
    return delta
  }

  /**
   * Hands every dirty entry, in the order they became dirty, to the store's flusher and marks them clean;
   * then drops the deleted ones, as Kafka does (the store below has them deleted now). Returns the bytes
   * freed.
   */
  flush(): number {
    if (this.#dirty.size === 0) return 0
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
    let freed = 0
    for (const [key, entry] of dirty) {
      if (entry.value !== null) continue
      const node = this.#index.get(key)
      // unless the flusher wrote the key again
      if (node !== entry || node.dirty || node.value !== null) continue
      this.#remove(node)
      freed += node.size
    }
    return freed
  }

  /** Removes the least recently used entry, flushing it first if dirty; returns the bytes freed. */
  evictOne(): number {
    const node = this.#head
    if (!node) return 0
    this.#remove(node)
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

  /** Drops every entry without flushing (the store is closing); open range reads find nothing more. */
  clear(): void {
    for (const node of this.#index.values()) node.live = false
    this.#index.clear()
    this.#tree = undefined
    this.#readers = 0
    this.#head = undefined
    this.#tail = undefined
    this.#dirty = new Set()
  }

  #remove(node: Node): void {
    this.#unlink(node)
    node.live = false
    this.#index.delete(node.key)
    if (this.#tree) this.#writable(this.#tree).delete(this.#orderKeyOf(node))
  }

  #orderKeyOf(node: Node): string {
    return (node.orderKey ??= this.#orderKey(node.key))
  }

  #ordered(): Tree {
    if (this.#tree) return this.#tree
    const tree = newTree()
    const nodes = [...this.#index.values()]
    for (const node of nodes) this.#orderKeyOf(node)
    // in key order, so that the tree fills by appending
    nodes.sort((a, b) => compareKeys(a.orderKey as string, b.orderKey as string))
    for (const node of nodes) tree.set(node.orderKey as string, node)
    this.#tree = tree
    return tree
  }

  #writable(tree: Tree): Tree {
    if (this.#readers === 0) return tree
    this.#readers = 0
    this.#tree = tree.clone()
    return this.#tree
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
    const cache = this.#caches.get(name)
    if (cache) this.#size -= cache.flush()
  }

  close(name: string): void {
    const cache = this.#caches.get(name)
    if (!cache) return
    this.#size -= cache.totalSize()
    cache.clear()
    this.#caches.delete(name)
  }
}
