import type { ProcessorContextImpl } from '../../processor/internals/processor-context-impl.ts'
import type { Serde } from '../../serde/serde.ts'
import { AbstractStoreBuilder } from './abstract-store-builder.ts'
import type { BytesStore } from './bytes-store.ts'
import { CachingSegmentedBytesStore } from './caching-segmented-bytes-store.ts'
import { ChangeLoggingBytesStore } from './change-logging-bytes-store.ts'
import { InMemoryBytesEngine } from './in-memory-bytes-engine.ts'
import { MeteredSessionStore, type SessionStoreKind } from './metered-session-store.ts'
import type { SegmentedReader, SegmentOpener } from './segmented-bytes-store.ts'
import { SessionSegmentedBytesStore } from './session-segmented-bytes-store.ts'

/** Where a session store keeps its bytes (Kafka `SessionBytesStoreSupplier`). */
export interface SessionBytesStoreSupplier {
  readonly name: string
  readonly persistent: boolean
  readonly retentionPeriod: number
  readonly segmentInterval: number
  readonly openSegment: SegmentOpener
  /** Which Kafka store this stands for, once the task's config is known (see `SessionStoreKind`). */
  kindAt(context: ProcessorContextImpl): SessionStoreKind
}

/** Kafka's segment interval for session stores: half the retention, at least a minute. */
function segmentInterval(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000)
}

function check(name: string, retentionMs: number): void {
  if (retentionMs < 0) throw new RangeError(`retentionPeriod of session store ${name} cannot be negative`)
}

/** Kafka `RocksDbSessionBytesStoreSupplier` (or, `timeOrdered`, the time-ordered one emit-final uses). */
export function persistentSessionSupplier(
  name: string,
  retentionMs: number,
  timeOrdered = false,
): SessionBytesStoreSupplier {
  check(name, retentionMs)
  return {
    name,
    persistent: true,
    retentionPeriod: retentionMs,
    segmentInterval: segmentInterval(retentionMs),
    openSegment: (context, segmentName) => context.persistentEngine(segmentName),
    kindAt: () => (timeOrdered ? 'time_ordered' : 'lmdb'),
  }
}

/** Kafka `InMemorySessionBytesStoreSupplier`. */
export function inMemorySessionSupplier(name: string, retentionMs: number): SessionBytesStoreSupplier {
  check(name, retentionMs)
  return {
    name,
    persistent: false,
    retentionPeriod: retentionMs,
    segmentInterval: segmentInterval(retentionMs),
    openSegment: (_context, segmentName) => new InMemoryBytesEngine(segmentName),
    kindAt: () => 'in_memory',
  }
}

/**
 * The DSL's session store when Materialized names no engine: the config's `defaultDslStore`, resolved
 * when the task opens the store (Kafka `BuiltInDslStoreSuppliers.sessionStore`, time-ordered for
 * emit-final on disk).
 */
export function dslSessionSupplier(name: string, retentionMs: number, timeOrdered: boolean): SessionBytesStoreSupplier {
  const memory = inMemorySessionSupplier(name, retentionMs)
  const disk = persistentSessionSupplier(name, retentionMs, timeOrdered)
  const inMemory = (context: ProcessorContextImpl): boolean => context.config.defaultDslStore === 'in_memory'
  return {
    ...disk,
    openSegment: (context, segmentName) =>
      inMemory(context) ? memory.openSegment(context, segmentName) : disk.openSegment(context, segmentName),
    kindAt: (context) => (inMemory(context) ? memory.kindAt(context) : disk.kindAt(context)),
  }
}

/**
 * Kafka `SessionStoreBuilder`: segments -> change-logging (compact,delete with the store's retention) ->
 * caching -> metered. Session values are not timestamped: the changelog gets the aggregate as stored,
 * with the current record's timestamp.
 */
export class SessionStoreBuilder<K, AGG> extends AbstractStoreBuilder<MeteredSessionStore<K, AGG>> {
  readonly supplier: SessionBytesStoreSupplier
  readonly #keySerde: Serde<K> | undefined
  readonly #valueSerde: Serde<AGG> | undefined

  constructor(supplier: SessionBytesStoreSupplier, keySerde: Serde<K> | undefined, valueSerde: Serde<AGG> | undefined) {
    super(supplier.name)
    this.supplier = supplier
    this.#keySerde = keySerde
    this.#valueSerde = valueSerde
  }

  override logConfig(): { readonly [key: string]: string } {
    return {
      'cleanup.policy': 'compact,delete',
      'retention.ms': String(this.supplier.retentionPeriod + 86_400_000),
      ...this.topicConfig,
    }
  }

  build(): MeteredSessionStore<K, AGG> {
    const s = this.supplier
    const segments = new SessionSegmentedBytesStore(
      s.name,
      s.persistent,
      s.retentionPeriod,
      s.segmentInterval,
      s.openSegment,
    )
    let store: BytesStore = segments
    if (this.logging) store = new ChangeLoggingBytesStore(store, false)
    let reads: SegmentedReader = segments
    if (this.caching) {
      const caching = new CachingSegmentedBytesStore(store, segments, true)
      store = caching
      reads = caching
    }
    return new MeteredSessionStore<K, AGG>(
      store,
      segments,
      reads,
      (context) => s.kindAt(context),
      this.caching,
      this.#keySerde,
      this.#valueSerde,
    )
  }
}
