// The datasets, loaded once per value size and read by every run. Content is deterministic (seeded): keys are
// Integers (Java's IntegerSerializer, 4 bytes big-endian) drawn uniformly from 10,000, partitioned as Java's
// producer does (murmur2); values are slices of one seeded random block with the record's index in their
// first 4 bytes. Event time advances 10,000 records per second, so a key appears about once a second:
// hopping windows and the 10 s join window see several records of a key. Timestamps end about when loading
// starts (brokers refuse timestamps far in the future).
//   main     N records
//   table    one record per key (10,000), timestamped before the first main record
//   stream2  N / 20 records over the same event-time span as main (a left record finds ~1 match in 10 s)
import { Headers } from '../../packages/streams/src/index.ts'
import { defaultPartition } from '../../packages/streams/src/processor/internals/default-partitioner.ts'
import type { Cluster } from './cluster.ts'

export const keySpace = 10_000
export const eventsPerSecond = 10_000
export const stream2Ratio = 20

export interface Dataset {
  readonly valueSize: number
  readonly topics: { readonly main: string; readonly table: string; readonly stream2: string }
  readonly counts: { readonly main: number; readonly table: number; readonly stream2: number }
  /** Timestamp of the first main record. */
  readonly startTime: number
  readonly loadSeconds: number
}

/** mulberry32: a small seeded generator, so every run loads the same bytes. */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Keys as Java serializes them, with their partitions, and a value maker for one value size. */
export class RecordMaker {
  readonly keys: Buffer[] = []
  readonly partitions: number[] = []
  readonly #block: Buffer
  readonly #size: number

  constructor(valueSize: number, partitions: number) {
    this.#size = valueSize
    for (let k = 0; k < keySpace; k++) {
      const key = Buffer.alloc(4)
      key.writeInt32BE(k)
      this.keys.push(key)
      this.partitions.push(defaultPartition(key, partitions))
    }
    const next = random(0x5eed)
    this.#block = Buffer.alloc(64 * 1024 + valueSize)
    for (let i = 0; i < this.#block.length; i++) this.#block[i] = (next() * 256) | 0
  }

  value(index: number): Buffer {
    const start = Math.imul(index, 7919) >>> 0
    const offset = start % (this.#block.length - this.#size)
    const value = Buffer.copyBytesFrom(this.#block, offset, this.#size)
    if (this.#size >= 4) value.writeUInt32BE(index >>> 0)
    return value
  }
}

/** Creates the dataset's topics and writes them. */
export async function loadDataset(
  cluster: Cluster,
  prefix: string,
  records: number,
  valueSize: number,
  log: (line: string) => void,
): Promise<Dataset> {
  const topics = { main: `${prefix}-main`, table: `${prefix}-table`, stream2: `${prefix}-stream2` }
  const counts = { main: records, table: keySpace, stream2: Math.max(1, Math.floor(records / stream2Ratio)) }
  await cluster.createTopics(topics.main, topics.table, topics.stream2)
  const maker = new RecordMaker(valueSize, cluster.partitions)
  const spanMs = Math.ceil((records * 1000) / eventsPerSecond)
  const startTime = Math.floor((Date.now() - spanMs - 60_000) / 1000) * 1000
  const producer = cluster.producer('bench-loader')
  const headers = new Headers()
  const began = performance.now()
  try {
    const write = async (topic: string, count: number, keyOf: (i: number) => number, at: (i: number) => number) => {
      for (let i = 0; i < count; i++) {
        const k = keyOf(i)
        producer.send(topic, maker.partitions[k]!, maker.keys[k]!, maker.value(i), headers, at(i))
        if (i % 20_000 === 19_999) await producer.flush()
      }
      await producer.flush()
    }
    const uniform = (seed: number): (() => number) => {
      const next = random(seed)
      return () => Math.floor(next() * keySpace)
    }
    await write(
      topics.table,
      counts.table,
      (i) => i,
      () => startTime - 1,
    )
    const stream2Step = (stream2Ratio * 1000) / eventsPerSecond
    await write(topics.stream2, counts.stream2, uniform(2), (i) => startTime + Math.floor(i * stream2Step))
    await write(topics.main, counts.main, uniform(1), (i) => startTime + Math.floor((i * 1000) / eventsPerSecond))
  } finally {
    await producer.close()
  }
  const loadSeconds = (performance.now() - began) / 1000
  log(
    `loaded ${valueSize}-byte dataset: ${counts.main.toLocaleString('en-US')} main, ${counts.table.toLocaleString('en-US')} ` +
      `table, ${counts.stream2.toLocaleString('en-US')} stream2 records in ${loadSeconds.toFixed(1)} s`,
  )
  return { valueSize, topics, counts, startTime, loadSeconds }
}
