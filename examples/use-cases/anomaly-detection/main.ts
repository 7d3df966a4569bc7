// Anomaly detection, runnable: `npm run example:anomaly-detection` starts a local Kafka (or uses
// KAFKA_BOOTSTRAP_SERVERS), the streams application of anomaly-detection-topology.ts, sensors that write a
// reading per second each (now and then an anomaly, which is logged), and an alert system that prints
// every alert the application raises. Ctrl-C stops everything cleanly.
//
//   sensors -> [readings topic] -> KafkaStreams (windowed statistic + detector) -> [alerts topic] -> alert system
import { randomUUID } from 'node:crypto'
import { Consumer, type MessagesStream } from '@platformatic/kafka'
import { KafkaStreams, type KafkaStreamsState } from '@kstreams/streams'
import { createTopics, JsonProducer } from '../../support/kafka.ts'
import { intOption, parseOptions, runExample, stringOption, type RunningExample } from '../run-example.ts'
import {
  anomalyDetectionTopology,
  defaultAnomalyTopics,
  type Alert,
  type AnomalyDetectionOptions,
} from './anomaly-detection-topology.ts'
import { LiveSensors, type GeneratedSensor } from './sensor-generator.ts'

export interface RunAnomalyDetectionOptions extends AnomalyDetectionOptions {
  readonly bootstrapServers: readonly string[]
  readonly applicationId?: string
  readonly stateDir?: string
  readonly commitIntervalMs?: number
  /** Milliseconds between readings of the simulated sensors; 0 or absent: no sensors (readings come from elsewhere). */
  readonly generateEveryMs?: number
  readonly sensors?: readonly GeneratedSensor[]
  /** Called with each alert read back from the alerts topic (no reader when absent). */
  readonly onAlert?: (alert: Alert) => void
  readonly log?: (line: string) => void
}

export interface RunningAnomalyDetection extends RunningExample {
  readonly streams: KafkaStreams
}

export const defaultSensors: readonly GeneratedSensor[] = [
  { sensorId: 'boiler-temperature', base: 85 },
  { sensorId: 'pump-pressure', base: 4.2 },
  { sensorId: 'line-voltage', base: 230 },
]

export async function runAnomalyDetection(options: RunAnomalyDetectionOptions): Promise<RunningAnomalyDetection> {
  const log = options.log ?? (() => undefined)
  const readingsTopic = options.readingsTopic ?? defaultAnomalyTopics.readings
  const alertsTopic = options.alertsTopic ?? defaultAnomalyTopics.alerts
  await createTopics(options.bootstrapServers, [readingsTopic, alertsTopic])

  const streams = new KafkaStreams(anomalyDetectionTopology({ ...options, readingsTopic, alertsTopic }), {
    applicationId: options.applicationId ?? 'anomaly-detection',
    bootstrapServers: [...options.bootstrapServers],
    ...(options.commitIntervalMs === undefined ? {} : { commitIntervalMs: options.commitIntervalMs }),
    ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
  })
  streams.setStateListener((state: KafkaStreamsState, previous: KafkaStreamsState) =>
    log(`streams ${previous} -> ${state}`),
  )

  let alertReader:
    | { consumer: Consumer<Buffer, Buffer, Buffer, Buffer>; stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> }
    | undefined
  if (options.onAlert) {
    const onAlert = options.onAlert
    const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
      clientId: 'alert-system',
      bootstrapBrokers: [...options.bootstrapServers],
      groupId: `alert-system-${randomUUID()}`,
      timeout: 10_000,
    })
    const stream = await consumer.consume({
      topics: [alertsTopic],
      mode: 'latest',
      autocommit: false,
      maxWaitTime: 500,
    })
    stream.on('data', (message) => {
      if (message.value !== undefined) onAlert(JSON.parse(message.value.toString('utf8')) as Alert)
    })
    stream.on('error', (error) => log(`alert system: ${error.message}`))
    alertReader = { consumer, stream }
  }

  try {
    await streams.start()
  } catch (error) {
    await alertReader?.consumer.close(true)
    throw error
  }

  let timer: NodeJS.Timeout | undefined
  let producer: JsonProducer | undefined
  if (options.generateEveryMs !== undefined && options.generateEveryMs > 0) {
    const sensors = new LiveSensors(options.sensors ?? defaultSensors, options.windowSizeMs ?? 60_000)
    const out = new JsonProducer(options.bootstrapServers)
    producer = out
    let sending = false
    timer = setInterval(() => {
      if (sending) return
      sending = true
      const { readings, anomalies } = sensors.next(Date.now())
      for (const a of anomalies) log(`sensors: injected an anomaly: ${a.sensorId} = ${a.value}`)
      out
        .send(
          readingsTopic,
          readings.map((reading) => ({ key: reading.sensorId, value: reading, timestamp: reading.timestamp })),
        )
        .catch((error: unknown) => log(`sensors: ${(error as Error).message}`))
        .finally(() => (sending = false))
    }, options.generateEveryMs)
  }

  let closing: Promise<void> | undefined
  return {
    streams,
    close: () =>
      (closing ??= (async () => {
        clearInterval(timer)
        await producer?.close()
        await streams.close({ timeout: 30_000 })
        await alertReader?.stream.close()
        await alertReader?.consumer.close(true)
      })()),
  }
}

