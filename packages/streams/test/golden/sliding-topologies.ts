import type { Topology } from '../../src/index.ts'

/** The sliding-window golden scenarios, twins of the Java ones of the same names. */
export const slidingTopologies: { readonly [name: string]: () => Topology } = {}
