import type { Punctuator } from '../api/processor.ts'
import type { ProcessorNode } from './processor-node.ts'

export interface PunctuationSchedule {
  readonly node: ProcessorNode
  readonly interval: number
  readonly punctuator: Punctuator
  timestamp: number
  cancelled: boolean
}

/**
 * Kafka `PunctuationQueue`: schedules due at or before a time fire in time order; a schedule that missed
 * intervals fires once and moves to the next interval after the current time.
 */
export class PunctuationQueue {
  readonly #schedules: PunctuationSchedule[] = []

  schedule(schedule: PunctuationSchedule): void {
    this.#schedules.push(schedule)
  }

  /** Fires every due schedule; returns whether any fired. */
  mayPunctuate(timestamp: number, fire: (schedule: PunctuationSchedule, timestamp: number) => void): boolean {
    let punctuated = false
    for (;;) {
      let top: PunctuationSchedule | undefined
      for (const schedule of this.#schedules) {
        if (!schedule.cancelled && (top === undefined || schedule.timestamp < top.timestamp)) top = schedule
      }
      if (!top || top.timestamp > timestamp) break
      fire(top, timestamp)
      const next = top.timestamp + top.interval
      top.timestamp =
        timestamp >= next
          ? top.timestamp + (Math.floor((timestamp - top.timestamp) / top.interval) + 1) * top.interval
          : next
      punctuated = true
    }
    for (let i = this.#schedules.length - 1; i >= 0; i--)
      if (this.#schedules[i]?.cancelled) this.#schedules.splice(i, 1)
    return punctuated
  }
}
