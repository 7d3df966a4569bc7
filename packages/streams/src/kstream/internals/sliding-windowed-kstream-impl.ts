import type { Serde } from '../../serde/serde.ts'
import type { WindowStoreBuilder } from '../../state/internals/window-store-builder.ts'
import type { Materialized } from '../materialized.ts'
import type { SlidingWindows } from '../sliding-windows.ts'
import type { Windowed } from '../windowed.ts'
import type { AggregateSupplier } from './kstream-aggregate.ts'
import { kstreamSlidingWindowAggregate } from './kstream-sliding-window-aggregate.ts'
import { dslWindowStore } from './materialize.ts'
import { FixedWindowedKStream } from './windowed-kstream.ts'

/**
 * Kafka `SlidingWindowedKStreamImpl`: a grouped stream cut into sliding windows. Aggregations give a table
 * keyed by `Windowed<K>` (windows [start, start + time difference], both ends inclusive), stored in a
 * timestamped window store whose retention defaults to 2 × time difference + grace, the oldest window a
 * new record may still need.
 */
export class SlidingWindowedKStreamImpl<K, V> extends FixedWindowedKStream<K, V, SlidingWindows> {
  // unlike the time-windowed count, Kafka's sliding count burns no extra store name
  protected readonly countBurnsStoreName = false

  // Kafka's grace search gives a sliding aggregation's grace as is (GraphGraceSearchUtil)
  get closeDelayMs(): number {
    return this.windows.graceMs
  }

  protected supplier<VA>(
    storeName: string,
    initializer: () => VA | null,
    aggregator: (key: K, value: V, aggregate: VA | null) => VA,
  ): AggregateSupplier<K, V, Windowed<K>, VA> {
    return kstreamSlidingWindowAggregate<K, V, VA>(this.windows, storeName, this.emit, initializer, aggregator)
  }

  /** Kafka `SlidingWindowStoreMaterializer`: a timestamped window store of window size = time difference. */
  storeBuilder<VA>(
    storeName: string,
    materialized: Materialized<K, VA> | undefined,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<VA> | undefined,
  ): WindowStoreBuilder<K, unknown> {
    const difference = this.windows.timeDifferenceMs
    const graceMs = this.windows.graceMs
    // a new record may need windows starting as early as its timestamp - 2 × time difference
    const retention = materialized?.retentionMs ?? 2 * difference + graceMs
    if (materialized?.storeSupplier === undefined && 2 * difference + graceMs > retention) {
      throw new RangeError(
        `The retention period of the window store ${storeName} must be no smaller than 2 * time difference plus the grace period. ` +
          `Got time difference=[${difference}], grace=[${graceMs}], retention=[${retention}]`,
      )
    }
    const emitFinal = this.emit.type === 'ON_WINDOW_CLOSE'
    return dslWindowStore(storeName, retention, difference, materialized, keySerde, valueSerde, emitFinal)
  }
}
