import assert from 'node:assert/strict'
import { test } from 'node:test'
import { murmur3Hash128 } from '../../src/state/internals/murmur3.ts'

// Kafka `Murmur3.hash128` (seed 104729) of random byte strings covering every tail length and several
// 16-byte blocks; each expected hash was computed by Java (kafka-streams 4.4.0), as h1 then h2, big-endian.
const vectors: readonly (readonly [data: string, hash: string])[] = [
  ['', '9d2764a018e329428c3cf3b035938518'],
  ['35', 'c4b52414611f5bc08ff43eb8f54ac1bc'],
  ['f78a', '63a9dce01f6436e30b9e3e887543830a'],
  ['e1bbe7', '15a25b21f2c1eb3bffd9c304a68d1134'],
  ['bd6743e7dc978573', '2215d1e12abf43fca6bf729a275c9b01'],
  ['dd53b3351a572b40f27f72d37f347b', 'f706058d04399a77de7148e69478b739'],
  ['9979162cfa959d2832a46196d92c3046', '3e2254e49527fb695805cfd20b88e427'],
  ['97e953c0026cc4a45eb32f92829e8d14ee', 'f6f819b46afd4325e69d68063f918f9c'],
  ['223cc0a0b454e2c7a055a176b9593aa87c6f3a4e7854b9ff2181378ac08dc8', 'a6b36f17cd8f527580939ebf2de8f8b8'],
  ['bba296a2c5a3adb1e76e522063b8ba17bbd0507fa7ea6bcaa20ffe06f6b4a9ab', '56b642d299ccfc0beb4ebf2605d39dfc'],
  ['a00c570946defa77f530dd7b4ae498753e94b1a77bed00447df0506566bdc778ba', '17c4d3374e4fab45ab58b69fa3d8b07e'],
  [
    'cf0020039b7eb430aa11af272bd60326a218a122e9cbf69bdbc2c0ac8e75d5f32fd88cb070b66b4b3ddc8beb0c432ca15a5cdf683ecdfc19639616e2cdfad94f930ad5ee73',
    '4790fbb2a73a41a953a7c304e1d97446',
  ],
]

test('murmur3Hash128 gives the bytes Kafka Murmur3.hash128 gives', () => {
  for (const [data, hash] of vectors) assert.equal(murmur3Hash128(Buffer.from(data, 'hex')).toString('hex'), hash, data)
})

test('murmur3Hash128 reads a view at an offset of its buffer', () => {
  const backing = Buffer.from('ffff' + 'bd6743e7dc978573' + 'ff', 'hex')
  assert.equal(murmur3Hash128(backing.subarray(2, 10)).toString('hex'), '2215d1e12abf43fca6bf729a275c9b01')
})
