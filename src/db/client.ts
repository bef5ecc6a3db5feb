import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import * as schema from './schema/index.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

/**
 * Opens the SQLite database with the pragmas every connection needs: foreign keys
 * enforced, WAL so readers never wait for the writer, and a busy timeout so
 * writers from several processes queue instead of failing.
 */
export function openDatabase (path: string, durability: 'normal' | 'full' = 'normal'): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  // NORMAL in WAL mode: a commit survives a crash of the process, only an OS crash or power loss can take the last
  // ones; FULL syncs the WAL on every commit so that even those cannot.
  sqlite.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`)
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  return drizzle(sqlite, { schema })
}
