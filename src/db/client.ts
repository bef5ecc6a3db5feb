import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { OperatorError, reasonOf } from '../operator-error.js'
import * as schema from './schema/index.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

function canAccess (path: string, mode: number): boolean {
  try {
    accessSync(path, mode)
    return true
  } catch {
    return false
  }
}

/** Finds what would stop SQLite from keeping a database at `path`, and says it in one line naming DATABASE_PATH. */
function checkDatabasePath (path: string): void {
  const directory = dirname(path)
  try {
    mkdirSync(directory, { recursive: true })
  } catch (error) {
    throw new OperatorError(`DATABASE_PATH ${path}: cannot create the directory ${directory}: ${reasonOf(error)}`)
  }
  const stats = statSync(path, { throwIfNoEntry: false })
  if (stats?.isDirectory() === true) {
    throw new OperatorError(`DATABASE_PATH ${path} is a directory: give the path of the database file, such as ${join(path, 'cms.db')}`)
  }
  // In WAL mode SQLite creates the -wal and -shm files beside the database, even to read it.
  if (!canAccess(directory, constants.W_OK | constants.X_OK)) {
    throw new OperatorError(`DATABASE_PATH ${path}: the directory ${directory} is not writable (SQLite keeps its -wal and -shm files beside the database)`)
  }
  if (stats !== undefined && !canAccess(path, constants.R_OK | constants.W_OK)) {
    throw new OperatorError(`DATABASE_PATH ${path} is read-only: the server and the CLI write to it`)
  }
}

/**
 * Opens the SQLite database with the pragmas every connection needs: foreign keys
 * enforced, WAL so readers never wait for the writer, and a busy timeout so
 * writers from several processes queue instead of failing. A file that cannot
 * be opened is an `OperatorError` naming DATABASE_PATH and the path.
 */
export function openDatabase (path: string, durability: 'normal' | 'full' = 'normal'): Db {
  if (path !== ':memory:') checkDatabasePath(path)
  let sqlite: Database.Database | undefined
  try {
    sqlite = new Database(path)
    sqlite.pragma('journal_mode = WAL')
    // NORMAL in WAL mode: a commit survives a crash of the process, only an OS crash or power loss can take the last
    // ones; FULL syncs the WAL on every commit so that even those cannot.
    sqlite.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`)
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma('busy_timeout = 5000')
  } catch (error) {
    sqlite?.close()
    if (error instanceof Database.SqliteError) throw new OperatorError(`DATABASE_PATH ${path} cannot be opened: ${error.message}`)
    throw error
  }
  return drizzle(sqlite, { schema })
}

/**
 * The database for a command that reads or changes what is in it: a mistyped
 * DATABASE_PATH must not quietly become a new, empty database.
 */
export function openExistingDatabase (path: string): Db {
  if (path !== ':memory:' && !existsSync(path)) {
    throw new OperatorError(`DATABASE_PATH ${path} does not exist: correct the path, or create the database by starting the server once (or with cms migrate)`)
  }
  return openDatabase(path)
}

/** SQLite's `PRAGMA integrity_check`: an empty list when the file is sound, else what is wrong with it. */
export function integrityProblems (db: Db): string[] {
  try {
    const found = db.$client.pragma('integrity_check', { simple: false }) as Array<{ integrity_check: string }>
    const lines = found.map((row) => row.integrity_check)
    return lines.length === 1 && lines[0] === 'ok' ? [] : lines
  } catch (error) {
    if (error instanceof Database.SqliteError) return [error.message]
    throw error
  }
}
