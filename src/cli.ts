#!/usr/bin/env node
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { systemClock } from './clock.js'
import { loadConfig } from './config.js'
import { integrityProblems, openDatabase, openExistingDatabase, type Db } from './db/client.js'
import { runMigrations } from './db/migrate.js'
import { ROLES, type KeyRole } from './db/schema/index.js'
import { apiKeysRepository } from './modules/api-keys/api-keys.repository.js'
import { authorsRepository } from './modules/authors/authors.repository.js'
import { OperatorError, reasonOf } from './operator-error.js'

const USAGE = `Usage:
  cms keys create --name NAME --role ROLE [--author AUTHOR_ID]   make an API key and print it (roles: ${ROLES.join(', ')})
  cms keys list [--json]                                         list the keys (never their secrets)
  cms keys revoke KEY_ID                                         revoke a key: requests with it get a 401 at once
  cms migrate                                                    create the database if need be, and apply pending migrations
  cms backup FILE                                                copy the database to FILE, while the server runs
  cms check                                                      run SQLite's integrity check: "ok" and exit 0, or the problems and exit 1
  cms help                                                       print this

The database is the one the server uses: DATABASE_PATH (default ./data/cms.db).
Every command but migrate refuses a DATABASE_PATH that does not exist.`

class UsageError extends Error {}

/** Runs `work` over the existing database, closing it afterwards whatever happens. */
async function withDatabase<T> (work: (db: Db) => T | Promise<T>): Promise<T> {
  const db = openExistingDatabase(loadConfig(process.env).DATABASE_PATH)
  try {
    return await work(db)
  } finally {
    db.$client.close()
  }
}

function noPositionals (args: string[], command: string) {
  if (args.length > 0) throw new UsageError(`${command} takes no argument: ${args.join(' ')}`)
}

async function keysCreate (args: string[]) {
  const { values } = parseArgs({ args, options: { name: { type: 'string' }, role: { type: 'string' }, author: { type: 'string' } }, strict: true })
  if (values.name === undefined || values.name.trim() === '') throw new UsageError('--name is required')
  if (!ROLES.includes(values.role as KeyRole)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`)
  const role = values.role as KeyRole
  if ((role === 'author') !== (values.author !== undefined)) throw new UsageError('--author is required for the author role, and only for it')

  await withDatabase(async (db) => {
    runMigrations(db)
    if (values.author !== undefined && !(await authorsRepository(db, systemClock).exists(values.author))) {
      throw new UsageError(`no author ${values.author}`)
    }
    const created = await apiKeysRepository(db, systemClock).create({ name: values.name!, role, authorId: values.author })
    process.stdout.write(`${created.key}\n`)
  })
}

/** Every key, newest first, read page by page through the repository the API uses. */
async function allKeys (db: Db) {
  const keys = apiKeysRepository(db, systemClock)
  const all = []
  let cursor: string | undefined
  do {
    const page = await keys.list({ limit: 100, offset: 0, cursor })
    all.push(...page.data)
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return all
}

/** Columns padded to their widest cell, so the list reads as a table in a terminal. */
function table (header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)))
  return [header, ...rows].map((row) => row.map((cell, column) => column === row.length - 1 ? cell : cell.padEnd(widths[column]!)).join('  ')).join('\n')
}

async function keysList (args: string[]) {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true })
  noPositionals(positionals, 'keys list')
  const keys = await withDatabase(allKeys)
  if (values.json) {
    process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`)
    return
  }
  const rows = keys.map((key) => [key.id, key.name, key.role, key.authorId ?? '-', key.prefix, key.createdAt, key.revokedAt ?? '-'])
  process.stdout.write(`${table(['ID', 'NAME', 'ROLE', 'AUTHOR', 'PREFIX', 'CREATED', 'REVOKED'], rows)}\n`)
}

async function keysRevoke (args: string[]) {
  const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true })
  const [id, ...extra] = positionals
  if (id === undefined || extra.length > 0) throw new UsageError('keys revoke takes one KEY_ID')
  await withDatabase(async (db) => {
    const key = (await allKeys(db)).find((candidate) => candidate.id === id)
    if (key === undefined) throw new Error(`no key ${id}: \`cms keys list\` shows the keys`)
    // Revoking again would move the revocation date, which says since when the key has been refused.
    if (key.revokedAt !== null) {
      process.stdout.write(`${id} (${key.name}) was already revoked, on ${key.revokedAt}\n`)
      return
    }
    await apiKeysRepository(db, systemClock).revoke(id)
    process.stdout.write(`revoked ${id} (${key.name})\n`)
  })
}

function migrate (args: string[]) {
  noPositionals(args, 'migrate')
  const db = openDatabase(loadConfig(process.env).DATABASE_PATH)
  try {
    runMigrations(db)
  } finally {
    db.$client.close()
  }
}

/** Makes FILE's directory, or says in one line why it cannot be made or written. */
function prepareBackupDirectory (file: string) {
  const directory = dirname(file)
  try {
    mkdirSync(directory, { recursive: true })
    accessSync(directory, constants.W_OK | constants.X_OK)
  } catch (error) {
    throw new OperatorError(`cannot write the backup ${file}: the directory ${directory} cannot be created or written (${reasonOf(error)})`)
  }
}

/**
 * An online backup through SQLite's backup API: the server keeps serving and
 * writing meanwhile. All pages go in one step, so the copy is one consistent
 * snapshot instead of restarting each time a write lands.
 */
async function backup (args: string[]) {
  const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true })
  const [file, ...extra] = positionals
  if (file === undefined || extra.length > 0) throw new UsageError('backup takes one FILE')
  if (existsSync(file)) throw new UsageError(`${file} exists: choose a new file`)
  await withDatabase(async (db) => {
    prepareBackupDirectory(file)
    const { totalPages } = await db.$client.backup(file, { progress: ({ totalPages: pages }) => pages })
    process.stdout.write(`backed up ${totalPages} pages to ${file}\n`)
  })
}

async function check (args: string[]) {
  noPositionals(args, 'check')
  const problems = await withDatabase(integrityProblems)
  process.stdout.write(problems.length === 0 ? 'ok\n' : `${problems.join('\n')}\n`)
  if (problems.length > 0) process.exitCode = 1
}

async function main (argv: string[]) {
  const [group, command, ...rest] = argv
  if (group === 'help' || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (group === 'keys' && command === 'create') return keysCreate(rest)
  if (group === 'keys' && command === 'list') return keysList(rest)
  if (group === 'keys' && command === 'revoke') return keysRevoke(rest)
  if (group === 'migrate') return migrate(argv.slice(1))
  if (group === 'backup') return backup(argv.slice(1))
  if (group === 'check') return check(argv.slice(1))
  throw new UsageError(group === undefined ? 'no command given' : `unknown command: ${argv.join(' ')}`)
}

try {
  await main(process.argv.slice(2))
} catch (error) {
  // Every failure is one line on stderr, never a stack trace; a mistake in the command line adds the usage.
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  process.stderr.write(`cms: ${(error as Error).message}\n${usage ? `\n${USAGE}\n` : ''}`)
  process.exitCode = usage ? 2 : 1
}
