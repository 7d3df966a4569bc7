import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

const root = join(import.meta.dirname, '..', '..')

interface Reflection {
  name: string
  children?: Reflection[]
}

// `npm run docs:api` must keep working: TypeDoc builds the reference with typedoc.json, here into a
// temporary directory, and fails on any warning (a broken {@link}, a malformed doc comment).
test('TypeDoc builds the API reference of the four public entry points without a warning', async (t) => {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts
  assert.equal(scripts['docs:api'], 'typedoc')
  const out = mkdtempSync(join(tmpdir(), 'kstreams-api-'))
  t.after(() => rmSync(out, { recursive: true, force: true }))
  // typedoc's package exports do not list its bin script: find it next to its package.json
  const typedoc = join(
    createRequire(join(root, 'package.json')).resolve('typedoc/package.json'),
    '..',
    'bin',
    'typedoc',
  )
  const args = [typedoc, '--treatWarningsAsErrors', '--out', join(out, 'html'), '--json', join(out, 'api.json')]
  const { stdout, stderr } = await promisify(execFile)(process.execPath, args, {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) =>
    assert.fail(`TypeDoc failed:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`),
  )
  assert.doesNotMatch(stdout + stderr, /\[(warning|error)\]/)
  assert.ok(existsSync(join(out, 'html', 'index.html')))

  const project = JSON.parse(readFileSync(join(out, 'api.json'), 'utf8')) as Reflection
  const modules = new Map((project.children ?? []).map((module) => [module.name, module.children ?? []]))
  assert.deepEqual([...modules.keys()], ['index', 'processor', 'state', 'test-utils'])
  const names = (module: string): string[] => (modules.get(module) ?? []).map((child) => child.name)
  for (const name of ['StreamsBuilder', 'KStream', 'KTable', 'TimeWindows', 'JoinWindows', 'KafkaStreams', 'Serdes'])
    assert.ok(names('index').includes(name), name)
  for (const name of ['Processor', 'ProcessorContext', 'Record']) assert.ok(names('processor').includes(name), name)
  assert.ok(names('state').includes('Stores'))
  assert.ok(names('test-utils').includes('TopologyTestDriver'))
})
