// The guide's practice file windowing.js (윈도우 처리): its four window types over one stream of page
// views keyed by user: tumbling (5 minutes), hopping (10 minutes, every 5), sliding (5 minutes) and
// session (30 minutes of inactivity) windows.
//
//   npm run example:windowing [-- --exactly-once --seed 7]
import {
  Duration,
  Produced,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
  WindowedSerdes,
  type Serde,
  type Topology,
  type Windowed,
} from '@kstreams/streams'
import { activeUsers } from './lib/active-users.ts'
import { exampleArgs, withSuffix } from './lib/example-args.ts'
import { formatTime, MINUTE } from './lib/format.ts'
import { printOutput, runExampleCommand, type GeneratedRecord, type Output } from './lib/run-example.ts'
import { seededRandom } from './lib/seeded-random.ts'

/** A page view, keyed by user. */
export interface PageView {
  page: string
  /** Seconds spent on the page. */
  seconds: number
}

/** The hopping windows' aggregate. */
export interface ViewTime {
  views: number
  seconds: number
}

export type WindowingTopics = {
  readonly views: string
  readonly tumbling: string
  readonly hopping: string
  readonly sliding: string
  readonly sessions: string
}

export const windowingTopics: WindowingTopics = {
  views: 'page-views',
  tumbling: 'page-views-tumbling-5m',
  hopping: 'page-views-hopping-10m',
  sliding: 'page-views-sliding-5m',
  sessions: 'page-views-sessions',
}

/** The windowed key serde of each output topic: a time window's end is its start plus its size. */
export const windowingKeySerdes = {
  tumbling: WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 5 * MINUTE),
  hopping: WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 10 * MINUTE),
  sliding: WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 5 * MINUTE),
  sessions: WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String()),
} as const satisfies Record<string, Serde<Windowed<string>>>

export function buildWindowing(topics: WindowingTopics = windowingTopics, builder = new StreamsBuilder()): Topology {
  const stream = builder.stream<string, PageView>(topics.views)
  const grouped = stream.groupByKey()

  // 5분 단위 Tumbling Window
  grouped
    .windowedBy(TimeWindows.of(Duration.ofMinutes(5)))
    .count()
    .toStream()
    .to(topics.tumbling, Produced.with(windowingKeySerdes.tumbling, Serdes.Long()))

  // 10분 윈도우, 5분마다 이동하는 Hopping Window: every view falls into two windows
  grouped
    .windowedBy(TimeWindows.of(Duration.ofMinutes(10)).advanceBy(Duration.ofMinutes(5)))
    .aggregate(
      (): ViewTime => ({ views: 0, seconds: 0 }),
      (key, view, agg) => ({ views: agg.views + 1, seconds: agg.seconds + view.seconds }),
    )
    .toStream()
    .to(topics.hopping, Produced.with(windowingKeySerdes.hopping, Serdes.JSON<ViewTime>()))

  // Sliding Window: one window per distinct set of views within 5 minutes of each other
  grouped
    .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(Duration.ofMinutes(5)))
    .count()
    .toStream()
    .to(topics.sliding, Produced.with(windowingKeySerdes.sliding, Serdes.Long()))

  // 30분 비활동 후 세션 종료
  grouped
    .windowedBy(SessionWindows.with(Duration.ofMinutes(30)))
    .count()
    .toStream()
    .to(topics.sessions, Produced.with(windowingKeySerdes.sessions, Serdes.Long()))

  return builder.build()
}

export const users = ['minji', 'jisoo', 'hyun', 'seo'] as const
const pages = ['/home', '/news', '/sports', '/weather', '/search'] as const

/**
 * Endless page views from `start` on, in time order, 10 to 90 simulated seconds apart; now and then a
 * user goes quiet for 35 to 100 minutes, which ends their session.
 */
export function* generatePageViews(
  topic: string,
  { seed, start }: { seed: number; start: number },
): Generator<GeneratedRecord> {
  const random = seededRandom(seed)
  const activity = { stepSeconds: [10, 90], quietChance: 0.05, quietMinutes: [35, 100] } as const
  for (const { user, clock } of activeUsers(random, users, start, activity)) {
    const view: PageView = { page: random.pick(pages), seconds: random.int(5, 300) }
    yield { topic, key: user, value: view, timestamp: clock }
  }
}

function span(window: { start: number; end: number }): string {
  return `${formatTime(window.start)}-${formatTime(window.end).slice(11)}`
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = exampleArgs(argv, 'npm run example:windowing')
  const topics = withSuffix(windowingTopics, args.suffix)
  const print = <V>(
    topic: string,
    keySerde: Serde<Windowed<string>>,
    valueSerde: Serde<V>,
    describe: (value: V | null) => string,
    label: string,
  ): Output =>
    printOutput(
      topic,
      keySerde,
      valueSerde,
      (key, value) =>
        `${label.padEnd(14)} ${(key?.key ?? '').padEnd(6)} ${key ? span(key.window) : ''}  ${describe(value)}`,
    )
  const views = (count: number | null): string =>
    count === null ? '(replaced: the session grew)' : `${count} view${count === 1 ? '' : 's'}`
  console.log(
    `page views per user in tumbling, hopping, sliding and session windows, ${args.processingGuarantee}; ` +
      `generator seed ${args.seed}, simulated clock from ${new Date(args.start).toISOString()}`,
  )
  await runExampleCommand(args, {
    applicationId: `windowing${args.suffix}`,
    topology: buildWindowing(topics),
    topics: Object.values(topics),
    records: generatePageViews(topics.views, args),
    recordsPerSecond: 5,
    outputs: [
      print(topics.tumbling, windowingKeySerdes.tumbling, Serdes.Long(), views, 'tumbling 5m'),
      print(
        topics.hopping,
        windowingKeySerdes.hopping,
        Serdes.JSON<ViewTime>(),
        (value) => (value === null ? '' : `${views(value.views)}, ${Math.round(value.seconds / 60)} min on pages`),
        'hopping 10m/5m',
      ),
      print(topics.sliding, windowingKeySerdes.sliding, Serdes.Long(), views, 'sliding 5m'),
      print(topics.sessions, windowingKeySerdes.sessions, Serdes.Long(), views, 'session 30m'),
    ],
  })
}

if (import.meta.main) await main()
