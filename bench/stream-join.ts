// Records/s of a stream-stream join through one task, no broker: orders and payments over 10,000 keys,
// each payment 0-5 s after its order, joined within 10 s either side (windows of two stores, the
// guide's order-payment join), interleaved as they would arrive.
// Run: npm run bench:stream-join [-- <records> <in_memory|lmdb> [left]]
import { Headers, JoinWindows, StreamsBuilder } from '../packages/streams/src/index.ts'
import type { RawRecord } from '../packages/streams/src/errors/exception-handlers.ts'
import { benchTask, runBatches } from './task.ts'

const total = Number(process.argv[2] ?? 400_000)
const engine = process.argv[3] ?? 'lmdb'
const leftJoin = process.argv[4] === 'left'
const batch = 1000
const keys = 10_000
const commitEvery = 10_000

const builder = new StreamsBuilder()
const orders = builder.stream<string, string>('orders')
const payments = builder.stream<string, string>('payments')
const windows = JoinWindows.ofTimeDifferenceAndGrace(10_000, 1_000)
const joiner = (order: string, payment: string | null): string => `${order}:${String(payment)}`
;(leftJoin ? orders.leftJoin(payments, joiner, windows) : orders.join(payments, joiner, windows)).to('paid')
const { task, sent, close } = benchTask(builder, {
  defaultKeySerde: 'string',
  defaultValueSerde: 'string',
  defaultDslStore: engine,
})

const headers = new Headers()
const value = Buffer.from('x'.repeat(100))
const next = { orders: 0, payments: 0 }
function nextBatch(topic: 'orders' | 'payments'): RawRecord[] {
  return Array.from({ length: batch }, () => {
    const order = next[topic]++
    const i = order
    // a payment follows its order by 0-5 s of event time
    const timestamp = 1_700_000_000_000 + order * 10 + (topic === 'payments' ? (order * 7919) % 5000 : 0)
    return { topic, partition: 0, offset: i, timestamp, key: Buffer.from(`k${order % keys}`), value, headers }
  })
}

const run = (n: number): number =>
  runBatches(task, n, commitEvery, () => [
    ['orders', nextBatch('orders')],
    ['payments', nextBatch('payments')],
  ])

run(Math.min(total / 5, 100_000)) // warm-up
sent.records = 0
const seconds = run(total)
console.log(
  `stream-join (${leftJoin ? 'left' : 'inner'}, ${engine}, commit every ${commitEvery}): ${total.toLocaleString('en')} records in ${seconds.toFixed(2)}s = ` +
    `${Math.round(total / seconds).toLocaleString('en')} records/s (${sent.records.toLocaleString('en')} records produced, changelogs included), Node ${process.version}`,
)
close()
