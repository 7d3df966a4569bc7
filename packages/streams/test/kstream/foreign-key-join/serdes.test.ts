import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Serdes, type ProcessingContext } from '../../../src/index.ts'
import { CombinedKeySchema } from '../../../src/kstream/internals/foreign-key-join/combined-key-schema.ts'
import { subscriptionResponseWrapperSerde } from '../../../src/kstream/internals/foreign-key-join/subscription-response-wrapper-serde.ts'
import { subscriptionResponseWrapper } from '../../../src/kstream/internals/foreign-key-join/subscription-response-wrapper.ts'
import { subscriptionWrapperSerde } from '../../../src/kstream/internals/foreign-key-join/subscription-wrapper-serde.ts'
import {
  SubscriptionInstruction,
  subscriptionWrapper,
} from '../../../src/kstream/internals/foreign-key-join/subscription-wrapper.ts'

// The wire formats of the foreign-key join's internal topics (Kafka `SubscriptionWrapperSerdeTest`,
// `SubscriptionResponseWrapperSerdeTest`). The hex strings are records Java 4.4.0 wrote (see
// foreign-key-join.test.ts) or, for version 0, Kafka's documented layout.

const hash = Buffer.from('31b391d6e46774be6bad44ca25f09794', 'hex')

describe('SubscriptionWrapper serde', () => {
  const serde = subscriptionWrapperSerde(() => 'app-topic-pk', Serdes.String())

  test('version 1: {version, hash-null bit}{instruction}{hash}{primary key}{primary partition}', () => {
    const wrapper = subscriptionWrapper(hash, SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE, 'a', 0)
    const bytes = serde.serializer().serialize('t', wrapper)
    assert.equal(bytes?.toString('hex'), '010331b391d6e46774be6bad44ca25f097946100000000')
    assert.deepEqual(serde.deserializer().deserialize('t', bytes ?? null), wrapper)
  })

  test('a null hash (a deleted left row) sets the high bit and writes no hash', () => {
    const wrapper = subscriptionWrapper(null, SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE, 'a', 0)
    assert.equal(serde.serializer().serialize('t', wrapper)?.toString('hex'), '81016100000000')
  })

  test('version 0 (no primary partition) still reads', () => {
    const read = serde.deserializer().deserialize('t', Buffer.from(`0002${hash.toString('hex')}6162`, 'hex'))
    assert.deepEqual(
      read,
      subscriptionWrapper(hash, SubscriptionInstruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE, 'ab', null, 0),
    )
  })

  test('unknown versions and instructions are rejected', () => {
    assert.throws(() => serde.deserializer().deserialize('t', Buffer.from('82016100000000', 'hex')), /version 2/)
    assert.throws(() => serde.deserializer().deserialize('t', Buffer.from('81076100000000', 'hex')), /instruction/)
  })

  test('the primary key serde may come from the defaults', () => {
    const lazy = subscriptionWrapperSerde<string>(() => 'app-topic-pk', undefined)
    const wrapper = subscriptionWrapper(null, SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE, 'a', 0)
    assert.throws(() => lazy.serializer().serialize('t', wrapper), /defaultKeySerde/)
    lazy.setIfUnset(Serdes.String(), undefined)
    assert.equal(lazy.serializer().serialize('t', wrapper)?.toString('hex'), '81016100000000')
  })
})

describe('SubscriptionResponseWrapper serde', () => {
  const serde = subscriptionResponseWrapperSerde(Serdes.String())

  test('{version, hash-null bit}{hash}{right value}; the partition is not written', () => {
    const response = subscriptionResponseWrapper(hash, 'R1', 0)
    const bytes = serde.serializer().serialize('t', response)
    assert.equal(bytes?.toString('hex'), '0031b391d6e46774be6bad44ca25f097945231')
    assert.deepEqual(
      serde.deserializer().deserialize('t', bytes ?? null),
      subscriptionResponseWrapper(hash, 'R1', null),
    )
  })

  test('a null hash and a null value: one byte', () => {
    assert.equal(
      serde
        .serializer()
        .serialize('t', subscriptionResponseWrapper<string>(null, null, 0))
        ?.toString('hex'),
      '80',
    )
  })

  test('as in Kafka, a right value serialized to no bytes reads back as null', () => {
    const bytes = serde.serializer().serialize('t', subscriptionResponseWrapper(hash, '', 0))
    assert.equal(serde.deserializer().deserialize('t', bytes ?? null)?.foreignValue, null)
  })
})

describe('CombinedKeySchema', () => {
  test('{4-byte foreign key length}{foreign key}{primary key}, as in the subscription store changelog Java writes', () => {
    const schema = new CombinedKeySchema<string, string>(
      () => 'app-topic-fk',
      Serdes.String(),
      () => 'app-topic-pk',
      Serdes.String(),
    )
    schema.init({ config: {} } as unknown as ProcessingContext)
    const bytes = schema.toBytes('r1', 'a')
    assert.equal(bytes.toString('hex'), '00000002723161')
    assert.equal(schema.prefixBytes('r1').toString('hex'), '000000027231')
    assert.deepEqual(schema.fromBytes(bytes), { foreignKey: 'r1', primaryKey: 'a' })
    assert.equal(schema.primaryKeyFromBytes(bytes), 'a')
  })
})
