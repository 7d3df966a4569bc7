import { parseArgs } from 'node:util'
import { floorToHour, HOUR } from './format.ts'

export interface ExampleArgs {
  readonly processingGuarantee: 'at_least_once' | 'exactly_once_v2'
  /** Seed of the data generator: the same seed gives the same records. */
  readonly seed: number
  /** Start of the generator's simulated clock. */
  readonly start: number
  /** Appended to the application id and every topic name ('' by default: the guide's names). */
  readonly suffix: string
}

export const exampleUsage =
  'options: --exactly-once or --at-least-once (processingGuarantee), --seed <integer> (data generator), ' +
  '--start <ISO time> (simulated clock; default: the start of the hour a day ago), ' +
  '--suffix <text> (appended to the application id and topic names, to run apart from earlier runs)'

/** The command-line options every example takes. */
export function exampleArgs(argv: readonly string[], defaults: { exactlyOnce?: boolean } = {}): ExampleArgs {
  let values
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      options: {
        'exactly-once': { type: 'boolean' },
        'at-least-once': { type: 'boolean' },
        seed: { type: 'string' },
        start: { type: 'string' },
        suffix: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    throw new Error(`${(error as Error).message}; ${exampleUsage}`)
  }
  const seed = values.seed === undefined ? Math.floor(Math.random() * 1_000_000) : Number(values.seed)
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}; ${exampleUsage}`)
  const start = values.start === undefined ? floorToHour(Date.now()) - 24 * HOUR : Date.parse(values.start)
  if (Number.isNaN(start)) {
    throw new Error(`--start must be an ISO time such as 2026-01-31T09:00:00Z, got ${values.start}; ${exampleUsage}`)
  }
  if (start > Date.now()) throw new Error(`--start must not be in the future (brokers reject records from the future)`)
  const suffix = values.suffix === undefined ? '' : `-${values.suffix}`
  if (!/^(-[a-zA-Z0-9._-]+)?$/.test(suffix)) {
    throw new Error(`--suffix may contain only letters, digits, '.', '_' and '-', got ${values.suffix}`)
  }
  if (values['exactly-once'] === true && values['at-least-once'] === true) {
    throw new Error(`--exactly-once and --at-least-once exclude each other; ${exampleUsage}`)
  }
  const exactlyOnce = values['exactly-once'] ?? (values['at-least-once'] === true ? false : defaults.exactlyOnce)
  return { processingGuarantee: exactlyOnce === true ? 'exactly_once_v2' : 'at_least_once', seed, start, suffix }
}

/** exampleArgs() for a command: a bad option prints what is wrong and exits with code 2. */
export function exampleArgsOrExit(argv: readonly string[], defaults: { exactlyOnce?: boolean } = {}): ExampleArgs {
  try {
    return exampleArgs(argv, defaults)
  } catch (error) {
    console.error((error as Error).message)
    process.exit(2)
  }
}

/** The topic names of an example with `suffix` appended to each. */
export function withSuffix<T extends { readonly [K in keyof T]: string }>(topics: T, suffix: string): T {
  return Object.fromEntries(Object.entries<string>(topics).map(([role, name]) => [role, `${name}${suffix}`])) as T
}
