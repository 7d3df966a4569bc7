// The ETL pipeline's transform step: change events of a source database's `customers` table (CDC, in
// Debezium's shape `{ op, before, after }`) cleaned into an upsert stream keyed by primary key.
//
//   source DB -> CDC -> [cdc.shop.customers] -> this topology -+-> [customers-clean]  (key: id; a customer, or
//                                                              |                        a tombstone on delete)
//                                                              '-> [customers-dead-letter]  (invalid events)
//   [customers-clean] -> PostgresSink (postgres-sink.ts) -> target DB table `customers`
//
// Cleaning: names trimmed with inner whitespace collapsed, emails trimmed and lower-cased, balances from
// integer cents to decimal strings ("1234" cents -> "12.34"), countries upper-cased ISO codes. An event that
// cannot be cleaned (unknown op, missing row, bad id, empty name, malformed email, non-integer cents, ...)
// goes to the dead-letter topic as `{ error, event }`, with the error saying what is wrong; a record whose
// value is not JSON at all is sent there by Kafka Streams' own dead-letter support (its raw bytes, with the
// `__streams.errors.*` headers saying why), configured by customersEtlErrorConfig(). The tombstones Debezium writes after
// each delete (null values, for log compaction) are skipped: the delete event has already been handled.
//
// The clean topic is keyed by primary key with the whole row as value and a tombstone for a delete, i.e. a
// KTable's changelog: compacted, it always holds the latest version of every row, so a new target can be
// loaded from it at any time, and applying it in order is idempotent (see postgres-sink.ts).
import { Branched, Consumed, Named, Produced, Serdes, StreamsBuilder, type Topology } from '@kstreams/streams'

/** A row of the source table, as the CDC connector writes it. */
export interface SourceCustomer {
  readonly id: number
  readonly name: string
  readonly email: string
  readonly balance_cents: number
  readonly country?: string | null
}

/** A change event: create, update, delete, or a read of the connector's initial snapshot ('r'). */
export interface ChangeEvent<Row> {
  readonly op: 'c' | 'u' | 'd' | 'r'
  readonly before: Row | null
  readonly after: Row | null
  readonly ts_ms?: number
}

/** A cleaned customer: a value of the clean topic and a row of the target table. */
export interface Customer {
  readonly id: number
  readonly name: string
  readonly email: string
  /** Decimal with two places, as text so no precision is lost: "12.34", "-0.05". */
  readonly balance: string
  /** ISO 3166-1 alpha-2, upper case, or null when unknown. */
  readonly country: string | null
}

/** What the dead-letter topic holds for an event that could not be cleaned. */
export interface DeadLetter {
  readonly error: string
  readonly event: unknown
}

export type CleanedChange =
  | { readonly kind: 'upsert'; readonly customer: Customer }
  | { readonly kind: 'delete'; readonly id: number }
  | { readonly kind: 'invalid'; readonly error: string }

export const defaultEtlTopics = {
  source: 'cdc.shop.customers',
  clean: 'customers-clean',
  deadLetter: 'customers-dead-letter',
} as const

