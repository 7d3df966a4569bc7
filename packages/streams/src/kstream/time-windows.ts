import { toMillis, type Duration } from './duration.ts'
import { Window } from './windowed.ts'

/** Kafka 2.x-3.x default grace of the deprecated factories: 24 hours minus the window size. */
const DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD = 24 * 3_600_000

/**
 * Fixed-size windows (Kafka `TimeWindows`): tumbling when the advance equals the size, hopping when it
 * is smaller. Windows are aligned to the epoch: [n * advance, n * advance + size). A record joins every
 * window containing its timestamp; a window takes records until stream time passes its end plus grace.
 */
export class TimeWindows {
  readonly sizeMs: number
  readonly advanceMs: number
  readonly graceMs: number

  private constructor(sizeMs: number, advanceMs: number, graceMs: number) {
    if (sizeMs <= 0) throw new RangeError('Window size (sizeMs) must be larger than zero.')
    if (advanceMs <= 0 || advanceMs > sizeMs) {
      throw new RangeError(
        `Window advancement interval should be more than zero and less than window duration which is ${sizeMs} ms, but given advancement interval is: ${advanceMs} ms`,
      )
    }
    if (graceMs < 0) throw new RangeError('Grace period must not be negative.')
    this.sizeMs = sizeMs
    this.advanceMs = advanceMs
    this.graceMs = graceMs
  }

  static ofSizeWithNoGrace(size: Duration | number): TimeWindows {
    const ms = toMillis(size, 'size')
    return new TimeWindows(ms, ms, 0)
  }

  static ofSizeAndGrace(size: Duration | number, grace: Duration | number): TimeWindows {
    const ms = toMillis(size, 'size')
    return new TimeWindows(ms, ms, toMillis(grace, 'grace'))
  }

  /**
   * Tumbling windows with the grace Kafka gave before 3.0: 24 hours minus the size (the guide's
   * `TimeWindows.of(...)`; Java removed it in 4.0 in favour of the two factories above).
   */
  static of(size: Duration | number): TimeWindows {
    const ms = toMillis(size, 'size')
    return new TimeWindows(ms, ms, Math.max(DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD - ms, 0))
  }

  /** Hopping windows: a new window every `advance`. */
  advanceBy(advance: Duration | number): TimeWindows {
    return new TimeWindows(this.sizeMs, toMillis(advance, 'advance'), this.graceMs)
  }

  /** Replaces the grace period (Kafka 2.x `grace()`). */
  grace(grace: Duration | number): TimeWindows {
    return new TimeWindows(this.sizeMs, this.advanceMs, toMillis(grace, 'grace'))
  }

  size(): number {
    return this.sizeMs
  }

  gracePeriodMs(): number {
    return this.graceMs
  }

  /** The windows containing `timestamp`, by start time (Kafka `windowsFor`). */
  windowsFor(timestamp: number): Map<number, Window> {
    let start = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs
    const windows = new Map<number, Window>()
    while (start <= timestamp) {
      windows.set(start, new Window(start, start + this.sizeMs))
      start += this.advanceMs
    }
    return windows
  }
}
