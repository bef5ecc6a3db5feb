import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Test } from 'tap'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { systemClock } from '../../src/clock.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/client.js'
import { migrationsApplied, runMigrations } from '../../src/db/migrate.js'
import { apiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js'
import { cli, seedDatabase } from '../reliability/fixtures/processes.js'
import { checkedAgainstSpec } from '../openapi-conformance.js'

/** An app over the same database file the CLI wrote, closed when the test ends. */
async function appOver (t: Test, databasePath: string) {
  const db = openDatabase(databasePath)
  runMigrations(db)
  const app = checkedAgainstSpec(await buildApp({ config: loadConfig({}), db }))
  t.teardown(() => app.close())
  return { app, db }
}

function keyCount (databasePath: string): number {
  const db = openDatabase(databasePath)
  try {
    return db.$client.prepare('SELECT count(*) FROM api_keys').pluck().get() as number
  } finally {
    db.$client.close()
  }
}

t.test('keys create prints the new key, alone on one line, and the key works', async (t) => {
  const databasePath = join(t.testdir(), 'cms.db')
  t.equal((await cli(t, databasePath, ['migrate'])).code, 0, 'the database is made first, as the server makes it at start')
  const run = await cli(t, databasePath, ['keys', 'create', '--name', 'First admin', '--role', 'admin'])
  t.equal(run.code, 0, 'exits 0', { stderr: run.stderr })
  t.match(run.stdout, /^cms_[A-Za-z0-9_-]{20,}\n$/, 'stdout is one line holding the key and nothing else')
  const key = run.stdout.trim()
  t.notOk(/\s/.test(key), 'the key has no blank')

  const { app } = await appOver(t, databasePath)
  const unauthenticated = await app.inject({ method: 'GET', url: '/v1/api-keys' })
  t.equal(unauthenticated.statusCode, 401, 'the list needs a key')
  const listed = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: { authorization: `Bearer ${key}` } })
  t.equal(listed.statusCode, 200, 'the key lists the keys', { body: listed.body })
  const { data } = listed.json<{ data: Array<{ name: string, role: string, prefix: string, authorId: string | null }> }>()
  t.equal(data.length, 1)
  t.match(data[0], { name: 'First admin', role: 'admin', authorId: null })
  t.ok(key.startsWith(data[0]!.prefix), 'the listed prefix is the key\'s')
  t.notOk(listed.body.includes(key), 'the list never shows the secret')
})

t.test('keys create --role author --author ID makes a key that acts as that author', async (t) => {
  const databasePath = join(t.testdir(), 'cms.db')
  const { app, db } = await appOver(t, databasePath)
  const admin = { authorization: `Bearer ${(await apiKeysRepository(db, systemClock).create({ name: 'admin', role: 'admin' })).key}` }
  const author = await app.inject({ method: 'POST', url: '/v1/authors', headers: admin, payload: { name: 'Amina Diallo' } })
  t.equal(author.statusCode, 201, 'the author is created', { body: author.body })
  const authorId = author.json<{ id: string }>().id

  const run = await cli(t, databasePath, ['keys', 'create', '--name', 'Amina', '--role', 'author', '--author', authorId])
  t.equal(run.code, 0, 'exits 0', { stderr: run.stderr })
  t.match(run.stdout, /^cms_[A-Za-z0-9_-]{20,}\n$/)
  const article = await app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: { authorization: `Bearer ${run.stdout.trim()}` },
    payload: { title: 'Written with a key from the command line', body: 'Text.' }
  })
  t.equal(article.statusCode, 201, 'the author key creates an article', { body: article.body })
  t.equal(article.json<{ author: { id: string } }>().author.id, authorId, 'the key acts as its author')
  const keys = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: admin })
  t.match(keys.json(), { data: [{ name: 'Amina', role: 'author', authorId }, { name: 'admin', role: 'admin' }] })
})

