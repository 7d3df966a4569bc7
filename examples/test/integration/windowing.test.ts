import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes, type Windowed } from '@kstreams/streams'
import { floorToHour, HOUR, MINUTE } from '../../lib/format.ts'
import { output } from '../../lib/run-example.ts'
import { buildWindowing, generatePageViews, windowingKeySerdes, windowingTopics } from '../../windowing.ts'
import { countInWindow, expectedSessions, take } from '../expected.ts'
import { eventually, startExample, uniqueId, uniqueTopics } from './helpers.ts'

test('windowing on Kafka: tumbling counts and sessions of the page views sent', async (t) => {
  const topics = uniqueTopics(windowingTopics)
  const records = take(generatePageViews(topics.views, { seed: 13, start: floorToHour(Date.now()) - 12 * HOUR }), 300)
  const tumbling = new Map<string, { key: Windowed<string>; count: number | null }>()
  const sessions = new Map<string, number | null>()
  const id = (key: Windowed<string> | null): string => `${key?.key}@${key?.window.start}-${key?.window.end}`
  const running = await startExample(t, {
    applicationId: uniqueId('windowing'),
    topology: buildWindowing(topics),
    topics: Object.values(topics),
    records,
    outputs: [
      output(topics.tumbling, windowingKeySerdes.tumbling, Serdes.Long(), ({ key, value }) => {
        if (key !== null) tumbling.set(id(key), { key, count: value })
      }),
      output(topics.sessions, windowingKeySerdes.sessions, Serdes.Long(), ({ key, value }) => {
        sessions.set(id(key), value)
      }),
    ],
  })

  const expectedSessionCounts = expectedSessions(records, 30 * MINUTE)
  assert.ok(expectedSessionCounts.size > 8, `sessions: ${expectedSessionCounts.size}`)
  const liveSessions = (): Map<string, number | null> => new Map([...sessions].filter(([, count]) => count !== null))
  const tumblingTotal = (): number => [...tumbling.values()].reduce((sum, { count }) => sum + (count ?? 0), 0)
  await eventually(
    running,
    () => tumblingTotal() === records.length && liveSessions().size === expectedSessionCounts.size,
    () => `${tumblingTotal()} views in tumbling windows, ${liveSessions().size} sessions`,
  )
  for (const { key, count } of tumbling.values()) {
    assert.equal(count, countInWindow(records, key.key, key.window.start, key.window.end, false), id(key))
  }
  await eventually(
    running,
    () => [...expectedSessionCounts].every(([session, count]) => sessions.get(session) === count),
    () => `sessions ${JSON.stringify([...liveSessions()])}`,
  )
  assert.deepEqual(liveSessions(), expectedSessionCounts)
})
