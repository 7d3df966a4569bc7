// What the driver (bench/compare.ts) and the applications it runs agree on: the scenarios, the shape of one
// run, the constants of the topologies and the lines a child process prints. BenchRunner.java (Java Kafka
// Streams, scripts/reference/) reads the same RunSpec from JSON and prints the same events.

/** The workloads of Kafka's old SimpleBenchmark, each ending in a sink where it has results. */
export const scenarioIds = [
  'source',
  'sink',
  'filter-map',
  'kv-store',
  'window-store',
  'count',
  'windowed-count',
  'st-join',
  'ss-join',
  'tt-join',
] as const
export type ScenarioId = (typeof scenarioIds)[number]

/** The systems compared; `baseline` is a raw @platformatic/kafka consumer -> producer, no library. */
export const systemIds = ['kstreams', 'java', 'kafkats', 'baseline'] as const
export type SystemId = (typeof systemIds)[number]

export const guaranteeIds = ['alos', 'eos'] as const
export type GuaranteeId = (typeof guaranteeIds)[number]
export type Guarantee = 'at_least_once' | 'exactly_once_v2'
export const guarantees: Record<GuaranteeId, Guarantee> = { alos: 'at_least_once', eos: 'exactly_once_v2' }

export interface ScenarioInfo {
  readonly title: string
  /** Targets: stateless scenarios should match Java, stateful ones reach 0.7 of it. */
  readonly stateful: boolean
  /** What each record goes through, the same in every system. */
  readonly topology: string
  /** Input topics read: the main stream, and the table or second stream of the joins. */
  readonly reads: readonly ('main' | 'table' | 'stream2')[]
}

export const scenarios: Record<ScenarioId, ScenarioInfo> = {
  source: {
    title: 'source only',
    stateful: false,
    topology: 'stream(main).foreach(count)',
    reads: ['main'],
  },
  sink: {
    title: 'source -> sink',
    stateful: false,
    topology: 'stream(main).peek(count).to(out)',
    reads: ['main'],
  },
  'filter-map': {
    title: 'filter + mapValues -> sink',
    stateful: false,
    topology: 'stream(main).peek(count).filter(last value byte even).mapValues(copy of the first half).to(out)',
    reads: ['main'],
  },
  'kv-store': {
    title: 'key-value store get + put',
    stateful: true,
    topology:
      'stream(main).peek(count).process(store.get(key); store.put(key, value)), persistent store, caching, logging',
    reads: ['main'],
  },
  'window-store': {
    title: 'window store put + fetch',
    stateful: true,
    topology:
      'stream(main).peek(count).process(fetch(key-10..key+10, ts-1s..ts+1s); put(key, value, ts)), ' +
      'persistent window store (window 1 s, retention 3 s), caching, logging',
    reads: ['main'],
  },
  count: {
    title: 'count',
    stateful: true,
    topology: 'stream(main).peek(count).groupByKey().count().toStream().to(out)',
    reads: ['main'],
  },
  'windowed-count': {
    title: 'windowed count (hopping 1 s / 500 ms)',
    stateful: true,
    topology:
      'stream(main).peek(count).groupByKey().windowedBy(1 s windows advancing 500 ms, no grace).count().toStream().to(out)',
    reads: ['main'],
  },
  'st-join': {
    title: 'stream-table leftJoin',
    stateful: true,
    topology: 'stream(main).peek(count).leftJoin(stream(table).peek(count).toTable()).to(out)',
    reads: ['main', 'table'],
  },
  'ss-join': {
    title: 'stream-stream leftJoin (10 s)',
    stateful: true,
    topology: 'stream(main).peek(count).leftJoin(stream(stream2).peek(count), 10 s windows, no grace).to(out)',
    reads: ['main', 'stream2'],
  },
  'tt-join': {
    title: 'table-table leftJoin',
    stateful: true,
    topology: 'stream(main).peek(count).toTable().leftJoin(stream(table).peek(count).toTable()).toStream().to(out)',
    reads: ['main', 'table'],
  },
}

/** Hopping windows of the windowed count (Kafka SimpleBenchmark's AGGREGATE_WINDOW_SIZE / _ADVANCE). */
export const windowSizeMs = 1000
export const windowAdvanceMs = 500
/** The stream-stream join's time difference. */
export const joinWindowMs = 10_000
/** The window store scenario: window size, retention, and the key and time ranges fetched per record. */
export const storeWindowMs = 1000
export const storeRetentionMs = 3000
export const fetchKeySpread = 10
export const fetchTimeSpreadMs = 1000
/** Header carrying the time a latency record was produced (float64 big-endian, ms since the epoch). */
export const latencyHeader = 'bench-t'

/** Everything one run of one system needs; given to the child process as JSON in argv[2]. */
export interface RunSpec {
  readonly scenario: ScenarioId
  readonly guarantee: Guarantee
  readonly bootstrapServers: string
  readonly applicationId: string
  readonly topics: { readonly main: string; readonly table: string; readonly stream2: string; readonly out: string }
  readonly partitions: number
  readonly commitIntervalMs: number
  readonly cacheMaxBytes: number
  readonly stateDir: string
  /** Input records to process before reporting; 0 runs until a `stop` line on stdin (latency runs). */
  readonly expected: number
  /** Cap of the measured time from the first record; the run reports what it processed by then. */
  readonly maxSeconds: number
}

/** One line of a child's stdout. */
export type ChildEvent =
  | { readonly event: 'first' }
  | {
      readonly event: 'result'
      readonly records: number
      readonly elapsedMs: number
      readonly capped: boolean
      readonly peakRssKb: number
    }
  | { readonly event: 'error'; readonly message: string }

/** The filter of `filter-map`: keep records whose value's last byte is even (about half of them). */
export function keep(value: Buffer): boolean {
  return ((value[value.length - 1] ?? 0) & 1) === 0
}

/** The window store's key range around `key`, kept non-negative (Integer keys sort as unsigned bytes). */
export function keyRange(key: number): [number, number] {
  return [Math.max(0, key - fetchKeySpread), key + fetchKeySpread]
}
