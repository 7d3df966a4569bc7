// For the use cases' end-to-end tests: what a live system shows arrives some time after the input, so
// these poll until the actual value deep-equals the expected one and, when the time is up, fail with the
// diff of the last value seen.
import assert from 'node:assert/strict'
import { isDeepStrictEqual } from 'node:util'

export async function assertEventuallyDeepEqual<T>(
  actual: () => T | Promise<T>,
  expected: T,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  let last: T
  for (;;) {
    last = await actual()
    if (isDeepStrictEqual(last, expected)) return
    if (Date.now() > deadline) break
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200))
  }
  assert.deepEqual(
    last,
    expected,
    `${options.what ?? 'the value'} did not become the expected one within ${options.timeoutMs ?? 60_000} ms`,
  )
}
