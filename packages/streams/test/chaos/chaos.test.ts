import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatReport, runChaos } from './chaos-harness.ts'
import { chaosKey } from './chaos-topology.ts'
import { verifyChaos, type ChaosRecord } from './chaos-verifier.ts'

const records = (entries: readonly (readonly [string | null, string | null])[]): ChaosRecord[] =>
  entries.map(([key, value], offset) => ({ partition: 0, offset, key, value }))
const numbered = (numbers: readonly number[]): ChaosRecord[] => records(numbers.map((n) => [chaosKey(n), String(n)]))
const aggregate = (key: string, count: number, sum: number): readonly [string, string] => [
  key,
  JSON.stringify({ count, sum }),
]

test('the chaos verifier names each kind of violation, expecting what the input holds', () => {
  const clean = verifyChaos({
    input: numbered([0, 1, 50]),
    partner: numbered([0, 1, 50]),
    echo: numbered([0, 1, 50]),
    joined: records([0, 1, 50].map((n) => [chaosKey(n), `${n}:${n}`])),
    aggregate: records([aggregate('k0', 1, 0), aggregate('k1', 1, 1), aggregate('k0', 2, 50)]),
  })
  assert.deepEqual(clean.violations, [])

  // input: 2 was written twice by the producer (expected twice), 3 has no partner (not joined)
  const result = verifyChaos({
    input: numbered([0, 1, 2, 2, 3, 50]),
    partner: numbered([0, 1, 2, 50]),
    echo: numbered([0, 0, 2, 2, 3, 50, 7]),
    joined: records([
      [chaosKey(0), '0:0'],
      [chaosKey(1), '1:1'],
      [chaosKey(2), '2:2'],
      [chaosKey(2), '2:2'],
      [chaosKey(2), '2:2'],
      [chaosKey(2), '2:2'],
      [chaosKey(50), '50:1'],
    ]),
    aggregate: records([
      aggregate('k0', 1, 0),
      aggregate('k0', 3, 50),
      aggregate('k1', 1, 1),
      aggregate('k2', 2, 4),
      aggregate('k3', 1, 3),
    ]),
  })
  const summary = result.violations.map((v) => `${v.kind} ${v.output} ${v.n ?? v.key}`).sort()
  assert.deepEqual(summary, [
    'duplicated echo 0',
    'duplicated joined 2',
    'missing echo 1',
    'missing joined 50',
    'unexpected echo 7',
    'unexpected joined undefined',
    'wrong-aggregate aggregate k0',
    'wrong-aggregate aggregate k0',
  ])
  assert.deepEqual(result.inputDuplicates, [2])
  assert.equal(result.extraCopies, 3)
})

// The harness on its own 3-node cluster under exactly-once: every fault, and still each input number once
// in every output and every aggregate exact. Five rounds (CHAOS_ROUNDS) run each kind of fault once, in an
// order the seed (CHAOS_SEED to replay) shuffles.
test('exactly-once: no record lost or duplicated through instance and broker faults', async (t) => {
  const report = await runChaos({
    rounds: Number(process.env.CHAOS_ROUNDS ?? 5),
    guarantee: 'exactly_once_v2',
    ...(process.env.CHAOS_SEED ? { seed: Number(process.env.CHAOS_SEED) } : {}),
    log: (line) => t.diagnostic(line),
  })
  const text = formatReport(report)
  for (const line of text.split('\n')) t.diagnostic(line)
  assert.ok(report.verification.inputNumbers > 0, 'the input holds numbers')
  assert.equal(report.verification.violations.length, 0, text)
})
