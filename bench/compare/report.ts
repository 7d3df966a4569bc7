// Tables of a run: printed, and written with the method, the machine and the command to docs/benchmarks.md.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism, release, totalmem, type } from 'node:os'
import { join } from 'node:path'
import { kafkaVersion } from '../../scripts/kafka/local-kafka.ts'
import { projectRoot } from './child-process.ts'
import { keySpace, stream2Ratio } from './data.ts'
import type { Options } from './options.ts'
import { scenarioIds, scenarios, type GuaranteeId, type ScenarioId, type SystemId } from './spec.ts'

export interface ThroughputResult {
  readonly system: SystemId
  readonly scenario: ScenarioId
  readonly guarantee: GuaranteeId
  readonly valueSize: number
  readonly records: number
  readonly elapsedMs: number
  readonly capped: boolean
  readonly peakRssKb: number
  readonly error?: string
}

export interface LatencyResult {
  readonly system: SystemId
  readonly scenario: ScenarioId
  readonly guarantee: GuaranteeId
  readonly valueSize: number
  readonly p50: number
  readonly p99: number
  /** Output records with the header read back. */
  readonly samples: number
  readonly error?: string
}

export const systemNames: Record<SystemId, string> = {
  kstreams: 'kstreams',
  java: 'Java Kafka Streams',
  kafkats: 'kafkats',
  baseline: 'raw client',
}

/** Why a system does not run a scenario or guarantee; undefined when it does. */
export function unsupported(system: SystemId, scenario: ScenarioId, guarantee: GuaranteeId): string | undefined {
  switch (system) {
    case 'kstreams':
    case 'java':
      return undefined
    case 'kafkats':
      return scenario === 'kv-store' || scenario === 'window-store'
        ? 'no Processor API: a custom processor cannot use a state store'
        : undefined
    case 'baseline':
      if (scenario !== 'source' && scenario !== 'sink') return 'a pass-through has no processing'
      return guarantee === 'eos' ? 'no transactions' : undefined
  }
}

export function rate(r: ThroughputResult): number {
  return r.elapsedMs > 0 ? (r.records / r.elapsedMs) * 1000 : Number.NaN
}

const guaranteeNames: Record<GuaranteeId, string> = { alos: 'at-least-once', eos: 'exactly-once v2' }
const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-'

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** Targets: kstreams/Java >= 1.0 stateless, >= 0.7 stateful; kstreams/kafkats >= 1.5; raw/kstreams <= 1.5. */
function javaTarget(scenario: ScenarioId): number {
  return scenarios[scenario].stateful ? 0.7 : 1.0
}
const kafkatsTarget = 1.5
const overheadTarget = 1.5

function latencyCell(l: LatencyResult | undefined, value: number | undefined, saturated: boolean): string {
  if (!l) return ''
  if (l.error || value === undefined) return 'failed'
  return fmt(value, 1) + (saturated ? ' (saturated)' : '')
}

function verdict(value: number, target: number, atLeast: boolean): string {
  if (!Number.isFinite(value)) return '-'
  const met = atLeast ? value >= target : value <= target
  return `${fmt(value, 2)}x ${met ? 'met' : '**not met**'}`
}

function find(
  results: readonly ThroughputResult[],
  size: number,
  scenario: ScenarioId,
  guarantee: GuaranteeId,
  system: SystemId,
): ThroughputResult | undefined {
  return results.find(
    (r) => r.valueSize === size && r.scenario === scenario && r.guarantee === guarantee && r.system === system,
  )
}

function ok(r: ThroughputResult | undefined): r is ThroughputResult {
  return r !== undefined && r.error === undefined && Number.isFinite(rate(r))
}

