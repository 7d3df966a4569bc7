// The guide's third worked example, 조인 예제 (join example): orders joined with their payments when
// the payment comes within 10 minutes of the order (a stream-stream join over a join window).
//
//   npm run example:order-payment [-- --exactly-once --seed 7]
import { Duration, JoinWindows, Serdes, StreamsBuilder, type Topology } from '@kstreams/streams'
import { exampleArgs, withSuffix } from './lib/example-args.ts'
import { formatTime, won } from './lib/format.ts'
import { printOutput, runExampleCommand, type GeneratedRecord } from './lib/run-example.ts'
import { seededRandom } from './lib/seeded-random.ts'

/** An order, keyed by its id. */
export interface Order {
  id: string
  amount: number
}

/** A payment, keyed by the id of the order it pays. */
export interface Payment {
  method: string
  timestamp: number
}

/** What the join writes, keyed by order id. */
export interface PaidOrder {
  orderId: string
  amount: number
  paymentMethod: string
  paidAt: number
}

export type OrderPaymentTopics = {
  readonly orders: string
  readonly payments: string
  readonly output: string
}

export const orderPaymentTopics: OrderPaymentTopics = { orders: 'orders', payments: 'payments', output: 'paid-orders' }

export const paidOrderSerde = Serdes.JSON<PaidOrder>()

export function buildOrderPayment(
  topics: OrderPaymentTopics = orderPaymentTopics,
  builder = new StreamsBuilder(),
): Topology {
  // 주문과 결제 조인
  const orders = builder.stream<string, Order>(topics.orders)
  const payments = builder.stream<string, Payment>(topics.payments)

  const paidOrders = orders.join(
    payments,
    (order: Order, payment: Payment): PaidOrder => ({
      orderId: order.id,
      amount: order.amount,
      paymentMethod: payment.method,
      paidAt: payment.timestamp,
    }),
    JoinWindows.of(Duration.ofMinutes(10)),
  )

  paidOrders.to(topics.output)
  return builder.build()
}

const methods = ['card', 'card', 'card', 'bank transfer', 'mobile pay'] as const

/**
 * Endless orders from `start` on, 20 to 60 simulated seconds apart. Most are paid within 9 minutes and
 * join; one in ten is paid 11 to 20 minutes later, too late for the 10-minute window; one in ten is never
 * paid. Records come in time order, each payment after its order.
 */
export function* generateOrders(
  topics: Pick<OrderPaymentTopics, 'orders' | 'payments'>,
  { seed, start }: { seed: number; start: number },
): Generator<GeneratedRecord> {
  const random = seededRandom(seed)
  const due: GeneratedRecord[] = [] // payments not yet emitted, by time
  let clock = start
  for (let n = 1; ; n++) {
    clock += random.int(20, 60) * 1000
    while (due[0] !== undefined && due[0].timestamp <= clock) yield due.shift() as GeneratedRecord
    const id = `order-${String(n).padStart(5, '0')}`
    const order: Order = { id, amount: random.int(1, 100) * 1_000 }
    yield { topic: topics.orders, key: id, value: order, timestamp: clock }
    const fate = random.next()
    if (fate < 0.1) continue // never paid
    const delay = fate < 0.2 ? random.int(11 * 60, 20 * 60) * 1000 : random.int(0, 9 * 60) * 1000
    const payment: Payment = { method: random.pick(methods), timestamp: clock + delay }
    due.push({ topic: topics.payments, key: id, value: payment, timestamp: payment.timestamp })
    due.sort((a, b) => a.timestamp - b.timestamp)
  }
}

/** `order-00012  ₩23,000  paid by card at 2026-11-23 09:14` */
export function formatPaidOrder(value: PaidOrder | null): string {
  if (value === null) return '(tombstone)'
  return `${value.orderId}  ${won(value.amount).padStart(9)}  paid by ${value.paymentMethod} at ${formatTime(value.paidAt)}`
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = exampleArgs(argv, 'npm run example:order-payment')
  const topics = withSuffix(orderPaymentTopics, args.suffix)
  console.log(
    `orders joined with payments within 10 minutes (JoinWindows.of(10 minutes)), ${args.processingGuarantee}; ` +
      `generator seed ${args.seed}, simulated clock from ${new Date(args.start).toISOString()}; ` +
      `orders paid later or never do not appear`,
  )
  await runExampleCommand(args, {
    applicationId: `order-payment${args.suffix}`,
    topology: buildOrderPayment(topics),
    topics: [topics.orders, topics.payments, topics.output],
    records: generateOrders(topics, args),
    recordsPerSecond: 10,
    outputs: [printOutput(topics.output, Serdes.String(), paidOrderSerde, (_orderId, value) => formatPaidOrder(value))],
  })
}

if (import.meta.main) await main()
