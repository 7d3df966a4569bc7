/**
 * Leader-side task assignment (Kafka `StreamsPartitionAssignor.assign` with the default
 * `HighAvailabilityTaskAssignor`, `DefaultStandbyTaskAssignor` and `TaskMovement`, then
 * `assignTasksToThreads` and the cooperative hand-over of `computeNewAssignment`), simplified:
 * tasks → clients by a sticky, capacity-proportional balance; standbys on distinct other clients;
 * KIP-441 warm-ups that keep actives on caught-up clients; tasks → members (threads) inside each
 * client; tasks still owned by another member are withheld until the follow-up rebalance.
 * Pure: no I/O, no clocks, no randomness; every iteration follows sorted task ids / process ids.
 */
import { StreamsError } from '../../../errors/streams-error.ts'

export interface ClientSubscription {
  /** The client's process id (one KafkaStreams instance); a client has one or more members (stream threads). */
  readonly processId: string
  /** Member ids of this client, each a group member (one per stream thread). */
  readonly members: readonly MemberSubscription[]
}
export interface MemberSubscription {
  readonly memberId: string
  /** Active tasks this member ran before this rebalance (derived from its owned partitions). */
  readonly ownedActiveTasks: readonly string[]
  /** Standby tasks this member held before. */
  readonly ownedStandbyTasks: readonly string[]
  /** Per task whose state this member has locally: the sum over the task's changelog partitions of (stored offset + 1); -2 = the member runs it as a caught-up active task. */
  readonly taskOffsetSums: ReadonlyMap<string, number>
}
export interface AssignorInput {
  readonly clients: readonly ClientSubscription[]
  /** Every task, with whether it has state (changelogged stores). */
  readonly tasks: ReadonlyMap<string, { readonly stateful: boolean }>
  /** Per stateful task: sum over its changelog partitions of the changelog end offset (latest offset). */
  readonly taskEndOffsetSums: ReadonlyMap<string, number>
  readonly numStandbyReplicas: number
  /** A client is caught up on a task when its lag <= this (Kafka acceptable.recovery.lag, default 10000). */
  readonly acceptableRecoveryLag: number
  /** Max number of warm-up replicas per rebalance (Kafka max.warmup.replicas, default 2). */
  readonly maxWarmupReplicas: number
}
export interface MemberAssignment {
  readonly activeTasks: string[] // sorted
  readonly standbyTasks: string[] // sorted (includes warm-ups)
  /** True when this member must rejoin at once (cooperative hand-over: a task was withheld because another member still owns it). */
  readonly rejoinImmediately: boolean
}
export interface AssignorOutput {
  readonly members: Map<string, MemberAssignment> // by memberId, every member of every client present
  /** True when a task was placed on a client that is not caught up while another is (warm-up in progress): the leader schedules a probing rebalance. */
  readonly probingRebalanceNeeded: boolean
}

/** Kafka's `Task.LATEST_OFFSET`: the member runs the task as a caught-up active. */
const RUNNING = -2

interface Client {
  readonly processId: string
  readonly members: readonly MemberSubscription[] // sorted by memberId
  readonly capacity: number
  readonly prevActive: ReadonlySet<string>
  readonly lag: ReadonlyMap<string, number> // stateful tasks only
  readonly running: ReadonlySet<string>
  readonly active: Set<string>
  readonly standby: Set<string>
}

/** Orders `<subtopology>_<partition>` ids numerically (Kafka `TaskId.compareTo`), never lexically. */
export function compareTaskIds(a: string, b: string): number {
  const [subA, partA] = splitTaskId(a)
  const [subB, partB] = splitTaskId(b)
  return compareMaybeNumeric(subA, subB) || compareMaybeNumeric(partA, partB)
}

function splitTaskId(id: string): [string, string] {
  const at = id.lastIndexOf('_')
  return at < 0 ? ['', id] : [id.slice(0, at), id.slice(at + 1)]
}

function compareMaybeNumeric(a: string, b: string): number {
  const numeric = /^\d+$/
  if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b)
  return compareStrings(a, b)
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The first item with the smallest key, keys compared element by element. */
function minBy<T>(items: Iterable<T>, key: (item: T) => readonly number[]): T | undefined {
  let best: T | undefined
  let bestKey: readonly number[] = []
  for (const item of items) {
    const k = key(item)
    let cmp = 0
    for (let i = 0; i < k.length && cmp === 0; i++) cmp = (k[i] ?? 0) - (bestKey[i] ?? 0)
    if (best === undefined || cmp < 0) [best, bestKey] = [item, k]
  }
  return best
}

