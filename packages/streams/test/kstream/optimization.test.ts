import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Materialized, Serdes, StreamsBuilder } from '../../src/index.ts'
import { TopologyTestDriver } from '../../src/test-utils/index.ts'

function tableTopology(): StreamsBuilder {
  const builder = new StreamsBuilder()
  builder.table<string, string>('users', Materialized.as('users-store')).toStream().to('out')
  return builder
}

test('reuse.ktable.source.topics: a source table restores from its topic and writes no changelog', (t) => {
  for (const [optimization, changelog] of [
    ['none', true],
    ['all', false],
    ['reuse.ktable.source.topics', false],
  ] as const) {
    const config = {
      applicationId: 'opt',
      defaultKeySerde: 'string',
      defaultValueSerde: 'string',
      topologyOptimization: optimization,
    }
    const topology = tableTopology().build(config)
    const driver = new TopologyTestDriver(topology, config)
    t.after(() => driver.close())
    driver.createInputTopic('users', Serdes.String(), Serdes.String()).pipeInput('u1', 'alice')
    assert.equal(driver.producedTopicNames().has('opt-users-store-changelog'), changelog, optimization)
    assert.equal(
      topology.internalTopologyBuilder.sourceChangelogTopics.get('users-store'),
      changelog ? undefined : 'users',
    )
  }
})

test('topologyOptimization values are checked', () => {
  assert.throws(
    () => tableTopology().build({ topologyOptimization: 'all,none' }),
    /cannot be combined with other values/,
  )
  assert.throws(
    () => tableTopology().build({ topologyOptimization: 'merge.repartitions' }),
    /unknown optimization 'merge.repartitions'/,
  )
})
