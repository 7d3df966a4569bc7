import { MINUTE } from './format.ts'
import type { SeededRandom } from './seeded-random.ts'

export interface ActivityOptions {
  /** How far the simulated clock moves between two actions: a whole number of seconds in [min, max]. */
  readonly stepSeconds: readonly [min: number, max: number]
  /** The chance that a user goes quiet after acting. */
  readonly quietChance: number
  /** How long a user who goes quiet stays so: a whole number of minutes in [min, max]. */
  readonly quietMinutes: readonly [min: number, max: number]
}

/**
 * Users acting one at a time on a simulated clock from `start`, in time order: each step moves the clock on
 * and picks one of the users who are not quiet, and now and then that user goes quiet for a while (which ends
 * their session). What the user does is the caller's to draw, from the same `random`, between two steps.
 */
export function* activeUsers<User>(
  random: SeededRandom,
  users: readonly User[],
  start: number,
  { stepSeconds: [minStep, maxStep], quietChance, quietMinutes: [minQuiet, maxQuiet] }: ActivityOptions,
): Generator<{ user: User; clock: number }> {
  const quietUntil = new Map<User, number>()
  let clock = start
  for (;;) {
    clock += random.int(minStep, maxStep) * 1000
    const awake = users.filter((user) => (quietUntil.get(user) ?? 0) <= clock)
    if (awake.length === 0) continue
    const user = random.pick(awake)
    if (random.next() < quietChance) quietUntil.set(user, clock + random.int(minQuiet, maxQuiet) * MINUTE)
    yield { user, clock }
  }
}
