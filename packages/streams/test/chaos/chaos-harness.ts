// The chaos harness: a 3-node cluster, three instances of the chaos application (chaos-app.ts) as three
// processes, a producer of numbered records that never stops during faults, and one fault per round
// chosen by a seeded random generator: kill -9 of an instance (restarted on its state directory), SIGSTOP
// of an instance for longer or shorter than the session timeout, kill -9 of a broker (restarted), SIGSTOP
// of a broker. After the last round it stops producing, waits until every instance runs and the outputs
// are complete or stop changing, reads them with read_committed and hands them to the verifier.
//
// Timing of a round: 1-3 s of producing, the fault (held 1-10 s by kind), 1.5 s, then waiting until
// every instance is RUNNING for 1 s (at most 60 s), then 2 s more. A round takes 10-25 s.
//
// Every process started here (brokers, instances) is killed on exit, on SIGINT/SIGTERM and on failure;
// an instance also exits when its stdin closes, so an instance outlives no harness killed with -9.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync, type WriteStream } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LocalKafka, type BrokerNode } from '../../../../scripts/kafka/local-kafka.ts'
import { tpKey, type KafkaClient, type TopicPartition } from '../../src/client/kafka-client.ts'
import { PartitionFetcher } from '../../src/client/partition-fetcher.ts'
import { client, TestProducer, topicsReady, waitFor } from '../integration/streams-harness.ts'
import { chaosAggregateStore, chaosKey, chaosPartitions, chaosRepartitionName, chaosTopics } from './chaos-topology.ts'
import {
  compareKeySequences,
  verifyChaos,
  violationKinds,
  type ChaosRecord,
  type Verification,
} from './chaos-verifier.ts'

export type Guarantee = 'at_least_once' | 'exactly_once_v2'
export const guarantees: readonly Guarantee[] = ['exactly_once_v2', 'at_least_once']

export const faultKinds = ['kill-app', 'stop-app-long', 'stop-app-short', 'kill-broker', 'pause-broker'] as const
export type FaultKind = (typeof faultKinds)[number]

export interface ChaosOptions {
  readonly rounds: number
  readonly guarantee: Guarantee
  /** Seed of the fault schedule; random (and printed) when absent. */
  readonly seed?: number
  /** The faults to choose from; all by default. */
  readonly faults?: readonly FaultKind[]
  /** Input numbers produced per second (each with its partner), at most 1000. Default 400. */
  readonly rate?: number
  readonly log?: (line: string) => void
}

export interface RoundRecord {
  readonly round: number
  readonly fault: FaultKind
  readonly target: string
  readonly holdMs: number
  /** Input numbers produced during the round, [from, to). */
  readonly numbers: readonly [number, number]
  /** From the end of the fault until every instance was RUNNING again; undefined if that took over 60 s. */
  readonly recoveredMs: number | undefined
  readonly durationMs: number
}

export interface ChaosReport {
  readonly seed: number
  readonly guarantee: Guarantee
  readonly rounds: readonly RoundRecord[]
  /** Numbers the producer sent (each with its partner). */
  readonly produced: number
  /** Producer flushes that failed: their numbers may or may not be in the input. */
  readonly failedFlushes: number
  readonly verification: Verification
  /** Whether the group committed the input's end offsets and the outputs became complete or stopped changing. */
  readonly drained: boolean
  /** Echo records only read_uncommitted sees: writes of aborted (or still open) transactions. */
  readonly uncommittedEchoRecords: number
  /** Output and repartition partitions whose last stable offset trails the high watermark at the end. */
  readonly openTransactions: readonly string[]
  /** The aggregation's repartition topic (read_committed) against the input: keys whose numbers differ. */
  readonly repartition: ReturnType<typeof compareKeySequences>
  /** Where the records of every topic were written, when there were violations. */
  readonly dumpDir: string | undefined
  /** Thread errors and exits the harness did not cause, per instance. */
  readonly appEvents: readonly string[]
  readonly timings: { readonly clusterMs: number; readonly roundsMs: number; readonly drainMs: number }
  readonly durationMs: number
  readonly logDir: string
}

