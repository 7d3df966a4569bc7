// What a running example has started, to be closed in the reverse order of starting: whatever starts later
// uses what started before it (the generator the producer, KafkaStreams its topics, everything Kafka), so it
// stops first. Every example, and every command around one, keeps what it starts here; a failure of anything
// running (KafkaStreams in state ERROR, a reader that cannot decode a record) is reported through `failure`.

/** A started example: how to stop it, and (when it can fail while running) how it fails. */
export interface Running {
  close(): Promise<void>
  /** Rejects when something of the example fails while it runs; never resolves. */
  readonly failure?: Promise<never>
}

export class Closers implements Running {
  readonly log: (line: string) => void
  readonly failure: Promise<never>
  readonly #stack: { what: string; close: () => unknown }[] = []
  #fail: (error: Error) => void = () => undefined
  #closing: Promise<void> = Promise.resolve()

  constructor(log: (line: string) => void = () => undefined) {
    this.log = log
    this.failure = new Promise<never>((_resolve, reject) => {
      this.#fail = reject
    })
    this.failure.catch(() => undefined)
  }

  /**
   * Runs `start` with new Closers, which it returns what it started into. If `start` throws, what it had started
   * is closed before the error goes on.
   */
  static async open<T>(log: ((line: string) => void) | undefined, start: (closers: Closers) => Promise<T>): Promise<T> {
    const closers = new Closers(log)
    try {
      return await start(closers)
    } catch (error) {
      await closers.close()
      throw error
    }
  }

  /** `close` runs when these close, before whatever was added earlier. */
  add(what: string, close: () => unknown): void {
    this.#stack.push({ what, close })
  }

  /** Closes `running` when these close; its failure is theirs. */
  addRunning(what: string, running: Running): void {
    this.add(what, () => running.close())
    running.failure?.catch((error: unknown) => this.fail(error as Error))
  }

  /** Reports a failure of something running: `failure` rejects with the first one. */
  fail(error: Error): void {
    this.#fail(error)
  }

  /**
   * Calls `tick` every `everyMs` milliseconds until these close, skipping a beat while the previous call is still
   * under way (a slow broker must not pile up sends); a call that fails is logged after `what`. Closing waits for
   * a call under way, so that what it uses (a producer) is not closed under it.
   */
  repeat(what: string, everyMs: number, tick: () => unknown): void {
    let busy: Promise<void> | undefined
    const timer = setInterval(() => {
      busy ??= Promise.resolve()
        .then(tick)
        .then(
          () => undefined,
          (error: unknown) => this.log(`${what}: ${(error as Error).message}`),
        )
        .finally(() => (busy = undefined))
    }, everyMs)
    this.add(what, async () => {
      clearInterval(timer)
      await busy
    })
  }

  /**
   * Closes everything added, the last added first. One that fails to close is logged and the others still close.
   * A second call closes what was added since, after the first call has finished.
   */
  close(): Promise<void> {
    this.#closing = this.#closing.then(async () => {
      for (const { what, close } of this.#stack.splice(0).reverse()) {
        try {
          await close()
        } catch (error) {
          this.log(`closing ${what} failed: ${(error as Error).message}`)
        }
      }
    })
    return this.#closing
  }
}
