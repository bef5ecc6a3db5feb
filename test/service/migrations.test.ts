import { execFile } from 'node:child_process'
import { cp, readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { openDatabase } from '../../src/db/client.js'
import { migrationsApplied, runMigrations } from '../../src/db/migrate.js'

const projectRoot = new URL('../../', import.meta.url).pathname
const run = promisify(execFile)

t.test('the committed migrations match the Drizzle schema: drizzle-kit generates nothing new', async (t) => {
  const copy = join(t.testdir(), 'migrations')
  await cp(join(projectRoot, 'migrations'), copy, { recursive: true })
  const before = await readdir(copy, { recursive: true })
  // drizzle-kit reads `--out` relative to the working directory.
  const { stdout } = await run('npx', ['drizzle-kit', 'generate', '--dialect', 'sqlite', '--schema', './src/db/schema/index.ts', '--out', relative(projectRoot, copy)], { cwd: projectRoot })
  t.match(stdout, /No schema changes/, 'schema changed without a migration: run `npm run db:generate` and commit migrations/')
  t.same((await readdir(copy, { recursive: true })).sort(), before.sort())
})

t.test('migrating an empty database gives a consistent schema, and migrating twice is harmless', async (t) => {
  const db = openDatabase(join(t.testdir(), 'cms.db'))
  t.teardown(() => db.$client.close())
  t.notOk((() => { try { return migrationsApplied(db) } catch { return false } })(), 'an empty database is not migrated')
  runMigrations(db)
  runMigrations(db)
  t.ok(migrationsApplied(db))
  t.same(db.$client.pragma('foreign_key_check'), [])
  t.equal(db.$client.pragma('integrity_check', { simple: true }), 'ok')
  t.equal(db.$client.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(db.$client.pragma('foreign_keys', { simple: true }), 1)
  const tables = db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()
  for (const table of ['api_keys', 'article_tags', 'articles', 'authors', 'tags']) t.ok(tables.includes(table), `table ${table}`)
})