const appScript = fileURLToPath(new URL('./chaos-app.ts', import.meta.url))
const applicationId = 'chaos-app'
const instanceCount = 3
const sessionTimeoutMs = 6000
const tickMs = 100

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** A small seeded generator (mulberry32): the same seed gives the same fault schedule. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One instance of the chaos application: a process started again on the same state directory. */
class AppInstance {
  readonly name: string
  readonly stateDir: string
  readonly events: string[] = []
  state = 'NOT_STARTED'
  stopped = false
  processed = 0
  /** When the instance last became RUNNING. */
  runningSince = 0
  readonly #env: Record<string, string>
  readonly #log: WriteStream
  #child: ChildProcess | undefined
  #exited: Promise<void> = Promise.resolve()
  #expectExit = false

  constructor(name: string, env: Record<string, string>, logDir: string) {
    this.name = name
    this.stateDir = mkdtempSync(join(tmpdir(), `kstreams-chaos-${name}-`))
    this.#env = env
    this.#log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' })
  }

  get alive(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
  }

  get running(): boolean {
    return this.alive && !this.stopped && this.state === 'RUNNING'
  }

  start(): void {
    if (this.alive) return
    this.state = 'STARTING'
    this.stopped = false
    this.#expectExit = false
    this.#log.write(`--- ${new Date().toISOString()} start\n`)
    const child = spawn(process.execPath, [appScript], {
      env: { ...process.env, ...this.#env, STATE_DIR: this.stateDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    this.#child = child
    let buffered = ''
    child.stdout.on('data', (chunk: Buffer) => {
      this.#log.write(chunk)
      buffered += chunk.toString('utf8')
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) this.#onLine(line)
    })
    child.stderr.on('data', (chunk: Buffer) => this.#log.write(chunk))
    // a closed pipe after a kill -9 is no error of ours
    child.stdin.on('error', () => undefined)
    this.#exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.state = 'DEAD'
        if (!this.#expectExit) this.events.push(`${this.name} exited by itself (${signal ?? `exit ${code}`})`)
        resolve()
      }),
    )
  }

  #onLine(line: string): void {
    let event: { state?: string; error?: string; processed?: number }
    try {
      event = JSON.parse(line) as typeof event
    } catch {
      return
    }
    if (event.state) {
      this.state = event.state
      if (event.state === 'RUNNING') this.runningSince = Date.now()
    }
    if (event.processed !== undefined) this.processed = event.processed
    if (event.error) this.events.push(`${this.name}: ${event.error}`)
  }

  /** kill -9, resolved when the process is gone. */
  async kill(): Promise<void> {
    if (!this.alive) return
    this.#expectExit = true
    this.#child?.kill('SIGKILL')
    await this.#exited
  }

  pause(): void {
    this.#child?.kill('SIGSTOP')
    this.stopped = true
  }

  resume(): void {
    this.#child?.kill('SIGCONT')
    this.stopped = false
  }

