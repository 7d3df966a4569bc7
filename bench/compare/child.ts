// The side of a TypeScript application run by the driver: a Meter that the topology calls once per input
// record, and `runChild`, which starts the application, waits for the expected count (or the time cap, or a
// `stop` line on stdin), prints the result as one JSON line, then closes the application and exits.
// The Java runner (BenchRunner.java) does the same.
import { createInterface } from 'node:readline'
import type { ChildEvent, RunSpec } from './spec.ts'

function emit(event: ChildEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`)
}

/** Counts input records and notes when the first and the last were processed. */
export class Meter {
  count = 0
  first = 0
  last = 0
  readonly #expected: number
  readonly #onFirst: () => void
  readonly #onDone: () => void

  constructor(expected: number, onFirst: () => void, onDone: () => void) {
    this.#expected = expected
    this.#onFirst = onFirst
    this.#onDone = onDone
  }

  tick(): void {
    const now = performance.now()
    if (++this.count === 1) {
      this.first = now
      this.#onFirst()
    }
    this.last = now
    if (this.count === this.#expected) this.#onDone()
  }
}

/** An application under test: started with a meter, closed after the result is out; `fail` ends the run. */
export type Start = (spec: RunSpec, meter: Meter, fail: (error: unknown) => void) => Promise<{ close(): Promise<void> }>

export async function runChild(start: Start): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as RunSpec
  let done: (capped: boolean) => void = () => {}
  let fail: (error: unknown) => void = () => {}
  const finished = new Promise<boolean>((resolve, reject) => {
    done = resolve
    fail = reject
  })
  finished.catch(() => {}) // a failure during start is reported below, not as an unhandled rejection
  let cap: NodeJS.Timeout | undefined
  const meter = new Meter(
    spec.expected,
    () => {
      emit({ event: 'first' })
      cap = setTimeout(() => done(true), spec.maxSeconds * 1000)
    },
    () => done(false),
  )
  const stdin = createInterface({ input: process.stdin })
  stdin.on('line', (line) => {
    if (line.trim() === 'stop') done(spec.expected > 0)
  })
  let app: { close(): Promise<void> } | undefined
  try {
    app = await start(spec, meter, fail)
    const capped = await finished
    clearTimeout(cap)
    emit({
      event: 'result',
      records: meter.count,
      elapsedMs: meter.last - meter.first,
      capped,
      peakRssKb: process.resourceUsage().maxRSS,
    })
  } catch (error) {
    emit({ event: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  }
  stdin.close()
  // closing is not measured; a close that hangs must not hold up the next run
  const deadline = setTimeout(() => process.exit(0), 30_000)
  deadline.unref()
  try {
    await app?.close()
  } catch {
    // the result is out already
  }
  process.exit(0)
}
