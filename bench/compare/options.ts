// Command-line flags of `npm run bench` (bench/compare.ts).
import { parseArgs } from 'node:util'
import {
  guaranteeIds,
  scenarioIds,
  scenarios,
  systemIds,
  type GuaranteeId,
  type ScenarioId,
  type SystemId,
} from './spec.ts'

export interface Options {
  readonly records: number
  readonly sizes: readonly number[]
  readonly scenarios: readonly ScenarioId[]
  readonly systems: readonly SystemId[]
  readonly guarantees: readonly GuaranteeId[]
  readonly partitions: number
  /** Commit interval of the throughput runs; undefined: Kafka Streams' default per guarantee (30 s, 100 ms). */
  readonly commitMs: number | undefined
  readonly cacheBytes: number
  readonly maxSeconds: number
  readonly latencyScenarios: readonly ScenarioId[]
  readonly latencyRate: number
  readonly latencySeconds: number
  readonly latencyCommitMs: number
  readonly jvmOpts: readonly string[]
  /** Node flags of the TypeScript systems (kstreams, kafkats, raw client), e.g. --cpu-prof. */
  readonly nodeArgs: readonly string[]
  readonly out: string | undefined
  readonly note: string | undefined
}

/** Scenarios whose latency can be measured: one input topic, results in an output topic. */
export const latencyCapable: readonly ScenarioId[] = ['sink', 'filter-map', 'count', 'windowed-count']

export const usage = `npm run bench -- [flags]

  --records N            main-topic records per value size (default 2000000)
  --sizes 100,1024       value sizes in bytes (default 100,1024)
  --only a,b             scenarios (default all): ${scenarioIds.join(', ')}
  --systems a,b          systems (default all): ${systemIds.join(', ')}
  --guarantees a,b       alos, eos (default both)
  --partitions N         partitions of every topic (default 6)
  --commit-ms N          commit interval of throughput runs (default: Kafka Streams' 30000 alos / 100 eos)
  --cache-bytes N        record cache of kstreams and Java (default 10485760; kafkats has none)
  --max-seconds N        cap of one throughput run, from its first record (default 180)
  --latency a,b          latency scenarios (default sink,count; 'none' skips): ${latencyCapable.join(', ')}
  --latency-rate N       input records/s of latency runs (default 5000)
  --latency-seconds N    length of latency runs (default 20)
  --latency-commit-ms N  commit interval of latency runs (default 100)
  --jvm-opts "..."       JVM flags of Java Kafka Streams (default "-Xms1g -Xmx1g -XX:+UseG1GC")
  --node-args "..."      Node flags of kstreams, kafkats and the raw client (default none), e.g.
                         "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile them
  --out FILE             results page (default docs/benchmarks.md; 'none' writes nothing)
  --note TEXT            a line about this run for the results page

A local Kafka is started unless KAFKA_BOOTSTRAP_SERVERS is set.`

function list<T extends string>(raw: string | undefined, all: readonly T[], what: string): T[] {
  if (raw === undefined) return [...all]
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const item of items) {
    if (!all.includes(item as T)) throw new Error(`unknown ${what} '${item}'; one of: ${all.join(', ')}`)
  }
  return items as T[]
}

function int(raw: string | undefined, fallback: number, what: string, min = 1): number {
  if (raw === undefined) return fallback
  const value = Number(raw.replaceAll('_', ''))
  if (!Number.isInteger(value) || value < min) throw new Error(`--${what} must be an integer >= ${min}, got ${raw}`)
  return value
}

export function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      records: { type: 'string' },
      sizes: { type: 'string' },
      only: { type: 'string' },
      systems: { type: 'string' },
      guarantees: { type: 'string' },
      partitions: { type: 'string' },
      'commit-ms': { type: 'string' },
      'cache-bytes': { type: 'string' },
      'max-seconds': { type: 'string' },
      latency: { type: 'string' },
      'latency-rate': { type: 'string' },
      'latency-seconds': { type: 'string' },
      'latency-commit-ms': { type: 'string' },
      'jvm-opts': { type: 'string' },
      'node-args': { type: 'string' },
      out: { type: 'string' },
      note: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(usage)
    process.exit(0)
  }
  const sizes = (values.sizes ?? '100,1024').split(',').map((s) => int(s.trim(), 0, 'sizes'))
  const latency = values.latency === 'none' ? [] : list(values.latency ?? 'sink,count', scenarioIds, 'latency scenario')
  for (const scenario of latency) {
    if (!latencyCapable.includes(scenario)) {
      throw new Error(`no latency for ${scenario} (${scenarios[scenario].title}); one of ${latencyCapable.join(', ')}`)
    }
  }
  return {
    records: int(values.records, 2_000_000, 'records'),
    sizes,
    scenarios: list(values.only, scenarioIds, 'scenario'),
    systems: list(values.systems, systemIds, 'system'),
    guarantees: list(values.guarantees, guaranteeIds, 'guarantee'),
    partitions: int(values.partitions, 6, 'partitions'),
    commitMs: values['commit-ms'] === undefined ? undefined : int(values['commit-ms'], 0, 'commit-ms'),
    cacheBytes: int(values['cache-bytes'], 10 * 1024 * 1024, 'cache-bytes', 0),
    maxSeconds: int(values['max-seconds'], 180, 'max-seconds'),
    latencyScenarios: latency,
    latencyRate: int(values['latency-rate'], 5000, 'latency-rate'),
    latencySeconds: int(values['latency-seconds'], 20, 'latency-seconds'),
    latencyCommitMs: int(values['latency-commit-ms'], 100, 'latency-commit-ms'),
    jvmOpts: (values['jvm-opts'] ?? '-Xms1g -Xmx1g -XX:+UseG1GC').split(/\s+/).filter(Boolean),
    nodeArgs: (values['node-args'] ?? '').split(/\s+/).filter(Boolean),
    out: values.out === 'none' ? undefined : (values.out ?? 'docs/benchmarks.md'),
    note: values.note,
  }
}
