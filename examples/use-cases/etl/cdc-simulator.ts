// A stand-in for a source database with a CDC connector, for the running ETL example: it keeps a customers
// table in memory, changes it at random (creates, updates, deletes) and returns the change events a
// connector such as Debezium would write, messy data included (stray spaces, upper-case emails, lower-case
// countries). Now and then it returns an event no connector should write (a malformed email, a missing
// row), which the pipeline sends to its dead-letter topic.
import type { ChangeEvent, SourceCustomer } from './customers-etl-topology.ts'

const firstNames = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Niklaus']
const lastNames = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Hamilton',
  'Wirth',
]
const countries = ['de', 'FR', ' nl', 'us ', 'KR', 'jp', null]

export class CdcSimulator {
  readonly #rows = new Map<number, SourceCustomer>()
  readonly #random: () => number
  readonly #invalidRate: number
  #nextId = 1

  constructor(options: { random?: () => number; invalidRate?: number } = {}) {
    this.#random = options.random ?? Math.random
    this.#invalidRate = options.invalidRate ?? 0.02
  }

  /** The source table as it is now, by id. */
  get rows(): ReadonlyMap<number, SourceCustomer> {
    return this.#rows
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)] as T
  }

  /** The next change to the table and its event (the key is the row's id). */
  next(now = Date.now()): { key: string; event: ChangeEvent<SourceCustomer> | Record<string, unknown> } {
    if (this.#random() < this.#invalidRate) {
      const id = this.#nextId++
      return this.#random() < 0.5
        ? {
            key: String(id),
            event: { op: 'c', before: null, after: { ...this.#newRow(id), email: 'not-an-email' }, ts_ms: now },
          }
        : { key: String(id), event: { op: 'u', before: null, after: null, ts_ms: now } }
    }
    const ids = [...this.#rows.keys()]
    const roll = this.#random()
    if (ids.length < 5 || roll < 0.4) {
      const row = this.#newRow(this.#nextId++)
      this.#rows.set(row.id, row)
      return { key: String(row.id), event: { op: 'c', before: null, after: row, ts_ms: now } }
    }
    const id = this.#pick(ids)
    const before = this.#rows.get(id) as SourceCustomer
    if (roll < 0.85) {
      const after: SourceCustomer =
        this.#random() < 0.7
          ? { ...before, balance_cents: before.balance_cents + Math.round((this.#random() - 0.4) * 10_000) }
          : { ...before, email: `  ${before.email.toUpperCase()} `, country: this.#pick(countries) }
      this.#rows.set(id, after)
      return { key: String(id), event: { op: 'u', before, after, ts_ms: now } }
    }
    this.#rows.delete(id)
    return { key: String(id), event: { op: 'd', before, after: null, ts_ms: now } }
  }

  #newRow(id: number): SourceCustomer {
    const first = this.#pick(firstNames)
    const last = this.#pick(lastNames)
    return {
      id,
      name: ` ${first}  ${last} `,
      email: `${first}.${last}${id}@Example.com`,
      balance_cents: Math.round(this.#random() * 100_000),
      country: this.#pick(countries),
    }
  }
}
