import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { build } from '../helper.js'
import { checkedAgainstSpec } from '../openapi-conformance.js'

t.test('healthz and readyz answer on a migrated database', async (t) => {
  const { app } = await build(t)
  const health = await app.inject({ method: 'GET', url: '/healthz' })
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })
  t.same((await app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ok' })
})

t.test('readyz is a 503 while migrations are missing, and once shutting down', async (t) => {
  const lifecycle = { shuttingDown: false }
  const db = openDatabase(':memory:')
  runMigrations(db)
  const app = checkedAgainstSpec(await buildApp({ config: loadConfig({ OVERLOAD_EVENT_LOOP_DELAY_MS: '0' }), db, lifecycle }))
  t.teardown(() => app.close())
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200)

  // As if the code shipped a migration this database has not had.
  const applied = db.$client.prepare('SELECT * FROM __drizzle_migrations').all()
  db.$client.exec('DELETE FROM __drizzle_migrations')
  const unmigrated = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(unmigrated.statusCode, 503)
  t.equal(unmigrated.headers['retry-after'], '5')
  t.match(unmigrated.headers['content-type'], /^application\/problem\+json/)
  t.match(unmigrated.json().detail, /migrations/)
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'the process is still up')

  const restore = db.$client.prepare('INSERT INTO __drizzle_migrations (id, hash, created_at) VALUES (@id, @hash, @created_at)')
  for (const row of applied) restore.run(row)
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200)
  lifecycle.shuttingDown = true
  const closing = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(closing.statusCode, 503)
  t.match(closing.json().detail, /shutting down/)
})
