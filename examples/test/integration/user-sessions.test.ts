import assert from 'node:assert/strict'
import { test } from 'node:test'
import { floorToHour, HOUR, MINUTE } from '../../lib/format.ts'
import { output } from '../../lib/run-example.ts'
import {
  buildUserSessions,
  generateClicks,
  userSessionsKeySerde,
  userSessionsTopics,
  userSessionsValueSerde,
  type Click,
  type Session,
} from '../../user-sessions.ts'
import { expectedSessions, take } from '../expected.ts'
import { eventually, startExample, uniqueId, uniqueTopics } from './helpers.ts'

test('user sessions on Kafka: clicks regrouped by user through a repartition topic, cut into sessions', async (t) => {
  const topics = uniqueTopics(userSessionsTopics)
  const records = take(generateClicks(topics.clicks, { seed: 17, start: floorToHour(Date.now()) - 12 * HOUR }), 400)
  const sessions = new Map<string, Session | null>()
  const running = await startExample(t, {
    applicationId: uniqueId('user-sessions'),
    topology: buildUserSessions(topics),
    topics: [topics.clicks, topics.output],
    records,
    outputs: [
      output(topics.output, userSessionsKeySerde, userSessionsValueSerde, ({ key, value }) => {
        sessions.set(`${key?.key}@${key?.window.start}-${key?.window.end}`, value)
      }),
    ],
  })

  const expected = expectedSessions(
    records.map(({ value }) => ({ key: (value as Click).userId, timestamp: (value as Click).timestamp })),
    30 * MINUTE,
  )
  assert.ok(expected.size > 10, `sessions: ${expected.size}`)
  const clickCounts = (): Map<string, number> =>
    new Map([...sessions].flatMap(([id, session]) => (session === null ? [] : [[id, session.clicks.length] as const])))
  await eventually(
    running,
    () => [...expected].every(([id, count]) => clickCounts().get(id) === count),
    () => `${clickCounts().size} of ${expected.size} sessions`,
  )
  assert.deepEqual(clickCounts(), expected)
  // a session's aggregate holds its clicks and, written as {"$set": [...]}, the Set of its pages
  for (const session of sessions.values()) {
    if (session === null) continue
    assert.ok(session.pages instanceof Set)
    assert.deepEqual(session.pages, new Set(session.clicks.map((click) => click.page)))
  }
})
