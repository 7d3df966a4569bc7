/** A window's bounds in milliseconds: [start, end) for time windows, [start, end] for sessions (Kafka `Window`). */
export class Window {
  readonly start: number
  readonly end: number

  constructor(start: number, end: number) {
    if (start < 0) throw new RangeError(`Window startMs time cannot be negative (${start})`)
    if (end < start)
      throw new RangeError(`Window endMs time cannot be smaller than window startMs time (${end} < ${start})`)
    this.start = start
    this.end = end
  }

  startTime(): Date {
    return new Date(this.start)
  }

  endTime(): Date {
    return new Date(this.end)
  }

  equals(other: Window): boolean {
    return this.start === other.start && this.end === other.end
  }

  toString(): string {
    return `Window{startMs=${this.start}, endMs=${this.end}}`
  }
}

/** A key and the window it is aggregated in (Kafka `Windowed`). */
export class Windowed<K> {
  readonly key: K
  readonly window: Window

  constructor(key: K, window: Window) {
    this.key = key
    this.window = window
  }

  toString(): string {
    return `[${String(this.key)}@${this.window.start}/${this.window.end}]`
  }
}
