// The ceiling for any library on @platformatic/kafka: its Consumer straight into its Producer, no processing,
// no state, no transactions. `source` only consumes; `sink` writes every record to the same partition of the
// output topic (the input is partitioned by the same key hash), acks=all, up to 4 requests in flight, offsets
// committed every commit interval. Run by the driver as node bench/compare/baseline-app.ts '<RunSpec>'.
import { Consumer, ProduceAcks, Producer, type MessageToProduce } from '@platformatic/kafka'
import { runChild } from './child.ts'

/** Bytes queued for the producer before consuming pauses. */
const highWater = 4 * 1024 * 1024
/** Produce requests in flight at once (Kafka's max.in.flight.requests.per.connection is 5). */
const maxInFlight = 4
/** Bytes of one partition in one produce request: below the broker's message.max.bytes (1 MiB). */
const partitionBatchBytes = 768 * 1024

function sizeOf(message: MessageToProduce): number {
  return 64 + (message.key?.length ?? 0) + (message.value?.length ?? 0)
}

await runChild(async (spec, meter, fail) => {
  if (spec.scenario !== 'source' && spec.scenario !== 'sink') {
    throw new Error(`the raw pass-through has no ${spec.scenario}`)
  }
  if (spec.guarantee !== 'at_least_once') throw new Error('the raw pass-through runs at-least-once only')
  const brokers = spec.bootstrapServers.split(',')
  const consumer = new Consumer({
    clientId: spec.applicationId,
    groupId: spec.applicationId,
    bootstrapBrokers: brokers,
  })
  const producer =
    spec.scenario === 'sink'
      ? new Producer({ clientId: `${spec.applicationId}-producer`, bootstrapBrokers: brokers, acks: ProduceAcks.ALL })
      : undefined
  const stream = await consumer.consume({
    topics: [spec.topics.main],
    mode: 'earliest',
    autocommit: spec.commitIntervalMs,
  })
  const pending: MessageToProduce[] = []
  let pendingBytes = 0
  let inFlight = 0
  /** Takes from `pending` what fits one request. */
  const take = (): MessageToProduce[] => {
    const perPartition = new Map<number, number>()
    let n = 0
    for (; n < pending.length; n++) {
      const message = pending[n]!
      const size = sizeOf(message)
      const partition = message.partition ?? 0
      const bytes = (perPartition.get(partition) ?? 0) + size
      if (bytes > partitionBatchBytes && n > 0) break
      perPartition.set(partition, bytes)
      pendingBytes -= size
    }
    return pending.splice(0, n)
  }
  const send = (): void => {
    if (inFlight >= maxInFlight || pending.length === 0 || !producer) return
    inFlight++
    producer
      .send({ messages: take() })
      .then(() => {
        inFlight--
        if (stream.isPaused() && pendingBytes < highWater) stream.resume()
        send()
      })
      .catch(fail)
    send()
  }
  stream.on('error', fail)
  stream.on('data', (message) => {
    meter.tick()
    if (!producer) return
    const out: MessageToProduce = {
      topic: spec.topics.out,
      partition: message.partition,
      key: message.key,
      value: message.value,
      headers: message.headers,
      timestamp: message.timestamp,
    }
    pending.push(out)
    pendingBytes += sizeOf(out)
    if (pendingBytes >= highWater) stream.pause()
    send()
  })
  return {
    close: async () => {
      await stream.close()
      await producer?.close()
      await consumer.close(true)
    },
  }
})
