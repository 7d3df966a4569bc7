import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { test } from 'node:test'
import { Consumed, Grouped, KafkaStreams, Produced, Serdes, StreamsBuilder } from '../../src/index.ts'
import { bootstrapServers, uniqueTopic } from './kafka-env.ts'
import { client, createTopics, lastValues, stateDir, TestProducer, waitFor } from './streams-harness.ts'

test('a global table is loaded before processing; a repartitioned count creates and purges its topic', async (t) => {
  const admin = client()
  t.after(() => admin.close())
  const orders = uniqueTopic('orders')
  const customers = uniqueTopic('customers')
  const output = uniqueTopic('orders-per-customer')
  await createTopics(admin, 3, orders, output)
  await createTopics(admin, 1, customers)
  const now = Date.now()
  const customerProducer = new TestProducer(1)
  for (let c = 0; c < 10; c++) customerProducer.send(customers, `c${c}`, `name-${c}`, now)
  await customerProducer.close()
  const producer = new TestProducer(3)
  t.after(() => producer.close())
  const n = 3000
  for (let i = 0; i < n; i++) producer.send(orders, `o${i}`, `c${i % 10}:${i}`, now + i)
  await producer.flush()

  const app = uniqueTopic('global-repartition')
  const builder = new StreamsBuilder()
  const strings = Consumed.with(Serdes.String(), Serdes.String())
  builder
    .stream<string, string>(orders, strings)
    .join(
      builder.globalTable<string, string>(customers, strings),
      (_orderId: string, order: string) => order.split(':')[0] as string,
      (_order: string, name: string) => name,
    )
    .groupBy(
      (_orderId: string, name: string) => name,
      Grouped.with<string, string>('by-name', Serdes.String(), Serdes.String()),
    )
    .count()
    .toStream()
    .to(output, Produced.with(Serdes.String(), Serdes.Long()))
  const dir = stateDir()
  const streams = new KafkaStreams(builder.build(), {
    applicationId: app,
    bootstrapServers: bootstrapServers(),
    stateDir: dir,
    commitIntervalMs: 200,
    repartitionPurgeIntervalMs: 300,
  })
  const restored: string[] = []
  streams.setGlobalStateRestoreListener({ onRestoreEnd: (tp, _store, total) => restored.push(`${tp.topic}=${total}`) })
  t.after(async () => {
    await streams.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await streams.start()
  // start() resolves once the global store is loaded
  assert.deepEqual(restored, [`${customers}=10`])

  const repartition = `${app}-by-name-repartition`
  let totals = new Map<string, number>()
  await waitFor(
    async () => {
      totals = await lastValues(admin, output)
      return [...totals.values()].reduce((s, v) => s + v, 0) === n
    },
    60_000,
    'every order counted',
  )
  assert.deepEqual(totals, new Map(Array.from({ length: 10 }, (_, c) => [`name-${c}`, n / 10])))
  assert.equal((await admin.partitionCounts([repartition])).get(repartition), 3)
  const tps = [0, 1, 2].map((partition) => ({ topic: repartition, partition }))
  await waitFor(
    async () => [...(await admin.listOffsets(tps, 'earliest')).values()].reduce((s, v) => s + v, 0) > 0,
    30_000,
    'repartition records purged',
  )
  assert.equal(await streams.close(), true)
})

test('pause() stops processing until resume(); cleanUp() removes local state only when stopped', async (t) => {
  const admin = client()
  t.after(() => admin.close())
  const input = uniqueTopic('pause-input')
  const output = uniqueTopic('pause-output')
  await createTopics(admin, 2, input, output)
  const builder = new StreamsBuilder()
  builder.stream(input, Consumed.with(Serdes.String(), Serdes.String())).to(output)
  const dir = stateDir()
  const streams = new KafkaStreams(builder.build(), {
    applicationId: uniqueTopic('pause'),
    bootstrapServers: bootstrapServers(),
    stateDir: dir,
    defaultKeySerde: 'string',
    defaultValueSerde: 'string',
  })
  t.after(async () => {
    await streams.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await streams.start()
  await waitFor(() => streams.state() === 'RUNNING', 60_000, 'RUNNING')
  const threads = streams.metadataForLocalThreads()
  assert.equal(threads.length, 1)
  assert.deepEqual(threads[0]?.activeTasks.map((task) => task.taskId).sort(), ['0_0', '0_1'])
  assert.throws(() => streams.cleanUp(), /Cannot clean up while running/)

  streams.pause()
  const producer = new TestProducer(2)
  t.after(() => producer.close())
  for (let i = 0; i < 100; i++) producer.send(input, `k${i}`, String(i), Date.now())
  await producer.flush()
  await new Promise((resolve) => setTimeout(resolve, 1000))
  assert.equal(streams.processedRecords, 0)
  streams.resume()
  await waitFor(() => streams.processedRecords === 100, 30_000, '100 records processed')
  await streams.close()
  streams.cleanUp()
})

test('standby replicas keep state warm: failover restores only the tail', async (t) => {
  const admin = client()
  t.after(() => admin.close())
  const input = uniqueTopic('standby-input')
  const output = uniqueTopic('standby-output')
  await createTopics(admin, 4, input, output)
  const app = uniqueTopic('standby')
  const builder = new StreamsBuilder()
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .count()
    .toStream()
    .to(output, Produced.with(Serdes.String(), Serdes.Long()))
  const topology = builder.build()
  const start = async () => {
    const dir = stateDir()
    const streams = new KafkaStreams(topology, {
      applicationId: app,
      bootstrapServers: bootstrapServers(),
      stateDir: dir,
      numStandbyReplicas: 1,
      cacheMaxBytes: 0,
      commitIntervalMs: 200,
    })
    const restored = { count: 0 }
    streams.setGlobalStateRestoreListener({ onRestoreEnd: (_tp, _store, total) => (restored.count += total) })
    t.after(async () => {
      await streams.close()
      rmSync(dir, { recursive: true, force: true })
    })
    await streams.start()
    return { streams, restored }
  }
  const a = await start()
  const b = await start()
  await waitFor(
    () =>
      [a, b].every(
        ({ streams }) =>
          streams.state() === 'RUNNING' &&
          streams.metadataForLocalThreads()[0]?.activeTasks.length === 2 &&
          streams.metadataForLocalThreads()[0]?.standbyTasks.length === 2,
      ),
    60_000,
    'two active and two standby tasks on each instance',
  )
  const producer = new TestProducer(4)
  t.after(() => producer.close())
  const n = 8000
  for (let i = 0; i < n; i++) producer.send(input, `k${i % 40}`, String(i), Date.now())
  await producer.flush()
  await waitFor(() => a.streams.processedRecords + b.streams.processedRecords >= n, 60_000, 'all processed')
  await new Promise((resolve) => setTimeout(resolve, 1000)) // standbys catch up
  const restoredBefore = a.restored.count
  await b.streams.close()
  await waitFor(() => a.streams.metadataForLocalThreads()[0]?.activeTasks.length === 4, 60_000, 'A runs every task')
  await waitFor(() => a.streams.state() === 'RUNNING', 60_000, 'A RUNNING')
  const failoverRestore = a.restored.count - restoredBefore
  t.diagnostic(`failover restored ${failoverRestore} changelog records; the changelogs hold ${n}`)
  assert.ok(failoverRestore < n / 10, `failover restored ${failoverRestore} records`)
  for (let i = 0; i < 400; i++) producer.send(input, `k${i % 40}`, String(i), Date.now())
  await producer.flush()
  let totals = new Map<string, number>()
  await waitFor(
    async () => {
      totals = await lastValues(admin, output)
      return [...totals.values()].every((v) => v === (n + 400) / 40) && totals.size === 40
    },
    60_000,
    'exact counts after the failover',
  )
  await a.streams.close()
})

test('a foreign-key join across tables with different partition counts, through its internal topics', async (t) => {
  const admin = client()
  t.after(() => admin.close())
  const orders = uniqueTopic('fk-orders')
  const customers = uniqueTopic('fk-customers')
  const output = uniqueTopic('fk-output')
  await createTopics(admin, 3, orders, output)
  await createTopics(admin, 2, customers)
  const customerProducer = new TestProducer(2)
  for (let c = 0; c < 10; c++) customerProducer.send(customers, `c${c}`, `name-${c}`, Date.now())
  await customerProducer.close()
  const producer = new TestProducer(3)
  t.after(() => producer.close())
  for (let i = 0; i < 300; i++) producer.send(orders, `o${i}`, `c${i % 10}:${i}`, Date.now())
  await producer.flush()

  const builder = new StreamsBuilder()
  const strings = Consumed.with(Serdes.String(), Serdes.String())
  builder
    .table<string, string>(orders, strings)
    .join(
      builder.table<string, string>(customers, strings),
      (order: string) => order.split(':')[0] as string,
      (order: string, name: string) => `${order}+${name}`,
    )
    .toStream()
    .to(output, Produced.with(Serdes.String(), Serdes.String()))
  const dir = stateDir()
  const app = uniqueTopic('fk')
  const streams = new KafkaStreams(builder.build(), {
    applicationId: app,
    bootstrapServers: bootstrapServers(),
    stateDir: dir,
    commitIntervalMs: 200,
  })
  t.after(async () => {
    await streams.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await streams.start()
  let joined = new Map<string, string>()
  await waitFor(
    async () => {
      joined = await lastValues(admin, output, (value) => value.toString())
      return joined.size === 300
    },
    60_000,
    'every order joined',
  )
  for (let i = 0; i < 300; i++) assert.equal(joined.get(`o${i}`), `c${i % 10}:${i}+name-${i % 10}`)
  const internal = await admin.partitionCounts([
    `${app}-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic`,
    `${app}-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic`,
  ])
  assert.deepEqual([...internal.values()].sort(), [2, 3])
})
