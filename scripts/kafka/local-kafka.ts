// A real Apache Kafka broker (KRaft, combined broker+controller nodes) run from Maven Central jars.
//
// One node for integration tests and the demo, three for fault tests. Every JVM carries the marker
// `-Dkstreams.local.kafka=<root>` so that orphans left by a killed test run can be found and stopped, and
// `-Dkstreams.local.kafka.run=<id>` when KSTREAMS_TEST_RUN is set, so a test run finds the JVMs it started
// (and only those, when several runs share the machine).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const projectRoot = resolve(here, '..', '..')
const pomFile = join(here, 'pom.xml')
const marker = 'kstreams.local.kafka'
const readyLine = 'Kafka Server started'

export class LocalKafkaError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'LocalKafkaError'
    this.code = code
  }
}

export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pomFile, 'utf8'))
  if (!match?.[1]) throw new LocalKafkaError('KAFKA_POM', `no <kafka.version> in ${pomFile}`)
  return match[1]
}

const noExternal =
  'To run against an existing cluster instead, set KAFKA_BOOTSTRAP_SERVERS (e.g. KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092).'

/**
 * Resolves the broker's runtime classpath with Maven (jars cached in ~/.m2, so later runs are offline).
 * The result is cached in .kafka-local keyed by the pom's content; a cache whose jars vanished is redone.
 */