t.test('the CLI refuses a bad request: non-zero exit, nothing on stdout, the usage on stderr, no key made', async (t) => {
  const databasePath = join(t.testdir(), 'cms.db')
  const seeded = openDatabase(databasePath)
  runMigrations(seeded)
  seeded.$client.close()
  const cases: Array<[string, string[], RegExp]> = [
    ['the author role without --author', ['keys', 'create', '--name', 'N', '--role', 'author'], /--author/],
    ['an unknown author', ['keys', 'create', '--name', 'N', '--role', 'author', '--author', 'aut_doesnotexist0000'], /aut_doesnotexist0000/],
    ['an unknown role', ['keys', 'create', '--name', 'N', '--role', 'superuser'], /--role/]
  ]
  const runs = await Promise.all(cases.map(([, args]) => cli(t, databasePath, args)))
  cases.forEach(([what, , reason], index) => {
    const run = runs[index]!
    t.not(run.code, 0, `${what}: non-zero exit`)
    t.equal(run.signal, null, `${what}: exits by itself`)
    t.equal(run.stdout, '', `${what}: nothing on stdout`)
    t.match(run.stderr, reason, `${what}: the reason on stderr`)
    t.match(run.stderr, /Usage:[\s\S]*keys create --name NAME --role ROLE/, `${what}: the usage on stderr`)
  })
  t.equal(keyCount(databasePath), 0, 'no key was made')
})

t.test('migrate creates and migrates a fresh database file', async (t) => {
  const databasePath = join(t.testdir(), 'nested', 'dir', 'cms.db')
  t.notOk(existsSync(databasePath))
  const first = await cli(t, databasePath, ['migrate'])
  t.equal(first.code, 0, 'exits 0', { stderr: first.stderr })
  t.equal(first.stdout, '', 'migrate prints nothing on stdout')
  t.ok(existsSync(databasePath), 'the file is created')

  const db = openDatabase(databasePath)
  try {
    t.ok(migrationsApplied(db), 'every committed migration is applied')
    const tables = db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]
    t.ok(['articles', 'authors', 'tags', 'api_keys'].every((table) => tables.includes(table)), `the tables exist: ${tables.join(', ')}`)
  } finally {
    db.$client.close()
  }
})

t.test('cms --help and cms help print the usage on stdout and exit 0', async (t) => {
  const databasePath = join(t.testdir(), 'cms.db')
  for (const args of [['--help'], ['help'], ['keys', 'list', '--help']]) {
    const run = await cli(t, databasePath, args)
    t.equal(run.code, 0, `${args.join(' ')}: exits 0`)
    t.equal(run.stderr, '', `${args.join(' ')}: nothing on stderr`)
    for (const command of ['keys create', 'keys list', 'keys revoke', 'migrate', 'backup', 'check']) t.match(run.stdout, `cms ${command}`, `${args.join(' ')}: lists ${command}`)
  }
  t.notOk(existsSync(databasePath), 'asking for help touches no database')
})