const usage = `usage: npm run example:anomaly-detection -- [options]

  --app-id <id>            application id (default anomaly-detection)
  --readings-topic <name>  input topic of sensor readings (default ${defaultAnomalyTopics.readings})
  --alerts-topic <name>    output topic of alerts (default ${defaultAnomalyTopics.alerts})
  --window-ms <ms>         tumbling window of the statistic (default 20000)
  --threshold <sigmas>     standard deviations from the previous window's mean that make an anomaly (default 3)
  --every-ms <ms>          one reading per sensor every <ms> milliseconds (default 1000; 0: no sensors)
  --state-dir <dir>        directory of the application's state stores

Kafka: KAFKA_BOOTSTRAP_SERVERS, or a local single node started for the run.`

if (import.meta.main) {
  const values = parseOptions(
    process.argv.slice(2),
    {
      'app-id': { type: 'string' },
      'readings-topic': { type: 'string' },
      'alerts-topic': { type: 'string' },
      'window-ms': { type: 'string' },
      threshold: { type: 'string' },
      'every-ms': { type: 'string' },
      'state-dir': { type: 'string' },
    },
    usage,
  )
  const threshold = Number(values.threshold ?? 3)
  if (!(threshold > 0) || !Number.isFinite(threshold)) {
    console.error(`--threshold must be a positive number, got ${JSON.stringify(values.threshold)}\n\n${usage}`)
    process.exit(2)
  }
  const windowSizeMs = intOption(values, 'window-ms', 20_000, usage, 1)
  const generateEveryMs = intOption(values, 'every-ms', 1000, usage)
  await runExample('anomaly-detection', (bootstrapServers) =>
    runAnomalyDetection({
      bootstrapServers,
      applicationId: stringOption(values, 'app-id', 'anomaly-detection'),
      readingsTopic: stringOption(values, 'readings-topic', defaultAnomalyTopics.readings),
      alertsTopic: stringOption(values, 'alerts-topic', defaultAnomalyTopics.alerts),
      windowSizeMs,
      graceMs: Math.min(windowSizeMs, 2000),
      threshold,
      generateEveryMs,
      ...(typeof values['state-dir'] === 'string' ? { stateDir: values['state-dir'] } : {}),
      onAlert: (alert) =>
        console.log(
          `[alert] ${new Date(alert.timestamp).toISOString()} ${alert.sensorId} = ${alert.value}: ` +
            `previous window mean ${alert.mean} ± ${alert.stddev} (z = ${alert.zScore ?? '∞'}, ${alert.count} readings)`,
        ),
      log: (line) => console.log(`[anomaly-detection] ${line}`),
    }),
  )
}
