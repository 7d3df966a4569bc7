const none: Header[] = []

/** One record header: a key and a value that may be null, as in Kafka. */
export interface Header {
  readonly key: string
  readonly value: Buffer | null
}

/**
 * A record's headers (Kafka `RecordHeaders`): ordered, keys may repeat, values are bytes or null.
 * `lastHeader` gives the value Kafka Streams operators read; `add` appends, `remove` drops every header
 * with the key.
 */
export class Headers implements Iterable<Header> {
  // most records have no headers: they share one empty list until a header is added (one array less per record)
  #entries: Header[] = none

  constructor(entries?: Iterable<Header | readonly [string, Buffer | string | null]>) {
    if (entries === undefined) return
    for (const entry of entries) {
      if (Array.isArray(entry)) {
        const [key, value] = entry as readonly [string, Buffer | string | null]
        this.add(key, value)
      } else {
        const header = entry as Header
        this.add(header.key, header.value)
      }
    }
  }

  get size(): number {
    return this.#entries.length
  }

  add(key: string, value: Buffer | string | null): this {
    if (this.#entries === none) this.#entries = []
    this.#entries.push({ key, value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value })
    return this
  }

  remove(key: string): this {
    this.#entries = this.#entries.filter((header) => header.key !== key)
    return this
  }

  lastHeader(key: string): Header | undefined {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const header = this.#entries[i]
      if (header?.key === key) return header
    }
    return undefined
  }

  headers(key: string): Header[] {
    return this.#entries.filter((header) => header.key === key)
  }

  toArray(): Header[] {
    return this.#entries.slice()
  }

  /** A copy that later changes to either side do not affect (values are shared; they are not mutated). */
  clone(): Headers {
    return new Headers(this.#entries)
  }

  [Symbol.iterator](): Iterator<Header> {
    return this.#entries[Symbol.iterator]()
  }
}