t.test('keys list shows every key as an aligned table, or JSON with --json, never a secret or its hash', async (t) => {
  const databasePath = join(t.testdir(), 'cms.db')
  const { app, db } = await appOver(t, databasePath)
  const keys = apiKeysRepository(db, systemClock)
  const admin = await keys.create({ name: 'Rédaction en chef', role: 'admin' })
  const moderator = await keys.create({ name: 'Modération', role: 'moderator' })
  const many = await Promise.all(Array.from({ length: 120 }, (_, index) => keys.create({ name: `bulk ${index}`, role: 'editor' })))
  const authorized = { authorization: `Bearer ${admin.key}` }
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${moderator.id}`, headers: authorized })).statusCode, 204, 'one key revoked through the API')
  const secrets = [admin, moderator, ...many].map((created) => created.key)
  const hashes = db.$client.prepare('SELECT secret_hash FROM api_keys').pluck().all() as string[]

  const text = await cli(t, databasePath, ['keys', 'list'])
  t.equal(text.code, 0, 'exits 0', { stderr: text.stderr })
  const [header, ...rows] = text.stdout.trimEnd().split('\n')
  t.match(header, /^ID\s+NAME\s+ROLE\s+AUTHOR\s+PREFIX\s+CREATED\s+REVOKED$/, 'a header')
  t.equal(rows.length, 122, 'a row for each key, past the first page of the repository')
  for (const column of ['NAME', 'ROLE', 'PREFIX', 'CREATED']) {
    const at = header!.indexOf(column)
    t.ok(rows.every((row) => row[at - 1] === ' ' && row[at] !== ' '), `every ${column} starts under its header`)
  }
  const moderatorRow = rows.find((row) => row.startsWith(moderator.id))
  t.match(moderatorRow, /Modération\s+moderator\s+-\s+cms_\S+\s+\d{4}-\d\d-\d\dT\S+\s+\d{4}-\d\d-\d\dT\S+Z$/, 'the revoked key shows when it was revoked')
  t.match(rows.find((row) => row.startsWith(admin.id)), /admin\s+-\s+cms_\S+\s+\S+\s+-$/, 'a live key shows "-" as its revocation')

  const json = await cli(t, databasePath, ['keys', 'list', '--json'])
  t.equal(json.code, 0, '--json exits 0', { stderr: json.stderr })
  const listed = JSON.parse(json.stdout) as Array<Record<string, unknown>>
  t.equal(listed.length, 122)
  t.same(Object.keys(listed[0]!).sort(), ['authorId', 'createdAt', 'id', 'name', 'prefix', 'revokedAt', 'role'], 'the fields of the API\'s listing')
  t.match(listed.find((key) => key.id === moderator.id), { name: 'Modération', role: 'moderator', revokedAt: String })
  for (const output of [text.stdout, json.stdout]) {
    t.notOk(secrets.some((secret) => output.includes(secret)) || hashes.some((hash) => output.includes(hash)), 'no secret and no hash in the output')
  }
})

t.test('keys revoke revokes at once, says so, and exits non-zero for an unknown key', async (t) => {
  const databasePath = join(t.testdir(), 'cms.db')
  const { app, db } = await appOver(t, databasePath)
  const keys = apiKeysRepository(db, systemClock)
  const admin = await keys.create({ name: 'admin', role: 'admin' })
  const leaked = await keys.create({ name: 'Leaked laptop', role: 'editor' })
  const asLeaked = { authorization: `Bearer ${leaked.key}` }
  t.equal((await app.inject({ method: 'GET', url: '/v1/comments', headers: asLeaked })).statusCode, 200, 'the key works before')

  const revoked = await cli(t, databasePath, ['keys', 'revoke', leaked.id])
  t.equal(revoked.code, 0, 'exits 0', { stderr: revoked.stderr })
  t.equal(revoked.stdout, `revoked ${leaked.id} (Leaked laptop)\n`)
  t.equal((await app.inject({ method: 'GET', url: '/v1/comments', headers: asLeaked })).statusCode, 401, 'the next request with it is a 401')
  t.equal((await app.inject({ method: 'GET', url: '/v1/comments', headers: { authorization: `Bearer ${admin.key}` } })).statusCode, 200, 'other keys still work')
  const revokedAt = () => (db.$client.prepare('SELECT revoked_at FROM api_keys WHERE id = ?').pluck().get(leaked.id) as number)
  const first = revokedAt()

  const again = await cli(t, databasePath, ['keys', 'revoke', leaked.id])
  t.equal(again.code, 0, 'revoking again exits 0')
  t.match(again.stdout, /already revoked/, 'and says it was already')
  t.equal(revokedAt(), first, 'keeping the date it was first revoked')

  const unknown = await cli(t, databasePath, ['keys', 'revoke', 'key_doesnotexist0000'])
  t.equal(unknown.code, 1, 'an unknown key exits 1')
  t.equal(unknown.stdout, '')
  t.match(unknown.stderr, /^cms: no key key_doesnotexist0000/)
  const none = await cli(t, databasePath, ['keys', 'revoke'])
  t.equal(none.code, 2, 'no id is a usage error')
  t.match(none.stderr, /keys revoke takes one KEY_ID[\s\S]*Usage:/)
})

t.test('every command but migrate refuses a DATABASE_PATH that does not exist, and creates nothing', async (t) => {
  const dir = t.testdir()
  const databasePath = join(dir, 'mistyped', 'cms.db')
  const commands = [
    ['keys', 'create', '--name', 'Admin', '--role', 'admin'],
    ['keys', 'list'],
    ['keys', 'revoke', 'key_0000000000000000'],
    ['backup', join(dir, 'backups', 'cms.db')],
    ['check']
  ]
  const runs = await Promise.all(commands.map((args) => cli(t, databasePath, args)))
  commands.forEach((args, index) => {
    const run = runs[index]!
    t.equal(run.code, 1, `${args.join(' ')}: exits 1`)
    t.equal(run.stdout, '', `${args.join(' ')}: nothing on stdout`)
    t.equal(run.stderr, `cms: DATABASE_PATH ${databasePath} does not exist: correct the path, or create the database by starting the server once (or with cms migrate)\n`, `${args.join(' ')}: says so in one line`)
  })
  t.notOk(existsSync(join(dir, 'mistyped')), 'no database, nor its directory, was made')
  t.notOk(existsSync(join(dir, 'backups')), 'nor the backup\'s directory')
})

t.test('backup creates the directory of its FILE, or says in one line why it cannot', async (t) => {
  const dir = t.testdir({ 'a-file': 'not a directory' })
  const databasePath = join(dir, 'cms.db')
  await seedDatabase(databasePath)

  const backupPath = join(dir, 'backups', '2026', 'cms.db')
  const made = await cli(t, databasePath, ['backup', backupPath])
  t.equal(made.code, 0, 'exits 0', { stderr: made.stderr })
  t.match(made.stdout, `to ${backupPath}`)
  const copy = new Database(backupPath, { readonly: true })
  t.teardown(() => copy.close())
  t.equal(copy.prepare('SELECT count(*) FROM api_keys').pluck().get(), 1, 'the copy holds the key')

  const blocked = join(dir, 'a-file', 'cms.db')
  const refused = await cli(t, databasePath, ['backup', blocked])
  t.equal(refused.code, 1, 'a directory that cannot be made: exits 1')
  t.equal(refused.stderr, `cms: cannot write the backup ${blocked}: the directory ${join(dir, 'a-file')} cannot be created or written (a part of the path is a file, not a directory)\n`)
})

/** Changes one character of a key's hash in the unique index's page only: the table and its index then disagree. */
function damageIndex (databasePath: string) {
  const db = new Database(databasePath)
  const pageSize = db.pragma('page_size', { simple: true }) as number
  const page = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'api_keys_secret_hash_unique'").pluck().get() as number
  const hash = db.prepare('SELECT secret_hash FROM api_keys LIMIT 1').pluck().get() as string
  db.close()
  const file = readFileSync(databasePath)
  const start = (page - 1) * pageSize
  const at = file.subarray(start, start + pageSize).indexOf(hash)
  if (at < 0) throw new Error('the hash is not in the index page')
  file[start + at] = file[start + at] === 0x30 ? 0x31 : 0x30
  writeFileSync(databasePath, file)
}

t.test('check says ok and exits 0 on a sound file, and lists what is wrong and exits 1 on a damaged one', async (t) => {
  const databasePath = join(t.testdir(), 'cms.db')
  await seedDatabase(databasePath)
  const sound = await cli(t, databasePath, ['check'])
  t.equal(sound.code, 0, 'sound: exits 0', { stderr: sound.stderr })
  t.equal(sound.stdout, 'ok\n')

  damageIndex(databasePath)
  const damaged = await cli(t, databasePath, ['check'])
  t.equal(damaged.code, 1, 'damaged: exits 1')
  t.match(damaged.stdout, /missing from index api_keys_secret_hash_unique/, 'naming the damage SQLite found')
  t.notMatch(damaged.stdout, /^ok$/m)
})
