import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { Serdes } from '@kstreams/streams'
import { TopologyTestDriver } from '@kstreams/streams/test-utils'
import {
  addReading,
  anomalyDetectionTopology,
  emptyStats,
  standardDeviation,
  type Alert,
  type SensorReading,
} from '../../use-cases/anomaly-detection/anomaly-detection-topology.ts'
import { generateReadings } from '../../use-cases/anomaly-detection/sensor-generator.ts'

const minute = 60_000
const t0 = Date.UTC(2024, 0, 1, 12, 0, 0)

function driver(t: TestContext) {
  const testDriver = new TopologyTestDriver(
    anomalyDetectionTopology({ readingsTopic: 'readings', alertsTopic: 'alerts', windowSizeMs: minute }),
    { applicationId: 'anomaly-test' },
  )
  t.after(() => testDriver.close())
  const readings = testDriver.createInputTopic('readings', Serdes.String(), Serdes.JSON<unknown>())
  return {
    /** Pipes a reading with its event time in the value and an unrelated record timestamp. */
    read: (sensorId: string, value: number, timestamp: number) =>
      readings.pipeInput(sensorId, { sensorId, value, timestamp } satisfies SensorReading, 0),
    readings,
    alerts: testDriver.createOutputTopic('alerts', Serdes.String(), Serdes.JSON<Alert>()),
  }
}

test('a reading more than 3 standard deviations from the mean of its sensor`s previous window is an alert', (t) => {
  const { read, alerts } = driver(t)
  // window [t0, t0 + 1 min): mean 10, standard deviation 2, so anything outside [4, 16] is an anomaly
  for (const [i, value] of [8, 12, 8, 12, 8, 12].entries()) read('s1', value, t0 + 1000 * (i + 1))
  assert.ok(alerts.isEmpty(), 'the first window has nothing to compare with')

  read('s1', 15.9, t0 + minute + 10_000)
  read('s1', 16.5, t0 + minute + 20_000)
  read('s1', 4, t0 + minute + 30_000)
  read('s1', 3.5, t0 + minute + 40_000)
  read('s1', 10, t0 + minute + 50_000)
  // the next window compares with [15.9, 16.5, 4, 3.5, 10]: mean 9.98, standard deviation 5.5733
  read('s1', 26.6, t0 + 2 * minute + 1000)
  read('s1', 30, t0 + 2 * minute + 2000)

  const previous = { windowStart: t0, windowEnd: t0 + minute, count: 6, mean: 10, stddev: 2 }
  assert.deepEqual(
    alerts.readRecordsToList().map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })),
    [
      {
        key: 's1',
        value: { sensorId: 's1', value: 16.5, timestamp: t0 + minute + 20_000, ...previous, zScore: 3.25 },
        timestamp: t0 + minute + 20_000,
      },
      {
        key: 's1',
        value: { sensorId: 's1', value: 3.5, timestamp: t0 + minute + 40_000, ...previous, zScore: -3.25 },
        timestamp: t0 + minute + 40_000,
      },
      {
        key: 's1',
        value: {
          sensorId: 's1',
          value: 30,
          timestamp: t0 + 2 * minute + 2000,
          windowStart: t0 + minute,
          windowEnd: t0 + 2 * minute,
          count: 5,
          mean: 9.98,
          stddev: 5.573,
          zScore: 3.592,
        },
        timestamp: t0 + 2 * minute + 2000,
      },
    ],
  )
})

test('each sensor is compared with its own statistic', (t) => {
  const { read, alerts } = driver(t)
  for (let i = 0; i < 5; i++) {
    read('cold', -20 + (i % 2), t0 + 1000 * i)
    read('hot', 300 + 10 * (i % 2), t0 + 1000 * i + 500)
  }
  read('cold', 300, t0 + minute)
  read('hot', -20, t0 + minute + 1)
  read('hot', 305, t0 + minute + 2)
  read('cold', -19.5, t0 + minute + 3)
  assert.deepEqual(
    alerts.readValuesToList().map((a) => [a?.sensorId, a?.value]),
    [
      ['cold', 300],
      ['hot', -20],
    ],
  )
})

test('no alert without a statistic to compare with: a sensor new, silent last window, or with too few readings', (t) => {
  const { read, alerts } = driver(t)
  // 'few' has 4 readings in the first window (5 are needed)
  for (let i = 0; i < 4; i++) read('few', 1 + (i % 2), t0 + 1000 * i)
  read('few', 1000, t0 + minute + 1000)
  // 'gap' has a full first window, nothing in the second, and an extreme reading in the third
  for (let i = 0; i < 6; i++) read('gap', 50 + (i % 2), t0 + 1000 * i)
  read('gap', -1000, t0 + 2 * minute + 1000)
  // 'new' starts with an extreme reading
  read('new', 1e9, t0 + 2 * minute + 2000)
  assert.ok(alerts.isEmpty(), `unexpected alerts: ${JSON.stringify(alerts.readValuesToList())}`)
})

