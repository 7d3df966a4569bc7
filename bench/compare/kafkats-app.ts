// The scenarios on kafkats (@kafkats/flow), run by the driver as a child process:
// node bench/compare/kafkats-app.ts '<RunSpec>'.
//
// kafkats has no Processor API, so `kv-store` and `window-store` (custom processors with state stores) cannot
// be written; its stores are in memory (the only provider it ships) with a changelog, and it has no record
// cache. Its exactly-once mode is `exactly_once` (transactions every commitIntervalMs).
import { buffer, flow, TimeWindows, type Codec, type FlowApp, type KStream } from '@kafkats/flow'
import { runChild, type Meter } from './child.ts'
import { joinWindowMs, keep, windowAdvanceMs, windowSizeMs, type RunSpec } from './spec.ts'

/** Java's IntegerSerializer: 4 bytes big-endian. */
const intCodec: Codec<number> = {
  encode: (value) => {
    const bytes = Buffer.allocUnsafe(4)
    bytes.writeInt32BE(value)
    return bytes
  },
  decode: (bytes) => bytes.readInt32BE(0),
}
/** Java's LongSerializer, for counts: 8 bytes big-endian. */
const longCodec: Codec<number> = {
  encode: (value) => {
    const bytes = Buffer.allocUnsafe(8)
    bytes.writeBigInt64BE(BigInt(value))
    return bytes
  },
  decode: (bytes) => Number(bytes.readBigInt64BE(0)),
}
const bytesCodec = buffer()

function joiner(left: Buffer, _right: Buffer | null): Buffer {
  return left
}

function build(app: FlowApp, spec: RunSpec, meter: Meter): void {
  const { main, table, stream2, out } = spec.topics
  const stream = (topic: string): KStream<number, Buffer> =>
    app.stream(topic, { key: intCodec, value: bytesCodec, offsetReset: 'earliest' })
  const counted = (topic: string): KStream<number, Buffer> => stream(topic).peek(() => meter.tick())
  const produced = { key: intCodec, value: bytesCodec }
  switch (spec.scenario) {
    case 'source':
      counted(main)
      break
    case 'sink':
      counted(main).to(out, produced)
      break
    case 'filter-map':
      counted(main)
        .filter((_key, value) => value !== null && keep(value))
        .mapValues((value): Buffer | null =>
          value === null ? null : Buffer.copyBytesFrom(value, 0, value.length >> 1),
        )
        .to(out, produced)
      break
    case 'count':
      counted(main).groupByKey().count({ value: longCodec }).toStream().to(out, { value: longCodec })
      break
    case 'windowed-count':
      counted(main)
        .groupByKey()
        .windowedBy(TimeWindows.of(windowSizeMs).advanceBy(windowAdvanceMs))
        .count({ value: longCodec })
        .toStream()
        .to(out, { value: longCodec })
      break
    case 'st-join':
      counted(main).leftJoin(counted(table).toTable(), joiner).to(out, produced)
      break
    case 'ss-join':
      counted(main)
        .leftJoin(counted(stream2), joiner, { within: TimeWindows.of(joinWindowMs) })
        .to(out, produced)
      break
    case 'tt-join':
      counted(main).toTable().leftJoin(counted(table).toTable(), joiner).toStream().to(out, produced)
      break
    case 'kv-store':
    case 'window-store':
      throw new Error(`kafkats cannot express ${spec.scenario}: it has no Processor API`)
  }
}

await runChild(async (spec, meter, fail) => {
  const eos = spec.guarantee === 'exactly_once_v2'
  const app = flow({
    applicationId: spec.applicationId,
    client: { brokers: spec.bootstrapServers.split(','), clientId: spec.applicationId },
    numStreamThreads: 1,
    processingGuarantee: eos ? 'exactly_once' : 'at_least_once',
    commitIntervalMs: spec.commitIntervalMs,
    consumer: { autoOffsetReset: 'earliest' },
    // One worker, as one stream thread elsewhere. Its partitions run concurrently (kafkats awaits every
    // record's sends, so with the default of 1 a single partition at a time would be in flight); exactly-once
    // forces 1. Offsets of at-least-once are committed every commit interval, as Kafka Streams does.
    runEach: { partitionConcurrency: spec.partitions, autoCommitIntervalMs: spec.commitIntervalMs },
  })
  build(app, spec, meter)
  await app.start()
  const watch = setInterval(() => {
    if (app.state() === 'ERROR') fail(new Error('kafkats application failed'))
  }, 500)
  return {
    close: async () => {
      clearInterval(watch)
      await app.close()
    },
  }
})
