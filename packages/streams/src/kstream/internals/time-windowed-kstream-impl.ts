import type { Serde } from '../../serde/serde.ts'
import type { WindowStoreBuilder } from '../../state/internals/window-store-builder.ts'
import type { Materialized } from '../materialized.ts'
import type { TimeWindows } from '../time-windows.ts'
import type { Windowed } from '../windowed.ts'
import type { AggregateSupplier } from './kstream-aggregate.ts'
import { kstreamWindowAggregate } from './kstream-window-aggregate.ts'
import { dslWindowStore } from './materialize.ts'
import { FixedWindowedKStream } from './windowed-kstream.ts'

/**
 * Kafka `TimeWindowedKStreamImpl`: a grouped stream cut into time windows. Aggregations give a table
 * keyed by `Windowed<K>`, stored in a window store whose retention defaults to window size + grace.
 */
export class TimeWindowedKStreamImpl<K, V> extends FixedWindowedKStream<K, V, TimeWindows> {
  protected readonly countBurnsStoreName = true

  get closeDelayMs(): number {
    return this.windows.graceMs
  }

  protected supplier<VA>(
    storeName: string,
    initializer: () => VA | null,
    aggregator: (key: K, value: V, aggregate: VA | null) => VA,
  ): AggregateSupplier<K, V, Windowed<K>, VA> {
    return kstreamWindowAggregate<K, V, VA>(this.windows, storeName, this.emit, initializer, aggregator)
  }

  /** Kafka `TimeWindowedKStreamImpl.materialize`: a timestamped window store for the aggregation. */
  storeBuilder<VA>(
    storeName: string,
    materialized: Materialized<K, VA> | undefined,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<VA> | undefined,
  ): WindowStoreBuilder<K, unknown> {
    const { sizeMs, graceMs } = this.windows
    const retention = materialized?.retentionMs ?? sizeMs + graceMs
    // a store supplier given in Materialized brings its own retention, as in Kafka
    if (materialized?.storeSupplier === undefined && retention < sizeMs + graceMs) {
      throw new RangeError(
        `The retention period of the window store ${storeName} must be no smaller than its window size plus the grace period. ` +
          `Got size=[${sizeMs}], grace=[${graceMs}], retention=[${retention}]`,
      )
    }
    const emitFinal = this.emit.type === 'ON_WINDOW_CLOSE'
    return dslWindowStore(storeName, retention, sizeMs, materialized, keySerde, valueSerde, emitFinal)
  }
}
