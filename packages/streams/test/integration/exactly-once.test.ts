import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { tpKey } from '../../src/client/kafka-client.ts'
import { Consumed, KafkaStreams, Produced, Serdes, StreamsBuilder } from '../../src/index.ts'
import { bootstrapServers, uniqueTopic } from './kafka-env.ts'
import { client, createTopics, lastValues, readAll, stateDir, TestProducer, waitFor } from './streams-harness.ts'

const partitions = 6
const keys = 50

test('exactly-once: counts are exact, the output is transactional, and the offsets are committed with it', async (t) => {
  const admin = client()
  const input = uniqueTopic('eos-input')
  const output = uniqueTopic('eos-output')
  await createTopics(admin, partitions, input, output)
  const builder = new StreamsBuilder()
  builder
    .stream(input, Consumed.with(Serdes.String(), Serdes.String()))
    .groupByKey()
    .count()
    .toStream()
    .to(output, Produced.with(Serdes.String(), Serdes.Long()))
  const dir = stateDir()
  const applicationId = uniqueTopic('eos-app')
  const streams = new KafkaStreams(builder.build(), {
    applicationId,
    bootstrapServers: bootstrapServers(),
    stateDir: dir,
    processingGuarantee: 'exactly_once_v2',
    cacheMaxBytes: 0,
  })
  const producer = new TestProducer(partitions)
  t.after(async () => {
    await streams.close()
    await producer.close()
    await admin.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await streams.start()
  const total = 6000
  const now = Date.now()
  for (let i = 0; i < total; i++) producer.send(input, `k${i % keys}`, String(i), now + i)
  await producer.flush()
  await waitFor(() => streams.processedRecords >= total, 60_000, 'all input processed')

  // without caching every record gives one update: the committed output holds exactly `total` of them
  const committed = await readAll(admin, output, { readCommitted: true, count: total, timeoutMs: 30_000 })
  assert.equal(committed.length, total)
  const counts = await lastValues(admin, output, undefined, 300, true)
  assert.equal(counts.size, keys)
  for (const [key, count] of counts) assert.equal(count, total / keys, key)

  // the consumed offsets were committed in the same transactions: the group is at the input's end
  const inputs = Array.from({ length: partitions }, (_, partition) => ({ topic: input, partition }))
  const ends = await admin.listOffsets(inputs, 'latest')
  await waitFor(
    async () => {
      const offsets = await admin.committedOffsets(applicationId, inputs)
      return inputs.every(
        (tp) => offsets.get(tpKey(tp.topic, tp.partition))?.offset === ends.get(tpKey(tp.topic, tp.partition)),
      )
    },
    10_000,
    'committed offsets at the end of the input',
  )
})

const app = fileURLToPath(new URL('./apps/count-app.ts', import.meta.url))

interface AppEvent {
  state?: string
  processed?: number
  error?: string
  restored?: number
  restoreFrom?: number
  restoreTo?: number
  topic?: string
  partition?: number
}

/** A count-app process under exactly-once and the events it printed. */
function startApp(env: Record<string, string>, events: AppEvent[]): ChildProcess {
  const child = spawn(process.execPath, [app], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let buffered = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) events.push(JSON.parse(line) as AppEvent)
  })
  return child
}

