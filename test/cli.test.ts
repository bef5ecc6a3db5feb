import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { systemClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/client.js'
import { migrationsApplied, runMigrations } from '../src/db/migrate.js'
import { apiKeysRepository } from '../src/modules/api-keys/api-keys.repository.js'
import { checkedAgainstSpec } from './openapi-conformance.js'

const root = fileURLToPath(new URL('../', import.meta.url))
const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url))

/**
 * The environment for a child process: tap's coverage hook is left out of NODE_OPTIONS,
 * as it doubles the start-up time of every child and coverage is not enforced.
 */
function childEnv (extra: Record<string, string>): NodeJS.ProcessEnv {
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((option) => !option.includes('@tapjs/processinfo')).join(' ')
  return { ...process.env, NODE_OPTIONS: nodeOptions, ...extra }
}

interface Run { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/** Runs the real CLI, as `npm run cms` does, over the database at `databasePath`. */
function cli (t: Test, databasePath: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], {
      cwd: root,
      env: childEnv({ DATABASE_PATH: databasePath }),
      stdio: ['ignore', 'pipe', 'pipe']
    })
    t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

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
