import sortedBtree from 'sorted-btree'
import type { KeyValue } from '../../kstream/key-value.ts'
import { InvalidStateStoreException, PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import type { BytesEngine } from './bytes-engine.ts'

// sorted-btree is CommonJS with `exports.default = BTree`; an ESM default import gets `module.exports`.
const BTree = sortedBtree.default

/** latin1 strings hold one byte per UTF-16 code unit, so `<` on them is unsigned byte order. */
function compareBinary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The smallest string greater than every string starting with `prefix`, or undefined if there is none. */
function prefixEnd(prefix: string): string | undefined {
  let end = prefix.length
  while (end > 0 && prefix.charCodeAt(end - 1) === 0xff) end--
  if (end === 0) return undefined
  return prefix.slice(0, end - 1) + String.fromCharCode(prefix.charCodeAt(end - 1) + 1)
}

const newTree = () => new BTree<string, Buffer>(undefined, compareBinary)
type Tree = ReturnType<typeof newTree>

const exhausted = (): undefined => undefined

/**
 * Kafka `InMemoryKeyValueStore`: an ordered map of byte keys to byte values, here a `sorted-btree` B+ tree
 * keyed by latin1 "binary strings" (one char per byte, so string order is Kafka's unsigned `Bytes` order).
 * Values are kept as given, not copied (as Kafka keeps the `byte[]`). Iterators see the map as it was when
 * they were created, as Kafka's copy of the key set does; instead of copying, the first write while an
 * iterator is open swaps in an O(1) copy-on-write `clone()` of the tree, and the iterators keep reading
 * the old one, which is never written again. `close()` drops the contents, as Kafka's does.
 */
export class InMemoryBytesEngine implements BytesEngine {
  readonly name: string
  readonly persistent = false
  #tree: Tree = newTree()
  /** Iterators still reading `#tree`; a write first replaces `#tree` by a clone when there are any. */
  #readers = 0
  readonly #iterators = new Set<KeyValueIterator<Buffer, Buffer>>()
  #open = true

  constructor(name: string) {
    this.name = name
  }

  get(key: Buffer): Buffer | undefined {
    this.#checkOpen()
    return this.#tree.get(key.toString('latin1'))
  }

  put(key: Buffer, value: Buffer): void {
    this.#checkOpen()
    this.#writable().set(key.toString('latin1'), value)
  }

  delete(key: Buffer): void {
    this.#checkOpen()
    this.#writable().delete(key.toString('latin1'))
  }

  range(from: Buffer | undefined, to: Buffer | undefined, reverse = false): KeyValueIterator<Buffer, Buffer> {
    this.#checkOpen()
    // Kafka returns an empty iterator (and logs a warning) when from > to.
    if (from !== undefined && to !== undefined && Buffer.compare(from, to) > 0) {
      return new PullIterator(this.name, exhausted)
    }
    return this.#scan(from?.toString('latin1'), to?.toString('latin1'), true, reverse)
  }

  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    this.#checkOpen()
    const low = prefix.toString('latin1')
    return this.#scan(low, prefixEnd(low), false, false)
  }

  approximateNumEntries(): number {
    this.#checkOpen()
    return this.#tree.size
  }

  flush(): void {
    this.#checkOpen()
  }

  close(): void {
    if (!this.#open) return
    for (const iterator of [...this.#iterators]) iterator.close()
    this.#open = false
    this.#tree = newTree()
    this.#readers = 0
  }

  clear(): void {
    this.#checkOpen()
    this.#tree = newTree()
    this.#readers = 0
  }

  #checkOpen(): void {
    if (!this.#open) throw new InvalidStateStoreException(`Store ${this.name} is currently closed`)
  }

  #writable(): Tree {
    if (this.#readers > 0) {
      this.#tree = this.#tree.clone()
      this.#readers = 0
    }
    return this.#tree
  }

  /** Entries with low <= key <= high (key < high unless highInclusive); undefined bounds are open. */
  #scan(
    low: string | undefined,
    high: string | undefined,
    highInclusive: boolean,
    reverse: boolean,
  ): KeyValueIterator<Buffer, Buffer> {
    const tree = this.#tree
    const pair: (string | Buffer)[] = []
    const entries = reverse ? tree.entriesReversed(high, pair, !highInclusive) : tree.entries(low, pair)
    this.#readers++
    let reading = true
    const release = (): void => {
      if (!reading) return
      reading = false
      if (this.#tree === tree) this.#readers--
    }
    const pull = (): KeyValue<Buffer, Buffer> | undefined => {
      const step = entries.next()
      if (step.done === true) return void release()
      const [key, value] = step.value
      const past = reverse
        ? low !== undefined && key < low
        : high !== undefined && (highInclusive ? key > high : key >= high)
      if (past) return void release()
      return { key: Buffer.from(key, 'latin1'), value }
    }
    const iterator = new PullIterator(this.name, pull, () => {
      release()
      this.#iterators.delete(iterator)
    })
    this.#iterators.add(iterator)
    return iterator
  }
}
