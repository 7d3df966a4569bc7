// `npm run chaos -- [--rounds N] [--guarantee exactly_once_v2|at_least_once] [--seed S] [--faults a,b]
// [--rate R]`: runs the chaos harness on its own 3-node cluster, prints each round and the final report,
// and exits 1 on any violation (2 when the harness itself failed).
import { parseArgs } from 'node:util'
import { faultKinds, formatReport, guarantees, runChaos, type FaultKind, type Guarantee } from './chaos-harness.ts'

const usage =
  'usage: npm run chaos -- [--rounds N] [--guarantee exactly_once_v2|at_least_once] [--seed S] ' +
  `[--faults ${faultKinds.join(',')}] [--rate numbers-per-second]`

function fail(message: string): never {
  console.error(`${message}\n${usage}`)
  process.exit(2)
}

let values: { rounds?: string; guarantee?: string; seed?: string; faults?: string; rate?: string; help?: boolean }
try {
  ;({ values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      guarantee: { type: 'string' },
      seed: { type: 'string' },
      faults: { type: 'string' },
      rate: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }))
} catch (error) {
  fail((error as Error).message)
}
if (values.help) {
  console.log(usage)
  process.exit(0)
}
const integer = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0) fail(`--${name} must be a non-negative integer, not ${text}`)
  return value
}
const rounds = integer('rounds', values.rounds, 5)
const guarantee = (values.guarantee ?? 'exactly_once_v2') as Guarantee
if (!guarantees.includes(guarantee)) fail(`--guarantee must be ${guarantees.join(' or ')}, not ${guarantee}`)
const faults = values.faults?.split(',').map((f) => f.trim()) as FaultKind[] | undefined
for (const fault of faults ?? []) if (!faultKinds.includes(fault)) fail(`unknown fault ${fault}`)

try {
  const report = await runChaos({
    rounds,
    guarantee,
    ...(values.seed === undefined ? {} : { seed: integer('seed', values.seed, 0) }),
    ...(faults ? { faults } : {}),
    ...(values.rate === undefined ? {} : { rate: integer('rate', values.rate, 400) }),
  })
  console.log(`\n${formatReport(report, 10)}`)
  process.exitCode = report.verification.violations.length > 0 ? 1 : 0
} catch (error) {
  console.error(`chaos: the harness failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exitCode = 2
}
