import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { SerializationException, Serdes, serdeFrom, type Serde } from '../../src/index.ts'

// Expected bytes were printed by Kafka 4.4.0's org.apache.kafka.common.serialization.Serdes for the same values.
function roundTrip<T>(serde: Serde<T>, value: T, hex: string): void {
  const bytes = serde.serializer().serialize('t', value)
  assert.equal(bytes?.toString('hex'), hex, `serialize ${String(value)}`)
  assert.deepEqual(serde.deserializer().deserialize('t', Buffer.from(hex, 'hex')), value)
}

describe('Serdes', () => {
  test('String is UTF-8', () => roundTrip(Serdes.String(), 'héllo ☃', '68c3a96c6c6f20e29883'))

  test('Short, Integer, Long are big-endian two’s complement', () => {
    for (const [v, hex] of [
      [0, '0000'],
      [1, '0001'],
      [-1, 'ffff'],
      [32767, '7fff'],
      [-32768, '8000'],
    ] as const) {
      roundTrip(Serdes.Short(), v, hex)
    }
    for (const [v, hex] of [
      [0, '00000000'],
      [1, '00000001'],
      [-1, 'ffffffff'],
      [2147483647, '7fffffff'],
      [-2147483648, '80000000'],
      [123456789, '075bcd15'],
    ] as const) {
      roundTrip(Serdes.Integer(), v, hex)
    }
    for (const [v, hex] of [
      [0, '0000000000000000'],
      [1, '0000000000000001'],
      [-1, 'ffffffffffffffff'],
      [9007199254740991, '001fffffffffffff'],
      [-9007199254740991, 'ffe0000000000001'],
    ] as const) {
      roundTrip(Serdes.Long(), v, hex)
    }
  })

  test('BigInt covers the whole Java long range', () => {
    roundTrip(Serdes.BigInt(), 9223372036854775807n, '7fffffffffffffff')
    roundTrip(Serdes.BigInt(), -9223372036854775808n, '8000000000000000')
    assert.throws(
      () =>
        Serdes.BigInt()
          .serializer()
          .serialize('t', 2n ** 63n),
      SerializationException,
    )
  })

  test('Long rejects what a JavaScript number cannot hold exactly', () => {
    assert.throws(
      () => Serdes.Long().deserializer().deserialize('t', Buffer.from('7fffffffffffffff', 'hex')),
      /Serdes\.BigInt/,
    )
    assert.throws(
      () =>
        Serdes.Long()
          .serializer()
          .serialize('t', 2 ** 60),
      SerializationException,
    )
    assert.throws(() => Serdes.Long().serializer().serialize('t', 1.5), SerializationException)
  })

  test('integers out of range or fractional are refused, not truncated', () => {
    assert.throws(() => Serdes.Short().serializer().serialize('t', 32768), /ShortSerializer/)
    assert.throws(
      () =>
        Serdes.Integer()
          .serializer()
          .serialize('t', 2 ** 31),
      /IntegerSerializer/,
    )
    assert.throws(() => Serdes.Integer().serializer().serialize('t', 0.5), /IntegerSerializer/)
  })

  test('Float and Double are IEEE 754 big-endian', () => {
    for (const [v, hex] of [
      [0, '00000000'],
      [1.5, '3fc00000'],
      [-2.25, 'c0100000'],
      [Infinity, '7f800000'],
    ] as const) {
      roundTrip(Serdes.Float(), v, hex)
    }
    assert.equal(Serdes.Float().serializer().serialize('t', NaN)?.toString('hex'), '7fc00000')
    for (const [v, hex] of [
      [0, '0000000000000000'],
      [1.5, '3ff8000000000000'],
      [-2.25, 'c002000000000000'],
      [Math.PI, '400921fb54442d18'],
      [Number.MAX_VALUE, '7fefffffffffffff'],
      [-Infinity, 'fff0000000000000'],
    ] as const) {
      roundTrip(Serdes.Double(), v, hex)
    }
  })

  test('UUID is its text form, normalised as Java prints it', () => {
    const bytes = Serdes.UUID().serializer().serialize('t', '123E4567-e89b-12d3-a456-426614174000')
    assert.equal(bytes?.toString('hex'), '31323365343536372d653839622d313264332d613435362d343236363134313734303030')
    assert.equal(
      Serdes.UUID().deserializer().deserialize('t', Buffer.from('1-2-3-4-5')),
      '00000001-0002-0003-0004-000000000005',
    )
    assert.throws(() => Serdes.UUID().serializer().serialize('t', 'not-a-uuid'), SerializationException)
  })

  test('Boolean is one byte, anything but 0 or 1 is refused', () => {
    roundTrip(Serdes.Boolean(), true, '01')
    roundTrip(Serdes.Boolean(), false, '00')
    assert.throws(() => Serdes.Boolean().deserializer().deserialize('t', Buffer.of(2)), /unexpected byte 2/)
  })

  test('Void accepts only null', () => {
    assert.equal(Serdes.Void().serializer().serialize('t', null), null)
    assert.equal(Serdes.Void().deserializer().deserialize('t', null), null)
    assert.throws(() => Serdes.Void().deserializer().deserialize('t', Buffer.of(0)), /should be null/)
  })

  test('JSON round-trips objects and explains bad input', () => {
    const value = { id: 7, name: 'ü', tags: ['a'], nested: { ok: true } }
    const bytes = Serdes.JSON().serializer().serialize('t', value)
    assert.deepEqual(Serdes.JSON().deserializer().deserialize('t', bytes), value)
    assert.throws(
      () => Serdes.JSON().deserializer().deserialize('orders', Buffer.from('{oops')),
      /topic orders as JSON/,
    )
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    assert.throws(() => Serdes.JSON().serializer().serialize('t', cyclic), SerializationException)
  })

  test('JSON keeps Sets and Maps, which plain JSON would turn into {}', () => {
    const value = { pages: new Set(['/a', '/b']), counts: new Map([['x', 1]]), when: 'plain' }
    const bytes = Serdes.JSON().serializer().serialize('t', value)
    assert.equal(bytes?.toString(), '{"pages":{"$set":["/a","/b"]},"counts":{"$map":[["x",1]]},"when":"plain"}')
    assert.deepEqual(Serdes.JSON().deserializer().deserialize('t', bytes), value)
    const nested = [{ tags: new Set([1]) }, new Map([['k', new Set(['v'])]])]
    const json = Serdes.JSON()
    assert.deepEqual(json.deserializer().deserialize('t', json.serializer().serialize('t', nested)), nested)
    const dollars = { price: '$5', $set: 'not a set' }
    assert.deepEqual(json.deserializer().deserialize('t', json.serializer().serialize('t', dollars)), dollars)
  })

  test('null is null both ways, for every serde', () => {
    const serdes: Serde<unknown>[] = [
      Serdes.String(),
      Serdes.JSON(),
      Serdes.Bytes(),
      Serdes.Integer(),
      Serdes.Long(),
      Serdes.Double(),
      Serdes.UUID(),
    ]
    for (const serde of serdes) {
      assert.equal(serde.serializer().serialize('t', null), null)
      assert.equal(serde.deserializer().deserialize('t', null), null)
    }
  })

  test('fixed-size deserializers check the size as Java does', () => {
    assert.throws(
      () => Serdes.Integer().deserializer().deserialize('t', Buffer.alloc(3)),
      /Size of data received by IntegerDeserializer is not 4/,
    )
    assert.throws(() => Serdes.Double().deserializer().deserialize('t', Buffer.alloc(4)), /DoubleDeserializer is not 8/)
  })

  test('serdes can be named in config, Java class names included', () => {
    assert.equal(serdeFrom('string'), Serdes.String())
    assert.equal(serdeFrom('JSON'), Serdes.JSON())
    assert.equal(serdeFrom('org.apache.kafka.common.serialization.Serdes$LongSerde'), Serdes.Long())
    assert.throws(() => serdeFrom('strnig'), /unknown serde "strnig": use one of string, json/)
  })
})

test('64-bit values are written and read as Java does, at every magnitude a number holds exactly', () => {
  const long = Serdes.Long()
  for (const value of [
    0,
    1,
    -1,
    255,
    -256,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 32,
    -(2 ** 32),
    1_700_000_000_123,
    -1_700_000_000_123,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
  ]) {
    const bytes = long.serializer().serialize('t', value) as Buffer
    const expected = Buffer.alloc(8)
    expected.writeBigInt64BE(BigInt(value))
    assert.deepEqual(bytes, expected, String(value))
    assert.equal(long.deserializer().deserialize('t', bytes), value)
  }
  const tooLarge = Buffer.alloc(8)
  tooLarge.writeBigInt64BE(2n ** 53n)
  assert.throws(
    () => long.deserializer().deserialize('t', tooLarge),
    /9007199254740992 does not fit a JavaScript number exactly/,
  )
  tooLarge.writeBigInt64BE(-(2n ** 53n))
  assert.throws(() => long.deserializer().deserialize('t', tooLarge), /-9007199254740992 does not fit/)
})
