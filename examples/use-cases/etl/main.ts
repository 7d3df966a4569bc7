// The ETL pipeline, runnable: `npm run example:etl` starts a local Kafka (or uses KAFKA_BOOTSTRAP_SERVERS)
// and a throwaway PostgreSQL (or uses --database-url), then the streams application of
// customers-etl-topology.ts, the PostgreSQL sink of postgres-sink.ts, and a simulated source database
// writing change events; every few seconds it prints the source's and the target's row counts and totals,
// which meet once the pipeline has caught up. Ctrl-C stops everything cleanly.
//
//   CdcSimulator -> [cdc.shop.customers] -> KafkaStreams (clean) -> [customers-clean] -> PostgresSink -> PostgreSQL
//                                                               '-> [customers-dead-letter]
import { randomUUID } from 'node:crypto'
import type { KafkaStreams } from '@kstreams/streams'
import pg from 'pg'
import { Closers, type Running } from '../../lib/closers.ts'
import { CommandLine } from '../../lib/command-line.ts'
import { runCommand } from '../../lib/run-command.ts'
import { startStreams } from '../../lib/start-streams.ts'
import { createTopics, JsonProducer } from '../../support/kafka.ts'
import { CdcSimulator } from './cdc-simulator.ts'
import {
  centsToDecimal,
  customersEtlErrorConfig,
  customersEtlTopology,
  defaultEtlTopics,
  type CustomersEtlOptions,
} from './customers-etl-topology.ts'
import { LocalPostgres, type PostgresConnection } from './local-postgres.ts'
import { createCustomersTable, PostgresSink } from './postgres-sink.ts'

export interface EtlOptions extends CustomersEtlOptions {
  readonly bootstrapServers: readonly string[]
  /** Where the table is: a connection string, or host (socket directory or address), port, user, database. */
  readonly database: string | PostgresConnection
  readonly applicationId?: string
  readonly stateDir?: string
  readonly commitIntervalMs?: number
  readonly processingGuarantee?: 'at_least_once' | 'exactly_once_v2'
  /** Consumer group of the sink, which holds how far the table is loaded (default <applicationId>-postgres-sink). */
  readonly sinkGroupId?: string
  /** Milliseconds between simulated source changes; 0 or absent: no simulator (the events come from elsewhere). */
  readonly generateEveryMs?: number
  readonly log?: (line: string) => void
}

export interface RunningEtl extends Running {
  readonly streams: KafkaStreams
  readonly sink: PostgresSink
  readonly pool: pg.Pool
}

