import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { searchText } from '../modules/articles/articles.search.js'
import { htmlToText } from '../text/markdown.js'
import type { Db } from './client.js'

// The same depth from src/db and dist/db, so this resolves under tsx and in the built image alike.
const migrationsFolder = fileURLToPath(new URL('../../migrations/', import.meta.url))

/**
 * Applies the committed drizzle-kit migrations that the database has not seen yet. A migration that fills the
 * full-text index calls these functions, so that it indexes the very text the articles repository does.
 */
export function runMigrations (db: Db): void {
  db.$client.function('search_text', { deterministic: true }, (text: unknown) => searchText(String(text)))
  db.$client.function('search_body_text', { deterministic: true }, (bodyHtml: unknown) => searchText(htmlToText(String(bodyHtml))))
  migrate(db, { migrationsFolder })
}

const committedMigrations = (JSON.parse(readFileSync(`${migrationsFolder}meta/_journal.json`, 'utf8')) as { entries: unknown[] }).entries.length

/** True when every committed migration has been applied to this database. */
export function migrationsApplied (db: Db): boolean {
  const row = db.$client.prepare('SELECT count(*) AS applied FROM __drizzle_migrations').get() as { applied: number }
  return row.applied >= committedMigrations
}