  /** SIGTERM (the application closes), SIGKILL after `timeoutMs`. */
  async terminate(timeoutMs = 30_000): Promise<void> {
    if (!this.alive) return
    this.#expectExit = true
    if (this.stopped) this.resume()
    this.#child?.kill('SIGTERM')
    const timer = setTimeout(() => this.#child?.kill('SIGKILL'), timeoutMs)
    await this.#exited
    clearTimeout(timer)
  }

  killSync(): void {
    if (this.alive) {
      this.#expectExit = true
      this.#child?.kill('SIGKILL')
    }
  }

  async dispose(): Promise<void> {
    await this.kill()
    await new Promise<void>((resolve) => this.#log.end(() => resolve()))
    rmSync(this.stateDir, { recursive: true, force: true })
  }
}

/** Produces numbered input records and their partners at a steady rate until stopped; never sends a number twice. */
class NumberProducer {
  next = 0
  failedFlushes = 0
  readonly #servers: readonly string[]
  readonly #perTick: number
  readonly #t0 = Date.now()
  readonly #log: (line: string) => void
  #producer: TestProducer
  #stopping = false
  #loop: Promise<void> | undefined

  constructor(servers: readonly string[], rate: number, log: (line: string) => void) {
    this.#servers = servers
    this.#perTick = Math.max(1, Math.round((rate * tickMs) / 1000))
    this.#log = log
    this.#producer = new TestProducer(chaosPartitions, servers)
  }

  start(): void {
    this.#loop = this.#run()
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      const tick = Date.now()
      const from = this.next
      const to = from + this.#perTick
      for (let n = from; n < to; n++) {
        // timestamps 1 ms apart: records of one key are 50 ms apart, partners at the same time
        const key = chaosKey(n)
        this.#producer.send(chaosTopics.input, key, String(n), this.#t0 + n)
        this.#producer.send(chaosTopics.partner, key, String(n), this.#t0 + n)
      }
      this.next = to
      try {
        await this.#producer.flush()
      } catch (error) {
        // the batch may be written or not: the verifier expects what the input topic holds, and the
        // numbers are never sent again, so no duplicate comes from here
        this.failedFlushes++
        this.#log(`  producer: flush of ${from}..${to - 1} failed (${(error as Error).message}); new producer`)
        await this.#producer.close().catch(() => undefined)
        this.#producer = new TestProducer(chaosPartitions, this.#servers)
      }
      await delay(Math.max(0, tickMs - (Date.now() - tick)))
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true
    await this.#loop
    await this.#producer.close().catch(() => undefined)
  }
}

/** Reads a topic from the start, incrementally, with read_committed or read_uncommitted. */
class TopicReader {
  readonly records: ChaosRecord[] = []
  readonly #admin: KafkaClient
  readonly #fetcher: PartitionFetcher
  readonly #tps: TopicPartition[]
  readonly #readCommitted: boolean

  constructor(admin: KafkaClient, topic: string, partitions: number, readCommitted: boolean) {
    this.#admin = admin
    this.#readCommitted = readCommitted
    this.#fetcher = new PartitionFetcher(admin.withOwnConnections(`chaos-reader-${topic}`), {
      readCommitted,
      maxWaitMs: 100,
      maxBytes: 50 * 1024 * 1024,
      partitionMaxBytes: 5 * 1024 * 1024,
      ownsClient: true,
    })
    this.#tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }))
    this.#fetcher.assign(this.#tps)
  }

