// Anomaly detection, runnable: `npm run example:anomaly-detection` starts a local Kafka (or uses
// KAFKA_BOOTSTRAP_SERVERS), the streams application of anomaly-detection-topology.ts, sensors that write a
// reading per second each (now and then an anomaly, which is logged), and an alert system that prints
// every alert the application raises. Ctrl-C stops everything cleanly.
//
//   sensors -> [readings topic] -> KafkaStreams (windowed statistic + detector) -> [alerts topic] -> alert system
import { Serdes, type KafkaStreams } from '@kstreams/streams'
import { Closers, type Running } from '../../lib/closers.ts'
import { CommandLine } from '../../lib/command-line.ts'
import { runCommand } from '../../lib/run-command.ts'
import { startStreams } from '../../lib/start-streams.ts'
import { TopicReader } from '../../lib/topic-reader.ts'
import { createTopics, JsonProducer } from '../../support/kafka.ts'
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

export interface RunningAnomalyDetection extends Running {
  readonly streams: KafkaStreams
}

export const defaultSensors: readonly GeneratedSensor[] = [
  { sensorId: 'boiler-temperature', base: 85 },
  { sensorId: 'pump-pressure', base: 4.2 },
  { sensorId: 'line-voltage', base: 230 },
]

export async function runAnomalyDetection(options: RunAnomalyDetectionOptions): Promise<RunningAnomalyDetection> {
  const servers = options.bootstrapServers
  const readingsTopic = options.readingsTopic ?? defaultAnomalyTopics.readings
  const alertsTopic = options.alertsTopic ?? defaultAnomalyTopics.alerts
  return Closers.open(options.log, async (closers) => {
    await createTopics(servers, [readingsTopic, alertsTopic])
    const onAlert = options.onAlert
    if (onAlert) {
      // the alert system: every alert raised from now on
      const alerts = await TopicReader.start(servers, alertsTopic, Serdes.String(), Serdes.JSON<Alert>(), {
        from: 'latest',
        onRecord: ({ value }) => {
          if (value !== null) onAlert(value)
        },
        onError: (error) => closers.log(`alert system: ${error.message}`),
      })
      closers.add('the alert system', () => alerts.close())
    }
    const streams = await startStreams(closers, anomalyDetectionTopology({ ...options, readingsTopic, alertsTopic }), {
      applicationId: options.applicationId ?? 'anomaly-detection',
      bootstrapServers: servers,
      commitIntervalMs: options.commitIntervalMs,
      stateDir: options.stateDir,
    })

    if (options.generateEveryMs !== undefined && options.generateEveryMs > 0) {
      const sensors = new LiveSensors(options.sensors ?? defaultSensors, options.windowSizeMs ?? 60_000)
      const producer = new JsonProducer(servers)
      closers.add('the producer', () => producer.close())
      closers.repeat('sensors', options.generateEveryMs, () => {
        const { readings, anomalies } = sensors.next(Date.now())
        for (const a of anomalies) closers.log(`sensors: injected an anomaly: ${a.sensorId} = ${a.value}`)
        return producer.send(
          readingsTopic,
          readings.map((reading) => ({ key: reading.sensorId, value: reading, timestamp: reading.timestamp })),
        )
      })
    }
    return { streams, failure: closers.failure, close: () => closers.close() }
  })
}

if (import.meta.main) {
  const line = CommandLine.parse(process.argv.slice(2), 'npm run example:anomaly-detection', {
    'app-id': { value: '<id>', help: 'application id (default anomaly-detection)' },
    'readings-topic': {
      value: '<name>',
      help: `input topic of sensor readings (default ${defaultAnomalyTopics.readings})`,
    },
    'alerts-topic': { value: '<name>', help: `output topic of alerts (default ${defaultAnomalyTopics.alerts})` },
    'window-ms': { value: '<ms>', help: 'tumbling window of the statistic (default 20000)' },
    threshold: {
      value: '<sigmas>',
      help: "standard deviations from the previous window's mean that make an anomaly (default 3)",
    },
    'every-ms': { value: '<ms>', help: 'one reading per sensor every <ms> milliseconds (default 1000; 0: no sensors)' },
    'state-dir': { value: '<dir>', help: "directory of the application's state stores" },
  })
  const threshold = Number(line.optional('threshold') ?? 3)
  if (!(threshold > 0) || !Number.isFinite(threshold)) {
    line.fail(`--threshold must be a positive number, got ${JSON.stringify(line.optional('threshold'))}`)
  }
  const windowSizeMs = line.int('window-ms', 20_000, 1)
  const generateEveryMs = line.int('every-ms', 1000)
  const stateDir = line.optional('state-dir')
  const log = (text: string) => console.log(`[anomaly-detection] ${text}`)
  await runCommand(
    ({ bootstrapServers }) =>
      runAnomalyDetection({
        bootstrapServers,
        applicationId: line.string('app-id', 'anomaly-detection'),
        readingsTopic: line.string('readings-topic', defaultAnomalyTopics.readings),
        alertsTopic: line.string('alerts-topic', defaultAnomalyTopics.alerts),
        windowSizeMs,
        graceMs: Math.min(windowSizeMs, 2000),
        threshold,
        generateEveryMs,
        ...(stateDir === undefined ? {} : { stateDir }),
        onAlert: (alert) =>
          console.log(
            `[alert] ${new Date(alert.timestamp).toISOString()} ${alert.sensorId} = ${alert.value}: ` +
              `previous window mean ${alert.mean} ± ${alert.stddev} (z = ${alert.zScore ?? '∞'}, ${alert.count} readings)`,
          ),
        log,
      }),
    { log },
  )
}
