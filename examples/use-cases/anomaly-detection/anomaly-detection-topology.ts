// Anomaly detection on sensor readings: each sensor's readings are summarised per tumbling window (count,
// mean, standard deviation, min, max) by a windowed `aggregate`, and a reading is an anomaly when it lies
// more than `threshold` standard deviations from the mean of its sensor's previous window. Anomalies go to
// the alerts topic.
//
//   readings (key: sensor id, event time from the value's timestamp)
//     |-> groupByKey -> windowedBy(tumbling) -> aggregate -> window store "sensor-stats"
//     '-> processValues(AnomalyDetector, reads "sensor-stats") -> alerts
//
// Why a processor reading the aggregate's window store, and not a stream-table join: the statistic to
// compare with is the one of the previous window, complete once that window has ended. A join would need
// that statistic as a table, i.e. the aggregate's output written to a topic (final results only, after
// `suppress`) and read back; those records come through another topic and can reach the join after the
// first readings of the next window, which would then be compared with a stale or missing statistic. The
// processor instead looks the previous window up in the store the aggregate writes, in the same task
// (readings are keyed by sensor, so the aggregation needs no repartitioning and both run in one
// sub-topology): the lookup sees exactly the readings processed before, whatever the timing. This is how
// Kafka Streams lets a Processor API step use a DSL store: name the store in `Materialized.as(...)` and
// pass that name to `processValues`. The store's default retention (window size + grace) is enough: a
// window store counts it back from the newest window start it holds, so the previous window stays
// readable while the current one fills.
//
// A sensor with no reading in the previous window, or fewer than `minSamples`, gets no alerts (there is
// nothing reliable to compare with); neither does a reading equal to the mean of a window whose readings
// were all equal (standard deviation 0; any other value is an anomaly then).
import {
  Consumed,
  Duration,
  Grouped,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  type ConsumedRecord,
  type FixedKeyProcessor,
  type FixedKeyProcessorContext,
  type FixedKeyRecord,
  type TimestampedWindowStore,
  type Topology,
} from '@kstreams/streams'

/** A reading as sensors write it to the readings topic, keyed by sensor id. */
export interface SensorReading {
  readonly sensorId: string
  readonly value: number
  /** When it was measured, epoch milliseconds: the record's event time. */
  readonly timestamp: number
}

/** Running statistic of one sensor's readings in one window (Welford's algorithm: `m2` is the sum of squared deviations). */
export interface SensorStats {
  readonly count: number
  readonly mean: number
  readonly m2: number
  readonly min: number
  readonly max: number
}

/** A reading that deviates from its sensor's previous window: a value of the alerts topic. */
export interface Alert {
  readonly sensorId: string
  readonly value: number
  readonly timestamp: number
  /** The previous window, whose statistic the reading was compared with: [windowStart, windowEnd). */
  readonly windowStart: number
  readonly windowEnd: number
  readonly count: number
  /** Mean and standard deviation of the previous window, rounded to 3 decimals. */
  readonly mean: number
  readonly stddev: number
  /** (value - mean) / stddev, rounded to 3 decimals; null when stddev is 0. */
  readonly zScore: number | null
}

export const defaultAnomalyTopics = { readings: 'sensor-readings', alerts: 'sensor-alerts' } as const

/** Name of the window store holding the statistics (its changelog is `<applicationId>-sensor-stats-changelog`). */
export const statsStoreName = 'sensor-stats'

export interface AnomalyDetectionOptions {
  readonly readingsTopic?: string
  readonly alertsTopic?: string
  /** Length of the tumbling windows (default one minute). */
  readonly windowSizeMs?: number
  /** How long after a window's end late readings still count in its statistic (default 5 s). */
  readonly graceMs?: number
  /** How many standard deviations from the mean make an anomaly (default 3). */
  readonly threshold?: number
  /** Readings the previous window must hold for a comparison (default 5). */
  readonly minSamples?: number
}

/** The statistic of no readings (min and max are set by the first reading, so never stored as Infinity). */
export const emptyStats: SensorStats = { count: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity }

/** The statistic with one more reading. */
export function addReading(stats: SensorStats, value: number): SensorStats {
  const count = stats.count + 1
  const delta = value - stats.mean
  const mean = stats.mean + delta / count
  return {
    count,
    mean,
    m2: stats.m2 + delta * (value - mean),
    min: Math.min(stats.min, value),
    max: Math.max(stats.max, value),
  }
}

/** Population standard deviation of the readings summarised. */
export function standardDeviation(stats: SensorStats): number {
  return stats.count === 0 ? 0 : Math.sqrt(stats.m2 / stats.count)
}

export function isSensorReading(value: unknown): value is SensorReading {
  if (typeof value !== 'object' || value === null) return false
  const reading = value as Partial<SensorReading>
  return (
    typeof reading.sensorId === 'string' &&
    reading.sensorId !== '' &&
    typeof reading.value === 'number' &&
    Number.isFinite(reading.value) &&
    typeof reading.timestamp === 'number' &&
    Number.isSafeInteger(reading.timestamp) &&
    reading.timestamp >= 0
  )
}

