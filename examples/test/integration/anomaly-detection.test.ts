// Anomaly detection end to end: generated sensor readings with known anomalies into Kafka, the streams
// application, and exactly those anomalies read back from the alerts topic.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Alert, SensorReading } from '../../use-cases/anomaly-detection/anomaly-detection-topology.ts'
import { runAnomalyDetection } from '../../use-cases/anomaly-detection/main.ts'
import { generateReadings } from '../../use-cases/anomaly-detection/sensor-generator.ts'
import { bootstrapServers, readOutputOnceCommitted, startUseCase, uniqueId } from './helpers.ts'

const minute = 60_000
// recent timestamps (the broker's retention would delete old records), aligned to a window
const start = Math.floor((Date.now() - 60 * minute) / minute) * minute
const round3 = (x: number) => Math.round(x * 1000) / 1000

/** The alert for an anomalous reading, from the readings of its sensor's previous window (two-pass mean and deviation). */
function expectedAlert(anomaly: SensorReading, readings: readonly SensorReading[]): Alert {
  const windowStart = anomaly.timestamp - (anomaly.timestamp % minute) - minute
  const values = readings
    .filter((r) => r.sensorId === anomaly.sensorId && r.timestamp >= windowStart && r.timestamp < windowStart + minute)
    .map((r) => r.value)
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  const stddev = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length)
  return {
    ...anomaly,
    windowStart,
    windowEnd: windowStart + minute,
    count: values.length,
    mean: round3(mean),
    stddev: round3(stddev),
    zScore: round3((anomaly.value - mean) / stddev),
  }
}

test('exactly the injected anomalies arrive on the alerts topic', async (t) => {
  const servers = bootstrapServers()
  const readingsTopic = uniqueId('sensor-readings')
  const alertsTopic = uniqueId('sensor-alerts')
  const { readings, anomalies } = generateReadings({
    start,
    windowSizeMs: minute,
    windows: 6,
    perWindow: 12,
    sensors: [
      { sensorId: 'boiler-temperature', base: 85 },
      { sensorId: 'pump-pressure', base: 4.2 },
      { sensorId: 'line-voltage', base: 230 },
      { sensorId: 'fan-speed', base: 1200 },
    ],
    anomalies: [
      { sensorId: 'boiler-temperature', window: 1, index: 4, offset: 15 },
      { sensorId: 'boiler-temperature', window: 3, index: 11, offset: -12.5 },
      { sensorId: 'boiler-temperature', window: 5, index: 0, offset: 40 },
      { sensorId: 'pump-pressure', window: 2, index: 6, offset: -5 },
      { sensorId: 'line-voltage', window: 4, index: 1, offset: 30 },
      { sensorId: 'line-voltage', window: 4, index: 2, offset: -30 },
    ],
  })
  assert.equal(anomalies.length, 6)
  assert.equal(readings.length, 4 * 6 * 12)

  const applicationId = uniqueId('anomaly-detection')
  const { producer } = await startUseCase(t, (common) =>
    runAnomalyDetection({ ...common, applicationId, readingsTopic, alertsTopic, windowSizeMs: minute }),
  )
  await producer.send(
    readingsTopic,
    readings.map((reading) => ({ key: reading.sensorId, value: reading, timestamp: reading.timestamp })),
  )

  // every reading processed and its offset committed (alerts are written before the commit), then the whole alerts topic
  const records = await readOutputOnceCommitted(t, servers, {
    applicationId,
    input: readingsTopic,
    count: readings.length,
    output: alertsTopic,
  })
  const alerts = records.map((r) => {
    const alert = JSON.parse((r.value as Buffer).toString('utf8')) as Alert
    assert.equal((r.key as Buffer).toString('utf8'), alert.sensorId, 'alerts are keyed by sensor')
    assert.equal(r.timestamp, alert.timestamp, "an alert has its reading's timestamp")
    return alert
  })
  const order = (a: Alert, b: Alert) => a.timestamp - b.timestamp || a.sensorId.localeCompare(b.sensorId)
  assert.deepEqual(alerts.sort(order), anomalies.map((a) => expectedAlert(a, readings)).sort(order))
})