test('exactly-once: a restart after kill -9 restores only the changelog tail and counts nothing twice', async (t) => {
  const admin = client()
  const input = uniqueTopic('eos-kill-input')
  const output = uniqueTopic('eos-kill-output')
  await createTopics(admin, partitions, input, output)
  const dir = stateDir()
  const env = {
    BOOTSTRAP: bootstrapServers().join(','),
    APP_ID: uniqueTopic('eos-kill'),
    INPUT: input,
    OUTPUT: output,
    STATE_DIR: dir,
    GUARANTEE: 'exactly_once_v2',
    COMMIT_INTERVAL_MS: '100',
  }
  const producer = new TestProducer(partitions)
  const children: ChildProcess[] = []
  t.after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    await producer.close()
    await admin.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const first: AppEvent[] = []
  children.push(startApp(env, first))
  const now = Date.now()
  let sent = 0
  const sendBatch = async (n: number): Promise<void> => {
    for (const end = sent + n; sent < end; sent++) producer.send(input, `k${sent % keys}`, String(sent), now + sent)
    await producer.flush()
  }
  const processed = (events: AppEvent[]) => events.findLast((e) => e.processed !== undefined)?.processed ?? 0
  await waitFor(() => first.some((e) => e.state === 'RUNNING'), 60_000, 'RUNNING')
  while (sent < 20_000) {
    await sendBatch(1000)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await waitFor(() => processed(first) >= 15_000, 60_000, '15,000 records processed')
  ;(children[0] as ChildProcess).kill('SIGKILL')
  await new Promise((resolve) => (children[0] as ChildProcess).once('exit', resolve))

  const second: AppEvent[] = []
  children.push(startApp(env, second))
  await waitFor(() => second.some((e) => e.state === 'RUNNING'), 60_000, 'RUNNING after the restart')
  await sendBatch(10_000)

  // exactly once through the crash: every count is exact
  await expectExactCounts(admin, output, sent / keys)

  // the stores were not wiped: each changelog partition restored only what follows its stored offset
  const starts = second.filter((e) => e.restoreFrom !== undefined)
  const ends = second.filter((e) => e.restored !== undefined)
  let restored = 0
  let changelogRecords = 0
  for (const start of starts) {
    const end = ends.find((e) => e.topic === start.topic && e.partition === start.partition)
    assert.ok(end, `restoration of ${start.topic}-${start.partition} ended`)
    assert.ok(
      (start.restoreFrom as number) > 0,
      `${start.topic}-${start.partition} restored from its stored offset, not from 0`,
    )
    restored += end.restored as number
  }
  const changelog = starts[0]?.topic
  if (changelog !== undefined) {
    changelogRecords = (await readAll(admin, changelog, { readCommitted: true })).length
    // the tail is what the last transactions wrote after the stores' last commit: at most a few commits' worth
    const tail = (await readAll(admin, changelog, { readCommitted: true })).filter((r) =>
      starts.some(
        (s) =>
          s.partition === r.partition && r.offset >= (s.restoreFrom as number) && r.offset < (s.restoreTo as number),
      ),
    ).length
    assert.equal(restored, tail)
  }
  console.log(
    `restart after kill -9: ${restored} record(s) restored from ${starts.length} changelog partition(s) ` +
      `(a full restore would have read ${changelogRecords})`,
  )
  assert.ok(restored < 2000, `restored ${restored} records: only the tail`)
})

test('exactly-once: an instance frozen past its session (a zombie) is fenced when it wakes, and nothing is counted twice', async (t) => {
  const admin = client()
  const input = uniqueTopic('eos-zombie-input')
  const output = uniqueTopic('eos-zombie-output')
  await createTopics(admin, partitions, input, output)
  const dirs = [stateDir(), stateDir()]
  const base = {
    BOOTSTRAP: bootstrapServers().join(','),
    APP_ID: uniqueTopic('eos-zombie'),
    INPUT: input,
    OUTPUT: output,
    GUARANTEE: 'exactly_once_v2',
    COMMIT_INTERVAL_MS: '100',
  }
  const producer = new TestProducer(partitions)
  const events: AppEvent[][] = [[], []]
  const children = dirs.map((dir, i) => startApp({ ...base, STATE_DIR: dir }, events[i] as AppEvent[]))
  t.after(async () => {
    for (const child of children) {
      child.kill('SIGCONT')
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    await producer.close()
    await admin.close()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })
  const [zombie, survivor] = events as [AppEvent[], AppEvent[]]
  const processed = (list: AppEvent[]) => list.findLast((e) => e.processed !== undefined)?.processed ?? 0
  const state = (list: AppEvent[]) => list.findLast((e) => e.state !== undefined)?.state
  await waitFor(() => state(zombie) === 'RUNNING' && state(survivor) === 'RUNNING', 60_000, 'two instances RUNNING')
  const now = Date.now()
  let sent = 0
  const sendFor = async (ms: number): Promise<void> => {
    for (const until = Date.now() + ms; Date.now() < until;) {
      for (const end = sent + 200; sent < end; sent++) producer.send(input, `k${sent % keys}`, String(sent), now + sent)
      await producer.flush()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  await sendFor(2000)
  await waitFor(() => processed(zombie) > 0, 30_000, 'the zombie-to-be processing')
  // frozen mid-stream, likely with a transaction open: its session (6 s) expires, the survivor takes over
  ;(children[0] as ChildProcess).kill('SIGSTOP')
  await sendFor(8000)
  ;(children[0] as ChildProcess).kill('SIGCONT')
  const before = processed(zombie)
  await sendFor(6000)
  await waitFor(() => processed(zombie) > before, 60_000, 'the woken instance processing again after rejoining')
  assert.deepEqual(
    zombie.filter((e) => e.error),
    [],
  )

  await expectExactCounts(admin, output, sent / keys)
})

/** Waits until the committed output's last count of every key is `expected`; says how far off it is if not. */
async function expectExactCounts(admin: ReturnType<typeof client>, output: string, expected: number): Promise<void> {
  let counts = new Map<string, number>()
  try {
    await waitFor(
      async () => {
        counts = await lastValues(admin, output, undefined, 300, true)
        return counts.size === keys && [...counts.values()].every((c) => c === expected)
      },
      60_000,
      `every key counted exactly ${expected} times`,
    )
  } catch (error) {
    const off = [...counts].filter(([, c]) => c !== expected).map(([k, c]) => `${k}=${c}`)
    throw new Error(`${(error as Error).message}; ${counts.size} keys, off: ${off.slice(0, 10).join(' ')}`)
  }
}