export function resolveClasspath(cacheDir = join(projectRoot, '.kafka-local')): string {
  const pom = readFileSync(pomFile, 'utf8')
  const cacheFile = join(cacheDir, `classpath-${kafkaVersion()}-${hash(pom)}.txt`)
  if (existsSync(cacheFile)) {
    const cached = readFileSync(cacheFile, 'utf8').trim()
    if (cached.split(':').every((jar) => existsSync(jar))) return cached
  }
  mkdirSync(cacheDir, { recursive: true })
  const mvn = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pomFile,
      'dependency:build-classpath',
      '-DincludeScope=runtime',
      `-Dmdep.outputFile=${cacheFile}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  )
  if (mvn.error) {
    throw new LocalKafkaError(
      'KAFKA_MAVEN_MISSING',
      `cannot run Maven (mvn) to resolve the Kafka ${kafkaVersion()} jars: ${mvn.error.message}. ` +
        `Install Maven 3.8+ and Java 17+. ${noExternal}`,
      { cause: mvn.error },
    )
  }
  if (mvn.status !== 0 || !existsSync(cacheFile)) {
    const output = `${mvn.stdout}\n${mvn.stderr}`.trim().split('\n').slice(-15).join('\n')
    throw new LocalKafkaError(
      'KAFKA_MAVEN_FAILED',
      `Maven could not resolve the Kafka ${kafkaVersion()} broker jars from Maven Central ` +
        `(is the registry reachable?). ${noExternal}\n--- mvn output ---\n${output}`,
    )
  }
  return readFileSync(cacheFile, 'utf8').trim()
}

function hash(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16)
}

/** A KRaft cluster id: a base64url-encoded random UUID that does not start with '-'. */
function clusterId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolvePort(port))
    })
  })
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolvePort(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)))
  })
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      resolveConnect(true)
    })
    socket.once('error', () => resolveConnect(false))
  })
}

export interface LocalKafkaOptions {
  /** 1 (combined single node) or 3 (a 3-voter quorum of combined nodes for fault tests). */
  nodes?: 1 | 3
  /** Client port of the first node; the others use free ports. Default: a free port (env KAFKA_PORT). */
  port?: number
  /** Directory for storage and logs. Default: .kafka-local/<kind>-<time> in the project. */
  dir?: string
  /** Seconds to wait for every node to report it started. Default 120 (env KAFKA_START_TIMEOUT). */
  startTimeoutS?: number
  /** JVM heap options. Default -Xms256m -Xmx512m (env KAFKA_HEAP_OPTS). */
  heapOpts?: string
  /** Extra broker properties, written into every node's server.properties. */
  properties?: Record<string, string | number | boolean>
}

export type NodeState = 'running' | 'stopped' | 'paused'

export interface BrokerNode {
  readonly name: string
  readonly nodeId: number
  readonly port: number
  readonly controllerPort: number
  readonly dir: string
  readonly logFile: string
  state: NodeState
  process: ChildProcess | undefined
}

/** Runs one or three local Kafka nodes; `close()` always stops every JVM it started. */
export class LocalKafka {
  readonly dir: string
  readonly version: string
  readonly nodes: readonly BrokerNode[]
  readonly #classpath: string
  readonly #startTimeoutMs: number
  readonly #heapOpts: string[]
  #closed = false

  private constructor(dir: string, classpath: string, nodes: BrokerNode[], startTimeoutMs: number, heapOpts: string[]) {
    this.dir = dir
    this.version = kafkaVersion()
    this.nodes = nodes
    this.#classpath = classpath
    this.#startTimeoutMs = startTimeoutMs
    this.#heapOpts = heapOpts
  }

  get bootstrapServers(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',')
  }

  /** Formats storage and starts the nodes; resolves when every node reports "Kafka Server started". */
  static async start(options: LocalKafkaOptions = {}): Promise<LocalKafka> {
    stopOrphans()
    const count = options.nodes ?? 1
    const envPort = process.env.KAFKA_PORT ? Number(process.env.KAFKA_PORT) : undefined
    const firstPort = options.port ?? envPort
    if (firstPort !== undefined) {
      if (!Number.isInteger(firstPort) || firstPort <= 0 || firstPort > 65535) {
        throw new LocalKafkaError('KAFKA_PORT', `invalid Kafka port ${String(firstPort)}: use 1-65535 (KAFKA_PORT)`)
      }
      if (!(await portIsFree(firstPort))) {
        throw new LocalKafkaError(
          'KAFKA_PORT_IN_USE',
          `port ${firstPort} on 127.0.0.1 is already in use: stop what listens there, choose another port with ` +
            `KAFKA_PORT=<port>, or leave KAFKA_PORT unset to use a free port.`,
        )
      }
    }
    const classpath = resolveClasspath()
    checkJava()
    const kind = count === 1 ? 'single' : 'cluster'
    const dir = resolve(options.dir ?? join(projectRoot, '.kafka-local', `${kind}-${Date.now()}-${process.pid}`))
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'log4j2.properties'), log4jProperties)

    const nodes: BrokerNode[] = []
    for (let i = 1; i <= count; i++) {
      const port = i === 1 && firstPort !== undefined ? firstPort : await freePort()
      const name = count === 1 ? 'n1' : `c${i}`
      const nodeDir = join(dir, name)
      nodes.push({
        name,
        nodeId: i,
        port,
        controllerPort: await freePort(),
        dir: nodeDir,
        logFile: join(nodeDir, 'broker.log'),
        state: 'stopped',
        process: undefined,
      })
    }
    const voters = nodes.map((node) => `${node.nodeId}@127.0.0.1:${node.controllerPort}`).join(',')
    const replication = count === 1 ? { rf: 1, minIsr: 1 } : { rf: 3, minIsr: 2 }
    for (const node of nodes) {
      mkdirSync(join(node.dir, 'data'), { recursive: true })
      writeFileSync(
        join(node.dir, 'server.properties'),
        serverProperties(node, voters, replication, options.properties),
      )
    }
    const startTimeoutS = options.startTimeoutS ?? Number(process.env.KAFKA_START_TIMEOUT ?? 120)
    const heapOpts = (options.heapOpts ?? process.env.KAFKA_HEAP_OPTS ?? '-Xms256m -Xmx512m')
      .split(/\s+/)
      .filter(Boolean)
    const kafka = new LocalKafka(dir, classpath, nodes, startTimeoutS * 1000, heapOpts)
    try {
      const id = clusterId()
      await Promise.all(nodes.map((node) => kafka.#format(node, id)))
      await Promise.all(nodes.map((node) => kafka.#launch(node)))
    } catch (error) {
      await kafka.close()
      throw error
    }
    return kafka
  }

  node(name: string): BrokerNode {
    const node = this.nodes.find((n) => n.name === name)
    if (!node)
      throw new LocalKafkaError('KAFKA_NODE', `no node ${name}: nodes are ${this.nodes.map((n) => n.name).join(', ')}`)
    return node
  }

  /** Controlled shutdown (SIGTERM), SIGKILL after the timeout. */
  async stopNode(name: string, timeoutMs = 30_000): Promise<void> {
    const node = this.node(name)
    if (node.state === 'paused') node.process?.kill('SIGCONT')
    await terminate(node, 'SIGTERM', timeoutMs)
  }

  /** A crash: SIGKILL. */
  async killNode(name: string): Promise<void> {
    await terminate(this.node(name), 'SIGKILL', 10_000)
  }

  /** Freezes the JVM (SIGSTOP): it keeps its sockets but answers nothing. */
  pauseNode(name: string): void {
    const node = this.node(name)
    if (node.state !== 'running') throw new LocalKafkaError('KAFKA_NODE', `node ${name} is ${node.state}, not running`)
    node.process?.kill('SIGSTOP')
    node.state = 'paused'
  }

  resumeNode(name: string): void {
    const node = this.node(name)
    if (node.state !== 'paused') throw new LocalKafkaError('KAFKA_NODE', `node ${name} is ${node.state}, not paused`)
    node.process?.kill('SIGCONT')
    node.state = 'running'
  }

  /** Starts a stopped or killed node again on its existing storage; resolves when it reports started. */
  async restartNode(name: string): Promise<void> {
    const node = this.node(name)
    if (node.state !== 'stopped') await this.stopNode(name)
    await this.#launch(node)
  }

  /** Stops every node (SIGTERM, then SIGKILL) and removes the data unless `keepData`; logs stay. */
  async close(options: { keepData?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all(
      this.nodes.map(async (node) => {
        if (node.state === 'paused') node.process?.kill('SIGCONT')
        await terminate(node, 'SIGTERM', options.timeoutMs ?? 20_000)
      }),
    )
    if (!options.keepData)
      for (const node of this.nodes) rmSync(join(node.dir, 'data'), { recursive: true, force: true })
  }

  /** Kills every JVM at once, synchronously: for process 'exit' handlers. */
  killAllSync(): void {
    for (const node of this.nodes) {
      if (node.process && node.process.exitCode === null && node.process.signalCode === null)
        node.process.kill('SIGKILL')
    }
  }

  async #format(node: BrokerNode, id: string): Promise<void> {
    const args = [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      `-D${marker}=${this.dir}`,
      `-Dlog4j2.configurationFile=${join(this.dir, 'log4j2.properties')}`,
      '-cp',
      this.#classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      id,
      '-c',
      join(node.dir, 'server.properties'),
      '--ignore-formatted',
    ]
    const result = await run('java', args)
    if (result.code !== 0) {
      writeFileSync(join(node.dir, 'format.log'), result.output)
      throw new LocalKafkaError(
        'KAFKA_FORMAT',
        `formatting the storage of Kafka node ${node.name} in ${join(node.dir, 'data')} failed ` +
          `(exit ${result.code}); see ${join(node.dir, 'format.log')}:\n${tail(result.output)}`,
      )
    }
  }

  async #launch(node: BrokerNode): Promise<void> {
    if (!(await portIsFree(node.port)) || !(await portIsFree(node.controllerPort))) {
      const port = (await portIsFree(node.port)) ? node.controllerPort : node.port
      throw new LocalKafkaError(
        'KAFKA_PORT_IN_USE',
        `port ${port} for Kafka node ${node.name} is already in use on 127.0.0.1: stop what listens there ` +
          `(another broker?) or choose another port with KAFKA_PORT=<port>.`,
      )
    }
    const args = [
      ...this.#heapOpts,
      '-XX:+UseSerialGC',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      '-Djava.net.preferIPv4Stack=true',
      `-D${marker}=${this.dir}`,
      ...(process.env.KSTREAMS_TEST_RUN ? [`-D${marker}.run=${process.env.KSTREAMS_TEST_RUN}`] : []),
      `-Dlog4j2.configurationFile=${join(this.dir, 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${node.dir}`,
      ...(process.env.KAFKA_JVM_OPTS ?? '').split(/\s+/).filter(Boolean),
      '-cp',
      this.#classpath,
      'kafka.Kafka',
      join(node.dir, 'server.properties'),
    ]
    const log = createWriteStream(node.logFile, { flags: 'a' })
    // a process group of its own: Ctrl-C in a terminal reaches the program using the broker, which then closes
    // its clients before it stops the broker, rather than the broker at the same time
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    node.process = child
    node.state = 'running'
    child.stdout.pipe(log, { end: false })
    child.stderr.pipe(log, { end: false })
    child.once('exit', () => {
      node.state = 'stopped'
      log.end()
    })

    await new Promise<void>((resolveReady, reject) => {
      let seen = ''
      const timer = setTimeout(() => {
        cleanup()
        child.kill('SIGKILL')
        reject(
          new LocalKafkaError(
            'KAFKA_START_TIMEOUT',
            `Kafka node ${node.name} did not report "${readyLine}" within ${this.#startTimeoutMs / 1000}s ` +
              `(KAFKA_START_TIMEOUT); see ${node.logFile}:\n${tail(seen)}`,
          ),
        )
      }, this.#startTimeoutMs)
      const onData = (chunk: Buffer): void => {
        seen = (seen + chunk.toString('utf8')).slice(-20_000)
        if (seen.includes(readyLine)) {
          cleanup()
          resolveReady()
        }
      }
      const onExit = (code: number | null, signal: string | null): void => {
        cleanup()
        reject(
          new LocalKafkaError(
            'KAFKA_START_FAILED',
            `Kafka node ${node.name} exited during start (${signal ?? `exit ${code}`}); see ${node.logFile}:\n${tail(seen)}`,
          ),
        )
      }
      const onError = (error: Error): void => {
        cleanup()
        reject(
          new LocalKafkaError('KAFKA_START_FAILED', `cannot start java for Kafka node ${node.name}: ${error.message}`),
        )
      }
      const cleanup = (): void => {
        clearTimeout(timer)
        child.stdout.off('data', onData)
        child.stderr.off('data', onData)
        child.off('exit', onExit)
        child.off('error', onError)
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      child.once('exit', onExit)
      child.once('error', onError)
    })
    if (!(await canConnect(node.port))) {
      throw new LocalKafkaError(
        'KAFKA_START_FAILED',
        `Kafka node ${node.name} started but port ${node.port} refuses connections; see ${node.logFile}`,
      )
    }
  }
}

