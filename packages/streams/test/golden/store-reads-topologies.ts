// The *-store-reads(-cached) twins of Java's storeReads topologies: a processor runs the commands in each
// record's value (';' between them, all in one process() call) on a persistent store with caching on,
// and forwards what each read returned. "-" stands for a null key bound.
import {
  Duration,
  Serdes,
  Stores,
  StreamsBuilder,
  Window,
  Windowed,
  type KeyValueIterator,
  type KeyValueStore,
  type ProcessorContext,
  type ProcessorSupplier,
  type Record,
  type SessionStore,
  type StateStore,
  type StoreBuilder,
  type Topology,
  type WindowStore,
} from '../../src/index.ts'

const keyArg = (s: string | undefined): string | null => (s === '-' || s === undefined ? null : s)
const num = (s: string | undefined): number => Number(s)
const commands = (value: string): string[][] => value.split(';').map((command) => command.trim().split(' '))

function read<K, V>(iterator: KeyValueIterator<K, V>, show: (key: K, value: V) => string): string[] {
  const out: string[] = []
  for (const { key, value } of iterator) out.push(show(key, value))
  return out
}

const windowed = (key: Windowed<string>, value: string | null): string => `${key.key}@${key.window.start}=${value}`
const session = (key: Windowed<string>, value: string | null): string =>
  `${key.key}@${key.window.start}/${key.window.end}=${value}`

/** A processor that runs each record's commands on store `name`; `run` returns what a read returned. */
function commandProcessor<S>(
  name: string,
  run: (store: S, c: string[]) => string[] | undefined,
): ProcessorSupplier<string, string, string, string> {
  return () => {
    let context: ProcessorContext<string, string>
    let store: S
    return {
      init(c) {
        context = c
        store = c.getStateStore<S & StateStore>(name)
      },
      process(record: Record<string, string>) {
        for (const c of commands(record.value)) {
          const result = run(store, c)
          if (result !== undefined) context.forward(record.withValue(`${c.join(' ')} -> ${result.join(' ')}`))
        }
      },
    }
  }
}

const windowCommands = commandProcessor<WindowStore<string, string | null>>('ws', (store, c) => {
  switch (c[0] ?? '') {
    case 'put':
      store.put(c[1] as string, c[3] as string, num(c[2]))
      return undefined
    case 'del':
      store.put(c[1] as string, null, num(c[2]))
      return undefined
    case 'get':
      return [String(store.fetch(c[1] as string, num(c[2])))]
    case 'fetch':
      return read(store.fetchRange(c[1] as string, num(c[2]), num(c[3])), (t, v) => `${t}=${v}`)
    case 'bfetch':
      return read(store.backwardFetchRange(c[1] as string, num(c[2]), num(c[3])), (t, v) => `${t}=${v}`)
    case 'range':
      return read(store.fetchKeyRange(keyArg(c[1]), keyArg(c[2]), num(c[3]), num(c[4])), windowed)
    case 'brange':
      return read(store.backwardFetchKeyRange(keyArg(c[1]), keyArg(c[2]), num(c[3]), num(c[4])), windowed)
    case 'all':
      return read(store.all(), windowed)
    case 'ball':
      return read(store.backwardAll(), windowed)
    case 'fetchall':
      return read(store.fetchAll(num(c[1]), num(c[2])), windowed)
    case 'bfetchall':
      return read(store.backwardFetchAll(num(c[1]), num(c[2])), windowed)
    default:
      throw new Error(`unknown command ${c[0]}`)
  }
})

const keyValueCommands = commandProcessor<KeyValueStore<string, string | null>>('kv', (store, c) => {
  const show = (k: string, v: string | null): string => `${k}=${v}`
  switch (c[0] ?? '') {
    case 'put':
      store.put(c[1] as string, c[2] as string)
      return undefined
    case 'del':
      store.delete(c[1] as string)
      return undefined
    case 'get':
      return [String(store.get(c[1] as string))]
    case 'range':
      return read(store.range(keyArg(c[1]), keyArg(c[2])), show)
    case 'rrange':
      return read(store.reverseRange(keyArg(c[1]), keyArg(c[2])), show)
    case 'all':
      return read(store.all(), show)
    case 'rall':
      return read(store.reverseAll(), show)
    case 'prefix':
      return read(store.prefixScan(c[1] as string, Serdes.String().serializer()), show)
    default:
      throw new Error(`unknown command ${c[0]}`)
  }
})

const sessionCommands = commandProcessor<SessionStore<string, string | null>>('ss', (store, c) => {
  const key = c[1] as string
  const sessionKey = (): Windowed<string> => new Windowed(key, new Window(num(c[2]), num(c[3])))
  switch (c[0] ?? '') {
    case 'put':
      store.put(sessionKey(), c[4] as string)
      return undefined
    case 'rm':
      store.remove(sessionKey())
      return undefined
    case 'get':
      return [String(store.fetchSession(key, num(c[2]), num(c[3])))]
    case 'find':
      return read(store.findSessions(key, num(c[2]), num(c[3])), session)
    case 'bfind':
      return read(store.backwardFindSessions(key, num(c[2]), num(c[3])), session)
    case 'findr':
      return read(store.findSessions(keyArg(c[1]), keyArg(c[2]), num(c[3]), num(c[4])), session)
    case 'bfindr':
      return read(store.backwardFindSessions(keyArg(c[1]), keyArg(c[2]), num(c[3]), num(c[4])), session)
    case 'fetch':
      return read(store.fetch(key), session)
    case 'bfetch':
      return read(store.backwardFetch(key), session)
    case 'fetchr':
      return read(store.fetch(keyArg(c[1]), keyArg(c[2])), session)
    case 'bfetchr':
      return read(store.backwardFetch(keyArg(c[1]), keyArg(c[2])), session)
    default:
      throw new Error(`unknown command ${c[0]}`)
  }
})

function storeReads(
  store: string,
  storeBuilder: () => StoreBuilder,
  processor: ProcessorSupplier<string, string, string, string>,
): () => Topology {
  return () => {
    const b = new StreamsBuilder()
    b.addStateStore(storeBuilder())
    b.stream<string, string>('input').process(processor, store).to('output')
    return b.build()
  }
}

// retention 1 h: segments of 30 min (1,800,000 ms)
const windowReads = storeReads(
  'ws',
  () =>
    Stores.windowStoreBuilder(
      Stores.persistentWindowStore('ws', Duration.ofHours(1), Duration.ofSeconds(1), false),
      Serdes.String(),
      Serdes.String(),
    ).withCachingEnabled(),
  windowCommands,
)
const keyValueReads = storeReads(
  'kv',
  () =>
    Stores.keyValueStoreBuilder(
      Stores.persistentKeyValueStore('kv'),
      Serdes.String(),
      Serdes.String(),
    ).withCachingEnabled(),
  keyValueCommands,
)
const sessionReads = storeReads(
  'ss',
  () =>
    Stores.sessionStoreBuilder(
      Stores.persistentSessionStore('ss', Duration.ofHours(1)),
      Serdes.String(),
      Serdes.String(),
    ).withCachingEnabled(),
  sessionCommands,
)

/** The same topology twice each: the *-cached scenarios keep the default cache, the others turn it off. */
export const storeReadsTopologies: { readonly [name: string]: () => Topology } = {
  'window-store-reads': windowReads,
  'window-store-reads-cached': windowReads,
  'kv-store-reads': keyValueReads,
  'kv-store-reads-cached': keyValueReads,
  'session-store-reads': sessionReads,
  'session-store-reads-cached': sessionReads,
}
