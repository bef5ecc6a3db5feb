import Database from 'better-sqlite3'
import { matchExpression } from '../../src/modules/articles/articles.search.js'
import type { Random } from './random.js'

export interface Targets {
  /** Published articles the reads and comments are spread over. */
  slugs: string[]
  /** Every tag's slug (500 by default). */
  tags: string[]
  publishedArticles: number
  /** How many articles the search finds for each marker word, as the server's own query expression reads it. */
  matches: Record<string, number>
}

/**
 * What the load is spread over, read from the database before the server
 * starts: `count` published articles drawn at random (the same ones for the
 * same seed and file), every tag, and the marker words' real frequencies.
 */
export function sampleTargets (path: string, count: number, random: Random, words: string[]): Targets {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    const publishedArticles = db.prepare("SELECT count(*) FROM articles WHERE status = 'published'").pluck().get() as number
    const highest = db.prepare('SELECT max(pk) FROM articles').pluck().get() as number
    const byPk = db.prepare("SELECT slug FROM articles WHERE pk = ? AND status = 'published' AND comments_open = 1").pluck()
    const wanted = Math.min(count, publishedArticles)
    const slugs = new Set<string>()
    for (let attempts = 0; slugs.size < wanted && attempts < wanted * 20; attempts++) {
      const slug = byPk.get(random.int(1, highest)) as string | undefined
      if (slug !== undefined) slugs.add(slug)
    }
    const tags = db.prepare('SELECT slug FROM tags ORDER BY slug').pluck().all() as string[]
    const matching = db.prepare('SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?').pluck()
    const matches = Object.fromEntries(words.map((word) => [word, matching.get(matchExpression(word)) as number]))
    return { slugs: [...slugs], tags, publishedArticles, matches }
  } finally {
    db.close()
  }
}

/** Each article's ETag, for the conditional GETs, and the median size of an article's JSON body, for the ceiling. */
export async function fetchEtags (baseUrl: string, slugs: string[]): Promise<{ etags: Map<string, string>, medianBytes: number }> {
  const etags = new Map<string, string>()
  const sizes: number[] = []
  // A few at a time: quick, and not a load test of its own.
  const queue = [...slugs]
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let slug = queue.shift(); slug !== undefined; slug = queue.shift()) {
      const response = await fetch(`${baseUrl}/v1/articles/${encodeURIComponent(slug)}`)
      const body = await response.arrayBuffer()
      const etag = response.headers.get('etag')
      if (response.status !== 200 || etag === null) throw new Error(`GET /v1/articles/${slug} answered ${response.status}${etag === null ? ' without an ETag' : ''}`)
      etags.set(slug, etag)
      sizes.push(body.byteLength)
    }
  }))
  sizes.sort((a, b) => a - b)
  return { etags, medianBytes: sizes[Math.floor(sizes.length / 2)] ?? 0 }
}
