import { toMillis, type Duration } from './duration.ts'

const DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD = 24 * 3_600_000

/**
 * Session windows (Kafka `SessionWindows`): per key, records closer than the inactivity gap fall into one
 * session; a record bridging two sessions merges them. A session takes records until stream time passes
 * its end plus the gap and grace.
 */
export class SessionWindows {
  readonly gapMs: number
  readonly graceMs: number

  private constructor(gapMs: number, graceMs: number) {
    if (gapMs <= 0) throw new RangeError('Gap time cannot be zero or negative.')
    if (graceMs < 0) throw new RangeError('Grace period must not be negative.')
    this.gapMs = gapMs
    this.graceMs = graceMs
  }

  static ofInactivityGapWithNoGrace(inactivityGap: Duration | number): SessionWindows {
    return new SessionWindows(toMillis(inactivityGap, 'inactivityGap'), 0)
  }

  static ofInactivityGapAndGrace(inactivityGap: Duration | number, afterWindowEnd: Duration | number): SessionWindows {
    return new SessionWindows(toMillis(inactivityGap, 'inactivityGap'), toMillis(afterWindowEnd, 'afterWindowEnd'))
  }

  /**
   * The guide's `SessionWindows.with(gap)`: Kafka's pre-3.0 factory, whose grace is 24 hours minus the gap
   * (Java removed it in 4.0 in favour of the two factories above).
   */
  static with(inactivityGap: Duration | number): SessionWindows {
    const gap = toMillis(inactivityGap, 'inactivityGap')
    return new SessionWindows(gap, Math.max(DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD - gap, 0))
  }

  /** Replaces the grace period (Kafka 2.x `grace()`). */
  grace(afterWindowEnd: Duration | number): SessionWindows {
    return new SessionWindows(this.gapMs, toMillis(afterWindowEnd, 'afterWindowEnd'))
  }

  inactivityGap(): number {
    return this.gapMs
  }

  gracePeriodMs(): number {
    return this.graceMs
  }
}
