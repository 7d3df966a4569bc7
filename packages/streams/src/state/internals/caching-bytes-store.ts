import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { KeyValue } from '../../kstream/key-value.ts'
import { PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import { WrappedBytesStore, type CachedBytesStore, type FlushListener } from './bytes-store.ts'
import type { CacheEntry, TaskCache } from './task-cache.ts'

const latin1 = (key: Buffer): string => key.toString('latin1')
const bytes = (key: string): Buffer => Buffer.from(key, 'latin1')

/**
 * Kafka `CachingKeyValueStore`: writes stay in the task cache, deduplicated per key, until a commit
 * flushes them or the cache evicts them; only then do they reach the inner layers (changelog, engine)
 * and, through the flush listener, the downstream processors, as one change per key with the old value
 * read from the inner store. Reads see cached writes first.
 */
export class CachingBytesStore extends WrappedBytesStore implements CachedBytesStore {
  #cache!: TaskCache
  #context!: ProcessorContextImpl
  #listener: FlushListener | undefined
  #sendOldValues = false
  #disabled = false

  override init(context: ProcessorContextImpl): void {
    super.init(context)
    this.#context = context
    this.#cache = context.taskCache
    // as in Kafka, a zero cache size turns caching off: writes go straight through
    this.#disabled = context.config.cacheMaxBytes === 0
    this.#cache.cache(this.name).setFlusher((dirty) => this.#flushEntries(dirty))
  }

  setFlushListener(listener: FlushListener, sendOldValues: boolean): boolean {
    if (this.#disabled) return false
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
    if (this.#disabled) return this.inner.get(key)
    const entry = this.#cache.get(this.name, latin1(key))
    if (entry) return entry.value ?? undefined
    return this.inner.get(key)
  }

  override put(key: Buffer, value: Buffer): void {
    if (this.#disabled) return this.inner.put(key, value)
    this.#cache.put(this.name, latin1(key), value, true, this.#context.recordContext)
  }

  override delete(key: Buffer): void {
    if (this.#disabled) return this.inner.delete(key)
    this.#cache.put(this.name, latin1(key), null, true, this.#context.recordContext)
  }

  override range(from: Buffer | undefined, to: Buffer | undefined, reverse = false): KeyValueIterator<Buffer, Buffer> {
    if (this.#disabled) return this.inner.range(from, to, reverse)
    const lo = from === undefined ? undefined : latin1(from)
    const hi = to === undefined ? undefined : latin1(to)
    const cached = this.#cache.cache(this.name).entriesBetween(lo, hi)
    if (reverse) cached.reverse()
    return mergeWithCache(this.name, cached, this.inner.range(from, to, reverse), reverse)
  }

  override prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    if (this.#disabled) return this.inner.prefixScan(prefix)
    const p = latin1(prefix)
    const cached = this.#cache.cache(this.name).entriesWithPrefix(p)
    return mergeWithCache(this.name, cached, this.inner.prefixScan(prefix), false)
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

/** Merges sorted cache entries over an inner iterator: the cache wins on equal keys, cached deletes hide. */
function mergeWithCache(
  name: string,
  cached: [string, CacheEntry][],
  inner: KeyValueIterator<Buffer, Buffer>,
  reverse: boolean,
): KeyValueIterator<Buffer, Buffer> {
  let i = 0
  const before = (a: string, b: string): boolean => (reverse ? a > b : a < b)
  return new PullIterator<Buffer, Buffer>(
    name,
    () => {
      for (;;) {
        const c = cached[i]
        const innerKey = inner.hasNext() ? latin1(inner.peekNextKey()) : undefined
        if (!c && innerKey === undefined) return undefined
        if (c && (innerKey === undefined || !before(innerKey, c[0]))) {
          i++
          if (innerKey === c[0]) inner.next()
          if (c[1].value === null) continue
          return { key: bytes(c[0]), value: c[1].value } satisfies KeyValue<Buffer, Buffer>
        }
        return inner.next()
      }
    },
    () => inner.close(),
  )
}
