// Helpers of the examples' integration tests. Each test runs an example as its command does (a guide example
// through runExample(), a use case through its run function) against the Kafka the test runner started, on
// topics and an application id of its own (so that runs against one broker never see each other's records),
// and closes it when the test ends; then it waits for what the example writes.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import type { TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { isDeepStrictEqual } from 'node:util'
import { Admin } from '@platformatic/kafka'
import { bootstrapServers, uniqueTopic } from '../../../packages/streams/test/integration/kafka-env.ts'
import { client, readAll, stateDir } from '../../../packages/streams/test/integration/streams-harness.ts'
import type { Running } from '../../lib/closers.ts'
import { withSuffix } from '../../lib/example-args.ts'
import { runExample, type ExampleOptions, type RunningExample } from '../../lib/run-example.ts'
import { JsonProducer } from '../../support/kafka.ts'

export { bootstrapServers }

/** An id no other run uses, for application ids and topic names. */
export const uniqueId = uniqueTopic

/** The example's topic names, each with a suffix of this run. */
export function uniqueTopics<T extends { readonly [K in keyof T]: string }>(topics: T): T {
  return withSuffix(topics, `-${randomUUID().slice(0, 8)}`)
}

/**
 * runExample() against the test's broker, 500 records a second unless told otherwise, its log in the test's
 * diagnostics; resolves once it has produced all its records, and closes it when the test ends.
 */
export async function startExample(
  t: TestContext,
  options: Omit<ExampleOptions, 'bootstrapServers' | 'log' | 'recordsPerSecond'> & { recordsPerSecond?: number },
): Promise<RunningExample> {
  const running = await runExample({
    recordsPerSecond: 500,
    ...options,
    bootstrapServers: bootstrapServers(),
    log: (line) => t.diagnostic(line),
  })
  t.after(() => running.close())
  await running.generated
  return running
}

/** What a use case's run function gets from startUseCase(). */
export interface UseCaseTestOptions {
  readonly bootstrapServers: string[]
  /** A new directory, removed when the test ends. */
  readonly stateDir: string
  /** Short, so that results and offsets are committed soon. */
  readonly commitIntervalMs: number
  readonly log: (line: string) => void
}

/**
 * Runs a use case against the test's broker and closes it when the test ends; also a producer for the test's
 * input, closed before it.
 */
export async function startUseCase<R extends Running>(
  t: TestContext,
  run: (options: UseCaseTestOptions) => Promise<R>,
): Promise<{ running: R; producer: JsonProducer }> {
  const dir = stateDir()
  const running = await run({
    bootstrapServers: bootstrapServers(),
    stateDir: dir,
    commitIntervalMs: 200,
    log: (line) => t.diagnostic(line),
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true })
    throw error
  })
  t.after(async () => {
    await running.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const producer = new JsonProducer(bootstrapServers())
  t.after(() => producer.close())
  return { running, producer }
}

/**
 * Polls `condition` every 100 ms until it holds; after `timeoutMs`, fails with `describe()` (what was seen),
 * and at once when `failure` rejects.
 */
async function poll(
  condition: () => boolean | Promise<boolean>,
  describe: () => string,
  timeoutMs: number,
  failure?: Promise<never>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let failed: Error | undefined
  failure?.catch((error: unknown) => (failed = error as Error))
  while (!(await condition())) {
    if (failed !== undefined) throw failed
    if (Date.now() > deadline) throw new Error(`not there after ${timeoutMs} ms: ${describe()}`)
    await sleep(100)
  }
}

/** Waits until `condition()` holds; fails with `describe()` (what was seen) after `timeoutMs`, or when the example fails. */
export function eventually(
  running: RunningExample,
  condition: () => boolean,
  describe: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  return poll(condition, describe, timeoutMs, running.failure)
}

/**
 * Waits until `actual()` deep-equals `expected`: what a live system shows arrives some time after the input.
 * When the time is up, fails with the diff of the last value seen.
 */
export async function assertEventuallyDeepEqual<T>(
  actual: () => T | Promise<T>,
  expected: T,
  { timeoutMs = 60_000, what = 'the value' }: { timeoutMs?: number; what?: string } = {},
): Promise<void> {
  let last: T | undefined
  const equal = async (): Promise<boolean> => isDeepStrictEqual((last = await actual()), expected)
  await poll(equal, () => what, timeoutMs).catch(() => undefined)
  assert.deepEqual(last, expected, `${what} did not become the expected one within ${timeoutMs} ms`)
}

/** How far a consumer group (a streams application's, a sink's) has committed on a topic, over its partitions. */
async function committedOffsetTotal(servers: readonly string[], groupId: string, topic: string): Promise<number> {
  const admin = new Admin({ clientId: 'example-tests', bootstrapBrokers: [...servers], timeout: 10_000 })
  try {
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] })
    const partitions = group?.topics.find((t) => t.name === topic)?.partitions ?? []
    return partitions.reduce((sum, p) => sum + Math.max(0, Number(p.committedOffset)), 0)
  } finally {
    await admin.close()
  }
}

/**
 * Waits until `groupId` has committed `count` records of `topic`: it has processed them all and (at least once)
 * written everything they caused before committing.
 */
export async function waitUntilCommitted(
  servers: readonly string[],
  groupId: string,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<void> {
  let committed = 0
  await poll(
    async () => (committed = await committedOffsetTotal(servers, groupId, topic)) === count,
    () => `${groupId} committed ${committed} of ${count} records of ${topic}`,
    timeoutMs,
  )
}

/**
 * Every record of the `output` topic of an application, once it has committed `count` records of `input` (so
 * that it has written everything they cause).
 */
export async function readOutputOnceCommitted(
  t: TestContext,
  servers: readonly string[],
  { applicationId, input, count, output, timeoutMs }: ReadOutputOptions,
): ReturnType<typeof readAll> {
  await waitUntilCommitted(servers, applicationId, input, count, timeoutMs)
  const admin = client(servers)
  t.after(() => admin.close())
  return readAll(admin, output, { quietMs: 1000 })
}

interface ReadOutputOptions {
  readonly applicationId: string
  readonly input: string
  readonly count: number
  readonly output: string
  readonly timeoutMs?: number
}