export function assignTasks(input: AssignorInput): AssignorOutput {
  const all = [...input.tasks.keys()].sort(compareTaskIds)
  const stateful = all.filter((t) => input.tasks.get(t)?.stateful === true)
  const stateless = all.filter((t) => input.tasks.get(t)?.stateful !== true)
  const clients = buildClients(input, stateful)
  const order = new Map(clients.map((c, i) => [c, i]))
  const rank = (c: Client | undefined): number => (c === undefined ? 0 : (order.get(c) ?? 0))
  const lagOf = (c: Client, t: string): number => c.lag.get(t) ?? 0
  const caughtUp = (c: Client, t: string): boolean => c.running.has(t) || lagOf(c, t) <= input.acceptableRecoveryLag

  // 1. Balanced, sticky target for the stateful actives.
  const statefulTarget = balance(stateful, clients, new Map(), lagOf, rank)
  for (const [t, c] of statefulTarget) c.active.add(t)

  // 2. Standbys: distinct clients without a copy; state first (smallest lag), then least loaded, then
  //    the next client after the active's in process-id order (spreads replicas evenly on ties).
  for (const t of stateful) {
    const home = rank(statefulTarget.get(t))
    const ring = (c: Client): number => (rank(c) - home + clients.length) % clients.length
    for (let i = 0; i < input.numStandbyReplicas; i++) {
      const free = clients.filter((c) => !c.active.has(t) && !c.standby.has(t))
      const best = minBy(free, (c) => [lagOf(c, t), (c.active.size + c.standby.size) / c.capacity, ring(c)])
      if (best === undefined) break
      best.standby.add(t)
    }
  }

  // 3. KIP-441 active movements: keep actives on caught-up clients and warm the target up.
  //    Tasks with the fewest caught-up clients go first, as in Kafka's `TaskMovement`.
  let warmups = 0
  let probingRebalanceNeeded = false
  const caughtUpCount = new Map(stateful.map((t) => [t, clients.filter((c) => caughtUp(c, t)).length]))
  const movementOrder = [...stateful].sort((a, b) => (caughtUpCount.get(a) ?? 0) - (caughtUpCount.get(b) ?? 0))
  for (const t of movementOrder) {
    const target = statefulTarget.get(t)
    if (target === undefined || caughtUp(target, t)) continue
    const candidates = clients.filter((c) => c !== target && caughtUp(c, t))
    if (candidates.length === 0) continue // nobody is caught up: the target restores from scratch
    probingRebalanceNeeded = true
    const holder = minBy(
      candidates.filter((c) => c.standby.has(t)),
      (c) => [lagOf(c, t), c.active.size / c.capacity, rank(c)],
    )
    const source = holder ?? minBy(candidates, (c) => [c.active.size / c.capacity, lagOf(c, t), rank(c)])
    if (source === undefined) continue
    target.active.delete(t)
    source.standby.delete(t)
    source.active.add(t)
    if (holder !== undefined) {
      target.standby.add(t) // swap: the standby goes active, the target keeps warming as a standby
    } else if (warmups < input.maxWarmupReplicas) {
      target.standby.add(t) // warm-up replica
      warmups++
    }
  }

  // 4. Stateless actives: balanced over the active load per member, sticky to the previous owner.
  const activeLoad = new Map(clients.map((c) => [c, c.active.size]))
  for (const [t, c] of balance(stateless, clients, activeLoad, () => 0, rank)) c.active.add(t)

  // 5. Tasks → members inside each client, then the cooperative hand-over.
  const members = new Map<string, MemberAssignment>()
  for (const client of clients) assignToMembers(client, stateful, stateless, members)
  withholdStillOwned(clients, members, input.tasks)
  return { members, probingRebalanceNeeded }
}

