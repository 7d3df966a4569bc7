import { toMillis, type Duration } from './duration.ts'

const DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD = 24 * 3_600_000

/**
 * The time window of a stream-stream join (Kafka `JoinWindows`): a record joins records of the other
 * stream whose timestamps are within [ts - before, ts + after]. After the window plus grace, a
 * left/outer join emits the records that found no partner.
 */
export class JoinWindows {
  readonly beforeMs: number
  readonly afterMs: number
  readonly graceMs: number
  /** False only for the deprecated `of()`, which emits left/outer non-matches at once as Kafka 2.x did. */
  readonly spuriousResultFix: boolean

  private constructor(beforeMs: number, afterMs: number, graceMs: number, spuriousResultFix: boolean) {
    if (beforeMs + afterMs < 0) throw new RangeError('Window interval (ie, beforeMs+afterMs) must not be negative.')
    if (graceMs < 0) throw new RangeError('Grace period must not be negative.')
    this.beforeMs = beforeMs
    this.afterMs = afterMs
    this.graceMs = graceMs
    this.spuriousResultFix = spuriousResultFix
  }

  static ofTimeDifferenceWithNoGrace(timeDifference: Duration | number): JoinWindows {
    const ms = toMillis(timeDifference, 'timeDifference')
    return new JoinWindows(ms, ms, 0, true)
  }

  static ofTimeDifferenceAndGrace(timeDifference: Duration | number, afterWindowEnd: Duration | number): JoinWindows {
    const ms = toMillis(timeDifference, 'timeDifference')
    return new JoinWindows(ms, ms, toMillis(afterWindowEnd, 'afterWindowEnd'), true)
  }

  /**
   * The guide's `JoinWindows.of(...)`: Kafka's pre-3.0 factory, with a grace of 24 hours minus twice the
   * difference, and left/outer results emitted eagerly (Java removed it in 4.0).
   */
  static of(timeDifference: Duration | number): JoinWindows {
    const ms = toMillis(timeDifference, 'timeDifference')
    return new JoinWindows(ms, ms, Math.max(DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD - ms * 2, 0), false)
  }

  /** Only records up to `timeDifference` before count (the window's start). */
  before(timeDifference: Duration | number): JoinWindows {
    return new JoinWindows(
      toMillis(timeDifference, 'timeDifference'),
      this.afterMs,
      this.graceMs,
      this.spuriousResultFix,
    )
  }

  /** Only records up to `timeDifference` after count (the window's end). */
  after(timeDifference: Duration | number): JoinWindows {
    return new JoinWindows(
      this.beforeMs,
      toMillis(timeDifference, 'timeDifference'),
      this.graceMs,
      this.spuriousResultFix,
    )
  }

  /** Replaces the grace period (Kafka 2.x `grace()`). */
  grace(afterWindowEnd: Duration | number): JoinWindows {
    return new JoinWindows(
      this.beforeMs,
      this.afterMs,
      toMillis(afterWindowEnd, 'afterWindowEnd'),
      this.spuriousResultFix,
    )
  }

  size(): number {
    return this.beforeMs + this.afterMs
  }

  gracePeriodMs(): number {
    return this.graceMs
  }
}
