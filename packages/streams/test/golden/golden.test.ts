import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { Headers, Serdes, type Serde, type StreamsConfigInput, type Topology } from '../../src/index.ts'
import { TestRecord, TopologyTestDriver } from '../../src/test-utils/index.ts'
import { fkTopologies } from './fk-topologies.ts'
import { joinTopologies, tableJoinTopologies } from './join-topologies.ts'
import { sessionTopologies } from './session-topologies.ts'
import { slidingTopologies } from './sliding-topologies.ts'
import { storeReadsTopologies } from './store-reads-topologies.ts'
import { statefulTopologies, topologies as stateless } from './topologies.ts'

const topologies: { readonly [name: string]: (config: StreamsConfigInput) => Topology } = {
  ...stateless,
  ...sessionTopologies,
  ...slidingTopologies,
  ...joinTopologies,
  ...tableJoinTopologies,
  ...fkTopologies,
  ...storeReadsTopologies,
}

// Every directory here holds a scenario and the describe() text and output records that Java Kafka Streams
// produced for it (npm run golden). The same program written in TypeScript must produce the same bytes.

interface TopicSpec {
  keySerde: string
  valueSerde: string
}
interface Step {
  topic?: string
  key?: unknown
  value?: unknown
  timestamp?: number
  headers?: [string, string | null][]
  advanceWallClockMs?: number
}
interface Scenario {
  config?: Record<string, string>
  inputTopics: Record<string, TopicSpec>
  outputTopics: Record<string, TopicSpec>
  steps: Step[]
}

const dir = import.meta.dirname
const hexSerde: Serde<string> = {
  serializer: () => ({ serialize: (_t, data) => (data === null ? null : Buffer.from(data, 'hex')) }),
  deserializer: () => ({ deserialize: (_t, data) => (data === null ? null : data.toString('hex')) }),
}

function serde(name: string): Serde<unknown> {
  switch (name) {
    case 'string':
      return Serdes.String()
    case 'long':
      return Serdes.Long()
    case 'integer':
      return Serdes.Integer()
    case 'double':
      return Serdes.Double()
    case 'bytes':
      return hexSerde
    default:
      throw new Error(`unknown serde ${name}`)
  }
}

function run(name: string, scenario: Scenario): { describe: string; output: string } {
  const config = { applicationId: 'golden', defaultKeySerde: 'string', defaultValueSerde: 'string', ...scenario.config }
  const topology = (topologies[name] ?? statefulTopologies[name])?.(config)
  assert.ok(topology, `no TypeScript topology named ${name} in topologies.ts`)
  const driver = new TopologyTestDriver(topology, config, 0)
  try {
    const inputs = new Map(
      Object.entries(scenario.inputTopics).map(([topic, spec]) => [
        topic,
        driver.createInputTopic(topic, serde(spec.keySerde), serde(spec.valueSerde)),
      ]),
    )
    for (const step of scenario.steps) {
      if (step.advanceWallClockMs !== undefined) {
        driver.advanceWallClockTime(step.advanceWallClockMs)
        continue
      }
      const topic = inputs.get(step.topic ?? '')
      assert.ok(topic, `step for unknown topic ${step.topic}`)
      topic.pipeInput(
        new TestRecord(step.key ?? null, step.value ?? null, new Headers(step.headers ?? []), step.timestamp),
      )
    }
    let output = ''
    for (const [topic, spec] of Object.entries(scenario.outputTopics)) {
      for (const record of driver
        .createOutputTopic(topic, serde(spec.keySerde), serde(spec.valueSerde))
        .readRecordsToList()) {
        const headers = record.headers.toArray().map((h) => [h.key, h.value === null ? null : h.value.toString('utf8')])
        output += `${JSON.stringify({ topic, key: record.key, value: record.value, timestamp: record.timestamp, headers })}\n`
      }
    }
    return { describe: topology.describe().toString(), output }
  } finally {
    driver.close()
  }
}

describe('golden scenarios from Java Kafka Streams', () => {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
  test('every golden scenario has a TypeScript twin', () => {
    assert.deepEqual(
      names.filter((name) => !topologies[name] && !statefulTopologies[name]),
      [],
    )
  })
  for (const name of names) {
    test(name, () => {
      const scenario = JSON.parse(readFileSync(join(dir, name, 'scenario.json'), 'utf8')) as Scenario
      const result = run(name, scenario)
      assert.equal(result.describe, readFileSync(join(dir, name, 'describe.txt'), 'utf8'), 'describe()')
      assert.equal(result.output, readFileSync(join(dir, name, 'output.jsonl'), 'utf8'), 'output records')
    })
  }
})
