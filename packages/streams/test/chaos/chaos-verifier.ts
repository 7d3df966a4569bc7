// The chaos harness's verdict: what the outputs of the chaos application (chaos-topology.ts) must hold,
// computed from what the input topics actually hold, so that a record the producer failed to write is
// not expected and a record written twice by the producer is not blamed on the application.
//
//   echo:      each input n exactly as often as it is in the input (once);
//   joined:    `n:n` exactly (copies of n in input) x (copies of n in partner) times;
//   aggregate: every { count, sum } of a key is the aggregate of a prefix of the key's input records (in
//              partition order: the repartition keeps it), and the key's last one covers all of them.
import { chaosKey, type ChaosAggregate } from './chaos-topology.ts'

export const violationKinds = ['missing', 'duplicated', 'unexpected', 'wrong-aggregate'] as const
export type ViolationKind = (typeof violationKinds)[number]
export type ChaosOutput = 'echo' | 'joined' | 'aggregate'

export interface Violation {
  readonly kind: ViolationKind
  readonly output: ChaosOutput
  /** The input number concerned (echo, joined), when there is one. */
  readonly n?: number
  /** The key concerned (aggregate). */
  readonly key?: string
  readonly detail: string
}

/** A record as read from a topic: key and value decoded as UTF-8. */
export interface ChaosRecord {
  readonly partition: number
  readonly offset: number
  readonly key: string | null
  readonly value: string | null
}

export interface ChaosTopicsData {
  readonly input: readonly ChaosRecord[]
  readonly partner: readonly ChaosRecord[]
  readonly echo: readonly ChaosRecord[]
  readonly joined: readonly ChaosRecord[]
  readonly aggregate: readonly ChaosRecord[]
}

export interface Verification {
  /** Distinct numbers in the input topic. */
  readonly inputNumbers: number
  readonly inputRecords: number
  readonly partnerRecords: number
  /** Numbers the input topic holds more than once (a producer-side duplicate, expected as often in the outputs). */
  readonly inputDuplicates: readonly number[]
  /** Input records that are not `k<n % 50>` / `n`: the harness's own bug. */
  readonly malformedInput: number
  readonly echoRecords: number
  readonly joinedRecords: number
  readonly aggregateRecords: number
  readonly keys: number
  readonly violations: readonly Violation[]
  /** Violations per kind; `duplicated` counts numbers, `extraCopies` the surplus records. */
  readonly counts: Readonly<Record<ViolationKind, number>>
  readonly extraCopies: number
}

const byOffset = (a: ChaosRecord, b: ChaosRecord): number => a.partition - b.partition || a.offset - b.offset

function parseNumber(text: string | null): number | undefined {
  if (text === null || !/^\d+$/.test(text)) return undefined
  return Number(text)
}

function increment(map: Map<number, number>, n: number): void {
  map.set(n, (map.get(n) ?? 0) + 1)
}

