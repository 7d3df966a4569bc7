// The guide's second worked example, 사용자 세션 분석 (user session analysis): clicks regrouped by user
// and cut into sessions that end after 30 minutes without a click.
//
//   npm run example:user-sessions [-- --exactly-once --seed 7]
import {
  Duration,
  Produced,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  WindowedSerdes,
  type Topology,
  type Windowed,
} from '@kstreams/streams'
import { activeUsers } from './lib/active-users.ts'
import { exampleArgs, withSuffix } from './lib/example-args.ts'
import { formatTime, MINUTE } from './lib/format.ts'
import { printOutput, runExampleCommand, type GeneratedRecord } from './lib/run-example.ts'
import { seededRandom } from './lib/seeded-random.ts'

/** A click, keyed by the device it came from; the guide regroups clicks by `userId`. */
export interface Click {
  userId: string
  page: string
  timestamp: number
}

/** The guide's session aggregate: its clicks, the time from first to last click, and the pages seen. */
export interface Session {
  clicks: Click[]
  duration: number
  pages: Set<string>
}

export type UserSessionsTopics = {
  readonly clicks: string
  readonly output: string
}

export const userSessionsTopics: UserSessionsTopics = { clicks: 'user-clicks', output: 'user-sessions' }

/** Keys of the output topic: the user and the session's first and last click, in Kafka's binary format. */
export const userSessionsKeySerde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String())
/** kstreams' JSON serde writes a Set as {"$set": [...]} and reads it back as a Set. */
export const userSessionsValueSerde = Serdes.JSON<Session>()

/**
 * When a click falls between two sessions of a user, closer than 30 minutes to both, they become one
 * session: Kafka Streams merges their aggregates with this function. Java requires it; kstreams accepts
 * the guide's aggregate without it too, and then fails on the first click that bridges two sessions.
 */
export function mergeSessions(_userId: string, one: Session, two: Session): Session {
  const clicks = [...one.clicks, ...two.clicks].sort((a, b) => a.timestamp - b.timestamp)
  return {
    clicks,
    duration: (clicks.at(-1)?.timestamp ?? 0) - (clicks[0]?.timestamp ?? 0),
    pages: new Set([...one.pages, ...two.pages]),
  }
}

export function buildUserSessions(
  topics: UserSessionsTopics = userSessionsTopics,
  builder = new StreamsBuilder(),
): Topology {
  const clickStream = builder.stream<string, Click>(topics.clicks)

  // 30분 세션 윈도우로 사용자 활동 추적
  const userSessions = clickStream
    .groupBy((key, value) => value.userId)
    .windowedBy(SessionWindows.with(Duration.ofMinutes(30)))
    .aggregate(
      (): Session => ({
        clicks: [],
        duration: 0,
        pages: new Set(),
      }),
      (userId, click, session) => ({
        clicks: [...session.clicks, click],
        // the guide's formula; the first click has no predecessor: NaN || 0 is 0
        duration: click.timestamp - (session.clicks[0]?.timestamp as number) || 0,
        pages: session.pages.add(click.page),
      }),
      mergeSessions,
    )

  // When a session grows, its old window is deleted (a tombstone) and the grown one written.
  userSessions.toStream().to(topics.output, Produced.with(userSessionsKeySerde, userSessionsValueSerde))
  return builder.build()
}

export const users = ['minji', 'jisoo', 'hyun', 'seo', 'daniel'] as const
const pages = ['/home', '/search', '/product/1', '/product/2', '/cart', '/checkout'] as const

/**
 * Endless clicks from `start` on, 20 simulated seconds apart on average, from users who now and then
 * go quiet for 35 to 120 minutes (so that their session ends). Some clicks arrive up to 2 minutes late.
 */
export function* generateClicks(
  topic: string,
  { seed, start }: { seed: number; start: number },
): Generator<GeneratedRecord> {
  const random = seededRandom(seed)
  const activity = { stepSeconds: [5, 35], quietChance: 0.04, quietMinutes: [35, 120] } as const
  for (const { user: userId, clock } of activeUsers(random, users, start, activity)) {
    const timestamp = clock - (random.next() < 0.1 ? random.int(1, 120) * 1000 : 0)
    const click: Click = { userId, page: random.pick(pages), timestamp }
    yield { topic, key: `device-${userId}`, value: click, timestamp }
  }
}

/** `minji   2026-11-23 09:02 - 09:41  clicks  14  pages 5  duration 39 min` */
export function formatSession(key: Windowed<string> | null, value: Session | null): string {
  if (key === null) return `(no key) ${JSON.stringify(value)}`
  const span = `${formatTime(key.window.start)} - ${formatTime(key.window.end).slice(11)}`
  if (value === null) return `${key.key.padEnd(7)} ${span}  (replaced: the session grew)`
  return (
    `${key.key.padEnd(7)} ${span}  clicks ${String(value.clicks.length).padStart(3)}  ` +
    `pages ${value.pages.size}  duration ${Math.round(value.duration / MINUTE)} min`
  )
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = exampleArgs(argv, 'npm run example:user-sessions')
  const topics = withSuffix(userSessionsTopics, args.suffix)
  console.log(
    `user sessions (SessionWindows.with(30 minutes)), ${args.processingGuarantee}; generator seed ${args.seed}, ` +
      `simulated clock from ${new Date(args.start).toISOString()} at about 5 minutes per second`,
  )
  await runExampleCommand(args, {
    applicationId: `user-sessions${args.suffix}`,
    topology: buildUserSessions(topics),
    topics: [topics.clicks, topics.output],
    records: generateClicks(topics.clicks, args),
    recordsPerSecond: 15,
    outputs: [printOutput(topics.output, userSessionsKeySerde, userSessionsValueSerde, formatSession)],
  })
}

if (import.meta.main) await main()
