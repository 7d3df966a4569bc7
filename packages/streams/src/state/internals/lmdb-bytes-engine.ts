import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statfsSync,
  statSync,
} from 'node:fs'
import { join } from 'node:path'
import { open as openLmdb, type Database, type RangeOptions, type RootDatabase } from 'lmdb'
import sortedBtree from 'sorted-btree'
import { StreamsError } from '../../errors/streams-error.ts'
import type { KeyValue } from '../../kstream/key-value.ts'
import { InvalidStateStoreException, PullIterator, type KeyValueIterator } from '../key-value-iterator.ts'
import type { BytesEngine } from './bytes-engine.ts'

/**
 * A persistent store's files could not be opened, read or written (Kafka `ProcessorStateException`). The
 * message names the store and the directory and says what to do. `corrupted` means the files are damaged:
 * the runtime may delete the directory and restore the stores from their changelogs, as Kafka does after a
 * `TaskCorruptedException`.
 */
export class ProcessorStateException extends StreamsError {
  /** The store concerned, when there is one. */
  readonly storeName: string | undefined
  /** The environment directory (the task's state directory). */
  readonly path: string
  readonly corrupted: boolean

  constructor(
    message: string,
    details: { path: string; storeName?: string | undefined; corrupted?: boolean; cause?: unknown },
  ) {
    super('KSTREAMS_PROCESSOR_STATE', message, { cause: details.cause })
    this.storeName = details.storeName
    this.path = details.path
    this.corrupted = details.corrupted ?? false
  }
}

export interface LmdbEnvironmentOptions {
  /** How many stores (named databases) the environment can hold; 256 unless set. */
  readonly maxDbs?: number
  /** Who uses the directory (e.g. `task 0_1`), for error messages. */
  readonly owner?: string
}

// sorted-btree is CommonJS with `exports.default = BTree`; an ESM default import gets `module.exports`.
const BTree = sortedBtree.default
const compareBinary = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
/** Writes since the last commit, latin1 keys; `null` is a delete. */
const newPending = () => new BTree<string, Buffer | null>(undefined, compareBinary)
type Pending = ReturnType<typeof newPending>

/** Reserved database names; `:` cannot occur in a Kafka store name (topic-name characters only). */
const METADATA_DB = 'kstreams:metadata'
const INTERNAL_DB = 'kstreams:internal'
/** LMDB rejects empty keys, which Kafka allows; a store's empty key lives in INTERNAL_DB under this + name. */
const EMPTY_KEY_PREFIX = 'empty-key:'
/** In INTERNAL_DB while the environment is open: the boot id of the machine that opened it. */
const SESSION_KEY = Buffer.from('session')
/** lmdb-js's limit on key length (its default `maxKeySize`). */
const MAX_KEY_BYTES = 1978
const DEFAULT_MAX_DBS = 256

// Cross-class access between the environment and its engines; never exported.
const hasPending = Symbol('hasPending')
const writePending = Symbol('writePending')
const pendingWritten = Symbol('pendingWritten')
const shutDown = Symbol('shutDown')
const readFailure = Symbol('readFailure')

/**
 * One LMDB environment per task directory (`data.mdb` + `lock.mdb`), one named database per store
 * (research/state-store.md §6: one environment per store costs ~10 MB RSS each and leaks on close).
 * Opened with `noSync`: local state is a cache of the changelog topics, as in Kafka Streams (which turns
 * RocksDB's WAL off), so commits are not fsynced; `commit()` writes every store's pending writes, plus
 * optional metadata such as changelog offsets, in ONE `transactionSync`. Writes not committed when the
 * environment is closed are dropped, like an aborted transaction: only `commit()` makes writes durable, so
 * stored offsets always describe the stored data.
 *
 * Because commits are not fsynced, a machine crash (not a process crash: the page cache survives those) can
 * leave torn files, which lmdb-js may crash the process on. So opening records the machine's boot id, a clean
 * `close()` fsyncs and removes it, and opening after a reboot that followed an unclean close fails with
 * `corrupted` set instead of reading the files.
 */
export class LmdbEnvironment {
  readonly directory: string
  readonly #maxDbs: number
  readonly #owner: string | undefined
  #root: RootDatabase<Buffer, Buffer> | undefined
  #metadata: Database<Buffer, Buffer> | undefined
  #internal: Database<Buffer, Buffer> | undefined
  /** Open engines, and closed ones whose writes are not committed yet. */
  readonly #engines = new Map<string, LmdbBytesEngine>()

