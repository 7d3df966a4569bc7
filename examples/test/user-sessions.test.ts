import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes } from '@kstreams/streams'
import { TopologyTestDriver } from '@kstreams/streams/test-utils'
import { MINUTE } from '../lib/format.ts'
import {
  buildUserSessions,
  generateClicks,
  userSessionsKeySerde,
  userSessionsTopics,
  userSessionsValueSerde,
  type Click,
} from '../user-sessions.ts'
import { expectedSessions, take } from './expected.ts'

const config = { applicationId: 'user-sessions', defaultKeySerde: 'string', defaultValueSerde: 'json' }
const t0 = Date.UTC(2026, 0, 31, 9)

function setUp(t: { after: (fn: () => void) => void }) {
  const driver = new TopologyTestDriver(buildUserSessions(), config)
  t.after(() => driver.close())
  const clicks = driver.createInputTopic(userSessionsTopics.clicks, Serdes.String(), Serdes.JSON<Click>())
  const output = driver.createOutputTopic(userSessionsTopics.output, userSessionsKeySerde, userSessionsValueSerde)
  const click = (userId: string, page: string, minutes: number): void => {
    const timestamp = t0 + minutes * MINUTE
    clicks.pipeInput(`device-${userId}`, { userId, page, timestamp }, timestamp)
  }
  /** `user start-end (minutes after t0): clicks pages duration`, or `user start-end deleted` */
  const sessions = (): string[] =>
    output.readKeyValuesToList().map(({ key, value }) => {
      const span = `${key?.key} ${((key?.window.start ?? 0) - t0) / MINUTE}-${((key?.window.end ?? 0) - t0) / MINUTE}`
      if (value === null) return `${span} deleted`
      return `${span}: ${value.clicks.length} [${[...value.pages].join(' ')}] ${value.duration / MINUTE}m`
    })
  return { clicks, click, sessions }
}

test('clicks regrouped by user into sessions that end after 30 minutes without a click', (t) => {
  const { click, sessions } = setUp(t)
  click('minji', '/home', 0)
  click('minji', '/cart', 10)
  click('jisoo', '/home', 12)
  click('minji', '/home', 25)
  click('minji', '/pay', 120) // 95 minutes after the last click: a new session
  assert.deepEqual(sessions(), [
    'minji 0-0: 1 [/home] 0m',
    'minji 0-0 deleted',
    'minji 0-10: 2 [/home /cart] 10m',
    'jisoo 12-12: 1 [/home] 0m',
    'minji 0-10 deleted',
    'minji 0-25: 3 [/home /cart] 25m',
    'minji 120-120: 1 [/pay] 0m',
  ])
})

test('a late click between two sessions merges them with mergeSessions', (t) => {
  const { click, sessions } = setUp(t)
  click('minji', '/home', 0)
  click('minji', '/news', 50) // 50 minutes later: a second session
  assert.equal(sessions().length, 2)
  // late, and within 30 minutes of both: the two sessions become one. mergeSessions gives it all clicks
  // and pages; then the guide's aggregator sets the duration from the first click to the click it adds,
  // which, for a late click, is not the last one
  click('minji', '/cart', 25)
  assert.deepEqual(sessions(), ['minji 0-0 deleted', 'minji 50-50 deleted', 'minji 0-50: 3 [/home /news /cart] 25m'])
})

test("the generator's clicks give one session per burst of activity of each user", (t) => {
  const { clicks, sessions } = setUp(t)
  const records = take(generateClicks(userSessionsTopics.clicks, { seed: 3, start: t0 }), 500)
  for (const record of records) clicks.pipeInput(record.key, record.value as Click, record.timestamp)

  const last = new Map<string, string>()
  for (const line of sessions()) {
    const [id = '', rest = ''] = line.split(/:? (?=\d+ \[|deleted)/)
    last.set(id, rest)
  }
  const live = [...last].filter(([, rest]) => rest !== 'deleted')
  const expected = expectedSessions(
    records.map(({ value, timestamp }) => ({ key: (value as Click).userId, timestamp })),
    30 * MINUTE,
  )
  assert.deepEqual(
    new Map(live.map(([id, rest]) => [id, Number(rest.split(' ')[0])])),
    new Map(
      [...expected].map(([id, count]) => {
        const [user = '', span = ''] = id.split('@')
        const [start = 0, end = 0] = span.split('-').map((ms) => (Number(ms) - t0) / MINUTE)
        return [`${user} ${start}-${end}`, count]
      }),
    ),
  )
  assert.ok(expected.size > 10, `sessions: ${expected.size}`)
})
