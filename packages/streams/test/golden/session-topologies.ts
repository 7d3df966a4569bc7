import type { Topology } from '../../src/index.ts'

/** The session-window golden scenarios, twins of the Java ones of the same names. */
export const sessionTopologies: { readonly [name: string]: () => Topology } = {}