  /** Reads up to the end offsets (the last stable offsets under read_committed) as of now; false on timeout. */
  async catchUp(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    if (this.#tps.some((tp) => this.#fetcher.position(tp.topic, tp.partition) === undefined)) {
      // from the start of what is left: the application purges its repartition topics
      const starts = await retry(() => this.#admin.listOffsets(this.#tps, 'earliest'), deadline)
      for (const tp of this.#tps)
        this.#fetcher.seek(tp.topic, tp.partition, starts.get(tpKey(tp.topic, tp.partition)) ?? 0)
    }
    const ends = await retry(() => this.#admin.listOffsets(this.#tps, 'latest', this.#readCommitted), deadline)
    const behind = (): boolean =>
      this.#tps.some(
        (tp) => (this.#fetcher.position(tp.topic, tp.partition) ?? 0) < (ends.get(tpKey(tp.topic, tp.partition)) ?? 0),
      )
    while (behind()) {
      if (Date.now() > deadline) return false
      for (const list of (await this.#fetcher.poll(200)).values()) {
        for (const r of list) {
          this.records.push({
            partition: r.partition,
            offset: r.offset,
            key: r.key === null ? null : r.key.toString('utf8'),
            value: r.value === null ? null : r.value.toString('utf8'),
          })
        }
      }
    }
    return true
  }

  async close(): Promise<void> {
    await this.#fetcher.close()
  }
}

async function retry<T>(operation: () => Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    try {
      return await operation()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await delay(500)
    }
  }
}

/** Runs the chaos rounds and verifies the outputs; throws only when the harness itself cannot go on. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now()
  const seed = options.seed ?? randomInt(2 ** 31)
  const random = seededRandom(seed)
  const log = options.log ?? ((line: string) => console.log(line))
  const rate = options.rate ?? 400
  if (!(rate > 0 && rate <= 1000)) throw new Error(`rate must be in (0, 1000] numbers per second, not ${rate}`)
  const allowed = options.faults ?? faultKinds
  if (allowed.length === 0) throw new Error('no faults to choose from')
  log(
    `chaos: ${options.rounds} round(s), ${options.guarantee}, seed ${seed} (replay with --seed ${seed}), ` +
      `${rate} numbers/s, faults ${allowed.join(', ')}`,
  )

  let kafka: LocalKafka | undefined
  const apps: AppInstance[] = []
  const killEverything = (): void => {
    for (const app of apps) app.killSync()
    kafka?.killAllSync()
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`chaos: ${signal}, killing the instances and brokers`)
    killEverything()
    process.exit(130)
  }
  process.on('exit', killEverything)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let admin: KafkaClient | undefined
  const readers: TopicReader[] = []
  try {
    kafka = await LocalKafka.start({ nodes: 3, heapOpts: '-Xms128m -Xmx384m' })
    const cluster = kafka
    const clusterMs = Date.now() - started
    const logDir = join(cluster.dir, 'apps')
    mkdirSync(logDir, { recursive: true })
    log(`chaos: 3-node cluster at ${cluster.bootstrapServers} in ${seconds(clusterMs)} (logs: ${cluster.dir})`)
    const servers = cluster.bootstrapServers.split(',')
    const adminClient = client(servers)
    admin = adminClient
    const topics = Object.values(chaosTopics)
    await adminClient.createTopics(
      topics.map((name) => ({ name, partitions: chaosPartitions, replicationFactor: 3, configs: {} })),
    )
    await topicsReady(adminClient, chaosPartitions, topics)

    const env = {
      BOOTSTRAP: cluster.bootstrapServers,
      APP_ID: applicationId,
      GUARANTEE: options.guarantee,
      COMMIT_INTERVAL_MS: '100',
    }
    for (let i = 1; i <= instanceCount; i++) apps.push(new AppInstance(`a${i}`, env, logDir))
    for (const app of apps) app.start()
    await waitFor(() => apps.every((app) => app.running), 120_000, 'every instance RUNNING')
    log(`chaos: ${instanceCount} instances RUNNING after ${seconds(Date.now() - started - clusterMs)}`)

    /** Every instance alive and RUNNING for a second; false after `timeoutMs`. */
    const allRunning = async (timeoutMs: number): Promise<boolean> => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        if (apps.every((app) => app.running && Date.now() - app.runningSince >= 1000)) return true
        if (Date.now() > deadline) return false
        for (const app of apps) if (!app.alive) app.start()
        await delay(200)
      }
    }