export async function runEtl(options: EtlOptions): Promise<RunningEtl> {
  const servers = options.bootstrapServers
  const sourceTopic = options.sourceTopic ?? defaultEtlTopics.source
  const cleanTopic = options.cleanTopic ?? defaultEtlTopics.clean
  const deadLetterTopic = options.deadLetterTopic ?? defaultEtlTopics.deadLetter
  const applicationId = options.applicationId ?? 'customers-etl'
  return Closers.open(options.log, async (closers) => {
    // the clean topic is the customers table's changelog: compacted, it holds the latest version of every row
    await createTopics(servers, [cleanTopic], { config: { 'cleanup.policy': 'compact' } })
    await createTopics(servers, [sourceTopic, deadLetterTopic])

    const pool = new pg.Pool(
      typeof options.database === 'string'
        ? { connectionString: options.database, max: 4 }
        : { ...options.database, max: 4 },
    )
    closers.add('the database pool', () => pool.end())
    pool.on('error', (error) => closers.log(`database: ${error.message}`))
    try {
      await createCustomersTable(pool)
    } catch (error) {
      throw new Error(`cannot create the customers table: ${(error as Error).message}`, { cause: error })
    }
    const sink = await PostgresSink.start({
      bootstrapServers: servers,
      topic: cleanTopic,
      groupId: options.sinkGroupId ?? `${applicationId}-postgres-sink`,
      pool,
      log: closers.log,
    })
    closers.add('the sink', () => sink.close())
    const streams = await startStreams(closers, customersEtlTopology({ sourceTopic, cleanTopic, deadLetterTopic }), {
      applicationId,
      bootstrapServers: servers,
      // a record that is not JSON goes to the dead-letter topic (raw, with Kafka's error headers) and the rest go on
      ...customersEtlErrorConfig(deadLetterTopic),
      processingGuarantee: options.processingGuarantee,
      commitIntervalMs: options.commitIntervalMs,
      stateDir: options.stateDir,
    })

    if (options.generateEveryMs !== undefined && options.generateEveryMs > 0) {
      const source = new CdcSimulator()
      const producer = new JsonProducer(servers)
      closers.add('the producer', () => producer.close())
      closers.repeat('source', options.generateEveryMs, () => {
        const { key, event } = source.next()
        return producer.send(sourceTopic, [{ key, value: event }])
      })
      closers.repeat('database', 5000, async () => {
        const rows = [...source.rows.values()]
        const total = centsToDecimal(rows.reduce((sum, row) => sum + row.balance_cents, 0))
        const {
          rows: [target],
        } = await pool.query<{ rows: string; total: string | null }>(
          'SELECT count(*) AS rows, sum(balance)::text AS total FROM customers',
        )
        closers.log(
          `source: ${rows.length} customers, balance ${total} | target: ${target?.rows ?? 0} customers, ` +
            `balance ${target?.total ?? '0.00'} | ${sink.appliedRecords} changes applied in ${sink.transactions} transactions`,
        )
      })
    }
    return { streams, sink, pool, failure: closers.failure, close: () => closers.close() }
  })
}

if (import.meta.main) {
  const line = CommandLine.parse(process.argv.slice(2), 'npm run example:etl', {
    'app-id': {
      value: '<id>',
      help:
        "application id (default customers-etl; with --database-url the sink's consumer\n" +
        'group is <id>-postgres-sink, a throwaway database gets a new group)',
    },
    'source-topic': {
      value: '<name>',
      help: `change events of the customers table (default ${defaultEtlTopics.source})`,
    },
    'clean-topic': { value: '<name>', help: `cleaned customers by id, compacted (default ${defaultEtlTopics.clean})` },
    'dead-letter-topic': {
      value: '<name>',
      help: `events that could not be cleaned (default ${defaultEtlTopics.deadLetter})`,
    },
    'database-url': { value: '<url>', help: 'target PostgreSQL (default: a throwaway server started for the run)' },
    'every-ms': { value: '<ms>', help: 'one simulated source change every <ms> milliseconds (default 300; 0: none)' },
    'state-dir': { value: '<dir>', help: "directory of the application's state" },
  })
  const generateEveryMs = line.int('every-ms', 300)
  const applicationId = line.string('app-id', 'customers-etl')
  const stateDir = line.optional('state-dir')
  const log = (text: string) => console.log(`[etl] ${text}`)
  await runCommand(
    async ({ bootstrapServers, closers }) => {
      let database: string | PostgresConnection | undefined = line.optional('database-url')
      let sinkGroupId: string | undefined
      if (database === undefined) {
        const postgres = await LocalPostgres.start(log)
        closers.add('PostgreSQL', () => postgres.close())
        log(`target database: psql ${postgres.url}`)
        database = postgres
        // a new, empty database is loaded from the start of the (compacted) clean topic by a new sink group
        sinkGroupId = `${applicationId}-postgres-sink-${randomUUID()}`
      }
      return runEtl({
        bootstrapServers,
        database,
        ...(sinkGroupId === undefined ? {} : { sinkGroupId }),
        applicationId,
        sourceTopic: line.string('source-topic', defaultEtlTopics.source),
        cleanTopic: line.string('clean-topic', defaultEtlTopics.clean),
        deadLetterTopic: line.string('dead-letter-topic', defaultEtlTopics.deadLetter),
        generateEveryMs,
        ...(stateDir === undefined ? {} : { stateDir }),
        log,
      })
    },
    { log },
  )
}