async function terminate(node: BrokerNode, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  const child = node.process
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    node.state = 'stopped'
    return
  }
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  await exited
  clearTimeout(timer)
  node.state = 'stopped'
}

function checkJava(): void {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' })
  if (java.error) {
    throw new LocalKafkaError(
      'KAFKA_JAVA_MISSING',
      `no java on PATH (Kafka ${kafkaVersion()} needs Java 17+). ${noExternal}`,
    )
  }
  const major = /version "(\d+)/.exec(java.stderr)?.[1]
  if (major && Number(major) < 17) {
    throw new LocalKafkaError(
      'KAFKA_JAVA_OLD',
      `java ${major} found; Kafka ${kafkaVersion()} brokers need Java 17+. ${noExternal}`,
    )
  }
}

async function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.once('error', (error) => resolveRun({ code: -1, output: error.message }))
    child.once('close', (code) => resolveRun({ code: code ?? -1, output }))
  })
}

function tail(text: string, lines = 20): string {
  return text.trim().split('\n').slice(-lines).join('\n')
}

/** Processes of local Kafka nodes still alive, with the directory and the test run (if any) they belong to. */
export function localKafkaProcesses(): { pid: number; dir: string; run: string | undefined; orphan: boolean }[] {
  const found: { pid: number; dir: string; run: string | undefined; orphan: boolean }[] = []
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return found
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    let cmdline: string
    let stat: string
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue
    }
    const args = cmdline.split('\0')
    const arg = args.find((a) => a.startsWith(`-D${marker}=`))
    if (!arg) continue
    const run = args.find((a) => a.startsWith(`-D${marker}.run=`))?.slice(marker.length + 7)
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    found.push({ pid: Number(entry), dir: arg.slice(marker.length + 3), run, orphan: ppid === 1 })
  }
  return found
}

