import type { SlidingWindows } from '../sliding-windows.ts'
import type { KGroupedStreamImpl } from './kgrouped-stream-impl.ts'

/** Kafka `SlidingWindowedKStreamImpl`: a grouped stream cut into sliding windows. */
export class SlidingWindowedKStreamImpl<K, V> {
  readonly grouped: KGroupedStreamImpl<K, V>
  readonly windows: SlidingWindows

  constructor(grouped: KGroupedStreamImpl<K, V>, windows: SlidingWindows) {
    this.grouped = grouped
    this.windows = windows
  }
}