function buildClients(input: AssignorInput, stateful: readonly string[]): Client[] {
  const seenMembers = new Set<string>()
  const seenProcesses = new Set<string>()
  const clients: Client[] = []
  for (const sub of input.clients) {
    if (seenProcesses.has(sub.processId))
      throw new StreamsError(
        'KSTREAMS_TASK_ASSIGNMENT',
        `Process id ${sub.processId} appears twice in the subscriptions; give every KafkaStreams instance its own process id.`,
      )
    seenProcesses.add(sub.processId)
    for (const m of sub.members) {
      if (seenMembers.has(m.memberId))
        throw new StreamsError(
          'KSTREAMS_TASK_ASSIGNMENT',
          `Member id ${m.memberId} appears twice in the subscriptions; every member must be listed under one client only.`,
        )
      seenMembers.add(m.memberId)
    }
    // A client without members has no thread to run anything: it takes no part in the assignment.
    if (sub.members.length === 0) continue
    const lag = new Map<string, number>()
    const running = new Set<string>()
    for (const t of stateful) {
      const end = input.taskEndOffsetSums.get(t) ?? 0 // unknown end offset: treated as an empty changelog
      let offset = -1
      for (const m of sub.members) {
        const sum = m.taskOffsetSums.get(t)
        if (sum === RUNNING) running.add(t)
        else if (sum !== undefined && sum >= 0) offset = Math.max(offset, sum)
      }
      // No state → lag = end; a sum beyond the end offset means corrupt state → lag = end as well.
      lag.set(t, running.has(t) ? 0 : offset < 0 || offset > end ? end : Math.max(0, end - offset))
    }
    clients.push({
      processId: sub.processId,
      members: [...sub.members].sort((a, b) => compareStrings(a.memberId, b.memberId)),
      capacity: sub.members.length,
      prevActive: new Set(sub.members.flatMap((m) => m.ownedActiveTasks).filter((t) => input.tasks.has(t))),
      lag,
      running,
      active: new Set(),
      standby: new Set(),
    })
  }
  return clients.sort((a, b) => compareStrings(a.processId, b.processId))
}

/**
 * Places `tasks` on clients so that the load per member is proportional and previous owners keep
 * their tasks: each task starts on its previous owner, unowned ones go to the client least loaded
 * after taking it, then single tasks move from the most to the least loaded client while the source
 * keeps a per-member load at least that of the destination (so a balanced prior assignment is a fixed
 * point and does not move). `load` holds the clients' load from other tasks and is updated.
 */
function balance(
  tasks: readonly string[],
  clients: readonly Client[],
  load: Map<Client, number>,
  lagOf: (c: Client, t: string) => number,
  rank: (c: Client) => number,
): Map<string, Client> {
  const placed = new Map<string, Client>()
  const owned = new Map<Client, Set<string>>(clients.map((c) => [c, new Set()]))
  const loadOf = (c: Client): number => load.get(c) ?? 0
  const prevOwner = new Map<string, Client>()
  const position = new Map(tasks.map((t, i) => [t, i]))
  const place = (t: string, c: Client): void => {
    placed.set(t, c)
    owned.get(c)?.add(t)
    load.set(c, loadOf(c) + 1)
  }
  for (const t of tasks) {
    const prev = minBy(
      clients.filter((c) => c.prevActive.has(t)),
      (c) => [lagOf(c, t), rank(c)],
    )
    if (prev === undefined) continue
    prevOwner.set(t, prev)
    place(t, prev)
  }
  for (const t of tasks) {
    if (placed.has(t)) continue
    // Ties on load are broken by the smallest lag, then process id (a previous owner was placed above).
    const best = minBy(clients, (c) => [(loadOf(c) + 1) / c.capacity, lagOf(c, t), rank(c)])
    if (best !== undefined) place(t, best)
  }
  for (;;) {
    const source = minBy(
      clients.filter((c) => (owned.get(c)?.size ?? 0) > 0),
      (c) => [-(loadOf(c) - 1) / c.capacity, rank(c)],
    )
    if (source === undefined) break
    const dest = minBy(
      clients.filter((c) => c !== source),
      (c) => [(loadOf(c) + 1) / c.capacity, rank(c)],
    )
    if (dest === undefined) break
    // Per-member loads are ratios of small integers: IEEE division makes equal ratios equal doubles.
    if ((loadOf(source) - 1) / source.capacity < (loadOf(dest) + 1) / dest.capacity) break
    const sourceTasks = owned.get(source) ?? new Set<string>()
    const sticky = (t: string): number => (prevOwner.get(t) === dest ? 0 : prevOwner.get(t) === source ? 2 : 1)
    const task = minBy(sourceTasks, (t) => [sticky(t), lagOf(dest, t), position.get(t) ?? 0])
    if (task === undefined) break
    sourceTasks.delete(task)
    load.set(source, loadOf(source) - 1)
    place(task, dest)
  }
  return placed
}

/**
 * Kafka `assignTasksToThreads`: three passes (stateful actives, standbys, stateless actives) over the
 * members sorted by id. Each member first keeps up to floor(n / members) tasks it had (deviation from a
 * ceil quota: floor guarantees the pass ends with counts differing by at most one); the rest go to the
 * member with the fewest tasks of this pass, then the best affinity, then the lowest total load.
 */
