// Put, get and range throughput of the two state-store engines (in memory on sorted-btree, persistent on
// lmdb), the workload of research/state-store.md §4 scaled down: random 16-byte keys with 100-byte values,
// puts committed in batches of 1,000 (one lmdb transaction each), random gets of stored keys, and ranges
// of 100 entries from random stored keys. Timings are noisy; compare runs on the same machine.
// Run: npm run bench:state-store [-- <keys>]      (default 200,000 keys; lmdb files go under os.tmpdir())
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BytesEngine } from '../packages/streams/src/state/internals/bytes-engine.ts'
import { InMemoryBytesEngine } from '../packages/streams/src/state/internals/in-memory-bytes-engine.ts'
import { LmdbEnvironment } from '../packages/streams/src/state/internals/lmdb-bytes-engine.ts'

const total = Number(process.argv[2] ?? 200_000)
const batch = 1000
const rangeLength = 100
const ranges = Math.max(1, Math.floor(total / 10))

const keyBytes = randomBytes(16 * total)
const keys = Array.from({ length: total }, (_, i) => keyBytes.subarray(16 * i, 16 * (i + 1)))
const valuePool = Array.from({ length: 1024 }, () => randomBytes(100))
// Gets and range starts visit the stored keys in a random order.
const order = Uint32Array.from({ length: total }, (_, i) => i)
for (let i = total - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1))
  const swap = order[i] as number
  order[i] = order[j] as number
  order[j] = swap
}

function perSecond(count: number, start: bigint): string {
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return `${Math.round(count / seconds).toLocaleString('en')}/s`
}

function run(label: string, engine: BytesEngine, commit: () => void): void {
  let start = process.hrtime.bigint()
  for (let i = 0; i < total; i++) {
    engine.put(keys[i] as Buffer, valuePool[i & 1023] as Buffer)
    if ((i + 1) % batch === 0) commit()
  }
  commit()
  console.log(`${label} put (batches of ${batch}, committed): ${perSecond(total, start)}`)

  start = process.hrtime.bigint()
  let found = 0
  for (let i = 0; i < total; i++) if (engine.get(keys[order[i] as number] as Buffer) !== undefined) found++
  console.log(`${label} get (random, stored keys): ${perSecond(total, start)}`)
  if (found !== total) throw new Error(`${label}: ${total - found} keys were not found`)

  start = process.hrtime.bigint()
  let entries = 0
  for (let r = 0; r < ranges; r++) {
    const iterator = engine.range(keys[order[r] as number], undefined)
    for (let n = 0; n < rangeLength && iterator.hasNext(); n++) {
      iterator.next()
      entries++
    }
    iterator.close()
  }
  console.log(`${label} range (${rangeLength} entries from a random key): ${perSecond(ranges, start)}`)
  console.log(`${label} range entries read: ${perSecond(entries, start)}`)
}

console.log(
  `state-store engines: ${total.toLocaleString('en')} keys of 16 bytes, values of 100 bytes, Node ${process.version}`,
)

const memory = new InMemoryBytesEngine('bench')
run('in-memory', memory, () => memory.flush())
memory.close()

const dir = mkdtempSync(join(tmpdir(), 'kstreams-bench-'))
try {
  const env = new LmdbEnvironment(dir)
  const lmdb = env.openEngine('bench')
  run('lmdb', lmdb, () => env.commit())
  env.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
