// What the use cases' command lines share: options parsed strictly (an unknown or malformed one prints the
// usage), a Kafka to run against (examples/support/kafka.ts: KAFKA_BOOTSTRAP_SERVERS or a local node), and a
// clean stop on Ctrl-C or SIGTERM (a second signal stops at once).
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'
import { startKafka } from '../support/kafka.ts'

/** What a running use case gives back: how to stop it. */
export interface RunningExample {
  close(): Promise<void>
}

export type ParsedOptions = Record<string, string | boolean | undefined>

/** Parses `argv` against `options`; exits with the usage on `--help` or a bad option. */
export function parseOptions(argv: readonly string[], options: ParseArgsOptionsConfig, usage: string): ParsedOptions {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    })
    if (values.help === true) {
      console.log(usage)
      process.exit(0)
    }
    return values
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`)
    process.exit(2)
  }
}

/** A whole number option, or the fallback; exits with the usage when it is not one. */
export function intOption(values: ParsedOptions, name: string, fallback: number, usage: string, min = 0): number {
  const raw = values[name]
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (typeof raw !== 'string' || !Number.isSafeInteger(value) || value < min) {
    console.error(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(raw)}\n\n${usage}`)
    process.exit(2)
  }
  return value
}

/** A string option, or the fallback. */
export function stringOption(values: ParsedOptions, name: string, fallback: string): string {
  const raw = values[name]
  return typeof raw === 'string' && raw !== '' ? raw : fallback
}

/**
 * Starts Kafka (unless KAFKA_BOOTSTRAP_SERVERS names one), then the use case, and keeps it running until
 * SIGINT or SIGTERM, when it closes the use case and the Kafka it started.
 */
export async function runExample(
  name: string,
  start: (bootstrapServers: string[]) => Promise<RunningExample>,
): Promise<void> {
  const log = (line: string) => console.log(`[${name}] ${line}`)
  const kafka = await startKafka(log)
  let running: RunningExample | undefined
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) {
      console.error(`[${name}] ${signal} again: exiting without a clean stop`)
      process.exit(130)
    }
    stopping = true
    log(`${signal}: stopping (press Ctrl-C again to exit at once) ...`)
    void (async () => {
      try {
        await running?.close()
        await kafka.close()
        log('stopped')
        process.exit(0)
      } catch (error) {
        console.error(`[${name}] stopping failed: ${(error as Error).stack ?? String(error)}`)
        process.exit(1)
      }
    })()
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  try {
    running = await start(kafka.bootstrapServers)
  } catch (error) {
    console.error(`[${name}] could not start: ${(error as Error).stack ?? String(error)}`)
    await running?.close().catch(() => undefined)
    await kafka.close()
    process.exit(1)
  }
  log('running; Ctrl-C stops')
}