export interface CustomersEtlOptions {
  readonly sourceTopic?: string
  readonly cleanTopic?: string
  readonly deadLetterTopic?: string
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Integer cents as a decimal with two places, exactly: 1234 -> "12.34", -5 -> "-0.05". */
export function centsToDecimal(cents: number): string {
  const abs = Math.abs(cents)
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

function primaryKey(row: unknown, where: string): number | string {
  if (typeof row !== 'object' || row === null) return `${where} is missing: expected the row with its id`
  const id = (row as { id?: unknown }).id
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    return `${where}.id must be a positive integer, got ${JSON.stringify(id)}`
  }
  return id
}

/** The cleaned row, or what is wrong with it. */
export function cleanCustomer(row: SourceCustomer): Customer | string {
  const id = primaryKey(row, 'after')
  if (typeof id === 'string') return id
  if (typeof row.name !== 'string' || row.name.trim() === '') {
    return `after.name must be a non-empty string, got ${JSON.stringify(row.name)}`
  }
  const email = typeof row.email === 'string' ? row.email.trim().toLowerCase() : row.email
  if (typeof email !== 'string' || !emailPattern.test(email)) {
    return `after.email must be an address like name@example.com, got ${JSON.stringify(row.email)}`
  }
  if (typeof row.balance_cents !== 'number' || !Number.isSafeInteger(row.balance_cents)) {
    return `after.balance_cents must be a whole number of cents, got ${JSON.stringify(row.balance_cents)}`
  }
  let country: string | null = null
  if (row.country !== undefined && row.country !== null && row.country !== '') {
    country = typeof row.country === 'string' ? row.country.trim().toUpperCase() : ''
    if (!/^[A-Z]{2}$/.test(country)) {
      return `after.country must be a two-letter ISO country code or null, got ${JSON.stringify(row.country)}`
    }
  }
  return {
    id,
    name: row.name.trim().replace(/\s+/g, ' '),
    email,
    balance: centsToDecimal(row.balance_cents),
    country,
  }
}

/** Cleans one change event of the customers table. */
export function cleanChange(event: unknown): CleanedChange {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return {
      kind: 'invalid',
      error: `a change event must be an object { op, before, after }, got ${JSON.stringify(event)}`,
    }
  }
  const change = event as { readonly op?: unknown; readonly before?: unknown; readonly after?: unknown }
  switch (change.op) {
    case 'c':
    case 'r':
    case 'u': {
      if (typeof change.after !== 'object' || change.after === null) {
        return {
          kind: 'invalid',
          error: `op '${change.op}' needs the new row in "after", got ${JSON.stringify(change.after)}`,
        }
      }
      const customer = cleanCustomer(change.after as SourceCustomer)
      return typeof customer === 'string' ? { kind: 'invalid', error: customer } : { kind: 'upsert', customer }
    }
    case 'd': {
      const id = primaryKey(change.before, 'before')
      return typeof id === 'string'
        ? { kind: 'invalid', error: `op 'd' needs the deleted row's id: ${id}` }
        : { kind: 'delete', id }
    }
    default:
      return {
        kind: 'invalid',
        error: `op must be 'c' (create), 'u' (update), 'd' (delete) or 'r' (snapshot read), got ${JSON.stringify(change.op)}`,
      }
  }
}

/**
 * The error handling the topology relies on, for KafkaStreams' config: a record that is not JSON is logged
 * and sent, raw, to the dead-letter topic (Kafka Streams' KIP-1034 dead-letter queue), and processing goes on.
 */
export function customersEtlErrorConfig(deadLetterTopic: string = defaultEtlTopics.deadLetter) {
  return {
    defaultDeserializationExceptionHandler: 'logAndContinue',
    errorsDeadLetterQueueTopicName: deadLetterTopic,
  } as const
}

/** The clean topic's record of a valid change: the row under its primary key, or a tombstone. */
function upsertRecord(change: CleanedChange): { key: string; value: Customer | null } {
  switch (change.kind) {
    case 'upsert':
      return { key: String(change.customer.id), value: change.customer }
    case 'delete':
      return { key: String(change.id), value: null }
    case 'invalid':
      throw new Error(`an invalid change belongs in the dead-letter topic: ${change.error}`)
  }
}

export function customersEtlTopology(options: CustomersEtlOptions = {}): Topology {
  const sourceTopic = options.sourceTopic ?? defaultEtlTopics.source
  const cleanTopic = options.cleanTopic ?? defaultEtlTopics.clean
  const deadLetterTopic = options.deadLetterTopic ?? defaultEtlTopics.deadLetter

  const builder = new StreamsBuilder()
  builder
    .stream(sourceTopic, Consumed.with(Serdes.String(), Serdes.JSON<unknown>()))
    // Debezium follows each delete event with a tombstone of the same key, for compaction of its topic
    .filter((_key, event) => event !== null)
    .mapValues((event) => ({ event, change: cleanChange(event) }))
    .split(Named.as('customers-'))
    .branch(
      (_key, { change }) => change.kind === 'invalid',
      Branched.withConsumer(
        (invalid) =>
          invalid
            .mapValues(({ event, change }): DeadLetter => ({
              error: change.kind === 'invalid' ? change.error : '',
              event,
            }))
            .to(deadLetterTopic, Produced.with(Serdes.String(), Serdes.JSON<DeadLetter>())),
        'invalid',
      ),
    )
    .defaultBranch(
      Branched.withConsumer(
        (valid) =>
          valid
            .map((_key, { change }) => upsertRecord(change))
            .to(cleanTopic, Produced.with(Serdes.String(), Serdes.JSON<Customer | null>())),
        'valid',
      ),
    )
  return builder.build()
}
