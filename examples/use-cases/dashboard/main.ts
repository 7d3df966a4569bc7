// The real-time dashboard, runnable: `npm run example:dashboard` starts a local Kafka (or uses
// KAFKA_BOOTSTRAP_SERVERS), the streams application of order-stats-topology.ts, the dashboard server and a
// generator of random orders, and prints the page's address. Ctrl-C stops everything cleanly.
//
//   orders generator -> [orders topic] -> KafkaStreams (windowed aggregate) -> [category-stats topic]
//     -> DashboardServer (StatsView) -> WebSocket -> page.html in the browser
import { randomUUID } from 'node:crypto'
import type { KafkaStreams } from '@kstreams/streams'
import { Closers, type Running } from '../../lib/closers.ts'
import { CommandLine } from '../../lib/command-line.ts'
import { runCommand } from '../../lib/run-command.ts'
import { startStreams } from '../../lib/start-streams.ts'
import { createTopics, JsonProducer } from '../../support/kafka.ts'
import { DashboardServer } from './dashboard-server.ts'
import { defaultOrderStatsTopics, orderStatsTopology, type Order } from './order-stats-topology.ts'

export interface DashboardOptions {
  readonly bootstrapServers: readonly string[]
  readonly applicationId?: string
  readonly ordersTopic?: string
  readonly statsTopic?: string
  readonly windowSizeMs?: number
  readonly graceMs?: number
  /** HTTP port of the dashboard; 0 (the default) takes a free one. */
  readonly port?: number
  readonly maxWindows?: number
  readonly stateDir?: string
  /** How often the streams application commits, which is how often the record cache sends updates (default 1 s). */
  readonly commitIntervalMs?: number
  /** Milliseconds between generated orders; 0 or absent: no generator (the orders come from elsewhere). */
  readonly generateEveryMs?: number
  readonly log?: (line: string) => void
}

export interface RunningDashboard extends Running {
  readonly url: string
  readonly streams: KafkaStreams
  readonly server: DashboardServer
}

export const categories = ['books', 'electronics', 'garden', 'grocery', 'toys'] as const

/** Creates the topics, starts the streams application and the dashboard server (and the generator, if asked). */
export async function runDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const servers = options.bootstrapServers
  const ordersTopic = options.ordersTopic ?? defaultOrderStatsTopics.orders
  const statsTopic = options.statsTopic ?? defaultOrderStatsTopics.stats
  return Closers.open(options.log, async (closers) => {
    await createTopics(servers, [ordersTopic])
    // the stats topic holds the latest stats per (category, window) for the dashboard to read from the start
    await createTopics(servers, [statsTopic], { config: { 'cleanup.policy': 'compact' } })

    const server = await DashboardServer.start({
      bootstrapServers: servers,
      statsTopic,
      port: options.port ?? 0,
      ...(options.maxWindows === undefined ? {} : { maxWindows: options.maxWindows }),
      log: closers.log,
    })
    closers.add('the dashboard server', () => server.close())
    const topology = orderStatsTopology({
      ordersTopic,
      statsTopic,
      ...(options.windowSizeMs === undefined ? {} : { windowSizeMs: options.windowSizeMs }),
      ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
    })
    const streams = await startStreams(closers, topology, {
      applicationId: options.applicationId ?? 'dashboard',
      bootstrapServers: servers,
      commitIntervalMs: options.commitIntervalMs ?? 1000,
      stateDir: options.stateDir,
    })

    if (options.generateEveryMs !== undefined && options.generateEveryMs > 0) {
      const producer = new JsonProducer(servers)
      closers.add('the producer', () => producer.close())
      closers.repeat('generator', options.generateEveryMs, () => {
        const order = randomOrder()
        return producer.send(ordersTopic, [{ key: order.orderId, value: order }])
      })
    }
    return { url: server.url, streams, server, failure: closers.failure, close: () => closers.close() }
  })
}

/** An order of a random category for up to 200.00. */
export function randomOrder(): Order {
  return {
    orderId: randomUUID(),
    category: categories[Math.floor(Math.random() * categories.length)] as string,
    amountCents: 100 + Math.floor(Math.random() * 19_900),
  }
}

if (import.meta.main) {
  const line = CommandLine.parse(process.argv.slice(2), 'npm run example:dashboard', {
    'app-id': { value: '<id>', help: 'application id (default dashboard)' },
    'orders-topic': { value: '<name>', help: `input topic of orders (default ${defaultOrderStatsTopics.orders})` },
    'stats-topic': {
      value: '<name>',
      help: `output topic of stats per category and window (default ${defaultOrderStatsTopics.stats})`,
    },
    port: { value: '<port>', help: 'HTTP port of the page (default 8080; 0 takes a free one)' },
    'window-ms': { value: '<ms>', help: 'tumbling window size (default 10000)' },
    'every-ms': { value: '<ms>', help: 'one random order every <ms> milliseconds (default 200; 0: no generator)' },
    'state-dir': { value: '<dir>', help: "directory of the application's state stores" },
  })
  const port = line.int('port', 8080)
  const windowSizeMs = line.int('window-ms', 10_000, 1)
  const generateEveryMs = line.int('every-ms', 200)
  const stateDir = line.optional('state-dir')
  const ordersTopic = line.string('orders-topic', defaultOrderStatsTopics.orders)
  const log = (text: string) => console.log(`[dashboard] ${text}`)
  await runCommand(
    async ({ bootstrapServers }) => {
      const running = await runDashboard({
        bootstrapServers,
        applicationId: line.string('app-id', 'dashboard'),
        ordersTopic,
        statsTopic: line.string('stats-topic', defaultOrderStatsTopics.stats),
        port,
        windowSizeMs,
        graceMs: Math.min(windowSizeMs, 5000),
        generateEveryMs,
        ...(stateDir === undefined ? {} : { stateDir }),
        log,
      })
      log(`open ${running.url} (orders go to ${ordersTopic})`)
      return running
    },
    { log },
  )
}
