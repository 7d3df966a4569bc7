// One instance of the chaos application (chaos-topology.ts) in its own process, so that the harness can
// kill -9 it, freeze it with SIGSTOP and start it again on the same state directory. Configured by env:
// BOOTSTRAP, APP_ID, STATE_DIR, GUARANTEE (at_least_once | exactly_once_v2), COMMIT_INTERVAL_MS. It
// prints its state changes (with its active tasks when RUNNING), restorations, thread errors and
// processed-record count as JSON lines, closes on SIGTERM, and exits when its stdin closes (the harness
// died) or when it stops on an error.
import { KafkaStreams } from '../../src/index.ts'
import { chaosTopology } from './chaos-topology.ts'

const env = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}
const guarantee = env('GUARANTEE')
if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2')
  throw new Error(`GUARANTEE must be at_least_once or exactly_once_v2, not ${guarantee}`)

const streams = new KafkaStreams(chaosTopology(), {
  applicationId: env('APP_ID'),
  bootstrapServers: env('BOOTSTRAP'),
  stateDir: env('STATE_DIR'),
  processingGuarantee: guarantee,
  commitIntervalMs: Number(process.env.COMMIT_INTERVAL_MS ?? 100),
  replicationFactor: 3,
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
  requestTimeoutMs: 5000,
})
const print = (event: object): void => {
  process.stdout.write(`${JSON.stringify({ at: Date.now(), ...event })}\n`)
}
const stackWithCauses = (error: unknown): string => {
  const parts: string[] = []
  for (let e = error; e instanceof Error && parts.length < 5; e = e.cause) parts.push(e.stack ?? e.message)
  return parts.join('\ncaused by: ')
}
const exit = (code: number): void => {
  // let the last lines reach the harness
  process.stdout.write('', () => process.exit(code))
}
streams.setStateListener((state, previous) => {
  // the tasks it runs, so a violation can be traced to the instance that owned the task
  const tasks = state === 'RUNNING' ? streams.metadataForLocalThreads().flatMap((t) => t.activeTasks) : []
  print({ state, previous, ...(state === 'RUNNING' ? { tasks: tasks.map((t) => t.taskId).sort() } : {}) })
  if (state === 'ERROR') exit(1)
})
streams.setUncaughtExceptionHandler((error) => {
  // the stack (causes included) goes to the instance's log only; the report quotes the message
  print({ error: error.message, stack: stackWithCauses(error) })
  return 'REPLACE_THREAD'
})
streams.setGlobalStateRestoreListener({
  onRestoreStart: (tp, store, start, end) => print({ restore: `${tp.topic}-${tp.partition}`, store, start, end }),
  onRestoreEnd: (tp, store, total) => print({ restored: `${tp.topic}-${tp.partition}`, store, total }),
})
setInterval(() => print({ processed: streams.processedRecords }), 1000).unref()

let closing = false
const close = (code: number): void => {
  if (closing) return
  closing = true
  void streams.close({ timeout: 20_000 }).then((closed) => exit(closed ? code : 1))
}
process.on('SIGTERM', () => close(0))
process.stdin.on('end', () => close(0))
process.stdin.resume()
await streams.start()
