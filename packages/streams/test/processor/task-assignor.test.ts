import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  assignTasks,
  compareTaskIds,
  type AssignorInput,
  type AssignorOutput,
  type ClientSubscription,
  type MemberSubscription,
} from '../../src/processor/internals/assignment/task-assignor.ts'

const END = 100_000
const RUNNING = -2

interface Owned {
  readonly active?: readonly string[]
  readonly standby?: readonly string[]
  readonly offsets?: { readonly [task: string]: number }
}
function member(memberId: string, owned: Owned = {}): MemberSubscription {
  const offsets = new Map(Object.entries(owned.offsets ?? {}))
  // A member reports the tasks it runs as caught up, unless the test says otherwise.
  for (const t of owned.active ?? []) if (!offsets.has(t)) offsets.set(t, RUNNING)
  return {
    memberId,
    ownedActiveTasks: owned.active ?? [],
    ownedStandbyTasks: owned.standby ?? [],
    taskOffsetSums: offsets,
  }
}
function client(processId: string, ...members: MemberSubscription[]): ClientSubscription {
  return { processId, members }
}
const tasks = (subtopology: number, count: number): string[] =>
  Array.from({ length: count }, (_, p) => `${subtopology}_${p}`)

function input(
  clients: ClientSubscription[],
  options: {
    stateful?: readonly string[]
    stateless?: readonly string[]
    end?: number
    standbys?: number
    warmups?: number
  } = {},
): AssignorInput {
  const stateful = options.stateful ?? []
  return {
    clients,
    tasks: new Map<string, { stateful: boolean }>([
      ...stateful.map((t) => [t, { stateful: true }] as const),
      ...(options.stateless ?? []).map((t) => [t, { stateful: false }] as const),
    ]),
    taskEndOffsetSums: new Map(stateful.map((t) => [t, options.end ?? 0])),
    numStandbyReplicas: options.standbys ?? 0,
    acceptableRecoveryLag: 10_000,
    maxWarmupReplicas: options.warmups ?? 2,
  }
}

/** memberId → "active | standby" with a trailing "!" when the member must rejoin at once. */
function summary(output: AssignorOutput): { [memberId: string]: string } {
  const out: { [memberId: string]: string } = {}
  for (const [id, a] of output.members) {
    out[id] = `${a.activeTasks.join(',')} | ${a.standbyTasks.join(',')}${a.rejoinImmediately ? ' !' : ''}`
  }
  return out
}

test('task ids sort by subtopology then partition, numerically', () => {
  assert.deepEqual(['10_0', '0_10', '2_1', '0_2', '0_1'].sort(compareTaskIds), ['0_1', '0_2', '0_10', '2_1', '10_0'])
})

test('a single client gets every task, dealt over its members', () => {
  const out = assignTasks(
    input([client('A', member('a1'), member('a2'))], { stateful: tasks(0, 4), stateless: tasks(1, 2), standbys: 1 }),
  )
  assert.deepEqual(summary(out), { a1: '0_0,0_2,1_0 | ', a2: '0_1,0_3,1_1 | ' })
  assert.equal(out.probingRebalanceNeeded, false)
})

test('six stateful tasks over three fresh clients: two each', () => {
  const out = assignTasks(
    input([client('A', member('a1')), client('B', member('b1')), client('C', member('c1'))], { stateful: tasks(0, 6) }),
  )
  assert.deepEqual(summary(out), { a1: '0_0,0_3 | ', b1: '0_1,0_4 | ', c1: '0_2,0_5 | ' })
  assert.equal(out.probingRebalanceNeeded, false)
})

test('a balanced previous assignment does not move, standbys and threads included', () => {
  const clients = [
    client(
      'A',
      member('a1', { active: ['0_0', '0_2'], standby: ['0_5'], offsets: { '0_5': END - 5 } }),
      member('a2', { active: ['0_1', '0_3'] }),
    ),
    client('B', member('b1', { active: ['0_4'], standby: ['0_0', '0_1'], offsets: { '0_0': END, '0_1': END } })),
    client(
      'C',
      member('c1', {
        active: ['0_5'],
        standby: ['0_2', '0_3', '0_4'],
        offsets: { '0_2': END, '0_3': END, '0_4': END },
      }),
    ),
  ]
  // A has two threads: 4 of 6 tasks is its share, so nothing moves.
  const out = assignTasks(input(clients, { stateful: tasks(0, 6), end: END, standbys: 1 }))
  assert.deepEqual(summary(out), {
    a1: '0_0,0_2 | 0_5',
    a2: '0_1,0_3 | ',
    b1: '0_4 | 0_0,0_1',
    c1: '0_5 | 0_2,0_3,0_4',
  })
  assert.equal(out.probingRebalanceNeeded, false)
})

