// kstreams against Java Kafka Streams (the reference, same version as the broker) and kafkats (@kafkats/flow),
// with a raw @platformatic/kafka pass-through as the ceiling: the same broker, datasets, scenarios and
// settings, each run in its own process. Prints the tables and writes docs/benchmarks.md.
// Run: npm run bench [-- --records 2000000 --sizes 100,1024 --only count,ss-join --systems kstreams,java,kafkats
//                        --guarantees alos,eos]      (npm run bench -- --help lists every flag)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { LocalKafka } from '../scripts/kafka/local-kafka.ts'
import { buildJava, projectRoot, SystemProcess, systemCommand } from './compare/child-process.ts'
import { Cluster } from './compare/cluster.ts'
import { loadDataset, type Dataset } from './compare/data.ts'
import { LatencyReader, LatencyWriter, quantile } from './compare/latency.ts'
import { parseOptions, usage, type Options } from './compare/options.ts'
import { page } from './compare/page.ts'
import {
  describeMachine,
  rate,
  sizeTables,
  systemNames,
  unsupported,
  type LatencyResult,
  type ThroughputResult,
} from './compare/report.ts'
import {
  guarantees,
  scenarios,
  type GuaranteeId,
  type RunSpec,
  type ScenarioId,
  type SystemId,
} from './compare/spec.ts'

let options: Options
try {
  options = parseOptions(process.argv.slice(2))
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
  process.exit(2)
}

const runId = Date.now().toString(36)
const logDir = join(projectRoot, '.kafka-local', 'bench', runId)
mkdirSync(logDir, { recursive: true })
const started = new Date()
const live = new Set<SystemProcess>()
let runs = 0

function log(line: string): void {
  console.log(`[${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(5)} s] ${line}`)
}

const external = process.env.KAFKA_BOOTSTRAP_SERVERS
const kafka = external ? undefined : await LocalKafka.start({ nodes: 1 })
process.on('exit', () => {
  for (const child of live) child.kill()
  kafka?.killAllSync()
})
process.on('SIGINT', () => process.exit(130))
process.on('SIGTERM', () => process.exit(143))
const servers = external ?? kafka?.bootstrapServers ?? ''
const cluster = new Cluster(servers, options.partitions)
const javaClasspath = options.systems.includes('java') ? buildJava() : ''
log(`broker ${servers}${kafka ? ` (local Kafka ${kafka.version})` : ''}; logs in ${logDir}`)

/** Runs one system in its own process; the output and internal topics of the run are deleted afterwards. */
async function withSystem<T>(
  system: SystemId,
  scenario: ScenarioId,
  guarantee: GuaranteeId,
  topics: Omit<RunSpec['topics'], 'out'>,
  settings: Pick<RunSpec, 'commitIntervalMs' | 'expected' | 'maxSeconds'>,
  body: (child: SystemProcess, spec: RunSpec) => Promise<T>,
  extraTopics: readonly string[] = [],
): Promise<T> {
  const applicationId = `kb-${runId}-${++runs}-${system}-${scenario}-${guarantee}`
  const out = `${applicationId}-out`
  await cluster.createTopics(out)
  const stateDir = join(logDir, 'state', applicationId)
  mkdirSync(stateDir, { recursive: true })
  const spec: RunSpec = {
    scenario,
    guarantee: guarantees[guarantee],
    bootstrapServers: servers,
    applicationId,
    topics: { ...topics, out },
    partitions: options.partitions,
    cacheMaxBytes: options.cacheBytes,
    stateDir,
    ...settings,
  }
  const child = new SystemProcess(
    systemCommand(system, javaClasspath, options.jvmOpts, options.nodeArgs),
    spec,
    join(logDir, `${applicationId}.log`),
  )
  live.add(child)
  try {
    return await body(child, spec)
  } finally {
    await child.end()
    live.delete(child)
    rmSync(stateDir, { recursive: true, force: true })
    await cluster.deleteTopics([out, ...extraTopics], [`${applicationId}-`]).catch(() => undefined)
  }
}

async function throughput(
  dataset: Dataset,
  system: SystemId,
  scenario: ScenarioId,
  guarantee: GuaranteeId,
): Promise<ThroughputResult> {
  const expected = scenarios[scenario].reads.reduce((sum, topic) => sum + dataset.counts[topic], 0)
  const commitIntervalMs = options.commitMs ?? (guarantee === 'eos' ? 100 : 30_000)
  const base = { system, scenario, guarantee, valueSize: dataset.valueSize }
  try {
    return await withSystem(
      system,
      scenario,
      guarantee,
      dataset.topics,
      { commitIntervalMs, expected, maxSeconds: options.maxSeconds },
      async (child) => {
        await child.next(['first'], 180_000, 'first record')
        const result = await child.next(['result'], (options.maxSeconds + 60) * 1000, 'result')
        if (result.event !== 'result') throw new Error('no result')
        return {
          ...base,
          records: result.records,
          elapsedMs: result.elapsedMs,
          capped: result.capped,
          peakRssKb: result.peakRssKb,
        }
      },
    )
  } catch (error) {
    return { ...base, records: 0, elapsedMs: 0, capped: false, peakRssKb: 0, error: String(error) }
  }
}