function assignToMembers(
  client: Client,
  stateful: readonly string[],
  stateless: readonly string[],
  out: Map<string, MemberAssignment>,
): void {
  const load = new Map<MemberSubscription, number>(client.members.map((m) => [m, 0]))
  const actives = new Map<MemberSubscription, string[]>(client.members.map((m) => [m, []]))
  const standbys = new Map<MemberSubscription, string[]>(client.members.map((m) => [m, []]))
  const owned = new Map(client.members.map((m) => [m, new Set(m.ownedActiveTasks)]))
  const ownedStandby = new Map(client.members.map((m) => [m, new Set(m.ownedStandbyTasks)]))
  const hasState = (m: MemberSubscription, t: string): boolean =>
    ownedStandby.get(m)?.has(t) === true || m.taskOffsetSums.has(t)
  const activeAffinity = (m: MemberSubscription, t: string): number =>
    owned.get(m)?.has(t) === true ? 0 : hasState(m, t) ? 1 : 2
  const standbyAffinity = (m: MemberSubscription, t: string): number =>
    hasState(m, t) || owned.get(m)?.has(t) === true ? 0 : 2

  const deal = (
    tasks: readonly string[],
    affinity: (m: MemberSubscription, t: string) => number,
    into: Map<MemberSubscription, string[]>,
  ): void => {
    const count = new Map<MemberSubscription, number>(client.members.map((m) => [m, 0]))
    const quota = Math.floor(tasks.length / client.members.length)
    const given = new Set<string>()
    const give = (m: MemberSubscription, t: string): void => {
      into.get(m)?.push(t)
      given.add(t)
      count.set(m, (count.get(m) ?? 0) + 1)
      load.set(m, (load.get(m) ?? 0) + 1)
    }
    for (const m of client.members) {
      for (const t of tasks) {
        if ((count.get(m) ?? 0) >= quota) break
        if (!given.has(t) && affinity(m, t) === 0) give(m, t)
      }
    }
    for (const t of tasks) {
      if (given.has(t)) continue
      const best = minBy(client.members, (m) => [count.get(m) ?? 0, affinity(m, t), load.get(m) ?? 0])
      if (best !== undefined) give(best, t)
    }
  }
  deal(
    stateful.filter((t) => client.active.has(t)),
    activeAffinity,
    actives,
  )
  deal(
    stateful.filter((t) => client.standby.has(t)),
    standbyAffinity,
    standbys,
  )
  deal(
    stateless.filter((t) => client.active.has(t)),
    (m, t) => (owned.get(m)?.has(t) === true ? 0 : 2),
    actives,
  )
  for (const m of client.members) {
    out.set(m.memberId, {
      activeTasks: (actives.get(m) ?? []).sort(compareTaskIds),
      standbyTasks: (standbys.get(m) ?? []).sort(compareTaskIds),
      rejoinImmediately: false,
    })
  }
}

/**
 * Cooperative two-phase hand-over (Kafka `computeNewAssignment`): an active task still owned by another
 * member is withheld from its new owner, which must rejoin at once; a stateful task it already held as a
 * standby stays a standby meanwhile. A task both members claim stays with a claimant (as Kafka keeps the
 * member's own previous partitions).
 */
function withholdStillOwned(
  clients: readonly Client[],
  out: Map<string, MemberAssignment>,
  tasks: AssignorInput['tasks'],
): void {
  const owners = new Map<string, Set<string>>()
  for (const m of clients.flatMap((c) => c.members)) {
    for (const t of m.ownedActiveTasks) owners.set(t, (owners.get(t) ?? new Set()).add(m.memberId))
  }
  for (const m of clients.flatMap((c) => c.members)) {
    const assignment = out.get(m.memberId)
    if (assignment === undefined) continue
    const stillOwned = (t: string): boolean => {
      const taskOwners = owners.get(t)
      return taskOwners !== undefined && !taskOwners.has(m.memberId)
    }
    const withheld = assignment.activeTasks.filter(stillOwned)
    if (withheld.length === 0) continue
    const keptAsStandby = withheld.filter((t) => tasks.get(t)?.stateful === true && m.ownedStandbyTasks.includes(t))
    out.set(m.memberId, {
      activeTasks: assignment.activeTasks.filter((t) => !stillOwned(t)),
      standbyTasks: [...assignment.standbyTasks, ...keptAsStandby].sort(compareTaskIds),
      rejoinImmediately: true,
    })
  }
}
