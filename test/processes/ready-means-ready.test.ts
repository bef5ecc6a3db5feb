import { join } from 'node:path'
import t from 'tap'
import { call, seedDatabase, sleep, startServer, tempDir, waitForHealth } from '../reliability/fixtures/processes.js'

// Overload protection judges the event loop's delay: a process's own start-up (compiling every schema, building the
// OpenAPI document) is no overload, and must not be shed as one once the process says it is ready.

const REQUESTS = 200
const AT_ONCE = 10

t.test('with WORKERS=2 and overload protection on, no request right after /readyz says 200 gets a 503', async (t) => {
  const databasePath = join(tempDir(t), 'cms.db')
  await seedDatabase(databasePath)
  const server = await startServer(t, { databasePath, workers: 2, env: { OVERLOAD_EVENT_LOOP_DELAY_MS: '1000' } })
  await waitForHealth(server)
  // As a load balancer does: as soon as readiness says 200, traffic comes.
  while ((await call(server.port, { path: '/readyz', timeout: 2_000 })).status !== 200) await sleep(10)

  const statuses: number[] = []
  const paths = ['/v1/articles', '/v1/tags', '/v1/authors', '/healthz']
  const answeredBy = () => new Set(server.logs.filter((line) => line.msg === 'request completed').map((line) => line.pid))
  // The second worker may start listening a moment after the first: go on until it has answered too, each fresh.
  const deadline = Date.now() + 30_000
  while ((statuses.length < REQUESTS || answeredBy().size < 2) && Date.now() < deadline) {
    // Each on a connection of its own, so that the primary hands them to both workers.
    const answers = await Promise.all(Array.from({ length: AT_ONCE }, (_, index) => call(server.port, { path: paths[(statuses.length + index) % paths.length]! })))
    statuses.push(...answers.map((answer) => answer.status))
  }
  t.ok(statuses.length >= REQUESTS, `${statuses.length} requests sent`)
  t.equal(answeredBy().size, 2, 'both workers answered')
  t.same(statuses.filter((status) => status !== 200), [], 'every one answered 200, none 503')
})
