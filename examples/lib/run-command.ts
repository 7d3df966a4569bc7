// How every example runs as a command (`npm start`, `npm run example:<name>`): it gets a Kafka (the cluster in
// KAFKA_BOOTSTRAP_SERVERS, or a local node started for the run), starts the example on it, and keeps it running
// until Ctrl-C or SIGTERM; then it closes the example and the Kafka it started, and exits with code 0 (1 if the
// example failed).
import { startKafka } from '../support/kafka.ts'
import { Closers, type Running } from './closers.ts'

/** What an example's start gets from its command. */
export interface CommandContext {
  readonly bootstrapServers: string[]
  /** Aborted by Ctrl-C or SIGTERM: a start that checks it stops early. */
  readonly signal: AbortSignal
  /** Closed after the example and before Kafka: for what the example needs besides Kafka (a database, say). */
  readonly closers: Closers
}

export interface CommandOptions {
  /** Where the command's own lines go (Kafka starting, stopping); default the console. */
  readonly log?: (line: string) => void
}

/**
 * Runs an example as a command. A signal while it starts stops the start and closes what was started. A second
 * signal, later than a second after the first (npm forwards the terminal's Ctrl-C, so one press can arrive
 * twice), exits at once.
 */
export async function runCommand(
  start: (context: CommandContext) => Promise<Running>,
  { log = console.log }: CommandOptions = {},
): Promise<void> {
  const controller = new AbortController()
  const { signal } = controller
  let firstSignalAt = 0
  const onSignal = (name: NodeJS.Signals): void => {
    if (signal.aborted) {
      if (Date.now() - firstSignalAt > 1000) {
        log(`${name} again: exiting without finishing the shutdown`)
        process.exit(130)
      }
      return
    }
    firstSignalAt = Date.now()
    log(`${name}: stopping ...`)
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))
  try {
    let running: Closers
    try {
      running = await Closers.open(log, async (closers) => {
        const kafka = await startKafka(log)
        closers.add('Kafka', () => kafka.close())
        signal.throwIfAborted()
        closers.addRunning('the example', await start({ bootstrapServers: kafka.bootstrapServers, signal, closers }))
        signal.throwIfAborted()
        return closers
      })
    } catch (error) {
      if (signal.aborted) {
        log('stopped while starting')
        return
      }
      throw error
    }
    try {
      await Promise.race([stopped, running.failure])
    } finally {
      await running.close()
    }
    log('stopped cleanly')
  } catch (error) {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exitCode = 1
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
