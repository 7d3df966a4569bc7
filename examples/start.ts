// `npm start`: kstreams in one command. Starts a local Kafka (unless KAFKA_BOOTSTRAP_SERVERS names one),
// creates the topics, runs the guide's hourly sales aggregation (hourly-sales.ts) under exactly-once with
// a generator of sales on a fast simulated clock, and shows the windows as their results arrive on the
// output topic, until Ctrl-C.
//
//   npm start [-- --at-least-once --seed 7 --start 2026-01-31T09:00:00Z]
import { exampleArgs, withSuffix } from './lib/example-args.ts'
import { formatTime, formatWindow, won } from './lib/format.ts'
import { runCommand } from './lib/run-command.ts'
import { output, runExample, type RunningExample } from './lib/run-example.ts'
import {
  buildHourlySales,
  generateSales,
  hourlySalesKeySerde,
  hourlySalesTopics,
  hourlySalesValueSerde,
  stores,
  type HourlySales,
} from './hourly-sales.ts'

const launched = performance.timeOrigin
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/**
 * The terminal: log lines scroll above a live area that is redrawn in place. Without a terminal (output
 * to a pipe or a file), the live area is printed as it changes instead, one table per updated window.
 */
class LiveView {
  readonly #tty = process.stdout.isTTY
  #live: readonly string[] = []

  /** A line above the live area. */
  log(line: string): void {
    this.#clearLive()
    process.stdout.write(`${line}\n`)
    this.#drawLive()
  }

  /** Replaces the live area (terminal) or prints it (otherwise). */
  render(lines: readonly string[]): void {
    this.#clearLive()
    this.#live = lines
    this.#drawLive()
    if (!this.#tty) this.#live = []
  }

  #drawLive(): void {
    if (this.#live.length > 0) process.stdout.write(this.#live.map((line) => `${line}\n`).join(''))
  }

  #clearLive(): void {
    // cursor up over the live area, then erase to the end of the screen
    if (this.#tty && this.#live.length > 0) process.stdout.write(`\x1b[${this.#live.length}A\x1b[0J`)
  }
}

/** The latest result per window and store, as read from the output topic. */
class Windows {
  readonly #byStart = new Map<number, { end: number; stores: Map<string, HourlySales> }>()
  readonly #changed = new Set<number>()
  results = 0

  update(store: string, start: number, end: number, value: HourlySales | null): void {
    let window = this.#byStart.get(start)
    if (window === undefined) {
      window = { end, stores: new Map() }
      this.#byStart.set(start, window)
    }
    if (value === null) window.stores.delete(store)
    else window.stores.set(store, value)
    this.#changed.add(start)
    this.results++
  }

  /** The windows updated since the last call, oldest first. */
  takeChanged(): number[] {
    const changed = [...this.#changed].sort((a, b) => a - b)
    this.#changed.clear()
    return changed
  }

  latest(count: number): number[] {
    return [...this.#byStart.keys()].sort((a, b) => a - b).slice(-count)
  }

  table(start: number): string[] {
    const window = this.#byStart.get(start)
    if (window === undefined) return []
    const row = (name: string, sales: number, total: number): string =>
      `    ${name.padEnd(12)} ${String(sales).padStart(6)} ${won(total).padStart(13)}`
    const rows: string[] = [`  ${formatWindow(start, window.end)} UTC    sales         total`]
    let sales = 0
    let total = 0
    for (const store of stores) {
      const value = window.stores.get(store)
      if (value === undefined) continue
      rows.push(row(store, value.count, value.total))
      sales += value.count
      total += value.total
    }
    rows.push(row('all stores', sales, total))
    return rows
  }
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = exampleArgs(argv, 'npm start', { exactlyOnce: true })
  const topics = withSuffix(hourlySalesTopics, args.suffix)
  const view = new LiveView()
  const windows = new Windows()
  let running: RunningExample | undefined
  let firstResultAt = 0
  let readyAt = 0

  const status = (): string => {
    const clock =
      running && running.latestTimestamp > 0 ? `simulated clock ${formatTime(running.latestTimestamp)} UTC, ` : ''
    return `  ${clock}${running?.produced ?? 0} sales produced, ${windows.results} results read · Ctrl-C stops`
  }
  const refresh = (): void => {
    const changed = windows.takeChanged()
    if (changed.length === 0) return
    if (process.stdout.isTTY) {
      view.render([...windows.latest(3).flatMap((start) => ['', ...windows.table(start)]), '', status()])
    } else {
      view.render(changed.flatMap((start) => ['', ...windows.table(start)]))
    }
  }

  view.log("kstreams demo: live hourly sales per store (the guide's 실시간 매출 집계, examples/hourly-sales.ts)")
  view.log(
    `  ${topics.sales} -> groupByKey -> windowedBy(TimeWindows.of(1 hour)) -> aggregate(count, total) -> ${topics.output}`,
  )
  view.log(
    `  processing guarantee ${args.processingGuarantee}; sales generated at 20 a second (seed ${args.seed}) on a ` +
      `simulated clock that starts at ${formatTime(args.start)} UTC and runs about 10 minutes a second`,
  )
  const log = (line: string): void => {
    if (/^(local Kafka|using Kafka)/.test(line)) readyAt = Date.now()
    view.log(`  ${line}`)
  }
  const timer = setInterval(refresh, 500)
  try {
    await runCommand(
      async ({ bootstrapServers, signal }) => {
        running = await runExample({
          bootstrapServers,
          applicationId: `hourly-sales-demo${args.suffix}`,
          topology: buildHourlySales(topics),
          topics: [topics.sales, topics.output],
          records: generateSales(topics.sales, args),
          recordsPerSecond: 20,
          outputs: [
            output(topics.output, hourlySalesKeySerde, hourlySalesValueSerde, ({ key, value }) => {
              if (key === null) return
              if (firstResultAt === 0) {
                firstResultAt = Date.now()
                view.log(
                  `first windowed results ${seconds(firstResultAt - launched)} after launch` +
                    (readyAt > 0 ? ` (${seconds(firstResultAt - readyAt)} after Kafka was ready)` : ''),
                )
              }
              windows.update(key.key, key.window.start, key.window.end, value)
            }),
          ],
          processingGuarantee: args.processingGuarantee,
          log,
          signal,
        })
        return running
      },
      { log },
    )
  } finally {
    clearInterval(timer)
  }
}

if (import.meta.main) await main()
