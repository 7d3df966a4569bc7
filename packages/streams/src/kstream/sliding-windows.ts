import { toMillis, type Duration } from './duration.ts'

/**
 * Sliding windows (Kafka `SlidingWindows`): windows of a fixed time difference, inclusive at both ends,
 * created only where records are, so every distinct set of records within the difference gets one window.
 */
export class SlidingWindows {
  readonly timeDifferenceMs: number
  readonly graceMs: number

  private constructor(timeDifferenceMs: number, graceMs: number) {
    if (timeDifferenceMs < 0) throw new RangeError('Window time difference must not be negative.')
    if (graceMs < 0) throw new RangeError('Window grace period must not be negative.')
    this.timeDifferenceMs = timeDifferenceMs
    this.graceMs = graceMs
  }

  static ofTimeDifferenceWithNoGrace(timeDifference: Duration | number): SlidingWindows {
    return new SlidingWindows(toMillis(timeDifference, 'timeDifference'), 0)
  }

  static ofTimeDifferenceAndGrace(
    timeDifference: Duration | number,
    afterWindowEnd: Duration | number,
  ): SlidingWindows {
    return new SlidingWindows(toMillis(timeDifference, 'timeDifference'), toMillis(afterWindowEnd, 'afterWindowEnd'))
  }

  timeDifferenceMsValue(): number {
    return this.timeDifferenceMs
  }

  gracePeriodMs(): number {
    return this.graceMs
  }
}
