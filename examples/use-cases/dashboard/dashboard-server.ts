// The dashboard's web side: reads the category-stats topic that the streams application writes into a
// StatsView, serves the page (page.html, plain HTML and JavaScript) over node:http, and pushes the stats
// to every connected page over a WebSocket at /updates: first a snapshot of the current view, then each
// change as it is read. GET /stats answers the snapshot as JSON.
//
// Why a consumer of the output topic and not a `foreach` in the topology: the topic is the application's
// contract, so the server can run anywhere (as many as needed, each reading every partition) and can be
// restarted without touching the streams application, and a restarted server rebuilds its view from the
// topic instead of starting empty.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Consumer, type MessagesStream } from '@platformatic/kafka'
import { WebSocket, WebSocketServer } from 'ws'
import type { CategoryStats } from './order-stats-topology.ts'
import { StatsView } from './stats-view.ts'

export interface DashboardServerOptions {
  readonly bootstrapServers: readonly string[]
  readonly statsTopic: string
  /** Port of the HTTP server; 0 (the default) takes a free one. */
  readonly port?: number
  readonly host?: string
  /** How many of the newest windows the view and the page keep (default 10). */
  readonly maxWindows?: number
  /** Consumer group of the stats reader; unique per server unless given (each server reads every partition). */
  readonly groupId?: string
  readonly log?: (line: string) => void
}

/** A message the server sends to the page. */
export type DashboardMessage =
  | { readonly type: 'snapshot'; readonly maxWindows: number; readonly stats: readonly CategoryStats[] }
  | { readonly type: 'update'; readonly stats: CategoryStats }

const page = readFileSync(new URL('./page.html', import.meta.url))

function isCategoryStats(value: unknown): value is CategoryStats {
  if (typeof value !== 'object' || value === null) return false
  const s = value as Record<string, unknown>
  return (
    typeof s.category === 'string' &&
    typeof s.windowStart === 'number' &&
    typeof s.windowEnd === 'number' &&
    typeof s.orders === 'number' &&
    typeof s.revenueCents === 'number'
  )
}

export class DashboardServer {
  readonly view: StatsView
  readonly #http: Server
  readonly #ws: WebSocketServer
  readonly #consumer: Consumer<Buffer, Buffer, Buffer, Buffer>
  readonly #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>
  readonly #log: (line: string) => void
  #closing: Promise<void> | undefined

  private constructor(
    view: StatsView,
    http: Server,
    ws: WebSocketServer,
    consumer: Consumer<Buffer, Buffer, Buffer, Buffer>,
    stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>,
    log: (line: string) => void,
  ) {
    this.view = view
    this.#http = http
    this.#ws = ws
    this.#consumer = consumer
    this.#stream = stream
    this.#log = log
  }

  /** Starts reading the stats topic from its beginning and listening for pages. */
  static async start(options: DashboardServerOptions): Promise<DashboardServer> {
    const log = options.log ?? (() => undefined)
    const view = new StatsView(options.maxWindows ?? 10)

    const http = createServer((request, response) => handle(view, request, response))
    const ws = new WebSocketServer({ server: http, path: '/updates' })
    ws.on('connection', (socket) => {
      send(socket, { type: 'snapshot', maxWindows: view.maxWindows, stats: view.snapshot() })
    })
    view.onChange((stats) => {
      const message = JSON.stringify({ type: 'update', stats } satisfies DashboardMessage)
      for (const socket of ws.clients) if (socket.readyState === WebSocket.OPEN) socket.send(message)
    })
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        http.off('error', reject)
        resolve()
      })
    })

    const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
      clientId: 'dashboard-server',
      bootstrapBrokers: [...options.bootstrapServers],
      groupId: options.groupId ?? `dashboard-server-${randomUUID()}`,
      timeout: 10_000,
    })
    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>
    try {
      stream = await consumer.consume({
        topics: [options.statsTopic],
        mode: 'earliest',
        autocommit: false,
        maxWaitTime: 200,
      })
    } catch (error) {
      await consumer.close(true).catch(() => undefined)
      ws.close()
      http.close()
      throw new Error(`the dashboard cannot read topic ${options.statsTopic}: ${(error as Error).message}`, {
        cause: error,
      })
    }
    stream.on('data', (message) => {
      if (message.value === undefined || message.value.length === 0) return
      let value: unknown
      try {
        value = JSON.parse(message.value.toString('utf8'))
      } catch {
        value = undefined
      }
      if (isCategoryStats(value)) view.apply(value)
      else
        log(
          `dashboard: ignored a record of ${options.statsTopic} that is not category stats (offset ${message.offset})`,
        )
    })
    stream.on('error', (error) => log(`dashboard: reading ${options.statsTopic} failed: ${error.message}`))
    return new DashboardServer(view, http, ws, consumer, stream, log)
  }

  /** http://host:port/ of the page. */
  get url(): string {
    const address = this.#http.address() as AddressInfo
    return `http://${address.address}:${address.port}/`
  }

  /** Closes the pages' connections, the HTTP server and the stats reader. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const socket of this.#ws.clients) socket.terminate()
      await new Promise<void>((resolve) => this.#ws.close(() => resolve()))
      this.#http.closeAllConnections()
      await new Promise<void>((resolve) => this.#http.close(() => resolve()))
      await this.#stream.close().catch((error: unknown) => this.#log(`dashboard: ${(error as Error).message}`))
      await this.#consumer.close(true).catch((error: unknown) => this.#log(`dashboard: ${(error as Error).message}`))
    })()
    return this.#closing
  }
}

function send(socket: WebSocket, message: DashboardMessage): void {
  socket.send(JSON.stringify(message))
}

function handle(view: StatsView, request: IncomingMessage, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname
  if (request.method !== 'GET') {
    response.writeHead(405, { allow: 'GET' }).end()
  } else if (path === '/' || path === '/index.html') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page)
  } else if (path === '/stats') {
    response
      .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(view.snapshot()))
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the dashboard serves / and /stats\n')
  }
}