/** The tables of one value size: every run, then the targets. */
export function sizeTables(
  options: Options,
  size: number,
  results: readonly ThroughputResult[],
  latencies: readonly LatencyResult[],
): string {
  const rows: string[][] = []
  const targetRows: string[][] = []
  for (const scenario of scenarioIds) {
    for (const guarantee of options.guarantees) {
      const kstreams = find(results, size, scenario, guarantee, 'kstreams')
      for (const system of options.systems) {
        const r = find(results, size, scenario, guarantee, system)
        const l = latencies.find(
          (x) => x.valueSize === size && x.scenario === scenario && x.guarantee === guarantee && x.system === system,
        )
        if (!r && !l) continue
        const perSecond = ok(r) ? rate(r) : Number.NaN
        let ratio = ''
        if (system !== 'kstreams' && ok(kstreams) && ok(r)) {
          ratio = `${fmt(rate(kstreams) / perSecond, 2)}x`
        }
        // a system slower than the latency runs' input rate queues up: its latency then measures the backlog
        const saturated = ok(r) && perSecond < options.latencyRate
        rows.push([
          scenarios[scenario].title,
          guaranteeNames[guarantee],
          systemNames[system],
          r?.error
            ? `failed: ${r.error.split('\n')[0]!.slice(0, 80)}`
            : fmt(perSecond) + (r?.capped ? ' (capped)' : ''),
          ok(r) ? fmt((perSecond * (4 + size)) / 1e6, 1) : '-',
          latencyCell(l, l?.p50, saturated),
          latencyCell(l, l?.p99, saturated),
          r && !r.error ? fmt(r.peakRssKb / 1024) : '',
          ratio,
        ])
      }
      if (!ok(kstreams)) continue
      const java = find(results, size, scenario, guarantee, 'java')
      const kafkats = find(results, size, scenario, guarantee, 'kafkats')
      const raw = find(results, size, scenario, guarantee, 'baseline')
      const row = [
        scenarios[scenario].title,
        guaranteeNames[guarantee],
        ok(java)
          ? `${verdict(rate(kstreams) / rate(java), javaTarget(scenario), true)} (>= ${fmt(javaTarget(scenario), 1)}x)`
          : '-',
        ok(kafkats) ? verdict(rate(kstreams) / rate(kafkats), kafkatsTarget, true) : '-',
        ok(raw) ? verdict(rate(raw) / rate(kstreams), overheadTarget, false) : '-',
      ]
      if (row.slice(2).some((c) => c !== '-')) targetRows.push(row)
    }
  }
  const parts = [
    table(
      ['scenario', 'guarantee', 'system', 'records/s', 'MB/s', 'p50 ms', 'p99 ms', 'peak RSS MB', 'kstreams / this'],
      rows,
    ),
    '',
    'Targets (figures, not assertions):',
    '',
    table(
      ['scenario', 'guarantee', 'kstreams / Java', 'kstreams / kafkats (>= 1.5x)', 'raw client / kstreams (<= 1.5x)'],
      targetRows,
    ),
  ]
  return parts.join('\n')
}

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly os: string
  readonly node: string
  readonly java: string
  readonly kafka: string
  readonly kafkats: string
  readonly platformatic: string
  readonly commit: string
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string
    }
    return pkg.version
  } catch {
    return '?'
  }
}

export function describeMachine(): Machine {
  let cpu = '?'
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?'
  } catch {
    // not Linux
  }
  // java -version writes to stderr
  const version = spawnSync('java', ['-version'], { encoding: 'utf8' })
  const java = `${version.stderr ?? ''}${version.stdout ?? ''}`.split('\n')[0]?.trim() || '?'
  let commit = '?'
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).trim()
  } catch {
    // not a checkout
  }
  return {
    cpu,
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    java,
    kafka: kafkaVersion(),
    kafkats: packageVersion('@kafkats/flow'),
    platformatic: packageVersion('@platformatic/kafka'),
    commit,
  }
}

export interface RunInfo {
  readonly options: Options
  readonly command: string
  readonly started: Date
  readonly minutes: number
  readonly machine: Machine
  readonly broker: string
  readonly loads: readonly { size: number; seconds: number }[]
}

function settings(info: RunInfo): string {
  const o = info.options
  const commit =
    o.commitMs === undefined ? '30,000 ms at-least-once, 100 ms exactly-once (Kafka defaults)' : `${fmt(o.commitMs)} ms`
  return [
    `- Records: ${fmt(o.records)} main-topic records per value size (+ ${fmt(keySpace)} table, ` +
      `${fmt(Math.floor(o.records / stream2Ratio))} second-stream records); ${o.partitions} partitions per topic; ` +
      `value sizes ${o.sizes.join(', ')} bytes.`,
    `- Commit interval: ${commit}; record cache ${fmt(o.cacheBytes)} bytes (kstreams and Java; kafkats has none); ` +
      `1 stream thread; cap of ${o.maxSeconds} s per run.`,
    `- Latency: ${o.latencyScenarios.length ? o.latencyScenarios.join(', ') : 'none'} at ${fmt(o.latencyRate)} records/s ` +
      `for ${o.latencySeconds} s, commit interval ${fmt(o.latencyCommitMs)} ms.`,
    `- Java: ${o.jvmOpts.join(' ')}. kstreams and kafkats: ${o.nodeArgs.length > 0 ? `Node flags ${o.nodeArgs.join(' ')}` : 'Node defaults'}.`,
  ].join('\n')
}

function machineLines(info: RunInfo): string {
  const m = info.machine
  return [
    `- CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGiB} GiB; ${m.os}`,
    `- Node ${m.node}; ${m.java}; Apache Kafka ${m.kafka} (broker, and Kafka Streams ${m.kafka}); ` +
      `@kafkats/flow ${m.kafkats}; @platformatic/kafka ${m.platformatic}; kstreams at commit ${m.commit}`,
    `- Broker: ${info.broker}`,
  ].join('\n')
}

/** The results as markdown: settings, machine, one section per value size. */
export function resultsMarkdown(
  info: RunInfo,
  results: readonly ThroughputResult[],
  latencies: readonly LatencyResult[],
): string {
  const sections = info.options.sizes.map((size) => {
    const load = info.loads.find((l) => l.size === size)
    return [
      `### ${size}-byte values`,
      '',
      load ? `Dataset loaded in ${fmt(load.seconds, 1)} s.` : '',
      '',
      sizeTables(info.options, size, results, latencies),
    ].join('\n')
  })
  return [
    `Command: \`${info.command}\``,
    '',
    `Started ${info.started.toISOString()}, took ${fmt(info.minutes, 1)} minutes.`,
    '',
    settings(info),
    '',
    machineLines(info),
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n')
}
