import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import type { Db } from './client.js'

// The same depth from src/db and dist/db, so this resolves under tsx and in the built image alike.
const migrationsFolder = fileURLToPath(new URL('../../migrations/', import.meta.url))

/** Applies the committed drizzle-kit migrations that the database has not seen yet. */
export function runMigrations (db: Db): void {
  migrate(db, { migrationsFolder })
}

const committedMigrations = (JSON.parse(readFileSync(`${migrationsFolder}meta/_journal.json`, 'utf8')) as { entries: unknown[] }).entries.length

/** True when every committed migration has been applied to this database. */
export function migrationsApplied (db: Db): boolean {
  const row = db.$client.prepare('SELECT count(*) AS applied FROM __drizzle_migrations').get() as { applied: number }
  return row.applied >= committedMigrations
}