    const producer = new NumberProducer(servers, rate, log)
    producer.start()
    const roundsStarted = Date.now()
    await delay(3000)
    const rounds: RoundRecord[] = []
    let schedule: FaultKind[] = []
    for (let round = 1; round <= options.rounds; round++) {
      const roundStart = Date.now()
      const from = producer.next
      // a shuffled pass over the allowed faults, so that a few rounds see different ones
      if (schedule.length === 0) {
        schedule = [...allowed]
        for (let i = schedule.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1))
          ;[schedule[i], schedule[j]] = [schedule[j] as FaultKind, schedule[i] as FaultKind]
        }
      }
      const fault = schedule.shift() as FaultKind
      const before = 1000 + Math.floor(random() * 2000)
      const pick = random()
      const hold = random()
      await delay(before)
      const faultStart = Date.now()
      const { target, note } = await injectFault(fault, pick, hold, apps, cluster, adminClient)
      const faultEnd = Date.now()
      // an instance resumed after SIGSTOP still says RUNNING until it learns it was removed from the group
      await delay(1500)
      const recovered = await allRunning(60_000)
      const recoveredMs = recovered ? Date.now() - faultEnd : undefined
      await delay(2000)
      const record: RoundRecord = {
        round,
        fault,
        target,
        holdMs: faultEnd - faultStart,
        numbers: [from, producer.next],
        recoveredMs,
        durationMs: Date.now() - roundStart,
      }
      rounds.push(record)
      log(
        `round ${round}/${options.rounds}: ${fault} ${target}${note} for ${seconds(record.holdMs)}, ` +
          `${recoveredMs === undefined ? 'NOT all RUNNING after 60 s' : `all RUNNING ${seconds(recoveredMs)} later`}; ` +
          `numbers ${from}..${producer.next - 1}; processed ${apps.map((a) => `${a.name} ${a.processed}`).join(', ')}; ` +
          `round ${seconds(record.durationMs)}`,
      )
    }

    // drain: no more input, every instance up, the group at the input's end, the outputs complete or still
    const drainStarted = Date.now()
    const roundsMs = drainStarted - roundsStarted
    await producer.stop()
    log(`chaos: produced ${producer.next} numbers (${producer.failedFlushes} failed flushes); draining`)
    if (!(await allRunning(90_000))) log('chaos: not every instance RUNNING after 90 s; verifying anyway')

    const inputs = [chaosTopics.input, chaosTopics.partner]
    const inputTps = inputs.flatMap((topic) =>
      Array.from({ length: chaosPartitions }, (_, partition) => ({ topic, partition })),
    )
    const inputEnds = await retry(() => adminClient.listOffsets(inputTps, 'latest'), Date.now() + 30_000)
    let drained = true
    try {
      await waitFor(
        async () => {
          const committed = await adminClient.committedOffsets(applicationId, inputTps)
          return inputTps.every((tp) => {
            const key = tpKey(tp.topic, tp.partition)
            return (committed.get(key)?.offset ?? 0) >= (inputEnds.get(key) ?? 0)
          })
        },
        120_000,
        'the group to commit the end offsets of the input',
      )
    } catch (error) {
      drained = false
      log(`chaos: ${(error as Error).message}`)
    }

    const read = (topic: string, readCommitted = true): TopicReader => {
      const reader = new TopicReader(adminClient, topic, chaosPartitions, readCommitted)
      readers.push(reader)
      return reader
    }
    const input = read(chaosTopics.input)
    const partner = read(chaosTopics.partner)
    await input.catchUp(60_000)
    await partner.catchUp(60_000)
    const outputs = {
      echo: read(chaosTopics.echo),
      joined: read(chaosTopics.joined),
      aggregate: read(chaosTopics.aggregate),
    }
    const data = () => ({
      input: input.records,
      partner: partner.records,
      echo: outputs.echo.records,
      joined: outputs.joined.records,
      aggregate: outputs.aggregate.records,
    })
    // complete (no violation, and still so 2 s later) or no new output for 8 s, at most 90 s
    const quietMs = 8000
    const drainDeadline = Date.now() + 90_000
    let verification = verifyChaos(data())
    let lastChange = Date.now()
    let complete = false
    for (;;) {
      const before = Object.values(outputs).reduce((sum, reader) => sum + reader.records.length, 0)
      for (const reader of Object.values(outputs)) await reader.catchUp(20_000)
      const after = Object.values(outputs).reduce((sum, reader) => sum + reader.records.length, 0)
      if (after !== before) lastChange = Date.now()
      verification = verifyChaos(data())
      if (verification.violations.length === 0) {
        if (complete) break
        complete = true
        await delay(2000)
        continue
      }
      if (Date.now() - lastChange > quietMs) break
      if (Date.now() > drainDeadline) {
        drained = false
        break
      }
      await delay(1000)
    }

    // diagnostics: what read_uncommitted sees beyond read_committed, transactions still open
    const uncommittedEcho = read(chaosTopics.echo, false)
    await uncommittedEcho.catchUp(30_000)
    const openTransactions: string[] = []
    const repartition = `${applicationId}-${chaosRepartitionName}-repartition`
    for (const topic of [chaosTopics.echo, chaosTopics.joined, chaosTopics.aggregate, repartition]) {
      const tps = Array.from({ length: chaosPartitions }, (_, partition) => ({ topic, partition }))
      const stable = await adminClient.listOffsets(tps, 'latest', true)
      const high = await adminClient.listOffsets(tps, 'latest', false)
      for (const [key, lso] of stable)
        if (lso < (high.get(key) ?? 0)) openTransactions.push(`${key} (LSO ${lso} < HW ${high.get(key)})`)
    }
    const repartitionReader = read(repartition)
    await repartitionReader.catchUp(30_000)
    const repartitionCheck = compareKeySequences(input.records, repartitionReader.records)
    let dumpDir: string | undefined
    if (verification.violations.length > 0 || repartitionCheck.differing > 0) {
      dumpDir = join(cluster.dir, 'records')
      mkdirSync(dumpDir, { recursive: true })
      // and the aggregation's changelog as read_uncommitted, aborted writes included
      const changelog = read(`${applicationId}-${chaosAggregateStore}-changelog`, false)
      await changelog.catchUp(30_000)
      const dump = {
        ...data(),
        repartition: repartitionReader.records,
        echoUncommitted: uncommittedEcho.records,
        aggregateChangelogUncommitted: changelog.records,
      }
      for (const [name, list] of Object.entries(dump))
        writeFileSync(join(dumpDir, `${name}.jsonl`), list.map((r) => JSON.stringify(r)).join('\n') + '\n')
    }
    const drainMs = Date.now() - drainStarted

    return {
      seed,
      guarantee: options.guarantee,
      rounds,
      produced: producer.next,
      failedFlushes: producer.failedFlushes,
      verification,
      drained,
      uncommittedEchoRecords: uncommittedEcho.records.length - outputs.echo.records.length,
      openTransactions,
      repartition: repartitionCheck,
      dumpDir,
      appEvents: apps.flatMap((app) => app.events),
      timings: { clusterMs, roundsMs, drainMs },
      durationMs: Date.now() - started,
      logDir: cluster.dir,
    }
  } finally {
    for (const reader of readers) await reader.close().catch(() => undefined)
    await Promise.all(apps.map((app) => app.terminate(20_000)))
    await Promise.all(apps.map((app) => app.dispose()))
    await admin?.close().catch(() => undefined)
    await kafka?.close()
    process.off('exit', killEverything)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/**
 * Does one fault and undoes it: `pick` (in [0, 1)) chooses the instance or broker, `hold` how long the
 * fault lasts within its kind's range.
 */
async function injectFault(
  fault: FaultKind,
  pick: number,
  hold: number,
  apps: readonly AppInstance[],
  cluster: LocalKafka,
  admin: KafkaClient,
): Promise<{ target: string; note: string }> {
  switch (fault) {
    case 'kill-app': {
      const app = apps[Math.floor(pick * apps.length)] as AppInstance
      await app.kill()
      await delay(1000 + Math.floor(hold * 3000))
      app.start()
      return { target: app.name, note: '' }
    }
    case 'stop-app-long':
    case 'stop-app-short': {
      // longer than the session timeout: the group moves its tasks and the instance resumes as a zombie
      const app = apps[Math.floor(pick * apps.length)] as AppInstance
      app.pause()
      await delay(
        fault === 'stop-app-long' ? sessionTimeoutMs + 1500 + Math.floor(hold * 2500) : 1000 + Math.floor(hold * 2500),
      )
      app.resume()
      return { target: app.name, note: '' }
    }
    case 'kill-broker': {
      const node = cluster.nodes[Math.floor(pick * cluster.nodes.length)] as BrokerNode
      const note = await coordinatorNote(admin, node.nodeId)
      await cluster.killNode(node.name)
      await delay(2000 + Math.floor(hold * 4000))
      await cluster.restartNode(node.name)
      return { target: node.name, note }
    }
    case 'pause-broker': {
      const node = cluster.nodes[Math.floor(pick * cluster.nodes.length)] as BrokerNode
      const note = await coordinatorNote(admin, node.nodeId)
      cluster.pauseNode(node.name)
      await delay(2000 + Math.floor(hold * 6000))
      cluster.resumeNode(node.name)
      return { target: node.name, note }
    }
  }
}

async function coordinatorNote(admin: KafkaClient, nodeId: number): Promise<string> {
  try {
    admin.forgetCoordinator(applicationId)
    return (await admin.coordinatorNode(applicationId)) === nodeId ? ' (the group coordinator)' : ''
  } catch {
    return ''
  }
}

/** The report as text: what ran, what was produced and read, the violations by kind with examples. */
export function formatReport(report: ChaosReport, examples = 5): string {
  const v = report.verification
  const roundOf = (n: number): string => {
    const round = report.rounds.find((r) => n >= r.numbers[0] && n < r.numbers[1])
    if (round) return `round ${round.round} (${round.fault} ${round.target})`
    return report.rounds.length > 0 && n < (report.rounds[0]?.numbers[0] ?? 0) ? 'warm-up' : 'after the rounds'
  }
  const lines = [
    `chaos report: ${report.guarantee}, seed ${report.seed}, ${report.rounds.length} round(s) in ${seconds(report.durationMs)} ` +
      `(cluster ${seconds(report.timings.clusterMs)}, rounds ${seconds(report.timings.roundsMs)}, drain and verify ${seconds(report.timings.drainMs)})`,
    `  faults: ${report.rounds.map((r) => `${r.round}:${r.fault} ${r.target} ${seconds(r.holdMs)}`).join(', ') || 'none'}`,
    `  input: ${report.produced} numbers produced (${report.failedFlushes} failed flushes), ${v.inputNumbers} in ` +
      `${chaosTopics.input} (${v.inputRecords} records, ${v.inputDuplicates.length} written twice by the producer, ` +
      `${report.produced - v.inputNumbers} not written), ${v.partnerRecords} partner records` +
      (v.malformedInput > 0 ? `, ${v.malformedInput} MALFORMED` : ''),
    `  outputs (read_committed): echo ${v.echoRecords}, joined ${v.joinedRecords}, aggregate ${v.aggregateRecords} records over ${v.keys} keys` +
      (report.drained ? '' : ' (NOT drained: the application did not catch up)'),
    `  violations: ${v.violations.length === 0 ? 'none' : violationKinds.map((kind) => `${kind} ${v.counts[kind]}`).join(', ')}` +
      (v.extraCopies > 0 ? ` (${v.extraCopies} extra records)` : ''),
  ]
  for (const kind of violationKinds) {
    for (const output of ['echo', 'joined', 'aggregate'] as const) {
      const list = v.violations.filter((x) => x.kind === kind && x.output === output)
      if (list.length === 0) continue
      lines.push(`    ${kind} in ${output}: ${list.length}`)
      for (const x of list.slice(0, examples))
        lines.push(`      ${x.detail}${x.n === undefined ? '' : `, produced in ${roundOf(x.n)}`}`)
    }
  }
  lines.push(
    `  echo records only read_uncommitted sees (aborted or open transactions): ${report.uncommittedEchoRecords}`,
    `  open transactions at the end: ${report.openTransactions.join(', ') || 'none'}`,
    `  repartition topic (read_committed, after purges): ${report.repartition.records} records, ` +
      `${report.repartition.differing} of ${report.repartition.keys} keys differ from the input's order`,
    ...report.repartition.examples.map((example) => `    ${example}`),
    `  instance events: ${report.appEvents.length === 0 ? 'none' : ''}`,
    ...report.appEvents.slice(0, 20).map((event) => `    ${event}`),
    `  logs: ${report.logDir}${report.dumpDir ? `, every topic's records in ${report.dumpDir}` : ''}`,
  )
  return lines.join('\n')
}
