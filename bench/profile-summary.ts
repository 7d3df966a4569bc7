// Summarises V8 CPU profiles (`node --cpu-prof`): self time per function, and total time (self + callees) of
// the functions that matter, so a profile of a benchmark run can be read in a terminal and quoted in
// docs/benchmarks.md. Profile a benchmark's systems with
//   npm run bench -- --only sink --systems kstreams --out none --node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"
// then: npm run bench:profile-summary -- /tmp/prof/CPU.*.cpuprofile [--top 30]
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { parseArgs } from 'node:util'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { functionName: string; url: string; lineNumber: number }
  readonly children?: number[]
}
interface Profile {
  readonly nodes: ProfileNode[]
  readonly samples: number[]
  readonly timeDeltas: number[]
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } })
const top = Number(values.top ?? 25)

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame
  const file = url.startsWith('file://') ? relative(process.cwd(), new URL(url).pathname) : url
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim()
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  let all = 0
  let idle = 0
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0
    all += dt
    const node = byId.get(id)
    if (!node) return
    const name = frameName(node)
    if (name.startsWith('(idle)') || name.startsWith('(program)')) idle += dt
    self.set(name, (self.get(name) ?? 0) + dt)
    // every function on the stack once, however deep its recursion
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)
      if (!frame) break
      const frameLabel = frameName(frame)
      if (seen.has(frameLabel)) continue
      seen.add(frameLabel)
      total.set(frameLabel, (total.get(frameLabel) ?? 0) + dt)
    }
  })
  const pct = (us: number) => `${((100 * us) / all).toFixed(1).padStart(5)} %`
  console.log(`\n${file}: ${(all / 1e6).toFixed(2)} s sampled, ${pct(idle)} idle or outside JavaScript`)
  console.log(`\n  self time`)
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${name}`)
  console.log(`\n  total time (self and callees)`)
  for (const [name, us] of [...total].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${name}`)
}
