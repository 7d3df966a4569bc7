// The ETL pipeline, runnable: `npm run example:etl` starts a local Kafka (or uses KAFKA_BOOTSTRAP_SERVERS)
// and a throwaway PostgreSQL (or uses --database-url), then the streams application of
// customers-etl-topology.ts, the PostgreSQL sink of postgres-sink.ts, and a simulated source database
// writing change events; every few seconds it prints the source's and the target's row counts and totals,
// which meet once the pipeline has caught up. Ctrl-C stops everything cleanly.
//
//   CdcSimulator -> [cdc.shop.customers] -> KafkaStreams (clean) -> [customers-clean] -> PostgresSink -> PostgreSQL
//                                                               '-> [customers-dead-letter]
import { randomUUID } from 'node:crypto'
import { KafkaStreams, type KafkaStreamsState } from '@kstreams/streams'
import pg from 'pg'
import { createTopics, JsonProducer } from '../../support/kafka.ts'
import { createCompactedTopics } from '../compacted-topics.ts'
import { intOption, parseOptions, runExample, stringOption, type RunningExample } from '../run-example.ts'
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

export interface RunningEtl extends RunningExample {
  readonly streams: KafkaStreams
  readonly sink: PostgresSink
  readonly pool: pg.Pool
}

export async function runEtl(options: EtlOptions): Promise<RunningEtl> {
  const log = options.log ?? (() => undefined)
  const sourceTopic = options.sourceTopic ?? defaultEtlTopics.source
  const cleanTopic = options.cleanTopic ?? defaultEtlTopics.clean
  const deadLetterTopic = options.deadLetterTopic ?? defaultEtlTopics.deadLetter
  const applicationId = options.applicationId ?? 'customers-etl'
  // the clean topic is the customers table's changelog: compacted, it holds the latest version of every row
  await createCompactedTopics(options.bootstrapServers, [cleanTopic])
  await createTopics(options.bootstrapServers, [sourceTopic, deadLetterTopic])

  const pool = new pg.Pool(
    typeof options.database === 'string'
      ? { connectionString: options.database, max: 4 }
      : { ...options.database, max: 4 },
  )
  pool.on('error', (error) => log(`database: ${error.message}`))
  try {
    await createCustomersTable(pool)
  } catch (error) {
    await pool.end()
    throw new Error(`cannot create the customers table: ${(error as Error).message}`, { cause: error })
  }

  const streams = new KafkaStreams(customersEtlTopology({ sourceTopic, cleanTopic, deadLetterTopic }), {
    applicationId,
    bootstrapServers: [...options.bootstrapServers],
    // a record that is not JSON goes to the dead-letter topic (raw, with Kafka's error headers) and the rest go on
    ...customersEtlErrorConfig(deadLetterTopic),
    ...(options.processingGuarantee === undefined ? {} : { processingGuarantee: options.processingGuarantee }),
    ...(options.commitIntervalMs === undefined ? {} : { commitIntervalMs: options.commitIntervalMs }),
    ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
  })
  streams.setStateListener((state: KafkaStreamsState, previous: KafkaStreamsState) =>
    log(`streams ${previous} -> ${state}`),
  )
  let sink: PostgresSink
  try {
    sink = await PostgresSink.start({
      bootstrapServers: options.bootstrapServers,
      topic: cleanTopic,
      groupId: options.sinkGroupId ?? `${applicationId}-postgres-sink`,
      pool,
      log,
    })
  } catch (error) {
    await pool.end()
    throw error
  }
  try {
    await streams.start()
  } catch (error) {
    await sink.close()
    await pool.end()
    throw error
  }

  const timers: NodeJS.Timeout[] = []
  let producer: JsonProducer | undefined
  if (options.generateEveryMs !== undefined && options.generateEveryMs > 0) {
    const source = new CdcSimulator()
    const out = new JsonProducer(options.bootstrapServers)
    producer = out
    let sending = false
    timers.push(
      setInterval(() => {
        if (sending) return
        sending = true
        const { key, event } = source.next()
        out
          .send(sourceTopic, [{ key, value: event }])
          .catch((error: unknown) => log(`source: ${(error as Error).message}`))
          .finally(() => (sending = false))
      }, options.generateEveryMs),
      setInterval(() => {
        const rows = [...source.rows.values()]
        const total = centsToDecimal(rows.reduce((sum, row) => sum + row.balance_cents, 0))
        pool
          .query<{ rows: string; total: string | null }>(
            'SELECT count(*) AS rows, sum(balance)::text AS total FROM customers',
          )
          .then(({ rows: [target] }) =>
            log(
              `source: ${rows.length} customers, balance ${total} | target: ${target?.rows ?? 0} customers, ` +
                `balance ${target?.total ?? '0.00'} | ${sink.appliedRecords} changes applied in ${sink.transactions} transactions`,
            ),
          )
          .catch((error: unknown) => log(`database: ${(error as Error).message}`))
      }, 5000),
    )
  }

  let closing: Promise<void> | undefined
  return {
    streams,
    sink,
    pool,
    close: () =>
      (closing ??= (async () => {
        for (const timer of timers) clearInterval(timer)
        await producer?.close()
        await streams.close({ timeout: 30_000 })
        await sink.close()
        await pool.end()
      })()),
  }
}