test('a balanced previous assignment with an odd task count keeps 3/2/2', () => {
  const clients = [
    client('A', member('a1', { active: ['0_0', '0_5', '0_6'] })),
    client('B', member('b1', { active: ['0_1', '0_2'] })),
    client('C', member('c1', { active: ['0_3', '0_4'] })),
  ]
  const out = assignTasks(input(clients, { stateful: tasks(0, 7), end: END }))
  assert.deepEqual(summary(out), { a1: '0_0,0_5,0_6 | ', b1: '0_1,0_2 | ', c1: '0_3,0_4 | ' })
})

test('a new client: actives stay on the caught-up client, warm-ups up to the limit, hand-over only of caught-up tasks', () => {
  const cluster = (a2Active: string[], b1: MemberSubscription): ClientSubscription[] => [
    client('A', member('a1', { active: ['0_0', '0_1', '0_2'] }), member('a2', { active: a2Active })),
    client('B', b1, member('b2', { standby: ['0_5'], offsets: { '0_5': END - 10 } })),
  ]
  // B's target is 0_0, 0_1 (no state) and 0_5 (b2 warmed it up: lag 10 → caught up).
  const first = assignTasks(
    input(cluster(['0_3', '0_4', '0_5'], member('b1')), { stateful: tasks(0, 6), end: END, warmups: 1 }),
  )
  assert.deepEqual(summary(first), {
    a1: '0_0,0_1,0_2 | ',
    a2: '0_3,0_4 | ',
    b1: ' | 0_0', // the only warm-up (max.warmup.replicas = 1): 0_1 stays on A without one
    b2: ' | 0_5 !', // 0_5 is still owned by a2: withheld, kept as a standby meanwhile
  })
  assert.equal(first.probingRebalanceNeeded, true)

  // Follow-up: a2 revoked 0_5, so b2 now takes it; b1 keeps warming 0_0.
  const b1 = member('b1', { standby: ['0_0'], offsets: { '0_0': END / 2 } })
  const followUp = assignTasks(input(cluster(['0_3', '0_4'], b1), { stateful: tasks(0, 6), end: END, warmups: 1 }))
  assert.deepEqual(summary(followUp), {
    a1: '0_0,0_1,0_2 | ',
    a2: '0_3,0_4 | ',
    b1: ' | 0_0',
    b2: '0_5 | ',
  })
  assert.equal(followUp.probingRebalanceNeeded, true)
})

test('warm-ups are not handed out past max.warmup.replicas', () => {
  const clients = [
    client('A', member('a1', { active: tasks(0, 6) })),
    client('B', member('b1')),
    client('C', member('c1')),
  ]
  const out = assignTasks(input(clients, { stateful: tasks(0, 6), end: END, warmups: 2 }))
  const standbys = [...out.members.values()].flatMap((m) => m.standbyTasks)
  assert.deepEqual(standbys, ['0_0', '0_1'])
  assert.deepEqual(out.members.get('a1')?.activeTasks, tasks(0, 6))
  assert.equal(out.probingRebalanceNeeded, true)
})

test('a client leaving: its tasks spread over the others', () => {
  const clients = [
    client('A', member('a1', { active: ['0_0', '0_1'] })),
    client('B', member('b1', { active: ['0_2', '0_3'] })),
    // C (0_4, 0_5) is gone and nobody else has their state: restored from scratch, no probing
  ]
  const out = assignTasks(input(clients, { stateful: tasks(0, 6), end: END }))
  assert.deepEqual(summary(out), { a1: '0_0,0_1,0_4 | ', b1: '0_2,0_3,0_5 | ' })
  assert.equal(out.probingRebalanceNeeded, false)
})

test('standbys go to other clients, one per client per task, spread evenly', () => {
  const clients = [client('A', member('a1')), client('B', member('b1')), client('C', member('c1'))]
  const out = assignTasks(input(clients, { stateful: tasks(0, 3), standbys: 1 }))
  assert.deepEqual(summary(out), { a1: '0_0 | 0_2', b1: '0_1 | 0_0', c1: '0_2 | 0_1' })
  const two = assignTasks(input(clients, { stateful: tasks(0, 3), standbys: 2 }))
  for (const m of two.members.values()) {
    assert.equal(m.activeTasks.length, 1)
    assert.deepEqual(
      m.standbyTasks,
      tasks(0, 3).filter((t) => !m.activeTasks.includes(t)),
    )
  }
})

test('more standby replicas than other clients: as many as possible', () => {
  const clients = [client('A', member('a1')), client('B', member('b1'))]
  const out = assignTasks(input(clients, { stateful: tasks(0, 2), standbys: 3 }))
  assert.deepEqual(summary(out), { a1: '0_0 | 0_1', b1: '0_1 | 0_0' })
})

