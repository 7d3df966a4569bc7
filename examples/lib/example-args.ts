import { CommandLine } from './command-line.ts'
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

/** The command-line options every guide example takes (`command` is how it is run, for the usage). */
export function exampleArgs(
  argv: readonly string[],
  command: string,
  defaults: { exactlyOnce?: boolean } = {},
): ExampleArgs {
  const byDefault = (exactlyOnce: boolean): string =>
    exactlyOnce === (defaults.exactlyOnce ?? false) ? ' (default)' : ''
  const line = CommandLine.parse(argv, command, {
    'exactly-once': { help: `processingGuarantee exactly_once_v2${byDefault(true)}` },
    'at-least-once': { help: `processingGuarantee at_least_once${byDefault(false)}` },
    seed: { value: '<integer>', help: "the data generator's seed: the same seed gives the same records" },
    start: {
      value: '<ISO time>',
      help: "where the generator's simulated clock starts (default: the start of the hour a day ago)",
    },
    suffix: {
      value: '<text>',
      help: 'appended to the application id and topic names, to run apart from an earlier run',
    },
  })
  const rawSeed = line.optional('seed')
  const seed = rawSeed === undefined ? Math.floor(Math.random() * 1_000_000) : Number(rawSeed)
  if (!Number.isSafeInteger(seed)) line.fail(`--seed must be an integer, got ${rawSeed}`)
  const rawStart = line.optional('start')
  const start = rawStart === undefined ? floorToHour(Date.now()) - 24 * HOUR : Date.parse(rawStart)
  if (Number.isNaN(start)) line.fail(`--start must be an ISO time such as 2026-01-31T09:00:00Z, got ${rawStart}`)
  if (start > Date.now()) line.fail(`--start must not be in the future (brokers reject records from the future)`)
  const rawSuffix = line.optional('suffix')
  const suffix = rawSuffix === undefined ? '' : `-${rawSuffix}`
  if (!/^(-[a-zA-Z0-9._-]+)?$/.test(suffix)) {
    line.fail(`--suffix may contain only letters, digits, '.', '_' and '-', got ${rawSuffix}`)
  }
  if (line.flag('exactly-once') && line.flag('at-least-once')) {
    line.fail(`--exactly-once and --at-least-once exclude each other`)
  }
  const exactlyOnce = line.flag('exactly-once') || (!line.flag('at-least-once') && defaults.exactlyOnce === true)
  return { processingGuarantee: exactlyOnce ? 'exactly_once_v2' : 'at_least_once', seed, start, suffix }
}

/** The topic names of an example with `suffix` appended to each. */
export function withSuffix<T extends { readonly [K in keyof T]: string }>(topics: T, suffix: string): T {
  return Object.fromEntries(Object.entries<string>(topics).map(([role, name]) => [role, `${name}${suffix}`])) as T
}
