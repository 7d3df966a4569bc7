import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes, type Serde, type Windowed } from '@kstreams/streams'
import { TopologyTestDriver, type TestOutputTopic } from '@kstreams/streams/test-utils'
import { MINUTE } from '../lib/format.ts'
import {
  buildWindowing,
  generatePageViews,
  windowingKeySerdes,
  windowingTopics,
  type PageView,
  type ViewTime,
} from '../windowing.ts'
import { countInWindow, expectedSessions, take } from './expected.ts'

const config = { applicationId: 'windowing', defaultKeySerde: 'string', defaultValueSerde: 'json' }
const t0 = Date.UTC(2026, 0, 31, 9)

function setUp(t: { after: (fn: () => void) => void }) {
  const driver = new TopologyTestDriver(buildWindowing(), config)
  t.after(() => driver.close())
  const out = <V>(topic: string, keySerde: Serde<Windowed<string>>, valueSerde: Serde<V>) =>
    driver.createOutputTopic(topic, keySerde, valueSerde)
  return {
    views: driver.createInputTopic(windowingTopics.views, Serdes.String(), Serdes.JSON<PageView>()),
    tumbling: out(windowingTopics.tumbling, windowingKeySerdes.tumbling, Serdes.Long()),
    hopping: out(windowingTopics.hopping, windowingKeySerdes.hopping, Serdes.JSON<ViewTime>()),
    sliding: out(windowingTopics.sliding, windowingKeySerdes.sliding, Serdes.Long()),
    sessions: out(windowingTopics.sessions, windowingKeySerdes.sessions, Serdes.Long()),
  }
}

/** The last value per key and window, as `key start-end` in minutes after t0. */
function lastValues<V>(topic: TestOutputTopic<Windowed<string>, V>): Map<string, V | null> {
  const last = new Map<string, V | null>()
  for (const { key, value } of topic.readKeyValuesToList()) {
    last.set(`${key?.key} ${((key?.window.start ?? 0) - t0) / MINUTE}-${((key?.window.end ?? 0) - t0) / MINUTE}`, value)
  }
  return last
}

test('the four window types over the same page views', (t) => {
  const { views, tumbling, hopping, sliding, sessions } = setUp(t)
  const view = (user: string, minutes: number, seconds = 60): void =>
    views.pipeInput(user, { page: '/home', seconds }, t0 + minutes * MINUTE)
  view('minji', 1)
  view('minji', 3, 120)
  view('minji', 7)
  view('jisoo', 8)
  view('minji', 50) // more than 30 minutes after the last view: a new session

  // tumbling: [0,5) [5,10) [50,55)
  assert.deepEqual(
    lastValues(tumbling),
    new Map([
      ['minji 0-5', 2],
      ['minji 5-10', 1],
      ['jisoo 5-10', 1],
      ['minji 50-55', 1],
    ]),
  )
  // hopping: 10-minute windows every 5 minutes, so each view is in two of them
  assert.deepEqual(
    lastValues(hopping),
    new Map([
      ['minji -5-5', { views: 2, seconds: 180 }],
      ['minji 0-10', { views: 3, seconds: 240 }],
      ['minji 5-15', { views: 1, seconds: 60 }],
      ['jisoo 0-10', { views: 1, seconds: 60 }],
      ['jisoo 5-15', { views: 1, seconds: 60 }],
      ['minji 45-55', { views: 1, seconds: 60 }],
      ['minji 50-60', { views: 1, seconds: 60 }],
    ]),
  )
  // sliding: a window ends at each view and holds the views of the 5 minutes before it (both ends included)
  const slid = lastValues(sliding)
  assert.equal(slid.get('minji -4-1'), 1)
  assert.equal(slid.get('minji -2-3'), 2)
  assert.equal(slid.get('minji 2-7'), 2)
  assert.equal(slid.get('minji 45-50'), 1)
  // sessions: minji 1-7 with three views, minji 50 alone, jisoo 8 alone; the growing session's
  // earlier windows were deleted
  const sessionCounts = lastValues(sessions)
  assert.deepEqual(
    new Map([...sessionCounts].filter(([, count]) => count !== null)),
    new Map([
      ['minji 1-7', 3],
      ['jisoo 8-8', 1],
      ['minji 50-50', 1],
    ]),
  )
  assert.equal(sessionCounts.get('minji 1-3'), null)
})

test("every window's count over the generator's page views matches the views it covers", (t) => {
  const { views, tumbling, hopping, sliding, sessions } = setUp(t)
  const records = take(generatePageViews(windowingTopics.views, { seed: 5, start: t0 }), 400)
  for (const record of records) views.pipeInput(record.key, record.value as PageView, record.timestamp)

  const check = (topic: TestOutputTopic<Windowed<string>, number>, endInclusive: boolean, what: string): number => {
    let windows = 0
    const last = new Map<string, { key: Windowed<string>; count: number | null }>()
    for (const { key, value } of topic.readKeyValuesToList()) {
      if (key !== null) last.set(`${key.key}@${key.window.start}-${key.window.end}`, { key, count: value })
    }
    for (const { key, count } of last.values()) {
      if (count === null) continue
      windows++
      const covered = countInWindow(records, key.key, key.window.start, key.window.end, endInclusive)
      assert.equal(count, covered, `${what} window ${key.key} ${key.window.start}-${key.window.end}`)
    }
    return windows
  }
  assert.ok(check(tumbling, false, 'tumbling') > 20)
  assert.ok(check(sliding, true, 'sliding') > 100)
  const hopped = new Map<string, ViewTime | null>()
  for (const { key, value } of hopping.readKeyValuesToList()) hopped.set(`${key?.key}@${key?.window.start}`, value)
  for (const [id, value] of hopped) {
    const [user = '', start = '0'] = id.split('@')
    assert.equal(value?.views, countInWindow(records, user, Number(start), Number(start) + 10 * MINUTE, false), id)
  }

  const sessionCounts = new Map<string, number | null>()
  for (const { key, value } of sessions.readKeyValuesToList())
    sessionCounts.set(`${key?.key}@${key?.window.start}-${key?.window.end}`, value)
  const expected = expectedSessions(records, 30 * MINUTE)
  assert.deepEqual(new Map([...sessionCounts].filter(([, count]) => count !== null)), expected)
  // the generator's quiet users give several sessions per user
  assert.ok(expected.size > 8, `sessions: ${expected.size}`)
})
