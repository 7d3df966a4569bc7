/**
 * A length of time in milliseconds, with `java.time.Duration`'s factory names so that
 * `Duration.ofMinutes(5)` reads as it does in Kafka Streams code. Every API that takes a Duration also
 * takes a plain number of milliseconds.
 */
export class Duration {
  readonly #millis: number

  private constructor(millis: number) {
    if (!Number.isFinite(millis))
      throw new RangeError(`a duration must be a finite number of milliseconds, got ${millis}`)
    this.#millis = millis
  }

  static ofMillis(millis: number): Duration {
    return new Duration(millis)
  }

  static ofSeconds(seconds: number): Duration {
    return new Duration(seconds * 1000)
  }

  static ofMinutes(minutes: number): Duration {
    return new Duration(minutes * 60_000)
  }

  static ofHours(hours: number): Duration {
    return new Duration(hours * 3_600_000)
  }

  static ofDays(days: number): Duration {
    return new Duration(days * 86_400_000)
  }

  static readonly ZERO: Duration = new Duration(0)

  toMillis(): number {
    return this.#millis
  }

  toString(): string {
    return `PT${this.#millis / 1000}S`
  }
}

/** Milliseconds from a Duration or a number, refusing negatives (`name` goes into the message). */
export function toMillis(value: Duration | number, name: string): number {
  const millis = typeof value === 'number' ? value : value.toMillis()
  if (!Number.isFinite(millis) || millis < 0)
    throw new RangeError(`${name} must be a non-negative duration, got ${millis} ms`)
  return millis
}
