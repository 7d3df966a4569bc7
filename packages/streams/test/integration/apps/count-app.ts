// A kstreams application in its own process, for tests that kill or signal it: counts records per key
// from INPUT into OUTPUT (under GUARANTEE, at-least-once unless set). It stops on SIGTERM exactly as the
// guide shows, and prints its state changes, restorations and errors as JSON lines.
import { Consumed, KafkaStreams, Produced, Serdes, StreamsBuilder } from '../../../src/index.ts'

const env = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}

const builder = new StreamsBuilder()
builder
  .stream(env('INPUT'), Consumed.with(Serdes.String(), Serdes.String()))
  .groupByKey()
  .count()
  .toStream()
  .to(env('OUTPUT'), Produced.with(Serdes.String(), Serdes.Long()))

const streams = new KafkaStreams(builder.build(), {
  applicationId: env('APP_ID'),
  bootstrapServers: env('BOOTSTRAP'),
  stateDir: env('STATE_DIR'),
  processingGuarantee: (process.env.GUARANTEE ?? 'at_least_once') as 'at_least_once' | 'exactly_once_v2',
  commitIntervalMs: Number(process.env.COMMIT_INTERVAL_MS ?? 300),
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
  taskTimeoutMs: Number(process.env.TASK_TIMEOUT_MS ?? 300_000),
  requestTimeoutMs: 5000,
})
const print = (event: object): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`)
}
streams.setStateListener((state, previous) => print({ state, previous }))
streams.setGlobalStateRestoreListener({
  onRestoreStart: (partition, store, from, to) => print({ restoreFrom: from, restoreTo: to, store, ...partition }),
  onRestoreEnd: (partition, store, restored) => print({ restored, store, ...partition }),
})
streams.setUncaughtExceptionHandler((error) => {
  print({ error: error.message })
  return 'SHUTDOWN_CLIENT'
})
setInterval(() => print({ processed: streams.processedRecords }), 500).unref()
await streams.start()
process.on('SIGTERM', () => void streams.close())