/** Event time: the reading's own timestamp; the record's for a value that is not a reading (it is dropped later). */
function readingTime(record: ConsumedRecord): number {
  return isSensorReading(record.value) ? record.value.timestamp : record.timestamp
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

/** Compares each reading with the statistic of its sensor's previous window and forwards an Alert for an anomaly. */
class AnomalyDetector implements FixedKeyProcessor<string, SensorReading, Alert> {
  readonly #windows: TimeWindows
  readonly #threshold: number
  readonly #minSamples: number
  #context!: FixedKeyProcessorContext<string, Alert>
  #stats!: TimestampedWindowStore<string, SensorStats>

  constructor(windows: TimeWindows, threshold: number, minSamples: number) {
    this.#windows = windows
    this.#threshold = threshold
    this.#minSamples = minSamples
  }

  init(context: FixedKeyProcessorContext<string, Alert>): void {
    this.#context = context
    this.#stats = context.getStateStore<TimestampedWindowStore<string, SensorStats>>(statsStoreName)
  }

  process(record: FixedKeyRecord<string, SensorReading>): void {
    const size = this.#windows.size()
    // tumbling windows: exactly one holds the reading
    const [windowStart] = this.#windows.windowsFor(record.timestamp).keys()
    const previousStart = (windowStart as number) - size
    const previous = this.#stats.fetch(record.key, previousStart)?.value
    if (previous === undefined || previous.count < this.#minSamples) return
    const stddev = standardDeviation(previous)
    const deviation = record.value.value - previous.mean
    if (Math.abs(deviation) <= this.#threshold * stddev) return
    this.#context.forward(
      record.withValue<Alert>({
        sensorId: record.key,
        value: record.value.value,
        timestamp: record.timestamp,
        windowStart: previousStart,
        windowEnd: previousStart + size,
        count: previous.count,
        mean: round3(previous.mean),
        stddev: round3(stddev),
        zScore: stddev === 0 ? null : round3(deviation / stddev),
      }),
    )
  }
}

export function anomalyDetectionTopology(options: AnomalyDetectionOptions = {}): Topology {
  const readingsTopic = options.readingsTopic ?? defaultAnomalyTopics.readings
  const alertsTopic = options.alertsTopic ?? defaultAnomalyTopics.alerts
  const windowSizeMs = options.windowSizeMs ?? 60_000
  const graceMs = options.graceMs ?? 5_000
  const threshold = options.threshold ?? 3
  const minSamples = options.minSamples ?? 5
  if (!Number.isSafeInteger(windowSizeMs) || windowSizeMs <= 0) {
    throw new RangeError(`windowSizeMs must be a positive whole number of milliseconds, got ${windowSizeMs}`)
  }
  if (!Number.isSafeInteger(graceMs) || graceMs < 0) {
    throw new RangeError(`graceMs must be a whole number of milliseconds >= 0, got ${graceMs}`)
  }
  if (!(threshold > 0) || !Number.isFinite(threshold)) {
    throw new RangeError(`threshold must be a positive number of standard deviations, got ${threshold}`)
  }
  if (!Number.isSafeInteger(minSamples) || minSamples < 1) {
    throw new RangeError(`minSamples must be a whole number >= 1, got ${minSamples}`)
  }
  const windows = TimeWindows.ofSizeAndGrace(Duration.ofMillis(windowSizeMs), Duration.ofMillis(graceMs))

  const builder = new StreamsBuilder()
  const readings = builder
    .stream(readingsTopic, Consumed.with(Serdes.String(), Serdes.JSON<unknown>()).withTimestampExtractor(readingTime))
    .filter((key, value) => {
      if (isSensorReading(value) && value.sensorId === key) return true
      console.warn(
        `anomaly-detection: skipped reading with key ${key ?? '(none)'}: expected {"sensorId": the record's key, ` +
          `"value": finite number, "timestamp": epoch milliseconds}, got ${JSON.stringify(value)}`,
      )
      return false
    })
    .mapValues((value) => value as SensorReading)

  readings
    .groupByKey(Grouped.with(Serdes.String(), Serdes.JSON<SensorReading>()))
    .windowedBy(windows)
    .aggregate(
      () => emptyStats,
      (_sensorId, reading, stats) => addReading(stats, reading.value),
      Materialized.as<string, SensorStats>(statsStoreName)
        .withKeySerde(Serdes.String())
        .withValueSerde(Serdes.JSON<SensorStats>()),
    )

  readings
    .processValues(() => new AnomalyDetector(windows, threshold, minSamples), statsStoreName)
    .to(alertsTopic, Produced.with(Serdes.String(), Serdes.JSON<Alert>()))
  return builder.build()
}
