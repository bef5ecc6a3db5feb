import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { systemClock } from './clock.js'
import { loadConfig } from './config.js'
import { openDatabase } from './db/client.js'
import { runMigrations } from './db/migrate.js'
import { ROLES, type KeyRole } from './db/schema/index.js'
import { apiKeysRepository } from './modules/api-keys/api-keys.repository.js'
import { authorsRepository } from './modules/authors/authors.repository.js'

const USAGE = `Usage:
  cms keys create --name NAME --role ROLE [--author AUTHOR_ID]   make an API key and print it (roles: ${ROLES.join(', ')})
  cms migrate                                                    apply pending database migrations
  cms backup FILE                                                copy the database to FILE, while the server runs

The database is the one the server uses: DATABASE_PATH (default ./data/cms.db).`

class UsageError extends Error {}

async function keysCreate (args: string[]) {
  const { values } = parseArgs({ args, options: { name: { type: 'string' }, role: { type: 'string' }, author: { type: 'string' } }, strict: true })
  if (values.name === undefined || values.name.trim() === '') throw new UsageError('--name is required')
  if (!ROLES.includes(values.role as KeyRole)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`)
  const role = values.role as KeyRole
  if ((role === 'author') !== (values.author !== undefined)) throw new UsageError('--author is required for the author role, and only for it')

  const db = openDatabase(loadConfig(process.env).DATABASE_PATH)
  try {
    runMigrations(db)
    if (values.author !== undefined && !(await authorsRepository(db, systemClock).exists(values.author))) {
      throw new UsageError(`no author ${values.author}`)
    }
    const created = await apiKeysRepository(db, systemClock).create({ name: values.name, role, authorId: values.author })
    process.stdout.write(`${created.key}\n`)
  } finally {
    db.$client.close()
  }
}

function migrate () {
  const db = openDatabase(loadConfig(process.env).DATABASE_PATH)
  try {
    runMigrations(db)
  } finally {
    db.$client.close()
  }
}

/**
 * An online backup through SQLite's backup API: the server keeps serving and
 * writing meanwhile. All pages go in one step, so the copy is one consistent
 * snapshot instead of restarting each time a write lands.
 */
async function backup (args: string[]) {
  const [file, ...extra] = args
  if (file === undefined || extra.length > 0) throw new UsageError('backup takes one FILE')
  if (existsSync(file)) throw new UsageError(`${file} exists: choose a new file`)
  const db = openDatabase(loadConfig(process.env).DATABASE_PATH)
  try {
    const { totalPages } = await db.$client.backup(file, { progress: ({ totalPages: pages }) => pages })
    process.stdout.write(`backed up ${totalPages} pages to ${file}\n`)
  } finally {
    db.$client.close()
  }
}

async function main (argv: string[]) {
  const [group, command, ...rest] = argv
  if (group === 'keys' && command === 'create') return keysCreate(rest)
  if (group === 'migrate' && command === undefined) return migrate()
  if (group === 'backup') return backup(argv.slice(1))
  throw new UsageError(group === undefined ? 'no command given' : `unknown command: ${argv.join(' ')}`)
}

try {
  await main(process.argv.slice(2))
} catch (error) {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  process.stderr.write(`cms: ${(error as Error).message}\n${usage ? `\n${USAGE}\n` : ''}`)
  process.exitCode = usage ? 2 : 1
}
