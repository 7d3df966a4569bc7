// The driver's side of a system under test: one child process per run (so each system's peak RSS is its own),
// its JSON event lines on stdout, its stderr into a log file, `stop` on stdin, and a kill when it lingers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createWriteStream, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { ChildEvent, RunSpec, SystemId } from './spec.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const projectRoot = resolve(here, '..', '..')
const referenceDir = join(projectRoot, 'scripts', 'reference')

/**
 * Compiles the Java reference harness (Maven compiles only what changed; the jars stay in ~/.m2, as for
 * `npm run golden`) and returns its classpath.
 */
export function buildJava(): string {
  const mvn = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(referenceDir, 'pom.xml'),
      'compile',
      'dependency:build-classpath',
      '-Dmdep.outputFile=target/classpath.txt',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  )
  if (mvn.error || mvn.status !== 0) {
    throw new Error(
      `cannot build scripts/reference with Maven: ${mvn.error?.message ?? ''}\n${mvn.stdout}${mvn.stderr}`,
    )
  }
  const classpath = readFileSync(join(referenceDir, 'target', 'classpath.txt'), 'utf8').trim()
  return `${join(referenceDir, 'target', 'classes')}:${classpath}`
}

/** The command line of a system, without its RunSpec argument. */
export function systemCommand(
  system: SystemId,
  javaClasspath: string,
  jvmOpts: readonly string[],
  nodeArgs: readonly string[],
): string[] {
  switch (system) {
    case 'kstreams':
      return [process.execPath, ...nodeArgs, join(here, 'kstreams-app.ts')]
    case 'kafkats':
      return [process.execPath, ...nodeArgs, join(here, 'kafkats-app.ts')]
    case 'baseline':
      return [process.execPath, ...nodeArgs, join(here, 'baseline-app.ts')]
    case 'java':
      return ['java', ...jvmOpts, '-cp', javaClasspath, 'dev.kstreams.reference.BenchRunner']
  }
}

export class SystemProcess {
  readonly #child: ChildProcess
  readonly #events: ChildEvent[] = []
  readonly #waiters: (() => void)[] = []
  #exited = false
  readonly #exit: Promise<void>

  constructor(command: readonly string[], spec: RunSpec, logFile: string) {
    const [file, ...args] = command
    this.#child = spawn(file!, [...args, JSON.stringify(spec)], {
      cwd: projectRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const log = createWriteStream(logFile)
    this.#child.stderr!.pipe(log)
    const lines = createInterface({ input: this.#child.stdout! })
    lines.on('line', (line) => {
      if (!line.startsWith('{"event"')) {
        log.write(`stdout: ${line}\n`)
        return
      }
      this.#events.push(JSON.parse(line) as ChildEvent)
      this.#wake()
    })
    this.#exit = new Promise((resolveExit) => {
      this.#child.once('exit', (code, signal) => {
        this.#exited = true
        if (code !== 0 && signal === null) log.write(`exit code ${code}\n`)
        this.#wake()
        resolveExit()
      })
    })
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter()
  }

  /** The first event of one of these kinds; an error event, an early exit or the timeout throws. */
  async next(kinds: readonly ChildEvent['event'][], timeoutMs: number, what: string): Promise<ChildEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.#events.find((e) => kinds.includes(e.event) || e.event === 'error')
      if (found) {
        if (found.event === 'error') throw new Error(found.message)
        return found
      }
      if (this.#exited) throw new Error(`the process exited before ${what}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no ${what} within ${Math.round(timeoutMs / 1000)} s`)
      await new Promise<void>((resolveWait) => {
        const timer = setTimeout(resolveWait, Math.min(left, 1000))
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolveWait()
        })
      })
    }
  }

  stop(): void {
    if (!this.#exited) this.#child.stdin!.write('stop\n')
  }

  /** Ends the process at once (the driver is exiting). */
  kill(): void {
    if (!this.#exited) this.#child.kill('SIGKILL')
  }

  /** Waits for the process to end by itself, then kills it. */
  async end(graceMs = 40_000): Promise<void> {
    if (this.#exited) return
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs)
    this.#child.stdin!.end()
    await this.#exit
    clearTimeout(timer)
  }
}
