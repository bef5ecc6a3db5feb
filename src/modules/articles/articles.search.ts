import { sql } from 'drizzle-orm'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client.js'

/**
 * The FTS5 table made by the custom migration `0003_articles_fts.sql`. Declared
 * here, outside `src/db/schema`, so that drizzle-kit never tries to create it.
 */
export const articlesFts = sqliteTable('articles_fts', {
  rowid: integer('rowid').notNull(),
  title: text('title'),
  excerpt: text('excerpt'),
  body: text('body')
})

// The title weighs most, then the excerpt, then the body (bm25's column weights).
export const relevance = sql`bm25(${articlesFts}, 10.0, 3.0, 1.0)`

const MAX_TERMS = 20

/**
 * What a reader typed, as an FTS5 query that cannot fail: each word quoted (so
 * quotes, `NEAR(`, `*`, `AND`, `OR`, `NOT` are only text) and matched as a
 * prefix, all words required. Undefined when nothing searchable was typed.
 */
export function matchExpression (typed: string): string | undefined {
  const words = typed.normalize('NFC').match(/[\p{L}\p{N}\p{M}]+/gu)?.slice(0, MAX_TERMS) ?? []
  return words.length === 0 ? undefined : words.map((word) => `"${word}"*`).join(' ')
}

/** Keeps the full-text index in step with an article, inside the caller's transaction. */
export function searchIndex (db: Db) {
  const remove = db.$client.prepare('DELETE FROM articles_fts WHERE rowid = ?')
  const insert = db.$client.prepare('INSERT INTO articles_fts (rowid, title, excerpt, body) VALUES (?, ?, ?, ?)')
  return {
    put (pk: number, fields: { title: string, excerpt: string, text: string }) {
      remove.run(pk)
      insert.run(pk, fields.title.normalize('NFC'), fields.excerpt.normalize('NFC'), fields.text.normalize('NFC'))
    },
    remove (pk: number) {
      remove.run(pk)
    }
  }
}
