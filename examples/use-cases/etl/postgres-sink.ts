// The ETL pipeline's load step: the clean topic into a PostgreSQL table, the way a Kafka Connect JDBC sink
// in upsert mode does it.
//
// Why not write to PostgreSQL inside the topology (a `foreach` or a processor): processing in Kafka Streams
// is synchronous, one record after the other with no awaiting, and a database write is I/O that must be
// awaited and may fail or be slow. So the streams application ends at a topic, and this loop, a plain
// consumer of that topic, does the I/O at its own pace:
//
//   1. take the records that have arrived (up to `maxBatch`), in offset order per partition;
//   2. apply them in ONE database transaction: a row -> INSERT ... ON CONFLICT (id) DO UPDATE, a tombstone
//      -> DELETE;
//   3. only after COMMIT succeeded, commit the consumer offsets past those records.
//
// At-least-once: a crash between 2 and 3 replays the batch from the last committed offsets, and replaying is
// harmless because upserts and deletes by primary key are idempotent, and records of one key sit in one
// partition, in order, so the last one applied is always the latest. A batch the database rejects is
// retried (the consumer pauses meanwhile) until it goes through or the sink is closed. After a rebalance,
// records of partitions this sink no longer owns are dropped from its buffer, as their new owner will
// apply them (a batch already being written finishes first: at-least-once again, never a lost write).
import { Consumer, FetchIsolationLevels, type Message, type MessagesStream } from '@platformatic/kafka'
import pg from 'pg'
import type { Customer } from './customers-etl-topology.ts'

export interface PostgresSinkOptions {
  readonly bootstrapServers: readonly string[]
  readonly topic: string
  /** Consumer group: the sink's committed offsets (several sinks of one group share the partitions). */
  readonly groupId: string
  /** Where to write; the sink does not close it. */
  readonly pool: pg.Pool
  /** Records per database transaction at most (default 500). */
  readonly maxBatch?: number
  readonly log?: (line: string) => void
}

/** One record of the clean topic: a customer under its id, or a tombstone (null) deleting it. */
export interface CustomerChange {
  readonly id: number
  readonly customer: Customer | null
}

