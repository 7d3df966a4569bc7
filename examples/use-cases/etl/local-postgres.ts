// A throwaway PostgreSQL server for the ETL example and its test: `initdb` into a fresh temporary directory,
// `pg_ctl start` on a free port of 127.0.0.1 with its unix socket in that directory, and on close (or when
// the process exits) `pg_ctl stop` and the directory removed. Uses the server binaries of Debian's
// `postgresql` package (/usr/lib/postgresql/<version>/bin; PG_BIN overrides). PostgreSQL refuses to run as
// root, so as root the server runs as the `postgres` user the package creates, which then owns the directory.
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface PostgresConnection {
  /** The socket directory: pg's `host` for a unix-socket connection. */
  readonly host: string
  readonly port: number
  readonly user: string
  readonly database: string
}

/** Where the server binaries are: PG_BIN, or the newest /usr/lib/postgresql/<version>/bin that has them. */
export function postgresBinDir(): string {
  const fromEnv = process.env.PG_BIN
  const candidates = fromEnv
    ? [fromEnv]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .filter((v) => /^\d+$/.test(v))
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : []
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')))
  if (found === undefined) {
    throw new Error(
      `PostgreSQL server binaries (initdb, pg_ctl) not found in ${fromEnv ?? '/usr/lib/postgresql/<version>/bin'}: ` +
        "install Debian's package with `apt-get install -y postgresql` (.ci/run does this), or set PG_BIN to the " +
        'directory that holds initdb and pg_ctl',
    )
  }
  return found
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export class LocalPostgres implements PostgresConnection {
  readonly host: string
  readonly port: number
  readonly user = 'postgres'
  readonly database = 'postgres'
  readonly dir: string
  readonly #bin: string
  readonly #runAs: string | undefined
  readonly #onExit = () => this.#stopSync()
  #stopped = false

  private constructor(dir: string, port: number, bin: string, runAs: string | undefined) {
    this.dir = dir
    this.host = dir
    this.port = port
    this.#bin = bin
    this.#runAs = runAs
    process.on('exit', this.#onExit)
  }

  /** Initialises and starts a new server; rejects with the server's log when it cannot start. */
  static async start(log: (line: string) => void = () => undefined): Promise<LocalPostgres> {
    const bin = postgresBinDir()
    const root = process.getuid?.() === 0
    let runAs: string | undefined
    const dir = mkdtempSync(join(tmpdir(), 'kstreams-pg-'))
    if (root) {
      let uid: number
      let gid: number
      try {
        uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
        gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
      } catch {
        rmSync(dir, { recursive: true, force: true })
        throw new Error(
          "PostgreSQL refuses to run as root and there is no 'postgres' user to run it as: install Debian's " +
            '`postgresql` package (it creates the user) or run as a user other than root',
        )
      }
      chownSync(dir, uid, gid)
      runAs = 'postgres'
    }
    const port = await freePort()
    const server = new LocalPostgres(dir, port, bin, runAs)
    try {
      server.#run('initdb', [
        '-D',
        server.#dataDir,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ])
      server.#run('pg_ctl', [
        '-D',
        server.#dataDir,
        '-l',
        server.#logFile,
        '-w',
        '-t',
        '60',
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
        'start',
      ])
    } catch (error) {
      server.#stopSync()
      throw error
    }
    log(`PostgreSQL started on port ${port}, socket and data in ${dir}`)
    return server
  }

  get #dataDir(): string {
    return join(this.dir, 'data')
  }

  get #logFile(): string {
    return join(this.dir, 'postgres.log')
  }

  /** A postgres:// URL for psql and other clients (over TCP on 127.0.0.1). */
  get url(): string {
    return `postgres://${this.user}@127.0.0.1:${this.port}/${this.database}`
  }

  #run(tool: string, args: string[]): void {
    const command = join(this.#bin, tool)
    const result = this.#runAs
      ? spawnSync('runuser', ['-u', this.#runAs, '--', command, ...args], { encoding: 'utf8', cwd: this.dir })
      : spawnSync(command, args, { encoding: 'utf8', cwd: this.dir })
    if (result.status !== 0) {
      const serverLog = existsSync(this.#logFile) ? readFileSync(this.#logFile, 'utf8').slice(-2000) : ''
      throw new Error(
        `${tool} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`}):\n` +
          `${result.stdout}${result.stderr}${serverLog ? `\nserver log:\n${serverLog}` : ''}`,
      )
    }
  }

  #stopSync(): void {
    if (this.#stopped) return
    this.#stopped = true
    process.off('exit', this.#onExit)
    if (existsSync(join(this.#dataDir, 'postmaster.pid'))) {
      try {
        this.#run('pg_ctl', ['-D', this.#dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'])
      } catch {
        // already gone, or refusing: immediate shutdown
        try {
          this.#run('pg_ctl', ['-D', this.#dataDir, '-m', 'immediate', '-w', 'stop'])
        } catch {
          /* nothing left to stop */
        }
      }
    }
    rmSync(this.dir, { recursive: true, force: true })
  }

  /** Stops the server and deletes its directory. */
  close(): Promise<void> {
    this.#stopSync()
    return Promise.resolve()
  }
}
