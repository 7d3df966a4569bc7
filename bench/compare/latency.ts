// End-to-end latency at a fixed input rate below saturation. Input records carry the time they were produced
// in a header (every system passes headers through to its outputs, for aggregations those of the latest
// record); the driver reads the output topic back (read_committed under exactly-once) and takes the
// difference on its own clock.
import { Consumer, type Message } from '@platformatic/kafka'
import { Headers } from '../../packages/streams/src/index.ts'
import type { RecordProducer } from '../../packages/streams/src/client/record-producer.ts'
import type { Cluster } from './cluster.ts'
import { keySpace, random, RecordMaker } from './data.ts'
import { latencyHeader } from './spec.ts'

const headerKey = Buffer.from(latencyHeader)

function now(): number {
  return performance.timeOrigin + performance.now()
}

/** Reads an output topic from the start and collects the latency of every record with the header. */
export class LatencyReader {
  readonly latencies: number[] = []
  lastSeen = 0
  readonly #consumer: Consumer
  #stream: Awaited<ReturnType<Consumer['consume']>> | undefined

  constructor(cluster: Cluster, groupId: string) {
    this.#consumer = new Consumer({
      clientId: groupId,
      groupId,
      bootstrapBrokers: cluster.bootstrapServers.split(','),
      // the reader must not add its own wait to what is measured
      maxWaitTime: 5,
      minBytes: 1,
    })
  }

  async start(topic: string, readCommitted: boolean): Promise<void> {
    this.#stream = await this.#consumer.consume({
      topics: [topic],
      mode: 'earliest',
      autocommit: false,
      isolationLevel: readCommitted ? 1 : 0,
    })
    this.#stream.on('data', (message: Message) => {
      const received = now()
      for (const [key, value] of message.headerEntries) {
        if (key.equals(headerKey) && value.length === 8) {
          this.latencies.push(received - value.readDoubleBE(0))
          this.lastSeen = received
          break
        }
      }
    })
  }

  async close(): Promise<void> {
    await this.#stream?.close()
    await this.#consumer.close(true)
  }
}

/** Writes records to `topic`: warm-up ones without the header, then `rate` records/s with it. */
export class LatencyWriter {
  readonly #producer: RecordProducer
  readonly #topic: string
  readonly #maker: RecordMaker
  readonly #nextKey = random(7)
  #sent = 0

  constructor(cluster: Cluster, topic: string, valueSize: number) {
    this.#producer = cluster.producer('bench-latency-writer')
    this.#topic = topic
    this.#maker = new RecordMaker(valueSize, cluster.partitions)
  }

  get sent(): number {
    return this.#sent
  }

  #send(headers: Headers): void {
    const k = Math.floor(this.#nextKey() * keySpace)
    const i = this.#sent++
    this.#producer.send(
      this.#topic,
      this.#maker.partitions[k]!,
      this.#maker.keys[k]!,
      this.#maker.value(i),
      headers,
      Date.now(),
    )
  }

  /** One record without the header, written now. */
  async warmUp(): Promise<void> {
    this.#send(new Headers())
    await this.#producer.flush()
  }

  /** `rate` records/s for `seconds`, sent every 10 ms (catching up after a slow flush). */
  async run(rate: number, seconds: number): Promise<number> {
    const began = now()
    const total = rate * seconds
    let sent = 0
    while (sent < total) {
      const due = Math.min(total, Math.floor(((now() - began) / 1000) * rate))
      for (; sent < due; sent++) {
        const stamp = Buffer.allocUnsafe(8)
        stamp.writeDoubleBE(now())
        this.#send(new Headers([[latencyHeader, stamp]]))
      }
      await this.#producer.flush()
      await new Promise((resolveTick) => setTimeout(resolveTick, 10))
    }
    return total
  }

  async close(): Promise<void> {
    await this.#producer.close()
  }
}

/** The value at quantile q (0..1) of the sorted latencies, in ms. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}