const usage = `usage: npm run example:etl -- [options]

  --app-id <id>              application id (default customers-etl; with --database-url the sink's consumer
                             group is <id>-postgres-sink, a throwaway database gets a new group)
  --source-topic <name>      change events of the customers table (default ${defaultEtlTopics.source})
  --clean-topic <name>       cleaned customers by id, compacted (default ${defaultEtlTopics.clean})
  --dead-letter-topic <name> events that could not be cleaned (default ${defaultEtlTopics.deadLetter})
  --database-url <url>       target PostgreSQL (default: a throwaway server started for the run)
  --every-ms <ms>            one simulated source change every <ms> milliseconds (default 300; 0: none)
  --state-dir <dir>          directory of the application's state

Kafka: KAFKA_BOOTSTRAP_SERVERS, or a local single node started for the run.`

if (import.meta.main) {
  const values = parseOptions(
    process.argv.slice(2),
    {
      'app-id': { type: 'string' },
      'source-topic': { type: 'string' },
      'clean-topic': { type: 'string' },
      'dead-letter-topic': { type: 'string' },
      'database-url': { type: 'string' },
      'every-ms': { type: 'string' },
      'state-dir': { type: 'string' },
    },
    usage,
  )
  const generateEveryMs = intOption(values, 'every-ms', 300, usage)
  const log = (line: string) => console.log(`[etl] ${line}`)
  await runExample('etl', async (bootstrapServers) => {
    const databaseUrl = values['database-url']
    const postgres = typeof databaseUrl === 'string' ? undefined : await LocalPostgres.start(log)
    if (postgres) log(`target database: psql ${postgres.url}`)
    try {
      const running = await runEtl({
        bootstrapServers,
        database: postgres ?? (databaseUrl as string),
        // a new, empty database is loaded from the start of the (compacted) clean topic by a new sink group
        ...(postgres
          ? { sinkGroupId: `${stringOption(values, 'app-id', 'customers-etl')}-postgres-sink-${randomUUID()}` }
          : {}),
        applicationId: stringOption(values, 'app-id', 'customers-etl'),
        sourceTopic: stringOption(values, 'source-topic', defaultEtlTopics.source),
        cleanTopic: stringOption(values, 'clean-topic', defaultEtlTopics.clean),
        deadLetterTopic: stringOption(values, 'dead-letter-topic', defaultEtlTopics.deadLetter),
        generateEveryMs,
        ...(typeof values['state-dir'] === 'string' ? { stateDir: values['state-dir'] } : {}),
        log,
      })
      return {
        close: async () => {
          await running.close()
          await postgres?.close()
        },
      }
    } catch (error) {
      await postgres?.close()
      throw error
    }
  })
}