export function verifyChaos(data: ChaosTopicsData): Verification {
  const violations: Violation[] = []
  let extraCopies = 0

  // what the input holds
  const inputCount = new Map<number, number>()
  const partnerCount = new Map<number, number>()
  /** Per key, its input numbers in partition order. */
  const perKey = new Map<string, number[]>()
  let malformedInput = 0
  for (const record of [...data.input].sort(byOffset)) {
    const n = parseNumber(record.value)
    if (n === undefined || record.key !== chaosKey(n)) {
      malformedInput++
      continue
    }
    increment(inputCount, n)
    let list = perKey.get(record.key)
    if (!list) perKey.set(record.key, (list = []))
    list.push(n)
  }
  for (const record of data.partner) {
    const n = parseNumber(record.value)
    if (n === undefined || record.key !== chaosKey(n)) malformedInput++
    else increment(partnerCount, n)
  }
  const inputDuplicates = [...inputCount].filter(([, count]) => count > 1).map(([n]) => n)

  // echo and joined: each n as often as expected
  const checkCopies = (
    output: 'echo' | 'joined',
    records: readonly ChaosRecord[],
    parse: (value: string | null) => number | undefined,
    expected: (n: number) => number,
  ): void => {
    const seen = new Map<number, number>()
    for (const record of records) {
      const n = parse(record.value)
      if (n === undefined) {
        violations.push({
          kind: 'unexpected',
          output,
          detail: `malformed value ${JSON.stringify(record.value)} at ${record.partition}@${record.offset}`,
        })
        continue
      }
      if (record.key !== chaosKey(n)) {
        violations.push({
          kind: 'unexpected',
          output,
          n,
          detail: `n=${n} with key ${JSON.stringify(record.key)} at ${record.partition}@${record.offset}`,
        })
        continue
      }
      increment(seen, n)
    }
    for (const [n, copies] of seen) {
      const want = expected(n)
      if (want === 0) {
        violations.push({ kind: 'unexpected', output, n, detail: `n=${n} is not in the input (${copies}x)` })
      } else if (copies > want) {
        extraCopies += copies - want
        violations.push({ kind: 'duplicated', output, n, detail: `n=${n} ${copies}x, expected ${want}x` })
      } else if (copies < want) {
        violations.push({ kind: 'missing', output, n, detail: `n=${n} ${copies}x, expected ${want}x` })
      }
    }
    for (const n of inputCount.keys()) {
      const want = expected(n)
      if (want > 0 && !seen.has(n)) violations.push({ kind: 'missing', output, n, detail: `n=${n} absent` })
    }
  }
  checkCopies('echo', data.echo, parseNumber, (n) => inputCount.get(n) ?? 0)
  checkCopies(
    'joined',
    data.joined,
    (value) => {
      const match = value === null ? null : /^(\d+):(\d+)$/.exec(value)
      return match && match[1] === match[2] ? Number(match[1]) : undefined
    },
    (n) => (inputCount.get(n) ?? 0) * (partnerCount.get(n) ?? 0),
  )

  // aggregate: every value a prefix aggregate, the last one all of the key's records
  const prefixSums = new Map<string, number[]>()
  for (const [key, numbers] of perKey) {
    const sums = [0]
    for (const n of numbers) sums.push((sums[sums.length - 1] as number) + n)
    prefixSums.set(key, sums)
  }
  const last = new Map<string, ChaosAggregate>()
  /** Per key, how many of its values are no prefix aggregate, and the first of them. */
  const wrongIntermediate = new Map<string, { count: number; first: string }>()
  for (const record of [...data.aggregate].sort(byOffset)) {
    const key = record.key ?? ''
    let value: ChaosAggregate | undefined
    try {
      value = record.value === null ? undefined : (JSON.parse(record.value) as ChaosAggregate)
    } catch {
      value = undefined
    }
    const sums = prefixSums.get(key)
    if (!sums || !value || typeof value.count !== 'number' || typeof value.sum !== 'number') {
      violations.push({
        kind: 'unexpected',
        output: 'aggregate',
        key,
        detail: `${JSON.stringify(key)} -> ${String(record.value)} at ${record.partition}@${record.offset}`,
      })
      continue
    }
    last.set(key, value)
    if (sums[value.count] !== value.sum) {
      const wrong = wrongIntermediate.get(key)
      if (wrong) wrong.count++
      else {
        const prefix = sums[value.count]
        wrongIntermediate.set(key, {
          count: 1,
          first:
            `${JSON.stringify(value)} at ${record.partition}@${record.offset} (the first ${value.count} of ` +
            `${sums.length - 1} input records sum to ${prefix ?? 'nothing: there are fewer'})`,
        })
      }
    }
  }
  for (const [key, wrong] of wrongIntermediate) {
    violations.push({
      kind: 'wrong-aggregate',
      output: 'aggregate',
      key,
      detail: `${key}: ${wrong.count} value(s) aggregate no prefix of its input, first ${wrong.first}`,
    })
  }
  for (const [key, sums] of prefixSums) {
    const expected = { count: sums.length - 1, sum: sums[sums.length - 1] as number }
    const actual = last.get(key)
    if (!actual || actual.count !== expected.count || actual.sum !== expected.sum) {
      violations.push({
        kind: 'wrong-aggregate',
        output: 'aggregate',
        key,
        detail: `${key}: last ${actual ? JSON.stringify(actual) : 'none'}, expected ${JSON.stringify(expected)}`,
      })
    }
  }

  const counts = Object.fromEntries(violationKinds.map((kind) => [kind, 0])) as Record<ViolationKind, number>
  for (const violation of violations) counts[violation.kind]++
  return {
    inputNumbers: inputCount.size,
    inputRecords: data.input.length,
    partnerRecords: data.partner.length,
    inputDuplicates,
    malformedInput,
    echoRecords: data.echo.length,
    joinedRecords: data.joined.length,
    aggregateRecords: data.aggregate.length,
    keys: perKey.size,
    violations,
    counts,
    extraCopies,
  }
}

/**
 * Diagnostics of an internal topic that carries the input's records by key (the aggregation's repartition
 * topic): each key's numbers there must be a contiguous tail of the key's input numbers, in the same order
 * (a tail, as the application purges what it committed). Returns how many keys differ, with examples.
 */
export function compareKeySequences(
  input: readonly ChaosRecord[],
  internal: readonly ChaosRecord[],
): { readonly records: number; readonly keys: number; readonly differing: number; readonly examples: string[] } {
  const sequences = (records: readonly ChaosRecord[]): Map<string, number[]> => {
    const byKey = new Map<string, number[]>()
    for (const record of [...records].sort(byOffset)) {
      const n = parseNumber(record.value)
      if (n === undefined) continue
      const key = record.key ?? ''
      let list = byKey.get(key)
      if (!list) byKey.set(key, (list = []))
      list.push(n)
    }
    return byKey
  }
  const expected = sequences(input)
  const actual = sequences(internal)
  const examples: string[] = []
  let differing = 0
  for (const [key, list] of actual) {
    const want = expected.get(key) ?? []
    const start = want.indexOf(list[0] as number)
    const at = list.findIndex((n, i) => start < 0 || want[start + i] !== n)
    if (at < 0) continue
    differing++
    if (examples.length < 5) {
      examples.push(
        `${key}: its record #${at + 1} is ${list[at]}, where the input has ` +
          `${start < 0 ? 'no such number' : String(want[start + at] ?? 'nothing more')} ` +
          `(there: ${list.slice(Math.max(0, at - 2), at + 3).join(',')}; input: ` +
          `${start < 0 ? '-' : want.slice(Math.max(0, start + at - 2), start + at + 3).join(',')})`,
      )
    }
  }
  return { records: internal.length, keys: actual.size, differing, examples }
}
