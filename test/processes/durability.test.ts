import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { apiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js'
import { TestClock } from '../helper.js'
import { call, exitWithin, seedDatabase, startServer, tempDir, waitFor, waitForHealth } from '../reliability/fixtures/processes.js'
import { checkedAgainstSpec } from '../openapi-conformance.js'

const spy = fileURLToPath(new URL('../reliability/fixtures/sqlite-spy.ts', import.meta.url))

t.test('a file database opens with WAL, foreign keys, a busy timeout, and the synchronous level DURABILITY asks for', async (t) => {
  const dir = tempDir(t)
  const cases = [
    { durability: undefined, synchronous: 1, what: 'no DURABILITY given: normal' },
    { durability: 'normal' as const, synchronous: 1, what: 'DURABILITY=normal' },
    { durability: 'full' as const, synchronous: 2, what: 'DURABILITY=full' }
  ]
  for (const [index, { durability, synchronous, what }] of cases.entries()) {
    const db = openDatabase(join(dir, `cms-${index}.db`), durability)
    try {
      const pragma = (name: string) => db.$client.pragma(name, { simple: true })
      t.equal(pragma('journal_mode'), 'wal', `${what}: journal_mode is WAL`)
      t.equal(pragma('synchronous'), synchronous, `${what}: synchronous is ${synchronous}`)
      t.equal(pragma('foreign_keys'), 1, `${what}: foreign keys are enforced`)
      t.ok((pragma('busy_timeout') as number) >= 1_000, `${what}: a writer waits for a busy database (busy_timeout ${pragma('busy_timeout') as number} ms)`)
    } finally {
      db.$client.close()
    }
  }
  t.equal(loadConfig({}).DURABILITY, 'normal', 'DURABILITY defaults to normal')
  t.equal(loadConfig({ DURABILITY: 'full' }).DURABILITY, 'full')
  t.throws(() => loadConfig({ DURABILITY: 'off' }), /DURABILITY/, 'anything else is refused')
})

t.test('the server opens its database with the DURABILITY it is given, and refuses a SQLite older than 3.51.3', async (t) => {
  const dir = tempDir(t)
  const [refused, accepted] = await Promise.all([
    startServer(t, { databasePath: join(dir, 'old', 'cms.db'), preload: [spy], env: { FAKE_SQLITE_VERSION: '3.51.2' } }),
    startServer(t, { databasePath: join(dir, 'ok', 'cms.db'), preload: [spy], env: { FAKE_SQLITE_VERSION: '3.51.3', DURABILITY: 'full' } })
  ])

  const exit = await exitWithin(refused, 30_000)
  t.ok(exit !== undefined, 'SQLite 3.51.2: the server stops by itself')
  t.not(exit?.[0], 0, 'with a non-zero exit code')
  t.equal(exit?.[1], null, 'not killed by a signal')
  t.match(refused.stderr(), /3\.51\.2[\s\S]*3\.51\.3|3\.51\.3[\s\S]*3\.51\.2/, 'naming the version it found and the one it needs')
  t.notOk(refused.logs.some((line) => line.msg?.startsWith('Server listening')), 'it never listens')

  await waitForHealth(accepted)
  t.equal((await call(accepted.port, { path: '/readyz' })).status, 200, 'SQLite 3.51.3: the server starts')
  const ready = accepted.logs.find((line) => line.msg === 'database ready')
  t.match(ready, { sqlite: '3.51.3', durability: 'full' }, 'and logs the SQLite version it runs')
  const connections = accepted.stderr().split('\n').filter((line) => line.startsWith('sqlite-spy ')).map((line) => JSON.parse(line.slice('sqlite-spy '.length)) as unknown)
  t.ok(connections.length > 0, 'the server\'s connection was seen')
  t.match(connections, connections.map(() => ({ journal_mode: 'wal', synchronous: 2, foreign_keys: 1 })), 'DURABILITY=full: the server\'s connection runs with synchronous FULL')
  accepted.child.kill('SIGTERM')
  t.same(await exitWithin(accepted, 8_000), [0, null], 'and stops cleanly')
})

/**
 * A writer on another thread commits every millisecond or so while the app
 * serves writes that read before they write (slug choice, edits, moderation,
 * deletes). A transaction that begins deferred takes its snapshot at the first
 * read and fails with SQLITE_BUSY when it then tries to write after another
 * connection did: a 500. One that begins immediate waits its turn instead.
 */
const WRITER = `
const { workerData, parentPort } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 5000')
const insert = db.prepare('INSERT INTO contention (at) VALUES (?)')
const stop = new Int32Array(workerData.stop)
let writes = 0
while (Atomics.load(stop, 0) === 0) {
  insert.run(Date.now())
  writes++
  Atomics.wait(stop, 0, 0, 1)
}
db.close()
parentPort.postMessage(writes)
`

t.test('read-then-write transactions begin immediate: no request fails while another connection writes', async (t) => {
  const path = join(tempDir(t), 'cms.db')
  await seedDatabase(path)
  const db = openDatabase(path)
  runMigrations(db)
  db.$client.exec('CREATE TABLE contention (at INTEGER NOT NULL)')
  const clock = new TestClock()
  const app = checkedAgainstSpec(await buildApp({ config: loadConfig({ OVERLOAD_EVENT_LOOP_DELAY_MS: '0', COMMENT_RATE_LIMIT: '1000000' }), db, clock }))
  t.teardown(() => app.close())
  const admin = { authorization: `Bearer ${(await apiKeysRepository(db, clock).create({ name: 'admin', role: 'admin' })).key}` }
  const inject = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const response = await app.inject({ method, url, headers: admin, ...(payload === undefined ? {} : { payload }) })
    return { method, url, status: response.statusCode, body: response.body }
  }
  const author = JSON.parse((await inject('POST', '/v1/authors', { name: 'Karim Haddad' })).body) as { id: string }
  const open = JSON.parse((await inject('POST', '/v1/articles', { title: 'Comments', body: 'Open.', authorId: author.id, status: 'published' })).body) as { id: string }

  const stop = new Int32Array(new SharedArrayBuffer(4))
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WRITER, { eval: true, workerData: { driver, path, stop: stop.buffer } })
  t.teardown(() => worker.terminate())
  const written = new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject))
  await waitFor('the other connection to write', () => (db.$client.prepare('SELECT count(*) FROM contention').pluck().get() as number) > 0)

  const failures: unknown[] = []
  let requests = 0
  const expect = (answer: { status: number }) => {
    requests++
    if (answer.status >= 300) failures.push(answer)
  }
  for (let round = 0; round < 25; round++) {
    const created = await inject('POST', '/v1/articles', { title: 'Même titre', body: `Round ${round}.`, authorId: author.id })
    expect(created)
    const id = (JSON.parse(created.body) as { id: string }).id
    expect(await inject('PATCH', `/v1/articles/${id}`, { title: `Titre ${round}`, body: `Edited ${round}.` }))
    const comment = await app.inject({ method: 'POST', url: `/v1/articles/${open.id}/comments`, payload: { authorName: 'R', authorEmail: 'r@example.org', body: `Comment ${round}` } })
    expect({ status: comment.statusCode })
    expect(await inject('PATCH', `/v1/comments/${(JSON.parse(comment.body) as { id: string }).id}`, { status: 'approved' }))
    expect(await inject('DELETE', `/v1/articles/${id}`))
    expect(await inject('POST', '/v1/tags', { name: 'Économie' }))
  }

  Atomics.store(stop, 0, 1)
  Atomics.notify(stop, 0)
  const writes = await written
  t.ok(writes > requests, `the other connection committed ${writes} times meanwhile`)
  t.equal(failures.length, 0, `all ${requests} writes succeeded`, { failures: failures.slice(0, 5) })
  t.equal(db.$client.pragma('integrity_check', { simple: true }), 'ok', 'integrity_check is ok')
})
