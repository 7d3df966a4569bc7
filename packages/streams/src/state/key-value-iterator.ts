import type { KeyValue } from '../kstream/key-value.ts'
import { StreamsError } from '../errors/streams-error.ts'

/**
 * An iterator over store entries (Kafka `KeyValueIterator`): `hasNext()` / `next()` as in Java, or
 * `for...of`, which closes it when the loop ends. It must be closed; using it after `close()` throws.
 */
export interface KeyValueIterator<K, V> extends Iterable<KeyValue<K, V>> {
  hasNext(): boolean
  /** The next entry; throws when there is none. */
  next(): KeyValue<K, V>
  peekNextKey(): K
  close(): void
}

export class InvalidStateStoreException extends StreamsError {
  constructor(message: string) {
    super('KSTREAMS_INVALID_STATE_STORE', message)
  }
}

/**
 * Builds a KeyValueIterator from a pull function (`undefined` = exhausted). Subclasses of nothing: engines
 * and store layers wrap their sources with it so closing and use-after-close behave the same everywhere.
 */
export class PullIterator<K, V> implements KeyValueIterator<K, V> {
  readonly #pull: () => KeyValue<K, V> | undefined
  readonly #onClose: (() => void) | undefined
  readonly #storeName: string
  #peeked: KeyValue<K, V> | undefined
  #done = false
  #closed = false

  constructor(storeName: string, pull: () => KeyValue<K, V> | undefined, onClose?: () => void) {
    this.#storeName = storeName
    this.#pull = pull
    this.#onClose = onClose
  }

  #fill(): void {
    if (this.#closed) throw new InvalidStateStoreException(`Iterator over store ${this.#storeName} is already closed`)
    if (this.#peeked === undefined && !this.#done) {
      this.#peeked = this.#pull()
      if (this.#peeked === undefined) this.#done = true
    }
  }

  hasNext(): boolean {
    this.#fill()
    return this.#peeked !== undefined
  }

  next(): KeyValue<K, V> {
    this.#fill()
    const entry = this.#peeked
    if (entry === undefined) throw new RangeError(`no more entries in the iterator over store ${this.#storeName}`)
    this.#peeked = undefined
    return entry
  }

  peekNextKey(): K {
    this.#fill()
    if (this.#peeked === undefined)
      throw new RangeError(`no more entries in the iterator over store ${this.#storeName}`)
    return this.#peeked.key
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#onClose?.()
  }

  *[Symbol.iterator](): Iterator<KeyValue<K, V>> {
    try {
      while (this.hasNext()) yield this.next()
    } finally {
      this.close()
    }
  }
}
