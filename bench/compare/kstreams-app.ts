// The scenarios on kstreams, run by the driver as a child process: node bench/compare/kstreams-app.ts '<RunSpec>'.
import {
  Consumed,
  JoinWindows,
  KafkaStreams,
  Materialized,
  Produced,
  Serdes,
  Stores,
  StreamsBuilder,
  TimeWindows,
  WindowedSerdes,
  type KStream,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type Record,
  type WindowStore,
} from '../../packages/streams/src/index.ts'
import { runChild, type Meter } from './child.ts'
import {
  fetchTimeSpreadMs,
  joinWindowMs,
  keep,
  keyRange,
  storeRetentionMs,
  storeWindowMs,
  windowAdvanceMs,
  windowSizeMs,
  type RunSpec,
} from './spec.ts'

const keySerde = Serdes.Integer()
const valueSerde = Serdes.ByteArray()
const consumed = Consumed.with(keySerde, valueSerde)
const produced = Produced.with(keySerde, valueSerde)

function build(spec: RunSpec, meter: Meter): StreamsBuilder {
  const builder = new StreamsBuilder()
  const { main, table, stream2, out } = spec.topics
  const counted = (topic: string): KStream<number, Buffer> => builder.stream(topic, consumed).peek(() => meter.tick())
  switch (spec.scenario) {
    case 'source':
      builder.stream(main, consumed).foreach(() => meter.tick())
      break
    case 'sink':
      counted(main).to(out, produced)
      break
    case 'filter-map':
      counted(main)
        .filter((_key, value) => keep(value))
        .mapValues((value): Buffer => Buffer.copyBytesFrom(value, 0, value.length >> 1))
        .to(out, produced)
      break
    case 'kv-store':
      builder.addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('store'), keySerde, valueSerde).withCachingEnabled(),
      )
      counted(main).process(() => new KeyValueProcessor(), 'store')
      break
    case 'window-store':
      builder.addStateStore(
        Stores.windowStoreBuilder(
          Stores.persistentWindowStore('store', storeRetentionMs, storeWindowMs, false),
          keySerde,
          valueSerde,
        ).withCachingEnabled(),
      )
      counted(main).process(() => new WindowProcessor(), 'store')
      break
    case 'count':
      counted(main).groupByKey().count().toStream().to(out, Produced.with(keySerde, Serdes.Long()))
      break
    case 'windowed-count':
      counted(main)
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(windowSizeMs).advanceBy(windowAdvanceMs))
        .count()
        .toStream()
        .to(out, Produced.with(WindowedSerdes.timeWindowedSerdeFrom(keySerde, windowSizeMs), Serdes.Long()))
      break
    case 'st-join':
      counted(main)
        .leftJoin(counted(table).toTable(Materialized.with(keySerde, valueSerde)), joiner)
        .to(out, produced)
      break
    case 'ss-join':
      counted(main)
        .leftJoin(counted(stream2), joiner, JoinWindows.ofTimeDifferenceWithNoGrace(joinWindowMs))
        .to(out, produced)
      break
    case 'tt-join':
      counted(main)
        .toTable(Materialized.with(keySerde, valueSerde))
        .leftJoin(counted(table).toTable(Materialized.with(keySerde, valueSerde)), joiner)
        .toStream()
        .to(out, produced)
      break
  }
  return builder
}

/** The joiners keep the left value: the joins are measured, not the joiner. */
function joiner(left: Buffer, _right: Buffer | null): Buffer {
  return left
}

class KeyValueProcessor implements Processor<number, Buffer> {
  #store!: KeyValueStore<number, Buffer>

  init(context: ProcessorContext): void {
    this.#store = context.getStateStore('store')
  }

  process(record: Record<number, Buffer>): void {
    this.#store.get(record.key)
    this.#store.put(record.key, record.value)
  }
}

class WindowProcessor implements Processor<number, Buffer> {
  #store!: WindowStore<number, Buffer>

  init(context: ProcessorContext): void {
    this.#store = context.getStateStore('store')
  }

  process(record: Record<number, Buffer>): void {
    const [from, to] = keyRange(record.key)
    const found = this.#store.fetchKeyRange(
      from,
      to,
      record.timestamp - fetchTimeSpreadMs,
      record.timestamp + fetchTimeSpreadMs,
    )
    try {
      while (found.hasNext()) found.next()
    } finally {
      found.close()
    }
    this.#store.put(record.key, record.value, record.timestamp)
  }
}

await runChild(async (spec, meter, fail) => {
  const streams = new KafkaStreams(build(spec, meter).build(), {
    applicationId: spec.applicationId,
    bootstrapServers: spec.bootstrapServers,
    stateDir: spec.stateDir,
    processingGuarantee: spec.guarantee,
    commitIntervalMs: spec.commitIntervalMs,
    cacheMaxBytes: spec.cacheMaxBytes,
    numStreamThreads: 1,
    autoOffsetReset: 'earliest',
  })
  streams.setUncaughtExceptionHandler((error) => {
    fail(error)
    return 'SHUTDOWN_CLIENT'
  })
  await streams.start()
  return { close: async () => void (await streams.close()) }
})
