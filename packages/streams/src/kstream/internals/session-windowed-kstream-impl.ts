import type { SessionWindows } from '../session-windows.ts'
import type { KGroupedStreamImpl } from './kgrouped-stream-impl.ts'

/** Kafka `SessionWindowedKStreamImpl`: a grouped stream cut into session windows. */
export class SessionWindowedKStreamImpl<K, V> {
  readonly grouped: KGroupedStreamImpl<K, V>
  readonly windows: SessionWindows

  constructor(grouped: KGroupedStreamImpl<K, V>, windows: SessionWindows) {
    this.grouped = grouped
    this.windows = windows
  }
}
