// The TypeScript twins of the foreign-key join scenarios in scripts/reference/.../Topologies.java.
import {
  Materialized,
  StreamsBuilder,
  TableJoined,
  type KTable,
  type StreamsConfigInput,
  type Topology,
} from '../../src/index.ts'

const build = (config: StreamsConfigInput, define: (b: StreamsBuilder) => void): Topology => {
  const b = new StreamsBuilder()
  define(b)
  return b.build(config)
}
const tables = (b: StreamsBuilder): [KTable<string, string>, KTable<string, string>] => [
  b.table<string, string>('left'),
  b.table<string, string>('right'),
]
// the foreign key is the left value up to the first ':' (Java's v.split(":")[0])
const foreignKey = (v: string): string => v.split(':')[0] as string
const plus = (lv: string | null, rv: string | null): string => `${String(lv)}+${String(rv)}`

export const fkTopologies: { readonly [name: string]: (config: StreamsConfigInput) => Topology } = {
  'fk-inner': (c) =>
    build(c, (b) => {
      const [lt, rt] = tables(b)
      lt.join(rt, foreignKey, plus).toStream().to('output')
    }),
  'fk-left': (c) =>
    build(c, (b) => {
      const [lt, rt] = tables(b)
      lt.leftJoin(rt, foreignKey, plus).toStream().to('output')
    }),
  'fk-named': (c) =>
    build(c, (b) => {
      const [lt, rt] = tables(b)
      lt.join(rt, foreignKey, plus, TableJoined.as('fkj'), Materialized.as('fk-out')).toStream().to('output')
    }),
}