test('after a window of equal readings, any other value is an anomaly (with no z-score)', (t) => {
  const { read, alerts } = driver(t)
  for (let i = 0; i < 5; i++) read('flat', 5, t0 + 1000 * i)
  read('flat', 5, t0 + minute)
  read('flat', 5.1, t0 + minute + 1)
  assert.deepEqual(alerts.readValuesToList(), [
    {
      sensorId: 'flat',
      value: 5.1,
      timestamp: t0 + minute + 1,
      windowStart: t0,
      windowEnd: t0 + minute,
      count: 5,
      mean: 5,
      stddev: 0,
      zScore: null,
    },
  ])
})

test('late readings within the grace period still count in their window`s statistic', (t) => {
  const { read, alerts } = driver(t)
  for (let i = 0; i < 4; i++) read('s', 10 + 2 * (i % 2), t0 + 1000 * i)
  // window 1 starts; the 5th reading of window 0 arrives 4 s after its end, within the 5 s grace
  read('s', 11, t0 + minute + 1000)
  read('s', 11, t0 + 59_000)
  read('s', 20, t0 + minute + 3000)
  // after the grace period a late reading is not counted: window 0 still has 5 readings
  read('s', 11, t0 + minute + 6000)
  read('s', 1000, t0 + 58_000)
  read('s', 21, t0 + minute + 7000)
  assert.deepEqual(
    alerts.readValuesToList().map((a) => [a?.value, a?.count, a?.mean, a?.stddev]),
    [
      [20, 5, 11, 0.894],
      [21, 5, 11, 0.894],
    ],
  )
})

test('readings that are not readings are skipped with a warning saying what is expected', (t) => {
  const { readings, read, alerts } = driver(t)
  const warnings: string[] = []
  t.mock.method(console, 'warn', (line: string) => warnings.push(line))
  readings.pipeInput('s1', { sensorId: 's1', value: 'high', timestamp: t0 })
  readings.pipeInput('s1', { sensorId: 's2', value: 1, timestamp: t0 })
  readings.pipeInput('s1', { sensorId: 's1', value: 1 })
  for (let i = 0; i < 5; i++) read('s1', 1, t0 + i)
  read('s1', 2, t0 + minute)
  assert.equal(warnings.length, 3)
  assert.match(
    warnings[0] ?? '',
    /skipped reading with key s1: expected \{"sensorId": the record's key, "value": finite/,
  )
  assert.deepEqual(
    alerts.readValuesToList().map((a) => a?.value),
    [2],
  )
})

test('the statistic: Welford`s running mean and population standard deviation', () => {
  let stats = emptyStats
  for (const value of [2, 4, 4, 4, 5, 5, 7, 9]) stats = addReading(stats, value)
  assert.deepEqual(stats, { count: 8, mean: 5, m2: 32, min: 2, max: 9 })
  assert.equal(standardDeviation(stats), 2)
  assert.equal(standardDeviation(emptyStats), 0)
})

test('the generated readings hold the anomalies asked for, and only those are alerts', (t) => {
  const { readings, alerts } = driver(t)
  const generated = generateReadings({
    start: t0,
    windowSizeMs: minute,
    windows: 4,
    perWindow: 10,
    sensors: [
      { sensorId: 'a', base: 20 },
      { sensorId: 'b', base: -5 },
    ],
    anomalies: [
      { sensorId: 'a', window: 1, index: 3, offset: 25 },
      { sensorId: 'b', window: 1, index: 9, offset: -40 },
      { sensorId: 'a', window: 3, index: 0, offset: -30 },
    ],
  })
  assert.equal(generated.readings.length, 2 * 4 * 10)
  for (const reading of generated.readings) readings.pipeInput(reading.sensorId, reading, reading.timestamp)
  assert.deepEqual(
    alerts.readValuesToList().map((a) => ({ sensorId: a?.sensorId, value: a?.value, timestamp: a?.timestamp })),
    generated.anomalies,
  )
  assert.throws(
    () =>
      generateReadings({
        start: t0,
        windowSizeMs: minute,
        windows: 3,
        perWindow: 10,
        sensors: [{ sensorId: 'a', base: 0 }],
        anomalies: [{ sensorId: 'a', window: 0, index: 0, offset: 10 }],
      }),
    /anomaly of a in window 0: the first window has no previous window to compare with; use window 1 or later/,
  )
})
