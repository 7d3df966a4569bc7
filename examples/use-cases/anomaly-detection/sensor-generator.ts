// Sensor data for the anomaly detection example: normal readings stay within ±0.4 of their sensor's base
// value, and anomalies are placed where asked (tests) or at random (the running example), always where the
// detector can see them: never in a sensor's first window (no previous statistic yet) and never in the
// window right after another window with an anomaly of the same sensor (that anomaly widens the previous
// window's standard deviation). Several anomalies in one window are fine: each is compared with the
// previous window.
import type { SensorReading } from './anomaly-detection-topology.ts'

export interface GeneratedSensor {
  readonly sensorId: string
  /** The value its normal readings vary around. */
  readonly base: number
}

/** An anomaly to inject: the reading `index` of `window` (0-based) of the sensor gets the value base + offset. */
export interface AnomalySpec {
  readonly sensorId: string
  readonly window: number
  readonly index: number
  readonly offset: number
}

export interface GenerateOptions {
  /** Start of the first window (a multiple of windowSizeMs, so the generator's windows are the detector's). */
  readonly start: number
  readonly windowSizeMs: number
  readonly windows: number
  /** Readings per sensor and window; at least 5, the detector's default minSamples. */
  readonly perWindow: number
  readonly sensors: readonly GeneratedSensor[]
  readonly anomalies: readonly AnomalySpec[]
}

/** The smallest |offset| of an anomaly: far outside 3 standard deviations of the normal readings. */
export const minAnomalyOffset = 5

/** Normal variation: the readings of a window cycle through these offsets from the base. */
const pattern = [-0.4, -0.2, 0, 0.2, 0.4] as const

/**
 * Every sensor's readings, `perWindow` per window, in timestamp order, with the anomalies asked for; also
 * the anomalous readings by themselves, which are exactly the alerts the detector should raise.
 */
export function generateReadings(options: GenerateOptions): { readings: SensorReading[]; anomalies: SensorReading[] } {
  const { start, windowSizeMs, windows, perWindow, sensors } = options
  if (!Number.isSafeInteger(windowSizeMs) || windowSizeMs <= 0 || start % windowSizeMs !== 0) {
    throw new RangeError(
      `start (${start}) must be a multiple of windowSizeMs (${windowSizeMs}), a positive whole number`,
    )
  }
  if (!Number.isSafeInteger(perWindow) || perWindow < 5 || perWindow > windowSizeMs) {
    throw new RangeError(
      `perWindow must be a whole number from 5 (the detector's minSamples) to windowSizeMs, got ${perWindow}`,
    )
  }
  const ids = new Set(sensors.map((s) => s.sensorId))
  if (ids.size !== sensors.length) throw new RangeError('sensors must have distinct sensorIds')

  const anomalyAt = new Map<string, number>()
  const anomalyWindows = new Set<string>()
  for (const a of options.anomalies) {
    const where = `anomaly of ${a.sensorId} in window ${a.window}`
    if (!ids.has(a.sensorId)) throw new RangeError(`${where}: no such sensor; the sensors are ${[...ids].join(', ')}`)
    if (a.window === 0) {
      throw new RangeError(`${where}: the first window has no previous window to compare with; use window 1 or later`)
    }
    if (!Number.isSafeInteger(a.window) || a.window < 0 || a.window >= windows) {
      throw new RangeError(`${where}: the windows are 1 to ${windows - 1}`)
    }
    if (!Number.isSafeInteger(a.index) || a.index < 0 || a.index >= perWindow) {
      throw new RangeError(`${where}: index ${a.index} is not a reading of the window (0 to ${perWindow - 1})`)
    }
    if (!(Math.abs(a.offset) >= minAnomalyOffset)) {
      throw new RangeError(
        `${where}: offset ${a.offset} is too small to tell from normal readings; use at least ±${minAnomalyOffset}`,
      )
    }
    for (const w of [a.window - 1, a.window + 1]) {
      if (anomalyWindows.has(`${a.sensorId}@${w}`)) {
        throw new RangeError(
          `${where}: the sensor has an anomaly in window ${w} too; keep a window without anomalies between ` +
            'windows with anomalies, as an anomaly widens the statistic the next window is compared with',
        )
      }
    }
    const at = `${a.sensorId}@${a.window}@${a.index}`
    if (anomalyAt.has(at)) throw new RangeError(`${where}: reading ${a.index} is already an anomaly`)
    anomalyWindows.add(`${a.sensorId}@${a.window}`)
    anomalyAt.set(at, a.offset)
  }

  const readings: SensorReading[] = []
  const anomalies: SensorReading[] = []
  for (let window = 0; window < windows; window++) {
    for (let index = 0; index < perWindow; index++) {
      for (const [s, sensor] of sensors.entries()) {
        const timestamp = start + window * windowSizeMs + Math.floor((index * windowSizeMs) / perWindow) + s
        const offset = anomalyAt.get(`${sensor.sensorId}@${window}@${index}`)
        const value = sensor.base + (offset ?? pattern[(index + s) % pattern.length] ?? 0)
        const reading = { sensorId: sensor.sensorId, value, timestamp }
        readings.push(reading)
        if (offset !== undefined) anomalies.push(reading)
      }
    }
  }
  const byTime = (a: SensorReading, b: SensorReading) => a.timestamp - b.timestamp
  return { readings: readings.sort(byTime), anomalies: anomalies.sort(byTime) }
}

/**
 * Readings as they happen, for the running example: `next(now)` gives one reading per sensor with small
 * random noise, and now and then (rate per reading) an anomaly where the detector can see one.
 */
export class LiveSensors {
  readonly #sensors: readonly GeneratedSensor[]
  readonly #windowSizeMs: number
  readonly #anomalyRate: number
  readonly #random: () => number
  readonly #firstWindow = new Map<string, number>()
  readonly #lastAnomalyWindow = new Map<string, number>()

  constructor(
    sensors: readonly GeneratedSensor[],
    windowSizeMs: number,
    anomalyRate = 0.01,
    random: () => number = Math.random,
  ) {
    this.#sensors = sensors
    this.#windowSizeMs = windowSizeMs
    this.#anomalyRate = anomalyRate
    this.#random = random
  }

  next(now: number): { readings: SensorReading[]; anomalies: SensorReading[] } {
    const window = Math.floor(now / this.#windowSizeMs)
    const readings: SensorReading[] = []
    const anomalies: SensorReading[] = []
    for (const sensor of this.#sensors) {
      const first = this.#firstWindow.get(sensor.sensorId) ?? window
      this.#firstWindow.set(sensor.sensorId, first)
      const last = this.#lastAnomalyWindow.get(sensor.sensorId) ?? -Infinity
      const anomaly = window > first + 1 && window > last + 1 && this.#random() < this.#anomalyRate
      const offset = anomaly
        ? (this.#random() < 0.5 ? -1 : 1) * (minAnomalyOffset * 2 + this.#random() * 20)
        : (this.#random() - 0.5) * 0.8
      const reading = {
        sensorId: sensor.sensorId,
        value: Math.round((sensor.base + offset) * 100) / 100,
        timestamp: now,
      }
      readings.push(reading)
      if (anomaly) {
        anomalies.push(reading)
        this.#lastAnomalyWindow.set(sensor.sensorId, window)
      }
    }
    return { readings, anomalies }
  }
}
