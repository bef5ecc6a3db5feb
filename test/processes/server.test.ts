import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { get } from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import type { Test } from 'tap'
import t from 'tap'
import { openDatabase } from '../../src/db/client.js'
import { migrationsApplied } from '../../src/db/migrate.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const serverPath = fileURLToPath(new URL('../../src/server.ts', import.meta.url))

const STARTUP_TIMEOUT = 60_000
const SHUTDOWN_TIMEOUT = 5_000

/** The SQLite library the server links, asked directly. */
const sqliteVersion = (() => {
  const db = new Database(':memory:')
  try {
    return db.prepare('SELECT sqlite_version()').pluck().get() as string
  } finally {
    db.close()
  }
})()

/** tap's coverage hook left out of NODE_OPTIONS: it doubles a child's start-up time, and coverage is not enforced. */
function childEnv (extra: Record<string, string>): NodeJS.ProcessEnv {
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((option) => !option.includes('@tapjs/processinfo')).join(' ')
  return { ...process.env, NODE_OPTIONS: nodeOptions, ...extra }
}

/** A port nothing listens on right now. */
async function freePort (): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** One GET on a connection of its own (so that, with several workers, connections are spread over them). */
function request (port: number, path: string): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const sent = get({ host: '127.0.0.1', port, path, agent: false, timeout: 2_000 }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { body += chunk }).on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    sent.on('timeout', () => sent.destroy(new Error(`GET ${path} timed out`))).on('error', reject)
  })
}

function isRunning (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

interface LogLine { pid?: number, msg?: string, [field: string]: unknown }

interface Server {
  child: ChildProcessByStdio<null, Readable, Readable>
  port: number
  databasePath: string
  /** Every line the server wrote on stdout, parsed; `invalid` holds those that are not JSON. */
  logs: LogLine[]
  invalid: string[]
  stderr: () => string
  exited: Promise<[number | null, NodeJS.Signals | null]>
}

/** Starts `src/server.ts` as the real thing; whatever is still running of it when the test ends is killed. */
async function startServer (t: Test, workers: number): Promise<Server> {
  const port = await freePort()
  const databasePath = join(t.testdir(), 'data', 'cms.db')
  const child = spawn(process.execPath, ['--import', 'tsx', serverPath], {
    cwd: root,
    env: childEnv({ HOST: '127.0.0.1', PORT: String(port), WORKERS: String(workers), DATABASE_PATH: databasePath, LOG_LEVEL: 'info', OVERLOAD_EVENT_LOOP_DELAY_MS: '0' }),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const logs: LogLine[] = []
  const invalid: string[] = []
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    const workers = new Set(logs.map((line) => line.pid).filter((pid): pid is number => typeof pid === 'number' && pid !== child.pid))
    for (const pid of workers) if (isRunning(pid)) process.kill(pid, 'SIGKILL')
  })
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as LogLine)
    } catch {
      invalid.push(line)
    }
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  return { child, port, databasePath, logs, invalid, stderr: () => stderr, exited }
}

/** Waits until `/healthz` answers 200, failing early if the server exits. */
async function waitForHealth (server: Server): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`the server exited (${server.child.exitCode ?? server.child.signalCode}) before it answered: ${server.stderr()}`)
    }
    try {
      if ((await request(server.port, '/healthz')).status === 200) return
    } catch {}
    await sleep(100)
  }
  throw new Error(`/healthz did not answer within ${STARTUP_TIMEOUT} ms: ${server.stderr()}`)
}

/** SIGTERM, then the exit code; undefined when the process did not exit within SHUTDOWN_TIMEOUT. */
async function terminate (server: Server) {
  server.child.kill('SIGTERM')
  const timeout = sleep(SHUTDOWN_TIMEOUT).then(() => undefined)
  return Promise.race([server.exited, timeout])
}

async function waitFor (what: string, condition: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

t.test('one worker: serves, creates and migrates the database, logs JSON, stops cleanly on SIGTERM', async (t) => {
  const server = await startServer(t, 1)
  t.notOk(existsSync(server.databasePath), 'no database before the start')
  await waitForHealth(server)

  const health = await request(server.port, '/healthz')
  t.same(JSON.parse(health.body), { status: 'ok' })
  const ready = await request(server.port, '/readyz')
  t.equal(ready.status, 200, 'ready')
  t.same(JSON.parse(ready.body), { status: 'ok' })

  t.ok(existsSync(server.databasePath), 'the database file is created')
  const db = openDatabase(server.databasePath)
  try {
    t.ok(migrationsApplied(db), 'and migrated')
  } finally {
    db.$client.close()
  }

  await waitFor('the request log', () => server.logs.some((line) => line.msg === 'request completed'))
  t.same(server.invalid, [], 'every line on stdout is JSON')
  t.ok(server.logs.every((line) => typeof line.level === 'number' && typeof line.time === 'number' && line.pid === server.child.pid), 'pino lines of the server process')
  t.ok(server.logs.some((line) => Object.values(line).some((value) => typeof value === 'string' && value.includes(sqliteVersion))), `a log line names SQLite ${sqliteVersion}`)

  const exit = await terminate(server)
  t.same(exit, [0, null], `exits 0 within ${SHUTDOWN_TIMEOUT} ms of SIGTERM`)
  t.notOk(isRunning(server.child.pid!), 'the process is gone')
})

t.test('two workers: both serve the same port, and SIGTERM to the primary stops them all with exit 0', async (t) => {
  const server = await startServer(t, 2)
  await waitForHealth(server)
  const listening = () => server.logs.filter((line) => line.msg?.startsWith('Server listening')).map((line) => line.pid!)
  await waitFor('both workers to listen', () => new Set(listening()).size === 2)
  const workers = [...new Set(listening())]

  // Connections go round-robin to the workers: a few, each on a connection of its own, reach both.
  const served = () => new Set(server.logs.filter((line) => line.msg === 'request completed').map((line) => line.pid))
  const statuses: number[] = []
  const deadline = Date.now() + 10_000
  while (served().size < 2 && Date.now() < deadline) {
    statuses.push((await request(server.port, '/readyz')).status)
    await sleep(20)
  }
  t.ok(statuses.length > 0 && statuses.every((status) => status === 200), `every /readyz is a 200: ${statuses.join(', ')}`)
  t.notOk(workers.includes(server.child.pid!), 'the workers are not the primary')
  t.equal(served().size, 2, 'both workers answered requests')
  for (const pid of workers) {
    t.ok(server.logs.some((line) => line.pid === pid && Object.values(line).some((value) => typeof value === 'string' && value.includes(sqliteVersion))), `worker ${pid} names SQLite ${sqliteVersion}`)
  }
  t.same(server.invalid, [], 'every line on stdout is JSON')

  const db = openDatabase(server.databasePath)
  try {
    t.ok(migrationsApplied(db), 'the database is migrated')
  } finally {
    db.$client.close()
  }

  const exit = await terminate(server)
  t.same(exit, [0, null], `the primary exits 0 within ${SHUTDOWN_TIMEOUT} ms of SIGTERM`)
  await waitFor('the workers to be gone', () => !workers.some(isRunning), 2_000).catch(() => {})
  t.same(workers.filter(isRunning), [], 'no worker outlives the primary')
})
