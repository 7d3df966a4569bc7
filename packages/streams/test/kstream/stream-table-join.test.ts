import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Headers, Joined, Materialized, Serdes, Stores, StreamsBuilder, type Record } from '../../src/index.ts'
import { TestRecord, TopologyTestDriver } from '../../src/test-utils/index.ts'

const config = { applicationId: 'st-join', defaultKeySerde: 'string', defaultValueSerde: 'string' }

test('a grace-period join emits a buffered record later, with its own offset and headers', () => {
  const b = new StreamsBuilder()
  const stream = b.stream<string, string>('s')
  const table = b.table<string, string>('t', Materialized.as(Stores.persistentVersionedKeyValueStore('vt', 10_000)))
  const seen: string[] = []
  stream
    .join(
      table,
      (l: string, r: string | null) => `${l}+${String(r)}`,
      Joined.with(Serdes.String(), Serdes.String(), Serdes.String()).withGracePeriod(100),
    )
    .process(() => {
      let context: { recordMetadata(): { offset: number } | undefined }
      return {
        init(c) {
          context = c
        },
        process(record: Record<string, string>) {
          seen.push(
            `${record.value}@${record.timestamp} offset=${String(context.recordMetadata()?.offset)} h=${record.headers.lastHeader('h')?.value?.toString() ?? ''}`,
          )
        },
      }
    })
  const driver = new TopologyTestDriver(b.build(config), config)
  try {
    const s = driver.createInputTopic('s', Serdes.String().serializer(), Serdes.String().serializer())
    const t = driver.createInputTopic('t', Serdes.String().serializer(), Serdes.String().serializer())
    t.pipeInput('k', 'old', 500)
    s.pipeInput(new TestRecord('k', 'first', new Headers().add('h', Buffer.from('one')), 1000)) // waits out the grace
    t.pipeInput('k', 'new', 900) // arrives late, but before the stream record leaves the buffer
    assert.deepEqual(seen, [])
    s.pipeInput('k', 'second', 1200)
    assert.deepEqual(seen, ['first+new@1000 offset=0 h=one'])
  } finally {
    driver.close()
  }
})
