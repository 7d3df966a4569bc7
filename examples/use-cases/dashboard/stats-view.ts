// The dashboard server's picture of the category-stats topic: the latest stats per (category, window) of the
// newest `maxWindows` windows, and listeners told of every change. Fed record by record from the topic, so
// the same stream of records builds the same view in every server and after every restart.
import type { CategoryStats } from './order-stats-topology.ts'

export type StatsListener = (stats: CategoryStats) => void

export class StatsView {
  readonly #maxWindows: number
  /** key "<category>@<window start>" -> latest stats */
  readonly #stats = new Map<string, CategoryStats>()
  readonly #listeners = new Set<StatsListener>()

  constructor(maxWindows = 10) {
    if (!Number.isSafeInteger(maxWindows) || maxWindows < 1) {
      throw new RangeError(`maxWindows must be a whole number >= 1, got ${maxWindows}`)
    }
    this.#maxWindows = maxWindows
  }

  get maxWindows(): number {
    return this.#maxWindows
  }

  /**
   * Applies one record of the stats topic. Records of windows older than the newest `maxWindows` are
   * ignored (and such windows dropped), so the view stays small however long the topic is.
   */
  apply(stats: CategoryStats): void {
    const windows = this.windowStarts()
    if (windows.length >= this.#maxWindows && !windows.includes(stats.windowStart)) {
      const oldestKept = windows[this.#maxWindows - 1] as number
      if (stats.windowStart < oldestKept) return
    }
    this.#stats.set(`${stats.category}@${stats.windowStart}`, stats)
    this.#prune()
    for (const listener of this.#listeners) listener(stats)
  }

  /** Every stats entry, newest window first, categories in alphabetical order. */
  snapshot(): CategoryStats[] {
    return [...this.#stats.values()].sort(
      (a, b) => b.windowStart - a.windowStart || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0),
    )
  }

  /** The distinct window starts held, newest first. */
  windowStarts(): number[] {
    return [...new Set([...this.#stats.values()].map((s) => s.windowStart))].sort((a, b) => b - a)
  }

  /** Calls `listener` with each applied record; returns a function that removes it. */
  onChange(listener: StatsListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #prune(): void {
    const windows = this.windowStarts()
    if (windows.length <= this.#maxWindows) return
    const oldestKept = windows[this.#maxWindows - 1] as number
    for (const [key, stats] of this.#stats) if (stats.windowStart < oldestKept) this.#stats.delete(key)
  }
}
