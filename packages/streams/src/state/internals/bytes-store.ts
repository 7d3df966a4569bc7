import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { RecordContext } from '../../processor/record-context.ts'
import type { BytesEngine } from './bytes-engine.ts'

/**
 * One layer of a store below the typed (metered) layer: the engine, change-logging or caching, each an
 * ordered byte map (Kafka's `KeyValueStore<Bytes, byte[]>` wrappers). Layers are opened top-down with
 * the task's context.
 */
export interface BytesStore extends BytesEngine {
  init(context: ProcessorContextImpl): void
}

/** Called by a caching layer for every dirty entry it flushes or evicts (Kafka `CacheFlushListener`). */
export type FlushListener = (
  key: Buffer,
  newValue: Buffer | null,
  oldValue: Buffer | null,
  context: RecordContext,
) => void

/** A bytes layer that can forward on flush: caching, or anything wrapping it. */
export interface CachedBytesStore extends BytesStore {
  setFlushListener(listener: FlushListener, sendOldValues: boolean): boolean
}

/** Opens the engine when the task opens the store. */
export class EngineBytesStore implements BytesStore {
  readonly name: string
  readonly persistent: boolean
  readonly #open: (context: ProcessorContextImpl) => BytesEngine
  #engine: BytesEngine | undefined

  constructor(name: string, persistent: boolean, open: (context: ProcessorContextImpl) => BytesEngine) {
    this.name = name
    this.persistent = persistent
    this.#open = open
  }

  init(context: ProcessorContextImpl): void {
    this.#engine = this.#open(context)
  }

  get engine(): BytesEngine {
    if (!this.#engine) throw new Error(`store ${this.name} is not open`)
    return this.#engine
  }

  get(key: Buffer): Buffer | undefined {
    return this.engine.get(key)
  }
  put(key: Buffer, value: Buffer): void {
    this.engine.put(key, value)
  }
  delete(key: Buffer): void {
    this.engine.delete(key)
  }
  range(from: Buffer | undefined, to: Buffer | undefined, reverse?: boolean): ReturnType<BytesEngine['range']> {
    return this.engine.range(from, to, reverse)
  }
  prefixScan(prefix: Buffer): ReturnType<BytesEngine['prefixScan']> {
    return this.engine.prefixScan(prefix)
  }
  approximateNumEntries(): number {
    return this.engine.approximateNumEntries()
  }
  flush(): void {
    // a persistent engine's writes are committed by its task, all stores in one transaction
    if (!this.persistent) this.engine.flush()
  }
  close(): void {
    this.#engine?.close()
    this.#engine = undefined
  }
  clear(): void {
    this.engine.clear()
  }
}

/** Forwards every call to an inner layer; the layers override what they change. */
export class WrappedBytesStore implements BytesStore {
  readonly inner: BytesStore

  constructor(inner: BytesStore) {
    this.inner = inner
  }

  get name(): string {
    return this.inner.name
  }
  get persistent(): boolean {
    return this.inner.persistent
  }
  init(context: ProcessorContextImpl): void {
    this.inner.init(context)
  }
  get(key: Buffer): Buffer | undefined {
    return this.inner.get(key)
  }
  put(key: Buffer, value: Buffer): void {
    this.inner.put(key, value)
  }
  delete(key: Buffer): void {
    this.inner.delete(key)
  }
  range(from: Buffer | undefined, to: Buffer | undefined, reverse?: boolean): ReturnType<BytesEngine['range']> {
    return this.inner.range(from, to, reverse)
  }
  prefixScan(prefix: Buffer): ReturnType<BytesEngine['prefixScan']> {
    return this.inner.prefixScan(prefix)
  }
  approximateNumEntries(): number {
    return this.inner.approximateNumEntries()
  }
  flush(): void {
    this.inner.flush()
  }
  close(): void {
    this.inner.close()
  }
  clear(): void {
    this.inner.clear()
  }
}
