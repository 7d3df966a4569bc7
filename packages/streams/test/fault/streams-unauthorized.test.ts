import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import { LocalKafka } from '../../../../scripts/kafka/local-kafka.ts'
import { Consumed, KafkaStreams, Serdes, StreamsBuilder } from '../../src/index.ts'
import { client, stateDir, topicsReady, waitFor } from '../integration/streams-harness.ts'

// A broker with ACLs (everything allowed unless an ACL says otherwise) and a DENY on the application's
// source topic: the application stops in ERROR with an error naming the topic and the fix.
test('a source topic the application may not read stops it with an error naming the topic', async (t) => {
  const kafka = await LocalKafka.start({
    nodes: 1,
    properties: {
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'allow.everyone.if.no.acl.found': true,
    },
  })
  t.after(() => kafka.close())
  const servers = kafka.bootstrapServers.split(',')
  const admin = client(servers)
  t.after(() => admin.close())
  await admin.createTopics([{ name: 'forbidden', partitions: 2, replicationFactor: 1, configs: {} }])
  await topicsReady(admin, 2, ['forbidden'])
  const acls = new Admin({ clientId: 'acl-admin', bootstrapBrokers: servers })
  t.after(() => acls.close())
  await acls.createAcls({
    creations: [3, 8].map((operation) => ({
      resourceType: 2, // topic
      resourceName: 'forbidden',
      resourcePatternType: 3, // literal
      principal: 'User:ANONYMOUS',
      host: '*',
      operation: operation as 3 | 8, // read, describe
      permissionType: 2, // deny
    })),
  })

  const builder = new StreamsBuilder()
  builder.stream('forbidden', Consumed.with(Serdes.String(), Serdes.String())).to('anywhere')
  const dir = stateDir()
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const streams = new KafkaStreams(builder.build(), {
    applicationId: 'acl-app',
    bootstrapServers: servers,
    stateDir: dir,
  })
  const errors: string[] = []
  streams.setUncaughtExceptionHandler((error) => {
    errors.push(error.message)
    return 'SHUTDOWN_CLIENT'
  })
  await streams.start()
  await waitFor(() => streams.state() === 'ERROR', 60_000, 'state ERROR')
  assert.match(errors[0] ?? '', /Not authorized to access topic forbidden: grant this application's principal/)
})