async function latency(
  valueSize: number,
  system: SystemId,
  scenario: ScenarioId,
  guarantee: GuaranteeId,
): Promise<LatencyResult> {
  const base = { system, scenario, guarantee, valueSize }
  const input = `kb-${runId}-latency-${runs + 1}-in`
  await cluster.createTopics(input)
  const writer = new LatencyWriter(cluster, input, valueSize)
  try {
    return await withSystem(
      system,
      scenario,
      guarantee,
      { main: input, table: input, stream2: input },
      { commitIntervalMs: options.latencyCommitMs, expected: 0, maxSeconds: 3600 },
      async (child, spec) => {
        const reader = new LatencyReader(cluster, `${spec.applicationId}-reader`)
        try {
          await reader.start(spec.topics.out, guarantee === 'eos')
          // warm up: a record every 200 ms until the application has processed one, then 2 s more
          let first = false
          const waiting = child.next(['first'], 180_000, 'first record').then(() => (first = true))
          while (!first) {
            await writer.warmUp()
            await Promise.race([waiting, new Promise((r) => setTimeout(r, 200))])
          }
          await new Promise((r) => setTimeout(r, 2000))
          await writer.run(options.latencyRate, options.latencySeconds)
          // drain: until no output arrived for a while
          const quiet = Math.max(2000, 3 * options.latencyCommitMs)
          const drainUntil = Date.now() + 60_000
          const wrote = performance.timeOrigin + performance.now()
          while (Date.now() < drainUntil) {
            const lastSeen = reader.lastSeen || wrote
            if (performance.timeOrigin + performance.now() - Math.max(lastSeen, wrote) > quiet) break
            await new Promise((r) => setTimeout(r, 200))
          }
          child.stop()
          await child.next(['result'], 60_000, 'result')
          const sorted = [...reader.latencies].sort((a, b) => a - b)
          return { ...base, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), samples: sorted.length }
        } finally {
          await reader.close().catch(() => undefined)
        }
      },
      [input],
    )
  } catch (error) {
    return { ...base, p50: Number.NaN, p99: Number.NaN, samples: 0, error: String(error) }
  } finally {
    await writer.close().catch(() => undefined)
  }
}

const results: ThroughputResult[] = []
const latencies: LatencyResult[] = []
const loads: { size: number; seconds: number }[] = []
try {
  for (const size of options.sizes) {
    const dataset = await loadDataset(cluster, `kb-${runId}-v${size}`, options.records, size, log)
    loads.push({ size, seconds: dataset.loadSeconds })
    for (const scenario of options.scenarios) {
      for (const guarantee of options.guarantees) {
        for (const system of options.systems) {
          if (unsupported(system, scenario, guarantee)) continue
          const result = await throughput(dataset, system, scenario, guarantee)
          results.push(result)
          log(
            `${size} B ${scenario} ${guarantee} ${systemNames[system]}: ` +
              (result.error
                ? `failed: ${result.error.split('\n')[0]}`
                : `${Math.round(rate(result)).toLocaleString('en-US')} records/s` +
                  ` (${result.records.toLocaleString('en-US')} in ${(result.elapsedMs / 1000).toFixed(1)} s` +
                  `${result.capped ? ', capped' : ''}), peak RSS ${Math.round(result.peakRssKb / 1024)} MB`),
          )
        }
      }
    }
    await cluster.deleteTopics(Object.values(dataset.topics))
    for (const scenario of options.latencyScenarios) {
      for (const guarantee of options.guarantees) {
        for (const system of options.systems) {
          if (unsupported(system, scenario, guarantee)) continue
          const result = await latency(size, system, scenario, guarantee)
          latencies.push(result)
          log(
            `${size} B latency ${scenario} ${guarantee} ${systemNames[system]}: ` +
              (result.error
                ? `failed: ${result.error.split('\n')[0]}`
                : `p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms (${result.samples} outputs)`),
          )
        }
      }
    }
    console.log(`\n## ${size}-byte values\n\n${sizeTables(options, size, results, latencies)}\n`)
  }
  if (options.out) {
    const info = {
      options,
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2).map(quote)] : [])].join(
        ' ',
      ),
      started,
      minutes: (Date.now() - started.getTime()) / 60_000,
      machine: describeMachine(),
      broker: kafka
        ? `local single node, Apache Kafka ${kafka.version}, started by the benchmark`
        : `external (${servers})`,
      loads,
    }
    const file = join(projectRoot, options.out)
    // formatted as the repository's Prettier check wants it
    const text = await format(page(info, results, latencies), { ...(await resolveConfig(file)), filepath: file })
    writeFileSync(file, text)
    log(`wrote ${options.out}`)
  }
} finally {
  await cluster.close().catch(() => undefined)
  await kafka?.close()
}

function quote(arg: string): string {
  return /^[\w,./=:-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`
}
