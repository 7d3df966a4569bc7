// The test command's runner (`npm test` calls it after typecheck and lint).
//
//   1. unit and operator tests: packages/*/test/** and examples/test/** except integration/, fault/ and
//      chaos/, no broker
//   2. integration tests: packages/*/test/integration/** and examples/test/integration/**, against one
//      local Kafka node started here (or the cluster named by KAFKA_BOOTSTRAP_SERVERS: nothing is started)
//   3. fault tests: packages/*/test/fault/**, each starting its own 3-node cluster
//   4. chaos tests: packages/*/test/chaos/**, a few rounds of the chaos harness on its own 3-node cluster
//      (CHAOS_ROUNDS sets how many; `npm run chaos` runs it by itself)
//
// The broker is stopped on success, failure, Ctrl-C and SIGTERM, and the run fails if any local Kafka
// JVM outlives it. Arguments filter the test files by substring: `npm test -- serde`.
import { globSync, readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { run } from 'node:test'
import { spec } from 'node:test/reporters'
import { LocalKafka, localKafkaProcesses, projectRoot } from './kafka/local-kafka.ts'

// every local Kafka JVM started by this run or its test files carries this id (see LocalKafka)
const runId = String(process.pid)
process.env.KSTREAMS_TEST_RUN = runId

const filters = process.argv.slice(2)
const external = Boolean(process.env.KAFKA_BOOTSTRAP_SERVERS)
const all = globSync(['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts'], { cwd: projectRoot })
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort()
const isIn = (folder: string) => (file: string) => file.includes(`/test/${folder}/`)
const unit = all.filter((file) => !['integration', 'fault', 'chaos'].some((folder) => isIn(folder)(file)))
const integration = all.filter(isIn('integration'))
const fault = all.filter(isIn('fault'))
const chaos = all.filter(isIn('chaos'))

let passed = 0
let failed = 0
let skipped = 0
let kafka: LocalKafka | undefined

async function phase(name: string, files: string[], concurrency: number, timeoutMs: number): Promise<void> {
  if (files.length === 0) return
  console.log(`\n== ${name}: ${files.length} file(s)`)
  const stream = run({
    files,
    concurrency,
    timeout: timeoutMs,
    cwd: projectRoot,
    // examples import '@kstreams/streams', whose 'development' export condition is its TypeScript source
    execArgv: ['--conditions=development'],
  })
  // a failed test can leave a client open, and its file would never end: after `quietMs` without a sign of
  // progress from any file, the test files still running are killed (and reported failed by the runner)
  let lastProgress = Date.now()
  const progress = () => (lastProgress = Date.now())
  for (const event of ['test:start', 'test:pass', 'test:fail', 'test:diagnostic', 'test:stdout', 'test:stderr'])
    stream.on(event, progress)
  const watchdog = setInterval(() => {
    if (Date.now() - lastProgress < quietMs) return
    for (const child of testFileProcesses()) {
      console.error(`\n${child.file} made no progress for ${quietMs / 1000} s: killing it`)
      process.kill(child.pid, 'SIGKILL')
    }
    lastProgress = Date.now()
  }, 5_000)
  stream.on('test:pass', (event) => {
    if (event.details.type === 'suite') return
    if (event.skip !== undefined && event.skip !== false) skipped++
    else passed++
  })
  stream.on('test:fail', (event) => {
    // a suite fails when a test in it fails: count it only when it failed by itself (a hook, a load error)
    const cause = event.details.error as { failureType?: string }
    if (event.details.type !== 'suite' || cause.failureType !== 'subtestsFailed') failed++
  })
  try {
    await new Promise<void>((resolveDone, reject) => {
      stream.compose(spec).pipe(process.stdout, { end: false }).on('error', reject)
      stream.once('end', () => resolveDone())
      stream.once('error', reject)
    })
  } finally {
    clearInterval(watchdog)
  }
}

const quietMs = 240_000

/** The test files this runner has running, as child processes. */
function testFileProcesses(): { pid: number; file: string }[] {
  const found: { pid: number; file: string }[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue
      const file = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
        .split('\0')
        .find((arg) => arg.endsWith('.test.ts'))
      if (file) found.push({ pid: Number(entry), file })
    } catch {
      // gone meanwhile
    }
  }
  return found
}

function cleanup(): void {
  kafka?.killAllSync()
}
process.on('exit', cleanup)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the local Kafka`)
    cleanup()
    process.exit(130)
  })
}

const started = Date.now()
try {
  await phase('unit', unit, availableParallelism(), 120_000)

  if (integration.length > 0) {
    if (!external) {
      const t0 = Date.now()
      kafka = await LocalKafka.start({ nodes: 1 })
      process.env.KAFKA_BOOTSTRAP_SERVERS = kafka.bootstrapServers
      console.log(
        `\nlocal Kafka ${kafka.version} at ${kafka.bootstrapServers}, started in ${Date.now() - t0} ms (logs: ${kafka.dir})`,
      )
    }
    try {
      await phase('integration', integration, 2, 300_000)
    } finally {
      await kafka?.close()
      kafka = undefined
    }
  }

  for (const [name, files] of [
    ['fault', fault],
    ['chaos', chaos],
  ] as const) {
    if (files.length === 0) continue
    if (external) {
      console.log(`\n== ${name}: not run with KAFKA_BOOTSTRAP_SERVERS (they start and kill a local 3-node cluster)`)
    } else {
      await phase(name, files, 1, 600_000)
    }
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  failed++
}

// every local Kafka started during this run (here or by a test file) must be gone by now
const leftovers = localKafkaProcesses().filter((proc) => proc.run === runId)
if (leftovers.length > 0) {
  console.error(`local Kafka JVMs outlived the tests: ${leftovers.map((p) => `${p.pid} (${p.dir})`).join(', ')}`)
  for (const proc of leftovers) process.kill(proc.pid, 'SIGKILL')
  failed++
}

console.log(`\ntests finished in ${((Date.now() - started) / 1000).toFixed(1)}s`)
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exitCode = failed > 0 || passed === 0 ? 1 : 0
