import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { generateSales, type Sale } from '../../hourly-sales.ts'
import { floorToHour, HOUR } from '../../lib/format.ts'
import { bootstrapServers } from './helpers.ts'

const root = join(import.meta.dirname, '..', '..', '..')

interface Table {
  start: number
  rows: Map<string, { count: number; total: number }>
}

/** The window tables `npm start` prints when its output is not a terminal. */
function tables(stdout: string): Table[] {
  const found: Table[] = []
  let current: Table | undefined
  for (const line of stdout.split('\n')) {
    const header = /^ {2}(\d{4}-\d\d-\d\d) (\d\d:\d\d)-\d\d:\d\d UTC +sales +total$/.exec(line)
    if (header) {
      current = { start: Date.parse(`${header[1]}T${header[2]}:00Z`), rows: new Map() }
      found.push(current)
      continue
    }
    const row = /^ {4}(\S+(?: stores)?) +(\d+) +₩([\d,]+)$/.exec(line)
    if (row && current) {
      current.rows.set(row[1] ?? '', { count: Number(row[2]), total: Number(row[3]?.replaceAll(',', '')) })
    } else {
      current = undefined
    }
  }
  return found
}

test('npm start: live windowed totals that match the generated sales, and exit code 0 on Ctrl-C', async (t) => {
  const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts.start
  assert.match(script ?? '', /examples\/start\.ts$/)
  const seed = 42
  const start = floorToHour(Date.now()) - 12 * HOUR
  const args = ['--seed', String(seed), '--start', new Date(start).toISOString(), '--suffix', randomUUID().slice(0, 8)]
  // in a process group of its own, as in a terminal, where Ctrl-C signals npm, its shell and the script alike
  const child = spawn('npm', ['start', '--', ...args], {
    cwd: root,
    env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: bootstrapServers().join(',') },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const group = -(child.pid ?? 0)
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(group, 'SIGKILL')
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  // results keep coming: wait for tables of at least two windows with 100 sales between them
  const launched = Date.now()
  const enough = (): boolean => {
    const latest = new Map(tables(stdout).map((table) => [table.start, table.rows.get('all stores')?.count ?? 0]))
    return latest.size >= 2 && [...latest.values()].reduce((a, b) => a + b, 0) >= 100
  }
  while (!enough()) {
    if (child.exitCode !== null) assert.fail(`npm start exited with ${child.exitCode}:\n${stdout}\n${stderr}`)
    if (Date.now() - launched > 90_000) assert.fail(`no windowed results after 90 s:\n${stdout}\n${stderr}`)
    await sleep(200)
  }
  t.diagnostic(/first windowed results [^\n]*/.exec(stdout)?.[0] ?? '')
  process.kill(group, 'SIGINT')
  assert.equal(await exited, 0, `exit code; stdout:\n${stdout}\nstderr:\n${stderr}`)
  assert.match(stdout, /SIGINT: stopping/)
  assert.match(stdout, /stopped cleanly\n$/)
  // nothing went wrong on the way (npm may warn about its own configuration)
  assert.deepEqual(
    stderr.split('\n').filter((line) => line !== '' && !/^npm (warn|notice)/.test(line)),
    [],
  )

  // Each row is a store's count and total in that hour as far as processed: exactly the first `count`
  // sales of that store within the hour, in the order the generator made them (one store, one partition).
  const sales = new Map<string, number[]>() // store@hour -> amounts in order
  let generated = 0
  const printed = tables(stdout)
  const needed = Math.max(...printed.flatMap((table) => [...table.rows.values()].map((row) => row.count)))
  for (const record of generateSales('sales-events', { seed, start })) {
    const id = `${record.key}@${floorToHour(record.timestamp)}`
    sales.set(id, [...(sales.get(id) ?? []), (record.value as Sale).amount])
    // enough sales for every printed row (the clock advances 30 s a sale on average)
    if (++generated > 50 * needed + 10_000) break
  }
  for (const table of printed) {
    let count = 0
    let total = 0
    for (const [store, row] of table.rows) {
      if (store === 'all stores') continue
      assert.ok(row.count > 0 && row.total > 0, `${store} ${row.count} ${row.total}`)
      const amounts = (sales.get(`${store}@${table.start}`) ?? []).slice(0, row.count)
      assert.equal(amounts.length, row.count, `${store} at ${new Date(table.start).toISOString()}`)
      assert.equal(
        row.total,
        amounts.reduce((a, b) => a + b, 0),
        `${store} at ${new Date(table.start).toISOString()}`,
      )
      count += row.count
      total += row.total
    }
    assert.deepEqual(table.rows.get('all stores'), { count, total })
  }
})
