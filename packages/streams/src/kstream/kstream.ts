export { KStreamImpl as KStream, BranchedKStream } from './internals/kstream-impl.ts'
