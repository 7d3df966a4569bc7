// Helpers of the examples' integration tests: each test runs an example through runExample(), as the
// example's own command does, against the Kafka the test runner started, on topics and an application id
// of its own (so that runs against one broker never see each other's records).
import { randomUUID } from 'node:crypto'
import type { TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { withSuffix } from '../../lib/example-args.ts'
import { runExample, type ExampleOptions, type RunningExample } from '../../lib/run-example.ts'

/** The broker the test runner started; the examples' startKafka() would start one of its own otherwise. */
export function bootstrapServers(): string {
  const servers = process.env.KAFKA_BOOTSTRAP_SERVERS
  if (!servers) {
    throw new Error('KAFKA_BOOTSTRAP_SERVERS is not set: run integration tests through `npm test`, which starts Kafka')
  }
  return servers
}

/** An id no other run uses, for application ids. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

/** The example's topic names, each with a suffix of this run. */
export function uniqueTopics<T extends { readonly [K in keyof T]: string }>(topics: T): T {
  return withSuffix(topics, `-${randomUUID().slice(0, 8)}`)
}

/** runExample() against the test's broker, closed when the test ends; its log goes to the test's diagnostics. */
export async function startExample(t: TestContext, options: Omit<ExampleOptions, 'log'>): Promise<RunningExample> {
  bootstrapServers()
  const running = await runExample({ ...options, log: (line) => t.diagnostic(line) })
  t.after(() => running.close())
  return running
}

/** Waits until `condition()` holds; fails with `describe()` (what was seen) after `timeoutMs`. */
export async function eventually(
  running: RunningExample,
  condition: () => boolean,
  describe: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const failed = running.failure.then(
    () => undefined,
    (error: unknown) => error as Error,
  )
  let failure: Error | undefined
  void failed.then((error) => (failure = error))
  while (!condition()) {
    if (failure !== undefined) throw failure
    if (Date.now() > deadline) throw new Error(`not there after ${timeoutMs} ms: ${describe()}`)
    await sleep(100)
  }
}
