import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Serdes, Window, Windowed, WindowedSerdes } from '../../src/index.ts'

// Expected bytes were printed by Kafka 4.4.0's WindowedSerdes for the same keys.
test('time-windowed keys are [key][start], as Java writes them', () => {
  const serde = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 1000)
  const bytes = serde.serializer().serialize('t', new Windowed('ab', new Window(5000, 6000)))
  assert.equal(bytes?.toString('hex'), '61620000000000001388')
  assert.deepEqual(serde.deserializer().deserialize('t', bytes), new Windowed('ab', new Window(5000, 6000)))
})

test('session-windowed keys are [key][end][start], as Java writes them', () => {
  const serde = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String())
  const bytes = serde.serializer().serialize('t', new Windowed('ab', new Window(5000, 7000)))
  assert.equal(bytes?.toString('hex'), '61620000000000001b580000000000001388')
  assert.deepEqual(serde.deserializer().deserialize('t', bytes), new Windowed('ab', new Window(5000, 7000)))
  assert.throws(() => serde.deserializer().deserialize('t', Buffer.alloc(3)), /needs at least 16 bytes/)
})