test('failover: the caught-up standby goes active (swap) and the target keeps a standby', () => {
  // A, which ran 0_0 and 0_1, died; B holds caught-up standbys of both, C has no state.
  const clients = [
    client('B', member('b1', { standby: ['0_0', '0_1'], offsets: { '0_0': END - 1, '0_1': END - 1 } })),
    client('C', member('c1')),
  ]
  // max.warmup.replicas = 0: a swap is no warm-up, C still gets the standby.
  const out = assignTasks(input(clients, { stateful: tasks(0, 2), end: END, standbys: 1, warmups: 0 }))
  assert.deepEqual(summary(out), { b1: '0_0,0_1 | ', c1: ' | 0_0,0_1' })
  assert.equal(out.probingRebalanceNeeded, true)
})

test('a client with two threads gets twice the tasks', () => {
  const clients = [client('A', member('a1'), member('a2')), client('B', member('b1'))]
  const out = assignTasks(input(clients, { stateful: tasks(0, 6), stateless: tasks(1, 3) }))
  assert.deepEqual(summary(out), { a1: '0_0,0_3,1_0 | ', a2: '0_1,0_4,1_1 | ', b1: '0_2,0_5,1_2 | ' })
})

test('stateless tasks balance the active load and stick to their previous owner', () => {
  const fresh = [client('A', member('a1')), client('B', member('b1')), client('C', member('c1'))]
  const out = assignTasks(input(fresh, { stateful: ['0_0'], stateless: tasks(1, 5) }))
  assert.deepEqual(summary(out), { a1: '0_0,1_2 | ', b1: '1_0,1_3 | ', c1: '1_1,1_4 | ' })

  const previous = [
    client('A', member('a1', { active: ['0_0', '1_0'] })),
    client('B', member('b1', { active: ['1_1', '1_2'] })),
    client('C', member('c1', { active: ['1_3', '1_4'] })),
  ]
  const sticky = assignTasks(input(previous, { stateful: ['0_0'], stateless: tasks(1, 5) }))
  assert.deepEqual(summary(sticky), { a1: '0_0,1_0 | ', b1: '1_1,1_2 | ', c1: '1_3,1_4 | ' })

  // A stateless task moving between members is handed over in two phases too.
  const joined = [client('A', member('a1', { active: tasks(1, 4) })), client('B', member('b1'))]
  const moved = assignTasks(input(joined, { stateless: tasks(1, 4) }))
  assert.deepEqual(summary(moved), { a1: '1_2,1_3 | ', b1: ' |  !' })
  assert.equal(moved.probingRebalanceNeeded, false)
})

test('lags: -2 is running, offsets beyond the end offset count as no state', () => {
  const clients = [
    client('A', member('a1', { offsets: { '0_0': END + 5 } })), // corrupt: lag = END
    client('B', member('b1', { offsets: { '0_0': END - 20_000 } })), // lag 20000: not caught up
    client('C', member('c1', { offsets: { '0_0': RUNNING } })),
  ]
  // Target by lag is C (running): it keeps the task, nothing to warm up.
  const out = assignTasks(input(clients, { stateful: ['0_0'], end: END }))
  assert.deepEqual(out.members.get('c1')?.activeTasks, ['0_0'])
  assert.equal(out.probingRebalanceNeeded, false)
})

test('deterministic: input order does not matter', () => {
  const build = (reverse: boolean): AssignorInput => {
    const clients = [
      client('A', member('a1', { active: ['0_0', '0_1', '1_0'] }), member('a2', { active: ['0_2'] })),
      client('B', member('b2', { offsets: { '0_1': END - 1 } }), member('b1')),
      client('C', member('c1', { standby: ['0_2'], offsets: { '0_2': END - 3 } })),
    ]
    const base = input(clients, { stateful: tasks(0, 5), stateless: tasks(1, 3), end: END, standbys: 1 })
    if (!reverse) return base
    return {
      ...base,
      clients: [...clients].reverse().map((c) => ({ ...c, members: [...c.members].reverse() })),
      tasks: new Map([...base.tasks].reverse()),
      taskEndOffsetSums: new Map([...base.taskEndOffsetSums].reverse()),
    }
  }
  const a = assignTasks(build(false))
  assert.deepEqual(summary(assignTasks(build(false))), summary(a))
  assert.deepEqual(summary(assignTasks(build(true))), summary(a))
  assert.deepEqual([...assignTasks(build(true)).members.keys()].sort(), ['a1', 'a2', 'b1', 'b2', 'c1'])
})
