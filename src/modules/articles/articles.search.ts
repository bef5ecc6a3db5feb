import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client.js'

/**
 * The FTS5 table made by the custom migrations `0003_articles_fts.sql` and `0009_articles_fts_prefixes.sql`. Declared
 * here, outside `src/db/schema`, so that drizzle-kit never tries to create it.
 */
export const articlesFts = sqliteTable('articles_fts', {
  rowid: integer('rowid').notNull(),
  title: text('title'),
  excerpt: text('excerpt'),
  body: text('body')
})

/**
 * Ranking by bm25, the title weighing most, then the excerpt, then the body. bm25 weighs each word by reading
 * every entry the index has for it, and reads each ranked article's entries for every word, so only words in at
 * most RANKED_WORD_LIMIT articles rank (in more, a word tells little apart anyway).
 */
export const RELEVANCE = 'bm25(articles_fts, 10.0, 3.0, 1.0)'
export const RANKED_WORD_LIMIT = 500

/**
 * How many of a search's matches, the newest first, are ranked, sorted and counted. Past it, the search lists
 * these newest matches only, and `meta.total` is an estimate: the work of a search stays bounded by this, not by
 * how much of the archive its words are in.
 */
export const SEARCH_WINDOW = 2000

/** Of a search's words found in more than SEARCH_WINDOW articles, how many are required; the others are left out. */
export const MAX_COMMON_WORDS = 3

export const MAX_TERMS = 20

// As prefixes, "d" or "le" would stand for a large share of all the words there are; whole, they are one word each.
export const MIN_PREFIX_LENGTH = 3

/** Nearly how the index compares words (unicode61 with remove_diacritics): without case or accents. */
const folded = (word: string) => word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()

/**
 * What a reader typed, as FTS5 phrases that cannot fail: each word quoted (so quotes, `NEAR(`, `*`, `AND`, `OR`,
 * `NOT` are only text), each once, a word of 3 letters or more matched as a prefix and a shorter one whole; at
 * most 20. Empty when nothing searchable was typed.
 */
export function searchTerms (typed: string): string[] {
  // Each word as typed, so that the index's tokenizer reads it as it read the articles (marks in other scripts
  // than Latin included); one word per folded form.
  const words = new Map<string, string>()
  for (const word of typed.normalize('NFC').match(/[\p{L}\p{N}\p{M}]+/gu) ?? []) {
    const key = folded(word)
    if (key !== '' && !words.has(key)) words.set(key, word)
  }
  return [...words.values()].slice(0, MAX_TERMS).map((word) => [...folded(word)].length < MIN_PREFIX_LENGTH ? `"${word}"` : `"${word}"*`)
}

/** The FTS5 query for what was typed, every word required; undefined when nothing searchable was typed. */
export function matchExpression (typed: string): string | undefined {
  const terms = searchTerms(typed)
  return terms.length === 0 ? undefined : terms.join(' ')
}

/** Text as the index holds it; the migration that fills the index uses it too. */
export function searchText (text: string): string {
  return text.normalize('NFC')
}

/** Keeps the full-text index in step with an article, inside the caller's transaction. */
export function searchIndex (db: Db) {
  const remove = db.$client.prepare('DELETE FROM articles_fts WHERE rowid = ?')
  const insert = db.$client.prepare('INSERT INTO articles_fts (rowid, title, excerpt, body) VALUES (?, ?, ?, ?)')
  return {
    put (pk: number, fields: { title: string, excerpt: string, text: string }) {
      remove.run(pk)
      insert.run(pk, searchText(fields.title), searchText(fields.excerpt), searchText(fields.text))
    },
    remove (pk: number) {
      remove.run(pk)
    }
  }
}