/** Kills nodes left behind by a run that died without cleaning up (their parent is gone). */
export function stopOrphans(): number {
  let count = 0
  for (const proc of localKafkaProcesses()) {
    if (!proc.orphan) continue
    try {
      process.kill(proc.pid, 'SIGKILL')
      count++
    } catch {
      // already gone
    }
  }
  return count
}

function serverProperties(
  node: BrokerNode,
  voters: string,
  replication: { rf: number; minIsr: number },
  extra: Record<string, string | number | boolean> = {},
): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': node.nodeId,
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': join(node.dir, 'data'),
    'num.partitions': 1,
    'default.replication.factor': replication.rf,
    'min.insync.replicas': replication.minIsr,
    'offsets.topic.replication.factor': replication.rf,
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': replication.rf,
    'transaction.state.log.min.isr': replication.minIsr,
    'transaction.state.log.num.partitions': 3,
    'share.coordinator.state.topic.replication.factor': replication.rf,
    'share.coordinator.state.topic.min.isr': replication.minIsr,
    'group.initial.rebalance.delay.ms': 0,
    'group.streams.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': false,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'background.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'num.replica.fetchers': 1,
    'log.cleaner.threads': 1,
    'log.cleaner.dedupe.buffer.size': 16_777_216,
    'broker.session.timeout.ms': 6000,
    'broker.heartbeat.interval.ms': 1000,
    'replica.lag.time.max.ms': 10_000,
    ...extra,
  }
  return (
    Object.entries(props)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join('\n') + '\n'
  )
}

const log4jProperties = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
logger.raft.name = kafka.server.KafkaRaftServer
logger.raft.level = INFO
`
