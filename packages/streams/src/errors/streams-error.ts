/**
 * Base of every error kstreams throws. `code` is stable and meant for programs; the message is for
 * people and says how to fix the problem.
 */
export class StreamsError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}
