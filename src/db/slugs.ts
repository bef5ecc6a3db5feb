import type Database from 'better-sqlite3'
import { badRequest, conflict } from '../http/problem.js'
import { isSlug, MAX_SLUG_LENGTH } from '../text/slug.js'

const ATTEMPTS = 5

type SluggedTable = 'articles' | 'authors' | 'tags'

// Each connection's slug queries, prepared on first use: an import asks for a free slug once per row.
const slugQueries = new WeakMap<Database.Database, Map<SluggedTable, Database.Statement>>()

/** The slugs that `base` or a numbered form of it (`base-2`) would collide with in this table. */
function takenSlugsQuery (client: Database.Database, table: SluggedTable): Database.Statement {
  let queries = slugQueries.get(client)
  if (queries === undefined) {
    queries = new Map()
    slugQueries.set(client, queries)
  }
  let query = queries.get(table)
  if (query === undefined) {
    // The numbered forms, `base-` and a digit then anything, are the slugs from `base-0` up to `base-:` (':' follows
    // '9'): a range of the slug index. (A GLOB with a bound pattern would be prepared again for each pattern.)
    // An article's old slugs stay reserved: they redirect to it.
    const sources = table === 'articles' ? ['articles', 'article_old_slugs'] : [table]
    query = client.prepare(sources.map((source) => `SELECT slug FROM ${source} WHERE slug = @base OR (slug >= @numberedFrom AND slug < @numberedTo)`).join(' UNION ALL ')).pluck()
    queries.set(table, query)
  }
  return query
}

/**
 * The first free slug among `base`, `base-2`, `base-3`, …, read inside the
 * caller's write transaction so that no other process can take it meanwhile.
 */
function freeSlug (client: Database.Database, table: SluggedTable, base: string): string {
  const taken = takenSlugsQuery(client, table).all({ base, numberedFrom: `${base}-0`, numberedTo: `${base}-:` }) as string[]
  if (!taken.includes(base)) return base
  const suffixes = taken.map((slug) => /^-(\d+)$/.exec(slug.slice(base.length))?.[1]).filter((digits) => digits !== undefined).map(Number)
  const suffix = `-${Math.max(1, ...suffixes) + 1}`
  return base.length + suffix.length <= MAX_SLUG_LENGTH ? base + suffix : base.slice(0, MAX_SLUG_LENGTH - suffix.length).replace(/-+$/, '') + suffix
}

export function isUniqueViolation (error: unknown, column: string): boolean {
  return error instanceof Error && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes(`.${column}`)
}

/** A slug the client gave is taken as it is, lower-cased; one that lower-casing spoils ("İ" gives "i" and a combining dot) is a 400. */
export function normalizeGivenSlug (slug: string): string {
  const lowered = slug.normalize('NFC').toLowerCase().normalize('NFC')
  if (!isSlug(lowered)) badRequest([{ path: '/body/slug', message: `lower-cased it reads ${JSON.stringify(lowered)}, which is not a slug: use letters and digits joined by single hyphens` }])
  return lowered
}

/** Runs `write`, turning a collision on the unique slug index into the 409 the contract promises for a slug the client gave. */
export function withGivenSlug<T> (slug: string, write: () => T): T {
  try {
    return write()
  } catch (error) {
    if (isUniqueViolation(error, 'slug')) conflict(`The slug ${JSON.stringify(slug)} is taken.`)
    throw error
  }
}

/**
 * Inserts with the slug the client gave (a 409 when taken) or else with a free
 * slug made from `base`. Called inside a write transaction; the unique index is
 * the real guard, so a collision with a concurrent writer is retried, never a 500.
 */
export function insertWithSlug<T> (client: Database.Database, table: SluggedTable, given: string | undefined, base: string, insert: (slug: string) => T): T {
  if (given !== undefined) {
    const slug = normalizeGivenSlug(given)
    return withGivenSlug(slug, () => insert(slug))
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return insert(freeSlug(client, table, base))
    } catch (error) {
      if (!isUniqueViolation(error, 'slug') || attempt === ATTEMPTS) throw error
    }
  }
}
