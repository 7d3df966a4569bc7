// The real-time dashboard, runnable: `npm run example:dashboard` starts a local Kafka (or uses
// KAFKA_BOOTSTRAP_SERVERS), the streams application of order-stats-topology.ts, the dashboard server and a
// generator of random orders, and prints the page's address. Ctrl-C stops everything cleanly.
//
//   orders generator -> [orders topic] -> KafkaStreams (windowed aggregate) -> [category-stats topic]
//     -> DashboardServer (StatsView) -> WebSocket -> page.html in the browser
import { randomUUID } from 'node:crypto'
import { KafkaStreams, type KafkaStreamsState } from '@kstreams/streams'
import { createTopics, JsonProducer } from '../../support/kafka.ts'
import { createCompactedTopics } from '../compacted-topics.ts'
import { intOption, parseOptions, runExample, stringOption, type RunningExample } from '../run-example.ts'
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

export interface RunningDashboard extends RunningExample {
  readonly url: string
  readonly streams: KafkaStreams
  readonly server: DashboardServer
}

export const categories = ['books', 'electronics', 'garden', 'grocery', 'toys'] as const

/** Creates the topics, starts the streams application and the dashboard server (and the generator, if asked). */
export async function runDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const log = options.log ?? (() => undefined)
  const ordersTopic = options.ordersTopic ?? defaultOrderStatsTopics.orders
  const statsTopic = options.statsTopic ?? defaultOrderStatsTopics.stats
  await createTopics(options.bootstrapServers, [ordersTopic])
  // the stats topic holds the latest stats per (category, window) for the dashboard to read from the start
  await createCompactedTopics(options.bootstrapServers, [statsTopic])

  const streams = new KafkaStreams(
    orderStatsTopology({
      ordersTopic,
      statsTopic,
      ...(options.windowSizeMs === undefined ? {} : { windowSizeMs: options.windowSizeMs }),
      ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
    }),
    {
      applicationId: options.applicationId ?? 'dashboard',
      bootstrapServers: [...options.bootstrapServers],
      commitIntervalMs: options.commitIntervalMs ?? 1000,
      ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    },
  )
  streams.setStateListener((state: KafkaStreamsState, previous: KafkaStreamsState) =>
    log(`streams ${previous} -> ${state}`),
  )
  const server = await DashboardServer.start({
    bootstrapServers: options.bootstrapServers,
    statsTopic,
    port: options.port ?? 0,
    ...(options.maxWindows === undefined ? {} : { maxWindows: options.maxWindows }),
    log,
  })
  try {
    await streams.start()
  } catch (error) {
    await server.close()
    throw error
  }

  let generator: NodeJS.Timeout | undefined
  let producer: JsonProducer | undefined
  if (options.generateEveryMs !== undefined && options.generateEveryMs > 0) {
    const orders = new JsonProducer(options.bootstrapServers)
    producer = orders
    let sending = false
    generator = setInterval(() => {
      if (sending) return
      sending = true
      orders
        .send(
          ordersTopic,
          [randomOrder()].map((order) => ({ key: order.orderId, value: order })),
        )
        .catch((error: unknown) => log(`generator: ${(error as Error).message}`))
        .finally(() => (sending = false))
    }, options.generateEveryMs)
  }

  let closing: Promise<void> | undefined
  return {
    url: server.url,
    streams,
    server,
    close: () =>
      (closing ??= (async () => {
        clearInterval(generator)
        await producer?.close()
        await streams.close({ timeout: 30_000 })
        await server.close()
      })()),
  }
}

/** An order of a random category for up to 200.00. */
export function randomOrder(): Order {
  return {
    orderId: randomUUID(),
    category: categories[Math.floor(Math.random() * categories.length)] as string,
    amountCents: 100 + Math.floor(Math.random() * 19_900),
  }
}

const usage = `usage: npm run example:dashboard -- [options]

  --app-id <id>           application id (default dashboard)
  --orders-topic <name>   input topic of orders (default ${defaultOrderStatsTopics.orders})
  --stats-topic <name>    output topic of stats per category and window (default ${defaultOrderStatsTopics.stats})
  --port <port>           HTTP port of the page (default 8080; 0 takes a free one)
  --window-ms <ms>        tumbling window size (default 10000)
  --every-ms <ms>         one random order every <ms> milliseconds (default 200; 0: no generator)
  --state-dir <dir>       directory of the application's state stores

Kafka: KAFKA_BOOTSTRAP_SERVERS, or a local single node started for the run.`

if (import.meta.main) {
  const values = parseOptions(
    process.argv.slice(2),
    {
      'app-id': { type: 'string' },
      'orders-topic': { type: 'string' },
      'stats-topic': { type: 'string' },
      port: { type: 'string' },
      'window-ms': { type: 'string' },
      'every-ms': { type: 'string' },
      'state-dir': { type: 'string' },
    },
    usage,
  )
  const port = intOption(values, 'port', 8080, usage)
  const windowSizeMs = intOption(values, 'window-ms', 10_000, usage, 1)
  const generateEveryMs = intOption(values, 'every-ms', 200, usage)
  await runExample('dashboard', async (bootstrapServers) => {
    const running = await runDashboard({
      bootstrapServers,
      applicationId: stringOption(values, 'app-id', 'dashboard'),
      ordersTopic: stringOption(values, 'orders-topic', defaultOrderStatsTopics.orders),
      statsTopic: stringOption(values, 'stats-topic', defaultOrderStatsTopics.stats),
      port,
      windowSizeMs,
      graceMs: Math.min(windowSizeMs, 5000),
      generateEveryMs,
      ...(typeof values['state-dir'] === 'string' ? { stateDir: values['state-dir'] } : {}),
      log: (line) => console.log(`[dashboard] ${line}`),
    })
    console.log(
      `[dashboard] open ${running.url} (orders go to ${stringOption(values, 'orders-topic', defaultOrderStatsTopics.orders)})`,
    )
    return running
  })
}
