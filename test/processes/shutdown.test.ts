import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openDatabase } from '../../src/db/client.js'
import {
  call, exitWithin, hasExited, isRunning, refusesConnections, seedDatabase, startServer, tempDir, waitFor, waitForHealth, type ServerProcess
} from '../reliability/fixtures/processes.js'
import { RawConnection, requestHead, slowPost } from '../reliability/fixtures/raw-http.js'

// Within the server's grace (10 s) with room to spare, and well over what a clean stop takes.
const EXIT_TIMEOUT = 8_000

/** Whether the server has logged the start of this request: it is in flight, past its onRequest hooks' turn. */
const received = (server: ServerProcess, method: string, path: string) => () => server.logs.some((line) => {
  const req = line.req as { method?: string, path?: string } | undefined
  return line.msg === 'incoming request' && req?.method === method && req.path === path
})

function articleInDatabase (databasePath: string, id: string) {
  const db = openDatabase(databasePath)
  try {
    return db.$client.prepare('SELECT id, title, body FROM articles WHERE id = ?').get(id) as { id: string, title: string, body: string } | undefined
  } finally {
    db.$client.close()
  }
}

async function createAuthor (server: ServerProcess, admin: { authorization: string }): Promise<string> {
  const author = await call(server.port, { method: 'POST', path: '/v1/authors', headers: admin, body: { name: 'Nadia Benali' } })
  if (author.status !== 201) throw new Error(`author not created: ${author.status} ${author.body}`)
  return (JSON.parse(author.body) as { id: string }).id
}

t.test('SIGTERM: readiness turns 503 at once, open connections get 503 problems, in-flight requests finish, the database closes, exit 0', async (t) => {
  const databasePath = join(tempDir(t), 'cms.db')
  const admin = await seedDatabase(databasePath)
  const server = await startServer(t, { databasePath })
  await waitForHealth(server)
  const authorId = await createAuthor(server, admin)

  // A keep-alive connection that has served a request, and has the next one on its way: its head is not complete yet.
  const open = await RawConnection.open(server.port)
  t.teardown(() => open.destroy())
  open.write(`${requestHead('GET', '/readyz')}\r\n`)
  const before = await open.read()
  t.equal(before.status, 200, 'ready before the signal')
  t.not(before.headers.connection, 'close', 'the connection is kept alive')
  open.write(requestHead('GET', '/readyz'))

  // A request in flight: its headers are in, half of its body is not.
  const body = { title: 'Written across a shutdown', body: 'The body arrives in two halves, the second after SIGTERM. '.repeat(20), authorId }
  const post = slowPost(server.port, '/v1/articles', admin, body)
  t.teardown(() => post.abort())
  await waitFor('the server to receive the slow POST', received(server, 'POST', '/v1/articles'))

  server.child.kill('SIGTERM')
  await waitFor('the server to stop accepting connections', () => refusesConnections(server.port), 5_000)

  open.write('\r\n')
  const during = await open.read()
  t.equal(during.status, 503, '/readyz on the open connection is a 503 at once')
  t.equal(during.headers.connection, 'close', 'with Connection: close')
  t.match(during.headers['content-type'], /^application\/problem\+json/, 'as problem+json')
  t.match(during.headers['retry-after'], /^\d+$/, 'with Retry-After in seconds')
  t.match(JSON.parse(during.body), { status: 503, title: String, type: String }, 'a problem naming its status')
  await waitFor('the server to close that connection', () => open.closed, 5_000)

  t.notOk(hasExited(server), 'the process waits for the request in flight')
  post.finish()
  const answer = await post.answer
  t.equal(answer.status, 201, 'the request in flight completes', { body: answer.body })
  const created = JSON.parse(answer.body) as { id: string, title: string }

  t.same(await exitWithin(server, EXIT_TIMEOUT), [0, null], 'exit 0')
  // SQLite deletes the WAL and shared-memory files when the last connection closes cleanly; a process that dies with it open leaves them.
  t.notOk(existsSync(`${databasePath}-wal`), 'the database was closed: no WAL file left')
  t.notOk(existsSync(`${databasePath}-shm`), 'and no shared-memory file')
  t.match(articleInDatabase(databasePath, created.id), { id: created.id, title: body.title, body: body.body }, 'the article is in the database after exit')
})

t.test('a second signal stops the process at once, with a non-zero exit', async (t) => {
  const databasePath = join(tempDir(t), 'cms.db')
  const admin = await seedDatabase(databasePath)
  const server = await startServer(t, { databasePath })
  await waitForHealth(server)

  // Something in flight that would hold a graceful stop for the whole grace period.
  const post = slowPost(server.port, '/v1/authors', admin, { name: 'Never finished', bio: 'x'.repeat(2_000) })
  t.teardown(() => post.abort())
  await waitFor('the server to receive the slow POST', received(server, 'POST', '/v1/authors'))

  server.child.kill('SIGTERM')
  await waitFor('the server to start shutting down', () => refusesConnections(server.port), 5_000)
  t.notOk(hasExited(server), 'the first signal waits for the request in flight')

  const second = Date.now()
  server.child.kill('SIGTERM')
  const exit = await exitWithin(server, 3_000)
  t.ok(exit !== undefined, `gone within 3 s of the second signal (the grace is 10 s): ${Date.now() - second} ms`)
  t.not(exit?.[0], 0, 'a non-zero exit code')
  t.equal(exit?.[1], null, 'it exits by itself, not killed by the signal')
})

t.test('two workers: SIGTERM to the primary lets the request in flight complete, then everything exits 0', async (t) => {
  const databasePath = join(tempDir(t), 'cms.db')
  const admin = await seedDatabase(databasePath)
  const server = await startServer(t, { databasePath, workers: 2 })
  await waitForHealth(server)
  const listening = () => [...new Set(server.logs.filter((line) => line.msg?.startsWith('Server listening')).map((line) => line.pid!))]
  await waitFor('both workers to listen', () => listening().length === 2, 30_000)
  const workers = listening()
  const authorId = await createAuthor(server, admin)

  const body = { title: 'Written while the workers stop', body: 'Slowly. '.repeat(200), authorId }
  const post = slowPost(server.port, '/v1/articles', admin, body)
  t.teardown(() => post.abort())
  await waitFor('a worker to receive the slow POST', received(server, 'POST', '/v1/articles'))
  const busy = server.logs.find((line) => line.msg === 'incoming request' && (line.req as { method?: string }).method === 'POST' && (line.req as { path?: string }).path === '/v1/articles')!.pid!
  const idle = workers.filter((pid) => pid !== busy)

  server.child.kill('SIGTERM')
  // The idle worker's exit shows that the shutdown has reached the workers.
  await waitFor('the idle worker to stop', () => !idle.some(isRunning), 5_000)
  t.ok(isRunning(busy), 'the worker with a request in flight is still running')
  t.notOk(hasExited(server), 'and so is the primary')

  post.finish()
  const answer = await post.answer
  t.equal(answer.status, 201, 'the request in flight completes', { body: answer.body })
  const created = JSON.parse(answer.body) as { id: string }

  t.same(await exitWithin(server, EXIT_TIMEOUT), [0, null], 'the primary exits 0')
  await waitFor('the workers to be gone', () => !workers.some(isRunning), 2_000).catch(() => {})
  t.same(workers.filter(isRunning), [], 'no worker outlives the primary')
  t.match(articleInDatabase(databasePath, created.id), { title: body.title, body: body.body }, 'the article is in the database after exit')
})