  constructor(directory: string, options: LmdbEnvironmentOptions = {}) {
    this.directory = directory
    this.#maxDbs = options.maxDbs ?? DEFAULT_MAX_DBS
    this.#owner = options.owner
  }

  get isOpen(): boolean {
    return this.#root !== undefined
  }

  /** Opens the environment (creating the directory); `openEngine` does it when needed. */
  open(): void {
    this.#ensureOpen(undefined)
  }

  /** Opens the named database of one store; a store can be open once at a time. */
  openEngine(storeName: string): LmdbBytesEngine {
    if (storeName === '' || storeName === METADATA_DB || storeName === INTERNAL_DB) {
      throw new ProcessorStateException(
        `Cannot open store "${storeName}" in ${this.directory}: the name is empty or reserved. Name the store differently.`,
        { path: this.directory, storeName },
      )
    }
    const previous = this.#engines.get(storeName)
    if (previous !== undefined && previous.isOpen) {
      throw new ProcessorStateException(
        `Store "${storeName}" is already open in ${this.directory}; close it before opening it again.`,
        { path: this.directory, storeName },
      )
    }
    const root = this.#ensureOpen(storeName)
    let db: Database<Buffer, Buffer>
    try {
      db = root.openDB<Buffer, Buffer>(storeName, { keyEncoding: 'binary', encoding: 'binary' })
    } catch (cause) {
      throw new ProcessorStateException(
        `Cannot open store "${storeName}" in ${this.directory}: ${describe(cause)}. ` +
          (errorCode(cause) === MDB_DBS_FULL
            ? `The environment holds at most ${this.#maxDbs} stores; raise maxDbs.`
            : 'Check that the directory is on a local, writable file system with free space.'),
        { path: this.directory, storeName, cause },
      )
    }
    const engine = new LmdbBytesEngine(storeName, this, db, this.#internal as Database<Buffer, Buffer>, previous)
    this.#engines.set(storeName, engine)
    return engine
  }

  /**
   * Writes every store's pending writes and `metadata` (a `null` value removes the key) in one transaction.
   * On failure nothing is written and the pending writes are kept for the next commit.
   */
  commit(metadata?: ReadonlyMap<string, Buffer | null>): void {
    const engines = [...this.#engines.values()].filter((engine) => engine[hasPending]())
    if (engines.length === 0 && (metadata === undefined || metadata.size === 0)) return
    this.#write(engines, metadata)
  }

  /** Names of the stores (named databases) the environment holds. */
  storeNames(): string[] {
    const root = this.#ensureOpen(undefined)
    const names: string[] = []
    for (const key of root.getKeys()) {
      // LMDB keeps database names NUL-terminated
      const name = (Buffer.isBuffer(key) ? key.toString('utf8') : String(key)).replace(/\0$/, '')
      if (name !== METADATA_DB && name !== INTERNAL_DB) names.push(name)
    }
    return names
  }

  /** The metadata value committed under `key`, if any. */
  readMetadata(key: string): Buffer | undefined {
    const bytes = metadataKey(key, this.directory)
    this.#ensureOpen(undefined)
    const metadata = this.#metadata as Database<Buffer, Buffer>
    try {
      return metadata.get(bytes)
    } catch (cause) {
      throw this[readFailure](undefined, cause)
    }
  }

  /**
   * Closes every store and the environment. Writes not committed are dropped (call `commit()` first); the
   * committed ones are fsynced, so the directory survives a machine crash after a clean close.
   */
  close(): void {
    const root = this.#root
    if (root === undefined) return
    for (const engine of this.#engines.values()) engine[shutDown]()
    this.#engines.clear()
    const internal = this.#internal as Database<Buffer, Buffer>
    this.#root = undefined
    this.#metadata = undefined
    this.#internal = undefined
    try {
      if (currentBootId() !== undefined) {
        // fsync what the last commits wrote before saying the files are whole.
        this.#fsync()
        root.transactionSync(() => internal.removeSync(SESSION_KEY))
        this.#fsync()
      }
    } catch (cause) {
      throw new ProcessorStateException(
        `Cannot close the state directory ${this.directory}${this.#ownedBy()} cleanly: ${describe(cause)}. ` +
          `Check the disk; if it is damaged, delete the directory to restore the stores from their changelogs.`,
        { path: this.directory, cause },
      )
    } finally {
      void root.close()
    }
  }

  /** One transaction with the pending writes of `engines` (and metadata); used by commit and flush. */
  [writePending](engines: readonly LmdbBytesEngine[], metadata?: ReadonlyMap<string, Buffer | null>): void {
    this.#write(engines, metadata)
  }

  /** The error to throw when reading `storeName` (or the metadata) failed. */
  [readFailure](storeName: string | undefined, cause: unknown): ProcessorStateException {
    const corrupted = CORRUPTION_CODES.has(errorCode(cause))
    const what = storeName === undefined ? 'the metadata' : `store "${storeName}"`
    return new ProcessorStateException(
      `Cannot read ${what} in ${this.directory}: ${describe(cause)}. ` +
        (corrupted
          ? 'The files are damaged: delete the directory and restart to restore the stores from their changelogs.'
          : 'Check the disk and the permissions of the directory.'),
      { path: this.directory, storeName, corrupted, cause },
    )
  }

  #write(engines: readonly LmdbBytesEngine[], metadata: ReadonlyMap<string, Buffer | null> | undefined): void {
    const root = this.#ensureOpen(engines[0]?.name)
    const metadataDb = this.#metadata as Database<Buffer, Buffer>
    const entries =
      metadata === undefined ? [] : [...metadata].map(([k, v]) => [metadataKey(k, this.directory), v] as const)
    try {
      root.transactionSync(() => {
        for (const engine of engines) engine[writePending]()
        for (const [key, value] of entries) {
          if (value === null) metadataDb.removeSync(key)
          else metadataDb.putSync(key, value)
        }
      })
    } catch (cause) {
      const stores = engines.map((engine) => `"${engine.name}"`).join(', ')
      throw new ProcessorStateException(
        `Cannot commit ${stores === '' ? 'the metadata' : `the writes of store${engines.length > 1 ? 's' : ''} ${stores}`} ` +
          `to ${this.directory}: ${describe(cause)}. Nothing of this commit was written and the writes are kept ` +
          `for the next commit. Check that the file system has free space (${freeSpace(this.directory)}), that ` +
          `the process may grow files there (ulimit -f) and that the disk is healthy.`,
        { path: this.directory, storeName: engines[0]?.name, cause },
      )
    }
    for (const engine of engines) engine[pendingWritten]()
    for (const engine of engines) {
      if (!engine.isOpen && this.#engines.get(engine.name) === engine) this.#engines.delete(engine.name)
    }
  }

  #ensureOpen(storeName: string | undefined): RootDatabase<Buffer, Buffer> {
    if (this.#root !== undefined) return this.#root
    const directory = this.directory
    const subject =
      storeName === undefined
        ? `the state directory ${directory}${this.#ownedBy()}`
        : `store "${storeName}" in ${directory}`
    const fail = (problem: string, remedy: string, cause?: unknown, corrupted = false): never => {
      throw new ProcessorStateException(`Cannot open ${subject}: ${problem}. ${remedy}`, {
        path: directory,
        storeName,
        corrupted,
        cause,
      })
    }
    const wipe = `Local state is a cache of the changelog topics: delete ${directory} and restart to restore it from them.`

    const problem = directoryProblem(directory)
    if (problem !== undefined) fail(problem.text, problem.remedy, problem.cause)
    const damage = dataFileDamage(directory)
    if (damage !== undefined) fail(damage, wipe, undefined, true)

    let root: RootDatabase<Buffer, Buffer>
    try {
      root = openLmdb<Buffer, Buffer>({
        path: directory,
        noSubdir: false,
        noSync: true,
        overlappingSync: false,
        maxDbs: this.#maxDbs + 2,
        keyEncoding: 'binary',
        encoding: 'binary',
      })
    } catch (cause) {
      const code = errorCode(cause)
      const damaged = CORRUPTION_CODES.has(code) || code === MDB_INVALID || code === MDB_VERSION_MISMATCH
      return fail(
        describe(cause),
        damaged ? wipe : 'Check that the directory is on a local, writable file system with free space.',
        cause,
        damaged,
      )
    }
    try {
      const options = { keyEncoding: 'binary', encoding: 'binary' } as const
      const metadata = root.openDB<Buffer, Buffer>(METADATA_DB, options)
      const internal = root.openDB<Buffer, Buffer>(INTERNAL_DB, options)
      const bootId = currentBootId()
      if (bootId !== undefined) {
        const previous = internal.get(SESSION_KEY)?.toString()
        if (previous !== undefined && previous !== bootId) {
          return fail(
            'it was not closed cleanly before the machine restarted, and commits are not fsynced, so its files may be torn',
            wipe,
            undefined,
            true,
          )
        }
        if (previous === undefined) {
          root.transactionSync(() => internal.putSync(SESSION_KEY, Buffer.from(bootId)))
          this.#fsync()
        }
      }
      this.#root = root
      this.#metadata = metadata
      this.#internal = internal
      return root
    } catch (cause) {
      void root.close()
      if (cause instanceof ProcessorStateException) throw cause
      const corrupted = CORRUPTION_CODES.has(errorCode(cause))
      return fail(
        describe(cause),
        corrupted ? wipe : 'Check that the directory is on a local, writable file system with free space.',
        cause,
        corrupted,
      )
    }
  }

  #fsync(): void {
    const fd = openSync(join(this.directory, 'data.mdb'), 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  }

  #ownedBy(): string {
    return this.#owner === undefined ? '' : ` (${this.#owner})`
  }
}

/**
 * A store's named database in an `LmdbEnvironment` (Kafka `RocksDBStore`, with LMDB instead of RocksDB).
 * Keys are compared as unsigned bytes (LMDB's default memcmp order = Kafka's `Bytes` order). Reads are
 * synchronous. Writes go to a sorted overlay of pending puts and deletes that every read consults first
 * (read-your-writes, also inside iterators, which merge it with LMDB's ordered cursor); `flush()` writes this
 * store's overlay in one transaction, `LmdbEnvironment.commit()` those of all stores in one. This is Kafka's
 * write batching (RocksDB memtable + flush at commit) and keeps LMDB's cost to one transaction per commit.
 *
 * Deviations from Kafka, both from LMDB: keys longer than 1,978 bytes are refused at `put`; the empty key,
 * which LMDB refuses, is kept in a side database. Values are kept as given until the commit, not copied.
 */
export class LmdbBytesEngine implements BytesEngine {
  readonly name: string
  readonly persistent = true
  readonly #env: LmdbEnvironment
  readonly #db: Database<Buffer, Buffer>
  readonly #internal: Database<Buffer, Buffer>
  readonly #emptyKey: Buffer
  #pending: Pending = newPending()
  /** Iterators still reading `#pending`; a write first replaces `#pending` by a clone when there are any. */
  #readers = 0
  /** `clear()` was called since the last commit: what LMDB holds no longer counts. */
  #cleared = false
  readonly #iterators = new Set<KeyValueIterator<Buffer, Buffer>>()
  #open = true

  /** Use `LmdbEnvironment.openEngine`. `previous` is a closed engine of the same store whose writes are pending. */
  constructor(
    name: string,
    env: LmdbEnvironment,
    db: Database<Buffer, Buffer>,
    internal: Database<Buffer, Buffer>,
    previous?: LmdbBytesEngine,
  ) {
    this.name = name
    this.#env = env
    this.#db = db
    this.#internal = internal
    this.#emptyKey = Buffer.from(EMPTY_KEY_PREFIX + name)
    if (previous !== undefined) {
      this.#pending = previous.#pending
      this.#cleared = previous.#cleared
    }
  }

  get isOpen(): boolean {
    return this.#open
  }

  get(key: Buffer): Buffer | undefined {
    this.#checkOpen()
    if (this.#pending.size > 0) {
      const value = this.#pending.get(key.toString('latin1'))
      if (value !== undefined) return value ?? undefined
    }
    if (this.#cleared) return undefined
    try {
      return key.length === 0 ? this.#internal.get(this.#emptyKey) : this.#db.get(key)
    } catch (cause) {
      throw this.#env[readFailure](this.name, cause)
    }
  }

  put(key: Buffer, value: Buffer): void {
    this.#checkOpen()
    if (key.length > MAX_KEY_BYTES) {
      throw new ProcessorStateException(
        `Cannot put a key of ${key.length} bytes into persistent store "${this.name}" in ${this.#env.directory}: ` +
          `LMDB keys are at most ${MAX_KEY_BYTES} bytes. Use shorter keys or an in-memory store.`,
        { path: this.#env.directory, storeName: this.name },
      )
    }
    this.#writable().set(key.toString('latin1'), value)
  }

  delete(key: Buffer): void {
    this.#checkOpen()
    if (key.length > MAX_KEY_BYTES) return // such a key cannot have been stored
    this.#writable().set(key.toString('latin1'), null)
  }

  range(
    from: Buffer | undefined,
    to: Buffer | undefined,
    reverse = false,
    keyFilter?: (key: Buffer) => boolean,
  ): KeyValueIterator<Buffer, Buffer> {
    this.#checkOpen()
    // Kafka returns an empty iterator (and logs a warning) when from > to.
    if (from !== undefined && to !== undefined && Buffer.compare(from, to) > 0) {
      return new PullIterator(this.name, () => undefined)
    }
    return this.#scan(from, to, true, reverse, keyFilter)
  }

  prefixScan(prefix: Buffer): KeyValueIterator<Buffer, Buffer> {
    this.#checkOpen()
    return this.#scan(prefix, prefixEnd(prefix), false, false)
  }

  /** Exact: LMDB's entry count corrected by the pending writes (one lookup per pending key). */
  approximateNumEntries(): number {
    this.#checkOpen()
    try {
      let count = 0
      if (!this.#cleared) {
        count = (this.#db.getStats() as { entryCount: number }).entryCount
        if (this.#internal.doesExist(this.#emptyKey)) count++
      }
      this.#pending.forEachPair((key, value) => {
        const stored = !this.#cleared && this.#storedHas(key)
        if (value !== null && !stored) count++
        else if (value === null && stored) count--
      })
      return count
    } catch (cause) {
      throw this.#env[readFailure](this.name, cause)
    }
  }

  /** Writes this store's pending writes in one transaction (`LmdbEnvironment.commit` does all stores). */
  flush(): void {
    this.#checkOpen()
    if (this[hasPending]()) this.#env[writePending]([this])
  }

  /**
   * Closes the store; its pending writes stay with the environment and go with its next `commit()`. A store
   * cleared and then closed is deleted from the environment at that commit.
   */
  close(): void {
    if (!this.#open) return
    for (const iterator of [...this.#iterators]) iterator.close()
    this.#open = false
  }

  /** Empties the store: reads see nothing committed from now on, and the next commit deletes it in LMDB. */
  clear(): void {
    this.#checkOpen()
    this.#pending = newPending()
    this.#readers = 0
    this.#cleared = true
  }

  [hasPending](): boolean {
    return this.#cleared || this.#pending.size > 0
  }

  /** Inside the environment's write transaction. */
  [writePending](): void {
    const db = this.#db
    const internal = this.#internal
    if (this.#cleared) {
      internal.removeSync(this.#emptyKey)
      if (!this.#open && this.#pending.size === 0) {
        // Cleared and closed (an expired window segment): delete the named database itself, which also
        // frees its slot; LMDB allows only maxDbs databases open at once, and segments keep coming.
        db.dropSync()
        return
      }
      db.clearSync()
    }
    this.#pending.forEachPair((k, value) => {
      if (k === '') {
        if (value === null) internal.removeSync(this.#emptyKey)
        else internal.putSync(this.#emptyKey, value)
      } else {
        const key = Buffer.from(k, 'latin1')
        if (value === null) db.removeSync(key)
        else db.putSync(key, value)
      }
    })
  }

  /** After the transaction committed. */
  [pendingWritten](): void {
    this.#pending = newPending()
    this.#readers = 0
    this.#cleared = false
  }

  /** The environment closes: close iterators, drop what is pending. */
  [shutDown](): void {
    this.close()
    this.#pending = newPending()
    this.#cleared = false
  }

  #checkOpen(): void {
    if (!this.#open) throw new InvalidStateStoreException(`Store ${this.name} is currently closed`)
  }

  #writable(): Pending {
    if (this.#readers > 0) {
      this.#pending = this.#pending.clone()
      this.#readers = 0
    }
    return this.#pending
  }

  #storedHas(key: string): boolean {
    return key === '' ? this.#internal.doesExist(this.#emptyKey) : this.#db.doesExist(Buffer.from(key, 'latin1'))
  }

  /** Entries with low <= key <= high (key < high unless highInclusive); undefined bounds are open. */
  #scan(
    low: Buffer | undefined,
    high: Buffer | undefined,
    highInclusive: boolean,
    reverse: boolean,
    keyFilter?: (key: Buffer) => boolean,
  ): KeyValueIterator<Buffer, Buffer> {
    let pending: Pending | undefined
    if (this.#pending.size > 0) {
      pending = this.#pending
      this.#readers++
    }
    let reading = pending !== undefined
    const release = (): void => {
      if (!reading) return
      reading = false
      if (this.#pending === pending) this.#readers--
    }
    let cursor: MergeCursor
    try {
      cursor = new MergeCursor(
        reverse,
        pending === undefined ? undefined : pendingSource(pending, low, high, highInclusive, reverse),
        this.#cleared ? undefined : this.#storedSource(low, high, highInclusive, reverse, keyFilter),
        (cause) => this.#env[readFailure](this.name, cause),
      )
    } catch (cause) {
      release()
      throw cause instanceof ProcessorStateException ? cause : this.#env[readFailure](this.name, cause)
    }
    const iterator = new PullIterator(
      this.name,
      () => cursor.next(),
      () => {
        release()
        cursor.close()
        this.#iterators.delete(iterator)
      },
    )
    this.#iterators.add(iterator)
    return iterator
  }

  /**
   * Committed entries in the bounds, in order; the empty key (kept aside) first, or last when reversed.
   * With a `keyFilter` only the keys are scanned, and a value is read for a key that passes it.
   */
  #storedSource(
    low: Buffer | undefined,
    high: Buffer | undefined,
    highInclusive: boolean,
    reverse: boolean,
    keyFilter?: (key: Buffer) => boolean,
  ): StoredSource {
    const withEmptyKey =
      (low === undefined || low.length === 0) && (high === undefined || high.length > 0 || highInclusive)
    const emptyValue = withEmptyKey ? this.#internal.get(this.#emptyKey) : undefined
    const empty = emptyValue === undefined ? undefined : { key: Buffer.alloc(0), value: emptyValue }
    // Every non-empty key is above an empty upper bound.
    if (high !== undefined && high.length === 0) return { cursor: undefined, empty }
    const bottom = low === undefined || low.length === 0 ? undefined : low
    const options: RangeOptions = reverse
      ? { reverse: true, exclusiveStart: !highInclusive, inclusiveEnd: true }
      : { inclusiveEnd: highInclusive }
    const [start, end] = reverse ? [high, bottom] : [bottom, high]
    if (start !== undefined) options.start = start
    if (end !== undefined) options.end = end
    if (keyFilter === undefined) return { cursor: this.#db.getRange(options)[Symbol.iterator](), empty }
    return { cursor: filteredEntries(this.#db, this.#db.getKeys(options)[Symbol.iterator](), keyFilter), empty }
  }
}

/**
 * The entries of `keys` (a keys-only LMDB cursor) that pass `keyFilter`, each value read by its key: for
 * scans where most keys fail, such as a window store's key range over many times, this skips copying out
 * the values nobody wants. A value is read as committed now: between commits that is the cursor's state,
 * and a key deleted by a commit since the cursor began is skipped (a read sees its start state or later).
 */
function filteredEntries(
  db: Database<Buffer, Buffer>,
  keys: Iterator<Buffer>,
  keyFilter: (key: Buffer) => boolean,
): Iterator<{ key: Buffer; value: Buffer }> {
  return {
    next() {
      for (;;) {
        const step = keys.next()
        if (step.done === true) return step
        const key = step.value
        if (!keyFilter(key)) continue
        const value = db.getBinary(key)
        if (value !== undefined) return { done: false, value: { key, value } }
      }
    },
    return() {
      keys.return?.()
      return { done: true, value: undefined }
    },
  }
}

interface StoredSource {
  readonly cursor: Iterator<{ key: Buffer; value: Buffer }> | undefined
  readonly empty: KeyValue<Buffer, Buffer> | undefined
}

/** Pending writes in the bounds, in order; values are null for deletes. */
function pendingSource(
  pending: Pending,
  low: Buffer | undefined,
  high: Buffer | undefined,
  highInclusive: boolean,
  reverse: boolean,
): () => KeyValue<Buffer, Buffer | null> | undefined {
  const lowKey = low?.toString('latin1')
  const highKey = high?.toString('latin1')
  const pair: (string | Buffer | null)[] = []
  const entries = reverse ? pending.entriesReversed(highKey, pair, !highInclusive) : pending.entries(lowKey, pair)
  return () => {
    const step = entries.next()
    if (step.done === true) return undefined
    const [key, value] = step.value
    const past = reverse
      ? lowKey !== undefined && key < lowKey
      : highKey !== undefined && (highInclusive ? key > highKey : key >= highKey)
    return past ? undefined : { key: Buffer.from(key, 'latin1'), value }
  }
}

/**
 * Merges pending writes with committed entries in key order (or reversed); a pending write hides the
 * committed entry of the same key, a pending delete hides it entirely. Both sources are started when the
 * cursor is made, so LMDB's read snapshot and the pending tree are taken at the same moment.
 */
class MergeCursor {
  readonly #reverse: boolean
  readonly #nextPending: (() => KeyValue<Buffer, Buffer | null> | undefined) | undefined
  readonly #stored: Iterator<{ key: Buffer; value: Buffer }> | undefined
  readonly #readError: (cause: unknown) => ProcessorStateException
  /** The empty key's committed entry, emitted first (forward) or last (reverse). */
  #empty: KeyValue<Buffer, Buffer> | undefined
  #storedDone = false
  #p: KeyValue<Buffer, Buffer | null> | undefined
  #s: KeyValue<Buffer, Buffer> | undefined

  constructor(
    reverse: boolean,
    nextPending: (() => KeyValue<Buffer, Buffer | null> | undefined) | undefined,
    stored: StoredSource | undefined,
    readError: (cause: unknown) => ProcessorStateException,
  ) {
    this.#reverse = reverse
    this.#nextPending = nextPending
    this.#stored = stored?.cursor
    this.#storedDone = this.#stored === undefined
    this.#empty = stored?.empty
    this.#readError = readError
    this.#p = nextPending?.()
    this.#s = this.#nextStored()
  }

  next(): KeyValue<Buffer, Buffer> | undefined {
    for (;;) {
      const p = this.#p
      const s = this.#s
      if (p === undefined) {
        if (s !== undefined) this.#s = this.#nextStored()
        return s
      }
      if (s !== undefined) {
        const order = Buffer.compare(s.key, p.key)
        if (this.#reverse ? order > 0 : order < 0) {
          this.#s = this.#nextStored()
          return s
        }
        if (order === 0) this.#s = this.#nextStored()
      }
      this.#p = this.#nextPending?.()
      if (p.value !== null) return p as KeyValue<Buffer, Buffer>
    }
  }

  close(): void {
    if (!this.#storedDone) {
      this.#storedDone = true
      this.#stored?.return?.()
    }
  }

  #nextStored(): KeyValue<Buffer, Buffer> | undefined {
    const empty = this.#empty
    if (empty !== undefined && (!this.#reverse || this.#storedDone)) {
      this.#empty = undefined
      return empty
    }
    if (this.#storedDone) return undefined
    let step: IteratorResult<{ key: Buffer; value: Buffer }>
    try {
      step = (this.#stored as Iterator<{ key: Buffer; value: Buffer }>).next()
    } catch (cause) {
      this.close()
      throw this.#readError(cause)
    }
    if (step.done === true) {
      this.#storedDone = true
      return this.#nextStored()
    }
    return step.value
  }
}

/** The smallest key above every key starting with `prefix`, or undefined if there is none (all 0xff). */
function prefixEnd(prefix: Buffer): Buffer | undefined {
  let end = prefix.length
  while (end > 0 && prefix[end - 1] === 0xff) end--
  if (end === 0) return undefined
  const bound = Buffer.from(prefix.subarray(0, end))
  bound[end - 1] = (bound[end - 1] as number) + 1
  return bound
}

function metadataKey(key: string, directory: string): Buffer {
  const bytes = Buffer.from(key)
  if (bytes.length === 0 || bytes.length > MAX_KEY_BYTES) {
    throw new ProcessorStateException(
      `Metadata key "${key}" for ${directory} must be 1 to ${MAX_KEY_BYTES} bytes long.`,
      { path: directory },
    )
  }
  return bytes
}

// LMDB return codes (lmdb.h) that lmdb-js puts in `error.code`.
const MDB_PAGE_NOTFOUND = -30797
const MDB_CORRUPTED = -30796
const MDB_PANIC = -30795
const MDB_VERSION_MISMATCH = -30794
const MDB_INVALID = -30793
const MDB_DBS_FULL = -30791
const CORRUPTION_CODES = new Set<string | number | undefined>([MDB_PAGE_NOTFOUND, MDB_CORRUPTED, MDB_PANIC])

function errorCode(error: unknown): string | number | undefined {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined
  return typeof code === 'string' || typeof code === 'number' ? code : undefined
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const code = errorCode(error)
  const message = error.message.trim()
  return code === undefined || message.includes(String(code)) ? message : `${message} (${String(code)})`
}

function freeSpace(directory: string): string {
  try {
    const stats = statfsSync(directory)
    return `${Math.floor((stats.bavail * stats.bsize) / (1024 * 1024))} MiB available now`
  } catch {
    return 'free space unknown'
  }
}

let bootId: string | null | undefined
/** Identifies the running boot of the machine (Linux); undefined elsewhere, which disables the session check. */
function currentBootId(): string | undefined {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null
    } catch {
      bootId = null
    }
  }
  return bootId ?? undefined
}

/** Why `directory` cannot hold an environment, after creating it if missing; undefined if it can. */
function directoryProblem(directory: string): { text: string; remedy: string; cause?: unknown } | undefined {
  const elsewhere = 'Fix the path, or point state.dir to a writable local directory.'
  try {
    if (!statSync(directory).isDirectory()) {
      return {
        text: `${directory} exists and is not a directory`,
        remedy: 'Remove or rename that file, or point state.dir to another directory.',
      }
    }
  } catch (cause) {
    if (errorCode(cause) === 'ENOTDIR') {
      return {
        text: `a parent of ${directory} is a file, not a directory`,
        remedy: 'Remove or rename that file, or point state.dir to another directory.',
        cause,
      }
    }
    if (errorCode(cause) !== 'ENOENT') return { text: describe(cause), remedy: elsewhere, cause }
    try {
      mkdirSync(directory, { recursive: true })
    } catch (mkdirError) {
      return { text: `the directory cannot be created: ${describe(mkdirError)}`, remedy: elsewhere, cause: mkdirError }
    }
  }
  try {
    accessSync(directory, constants.R_OK | constants.W_OK | constants.X_OK)
  } catch (cause) {
    return {
      text: `the directory is not readable and writable by this process: ${describe(cause)}`,
      remedy: `Give this process's user read and write access to it. ${elsewhere}`,
      cause,
    }
  }
  for (const file of ['data.mdb', 'lock.mdb']) {
    const path = join(directory, file)
    try {
      if (!statSync(path).isFile())
        return { text: `${path} is not a regular file`, remedy: 'Remove it; LMDB creates it again.' }
      accessSync(path, constants.R_OK | constants.W_OK)
    } catch (cause) {
      if (errorCode(cause) === 'ENOENT') continue
      return {
        text: `${path} is not readable and writable by this process: ${describe(cause)}`,
        remedy: `Give this process's user read and write access to it. ${elsewhere}`,
        cause,
      }
    }
  }
  return undefined
}

// Layout of an LMDB meta page as lmdb-js 3.5 writes it (64-bit): a 24-byte page header whose flags (uint16 at
// 18) include P_META, then MDB_meta: magic (uint32 at 24), data version (uint32 at 28), ..., page size (the
// free DB's md_pad, uint32 at 48). Pages 0 and 1 are the two meta pages.
const P_META = 0x08
const MDB_MAGIC = 0xbeefc0de
const MDB_DATA_VERSION = 2
const META_BYTES = 64

/**
 * Why `data.mdb` is not an LMDB file, or undefined if it looks like one (or is missing or empty, which LMDB
 * initialises). Checked before LMDB opens it because lmdb-js 3.5.6 crashes the process (SIGSEGV when it
 * cleans up after `mdb_env_open` fails, SIGBUS when the file is shorter than its meta pages) instead of
 * throwing, on such files.
 */
function dataFileDamage(directory: string): string | undefined {
  const path = join(directory, 'data.mdb')
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return undefined // missing; other problems were reported by directoryProblem
  }
  try {
    const size = statSync(path).size
    if (size === 0) return undefined
    const meta = Buffer.alloc(META_BYTES)
    const metaPage = (offset: number): string | undefined => {
      if (readSync(fd, meta, 0, META_BYTES, offset) < META_BYTES) return 'it is truncated'
      if ((meta.readUInt16LE(18) & P_META) === 0 || meta.readUInt32LE(24) !== MDB_MAGIC) {
        return 'it is not an LMDB data file (no meta page)'
      }
      if ((meta.readUInt32LE(28) & 0xffff) !== MDB_DATA_VERSION) {
        return `it was written by an LMDB with another data format (version ${meta.readUInt32LE(28) & 0xffff})`
      }
      return undefined
    }
    const first = metaPage(0)
    if (first !== undefined) return `${path} is damaged: ${first}`
    const pageSize = meta.readUInt32LE(48)
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
      return `${path} is damaged: its page size (${pageSize}) is impossible`
    }
    if (size < 2 * pageSize) return `${path} is damaged: it is truncated (${size} bytes)`
    const second = metaPage(pageSize)
    return second === undefined ? undefined : `${path} is damaged: ${second}`
  } finally {
    closeSync(fd)
  }
}
