import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { Serde } from '../../serde/serde.ts'
import type { ValueAndTimestamp } from '../value-and-timestamp.ts'
import { AbstractStoreBuilder } from './abstract-store-builder.ts'
import type { BytesStore } from './bytes-store.ts'
import { CachingSegmentedBytesStore } from './caching-segmented-bytes-store.ts'
import { ChangeLoggingBytesStore } from './change-logging-bytes-store.ts'
import { InMemoryBytesEngine } from './in-memory-bytes-engine.ts'
import { timestampedSerde } from './metered-key-value-store.ts'
import { MeteredWindowStore } from './metered-window-store.ts'
import { SegmentedBytesStore, type SegmentedReader, type SegmentOpener } from './segmented-bytes-store.ts'
import { windowKeySchema } from './window-key-schema.ts'

/** Where a window store keeps its bytes (Kafka `WindowBytesStoreSupplier`). */
export interface WindowBytesStoreSupplier {
  readonly name: string
  readonly persistent: boolean
  readonly retentionPeriod: number
  readonly windowSize: number
  readonly retainDuplicates: boolean
  readonly segmentInterval: number
  readonly openSegment: SegmentOpener
  /**
   * Kafka's time-ordered window store (what emit-final aggregations use on disk) keeps windows starting
   * exactly at stream time - retention, one ms more than the key-ordered store. Decided when the store
   * opens, as the DSL's default engine is.
   */
  readonly timeOrdered?: (context: ProcessorContextImpl) => boolean
}

/** Kafka's default segment interval: half the retention, at least a minute. */
function segmentInterval(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000)
}

function check(name: string, retentionMs: number, windowSizeMs: number): void {
  if (retentionMs < 0) throw new RangeError(`retentionPeriod of window store ${name} cannot be negative`)
  if (windowSizeMs < 0) throw new RangeError(`windowSize of window store ${name} cannot be negative`)
  if (windowSizeMs > retentionMs) {
    throw new RangeError(
      `The retention period of the window store ${name} must be no smaller than its window size. Got size=[${windowSizeMs}], retention=[${retentionMs}]`,
    )
  }
}

export function persistentWindowSupplier(
  name: string,
  retentionMs: number,
  windowSizeMs: number,
  retainDuplicates: boolean,
): WindowBytesStoreSupplier {
  check(name, retentionMs, windowSizeMs)
  return {
    name,
    persistent: true,
    retentionPeriod: retentionMs,
    windowSize: windowSizeMs,
    retainDuplicates,
    segmentInterval: segmentInterval(retentionMs),
    openSegment: (context, segmentName) => context.persistentEngine(segmentName),
  }
}

export function inMemoryWindowSupplier(
  name: string,
  retentionMs: number,
  windowSizeMs: number,
  retainDuplicates: boolean,
): WindowBytesStoreSupplier {
  check(name, retentionMs, windowSizeMs)
  return {
    name,
    persistent: false,
    retentionPeriod: retentionMs,
    windowSize: windowSizeMs,
    retainDuplicates,
    segmentInterval: segmentInterval(retentionMs),
    openSegment: (_context, segmentName) => new InMemoryBytesEngine(segmentName),
  }
}

/**
 * Kafka `WindowStoreBuilder` / `TimestampedWindowStoreBuilder`: segments -> change-logging (compact,delete
 * with the store's retention) -> caching -> metered.
 */
export class WindowStoreBuilder<K, V> extends AbstractStoreBuilder<MeteredWindowStore<K, V>> {
  readonly supplier: WindowBytesStoreSupplier
  readonly #keySerde: Serde<K> | undefined
  readonly #valueSerde: Serde<unknown> | undefined
  readonly timestamped: boolean

  constructor(
    supplier: WindowBytesStoreSupplier,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<unknown> | undefined,
    timestamped: boolean,
  ) {
    super(supplier.name)
    this.supplier = supplier
    this.#keySerde = keySerde
    this.#valueSerde = valueSerde
    this.timestamped = timestamped
  }

  override withCachingEnabled(): this {
    // Kafka ignores caching for stores that keep duplicates
    this.caching = !this.supplier.retainDuplicates
    return this
  }

  override logConfig(): { readonly [key: string]: string } {
    return {
      'cleanup.policy': 'compact,delete',
      'retention.ms': String(this.supplier.retentionPeriod + 86_400_000),
      ...this.topicConfig,
    }
  }

  build(): MeteredWindowStore<K, V> {
    const s = this.supplier
    const segments = new SegmentedBytesStore(
      s.name,
      s.persistent,
      s.retentionPeriod,
      s.segmentInterval,
      windowKeySchema,
      s.openSegment,
      s.timeOrdered,
    )
    let store: BytesStore = segments
    if (this.logging) store = new ChangeLoggingBytesStore(store, this.timestamped)
    let reads: SegmentedReader = segments
    if (this.caching) {
      const caching = new CachingSegmentedBytesStore(store, segments, false)
      store = caching
      reads = caching
    }
    const wrap = this.timestamped
      ? (serde: Serde<unknown>) => timestampedSerde(serde) as unknown as Serde<V>
      : undefined
    const valueSerde =
      this.#valueSerde === undefined ? undefined : wrap ? wrap(this.#valueSerde) : (this.#valueSerde as Serde<V>)
    return new MeteredWindowStore<K, V>(
      store,
      reads,
      s.windowSize,
      s.retainDuplicates,
      this.#keySerde,
      valueSerde,
      wrap,
    )
  }
}

export type TimestampedWindowStoreBuilder<K, V> = WindowStoreBuilder<K, ValueAndTimestamp<V>>