/** Creates the target table if it does not exist. */
export async function createCustomersTable(db: pg.Pool | pg.ClientBase): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS customers (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL,
    balance numeric(14, 2) NOT NULL,
    country char(2)
  )`)
}

/** Applies changes, in order, in one transaction: upserts and deletes by primary key. */
export async function applyChanges(db: pg.Pool, changes: readonly CustomerChange[]): Promise<void> {
  const client = await db.connect()
  try {
    await client.query('BEGIN')
    for (const { id, customer } of changes) {
      if (customer === null) {
        await client.query('DELETE FROM customers WHERE id = $1', [id])
      } else {
        await client.query(
          `INSERT INTO customers (id, name, email, balance, country) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE
             SET name = EXCLUDED.name, email = EXCLUDED.email, balance = EXCLUDED.balance, country = EXCLUDED.country`,
          [customer.id, customer.name, customer.email, customer.balance, customer.country],
        )
      }
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

/** A record of the clean topic as a change; throws on a record that is not one (the clean topic holds only these). */
export function toChange(
  message: Pick<Message<Buffer, Buffer, Buffer, Buffer>, 'key' | 'value' | 'offset' | 'partition' | 'topic'>,
): CustomerChange {
  const where = `${message.topic}-${message.partition} offset ${message.offset}`
  const key = message.key?.toString('utf8') ?? ''
  const id = Number(key)
  if (!/^[1-9]\d*$/.test(key) || !Number.isSafeInteger(id)) {
    throw new Error(`record ${where} has key ${JSON.stringify(key)}: expected a customer id (a positive integer)`)
  }
  if (message.value === undefined || message.value === null || message.value.length === 0) {
    return { id, customer: null }
  }
  const customer = JSON.parse(message.value.toString('utf8')) as Customer
  if (customer.id !== id) {
    throw new Error(`record ${where} has key ${id} but holds customer ${JSON.stringify(customer.id)}`)
  }
  return { id, customer }
}

type BufferMessage = Message<Buffer, Buffer, Buffer, Buffer>

export class PostgresSink {
  readonly #options: PostgresSinkOptions
  readonly #consumer: Consumer<Buffer, Buffer, Buffer, Buffer>
  readonly #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>
  readonly #log: (line: string) => void
  readonly #maxBatch: number
  #pending: BufferMessage[] = []
  #wake: (() => void) | undefined
  #closed = false
  #loop: Promise<void> = Promise.resolve()
  #applied = 0
  #transactions = 0

  private constructor(
    options: PostgresSinkOptions,
    consumer: Consumer<Buffer, Buffer, Buffer, Buffer>,
    stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>,
  ) {
    this.#options = options
    this.#consumer = consumer
    this.#stream = stream
    this.#log = options.log ?? (() => undefined)
    this.#maxBatch = options.maxBatch ?? 500
  }

  /** Joins the consumer group and starts loading from the group's committed offsets (the beginning if none). */
  static async start(options: PostgresSinkOptions): Promise<PostgresSink> {
    if (options.maxBatch !== undefined && (!Number.isSafeInteger(options.maxBatch) || options.maxBatch < 1)) {
      throw new RangeError(`maxBatch must be a whole number >= 1, got ${options.maxBatch}`)
    }
    const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
      clientId: 'postgres-sink',
      bootstrapBrokers: [...options.bootstrapServers],
      groupId: options.groupId,
      timeout: 10_000,
    })
    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>
    try {
      stream = await consumer.consume({
        topics: [options.topic],
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: false,
        // an exactly-once streams application's aborted records must not reach the table
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        maxWaitTime: 500,
      })
    } catch (error) {
      await consumer.close(true).catch(() => undefined)
      throw new Error(`the PostgreSQL sink cannot read topic ${options.topic}: ${(error as Error).message}`, {
        cause: error,
      })
    }
    const sink = new PostgresSink(options, consumer, stream)
    sink.#begin()
    return sink
  }

  /** Records written in committed database transactions so far (replays count again). */
  get appliedRecords(): number {
    return this.#applied
  }

  get transactions(): number {
    return this.#transactions
  }

  #begin(): void {
    this.#stream.on('data', (message) => {
      this.#pending.push(message)
      if (this.#pending.length >= this.#maxBatch) this.#stream.pause()
      this.#wake?.()
    })
    this.#stream.on('error', (error) => this.#log(`sink: reading ${this.#options.topic} failed: ${error.message}`))
    this.#consumer.on('consumer:group:join', () => {
      const owned = new Set(
        (this.#consumer.assignments ?? []).flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`)),
      )
      this.#pending = this.#pending.filter((m) => owned.has(`${m.topic}:${m.partition}`))
    })
    this.#loop = this.#run()
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      if (this.#pending.length === 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve))
        this.#wake = undefined
        continue
      }
      const batch = this.#pending.splice(0, this.#maxBatch)
      let changes: CustomerChange[]
      try {
        changes = batch.map(toChange)
      } catch (error) {
        // the clean topic is written only by the ETL topology: a foreign record is a bug to look at, not to skip
        this.#log(`sink: stopped: ${(error as Error).message}`)
        this.#closed = true
        break
      }
      let written = false
      for (let attempt = 1; !written && !this.#closed; attempt++) {
        try {
          await applyChanges(this.#options.pool, changes)
          written = true
          this.#applied += changes.length
          this.#transactions++
        } catch (error) {
          this.#log(
            `sink: writing ${changes.length} changes failed (attempt ${attempt}), retrying: ${(error as Error).message}`,
          )
          await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 5000)))
        }
      }
      // closed while the database refused the batch: its offsets stay uncommitted, the next start replays it
      if (!written) break
      // offsets only after the transaction: the last record of each partition in the batch commits them all
      const last = new Map<string, BufferMessage>()
      for (const message of batch) last.set(`${message.topic}:${message.partition}`, message)
      try {
        // without a callback, commit() returns a promise
        await Promise.all([...last.values()].map(async (message) => await message.commit()))
      } catch (error) {
        // e.g. the partition moved in a rebalance: its new owner replays from the last committed offset
        this.#log(`sink: committing offsets failed (the records will be applied again): ${(error as Error).message}`)
      }
      if (this.#stream.isPaused() && this.#pending.length < this.#maxBatch) this.#stream.resume()
    }
  }

  /** Finishes the transaction in flight, commits its offsets, and leaves the group. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true
      this.#wake?.()
    }
    await this.#loop
    await this.#stream.close().catch(() => undefined)
    await this.#consumer.close(true)
  }
}
