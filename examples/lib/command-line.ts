// The examples' command lines: options parsed strictly from one description per command, which also makes
// the usage. `--help` prints the usage; an unknown or malformed option prints what is wrong and the usage,
// and exits with code 2.
import { parseArgs } from 'node:util'

export interface OptionSpec {
  /** The value in the usage (`<ms>`); without one, the option is a flag. */
  readonly value?: string
  /** What the option does, for the usage; a line break continues it on a line of its own. */
  readonly help: string
}

export class CommandLine<Name extends string> {
  readonly usage: string
  readonly #values: Partial<Record<Name, string | boolean>>

  private constructor(usage: string, values: Partial<Record<Name, string | boolean>>) {
    this.usage = usage
    this.#values = values
  }

  /** Parses `argv` against `options`; exits with the usage on `--help` or a bad option. */
  static parse<Name extends string>(
    argv: readonly string[],
    command: string,
    options: Readonly<Record<Name, OptionSpec>>,
  ): CommandLine<Name> {
    const specs = Object.entries<OptionSpec>(options)
    const usage = usageOf(command, specs)
    let values
    try {
      ;({ values } = parseArgs({
        args: [...argv],
        options: {
          ...Object.fromEntries(
            specs.map(([name, spec]) => [name, { type: spec.value === undefined ? 'boolean' : 'string' } as const]),
          ),
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
        allowPositionals: false,
      }))
    } catch (error) {
      return exit(`${(error as Error).message}\n\n${usage}`)
    }
    if (values.help === true) {
      console.log(usage)
      process.exit(0)
    }
    return new CommandLine(usage, values as Partial<Record<Name, string | boolean>>)
  }

  /** Prints what is wrong with the command line and the usage; exits with code 2. */
  fail(message: string): never {
    return exit(`${message}\n\n${this.usage}`)
  }

  /** Whether a flag is given. */
  flag(name: Name): boolean {
    return this.#values[name] === true
  }

  /** A string option, or undefined. */
  optional(name: Name): string | undefined {
    const raw = this.#values[name]
    return typeof raw === 'string' ? raw : undefined
  }

  /** A string option, or the fallback when it is absent or empty. */
  string(name: Name, fallback: string): string {
    const raw = this.optional(name)
    return raw === undefined || raw === '' ? fallback : raw
  }

  /** A whole number option, or the fallback; fails when it is not a whole number of at least `min`. */
  int(name: Name, fallback: number, min = 0): number {
    const raw = this.optional(name)
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!Number.isSafeInteger(value) || value < min) {
      this.fail(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(raw)}`)
    }
    return value
  }
}

function usageOf(command: string, specs: readonly [string, OptionSpec][]): string {
  const names = specs.map(([name, spec]) => `--${name}${spec.value === undefined ? '' : ` ${spec.value}`}`)
  const width = Math.max(...names.map((name) => name.length)) + 2
  const lines = specs.map(([, spec], i) =>
    `  ${(names[i] ?? '').padEnd(width)} ${spec.help.replaceAll('\n', `\n   ${' '.repeat(width)}`)}`.trimEnd(),
  )
  return [
    `usage: ${command} -- [options]`,
    '',
    ...lines,
    '',
    'Kafka: KAFKA_BOOTSTRAP_SERVERS, or a local single node started for the run.',
  ].join('\n')
}

function exit(message: string): never {
  console.error(message)
  process.exit(2)
}
