import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { systemClock } from '../../src/clock.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { apiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js'
import { checkedAgainstSpec } from '../openapi-conformance.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const writer = fileURLToPath(new URL('../fixtures/create-articles.ts', import.meta.url))

const PROCESSES = 2
const PER_PROCESS = 10
const TITLE = 'Same title'

interface Batch { statuses: number[], slugs: Array<string | null>, bodies: string[], startedAt: number, finishedAt: number }

/** tap's coverage hook left out of NODE_OPTIONS: it doubles a child's start-up time, and coverage is not enforced. */
function childEnv (extra: Record<string, string>): NodeJS.ProcessEnv {
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((option) => !option.includes('@tapjs/processinfo')).join(' ')
  return { ...process.env, NODE_OPTIONS: nodeOptions, ...extra }
}

/** Starts a writer process; `ready` resolves once it waits for the start signal, `result` with its one JSON line. */
function startWriter (t: Test, databasePath: string, key: string, authorId: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, databasePath, authorId, String(PER_PROCESS), TITLE], {
    cwd: root,
    env: childEnv({ CMS_KEY: key }),
    stdio: ['pipe', 'pipe', 'pipe']
  })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  // 'close' comes once the process has exited and its output has all been read.
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>
  const lines = createInterface({ input: child.stdout })
  const output: string[] = []
  let markReady: () => void
  const ready = new Promise<void>((resolve) => { markReady = resolve })
  lines.on('line', (line) => {
    if (line === 'ready') markReady()
    else output.push(line)
  })
  const failed = exited.then(([code, signal]) => { throw new Error(`writer exited (${code ?? signal}) before it was ready: ${stderr}`) })
  failed.catch(() => {}) // Only a failure while `ready` is awaited matters.
  return {
    ready: Promise.race([ready, failed]),
    go: () => child.stdin.end('go\n'),
    result: (async () => {
      const [code, signal] = await exited
      if (code !== 0 || output.length !== 1) throw new Error(`writer exited with ${code ?? signal} printing ${JSON.stringify(output)}: ${stderr}`)
      return JSON.parse(output[0]!) as Batch
    })()
  }
}

t.test(`${PROCESSES * PER_PROCESS} concurrent creates of one title from ${PROCESSES} processes get distinct slugs`, async (t) => {
  const databasePath = join(t.testdir(), 'cms.db')
  const db = openDatabase(databasePath)
  runMigrations(db)
  const app = checkedAgainstSpec(await buildApp({ config: loadConfig({ OVERLOAD_EVENT_LOOP_DELAY_MS: '0' }), db }))
  t.teardown(() => app.close())
  const { key } = await apiKeysRepository(db, systemClock).create({ name: 'admin', role: 'admin' })
  const author = await app.inject({ method: 'POST', url: '/v1/authors', headers: { authorization: `Bearer ${key}` }, payload: { name: 'Desk' } })
  t.equal(author.statusCode, 201, 'the author is created', { body: author.body })
  const authorId = author.json<{ id: string }>().id

  const writers = Array.from({ length: PROCESSES }, () => startWriter(t, databasePath, key, authorId))
  // Both have opened the database and built the app before either fires, so their batches run at the same time.
  await Promise.all(writers.map((writer) => writer.ready))
  for (const writer of writers) writer.go()
  const batches = await Promise.all(writers.map((writer) => writer.result))

  const statuses = batches.flatMap((batch) => batch.statuses)
  t.equal(statuses.length, PROCESSES * PER_PROCESS)
  t.same(statuses.filter((status) => status !== 201), [], 'every create is a 201, none a 500')
  t.same(batches.flatMap((batch) => batch.bodies), [])

  const slugs = batches.flatMap((batch) => batch.slugs)
  const expected = Array.from({ length: PROCESSES * PER_PROCESS }, (_, index) => index === 0 ? 'same-title' : `same-title-${index + 1}`)
  t.same([...slugs].sort(), [...expected].sort(), 'same-title, same-title-2, … same-title-20, each once')
  t.equal(new Set(slugs).size, PROCESSES * PER_PROCESS, 'no two creates got the same slug')

  const stored = db.$client.prepare('SELECT slug FROM articles ORDER BY slug').pluck().all() as string[]
  t.same(stored, [...expected].sort(), 'the database holds exactly those articles')

  // The two batches really ran at once: each began before the other had finished.
  const latestStart = Math.max(...batches.map((batch) => batch.startedAt))
  const earliestFinish = Math.min(...batches.map((batch) => batch.finishedAt))
  t.ok(latestStart < earliestFinish, `the processes overlapped (${(earliestFinish - latestStart).toFixed(1)} ms)`, { batches: batches.map(({ startedAt, finishedAt }) => ({ startedAt, finishedAt })) })
})
