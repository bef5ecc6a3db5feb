import { count, eq, sql } from 'drizzle-orm'
import type { Clock } from '../../clock.js'
import type { Db } from '../../db/client.js'
import { newId } from '../../db/ids.js'
import { afterCursor, decodeCursor, orderBy, pageWithCursor, type SortKey } from '../../db/keyset.js'
import { articles, authors } from '../../db/schema/index.js'
import { insertWithSlug, normalizeGivenSlug, withGivenSlug } from '../../db/slugs.js'
import { toIso } from '../../http/common.js'
import type { Page } from '../../http/pagination.js'
import type { Precondition } from '../../plugins/caching.js'
import { slugify } from '../../text/slug.js'
import type { AUTHOR_SORTS, Author, AuthorCreate, AuthorUpdate } from './authors.schemas.js'

type AuthorRow = typeof authors.$inferSelect

function toAuthor (row: AuthorRow): Required<Author> {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    bio: row.bio,
    avatarUrl: row.avatarUrl,
    articleCount: row.articleCount,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
    email: row.email
  }
}

const ORDER: Record<typeof AUTHOR_SORTS[number], SortKey[]> = {
  name: [{ key: authors.name, descending: false }, { key: authors.id, descending: false }],
  '-articleCount': [{ key: authors.articleCount, descending: true }, { key: authors.name, descending: false }, { key: authors.id, descending: false }],
  '-createdAt': [{ key: authors.createdAt, descending: true }, { key: authors.id, descending: true }]
}

const SORT_VALUES: Record<typeof AUTHOR_SORTS[number], (row: typeof authors.$inferSelect) => Array<string | number>> = {
  name: (row) => [row.name, row.id],
  '-articleCount': (row) => [row.articleCount, row.name, row.id],
  '-createdAt': (row) => [row.createdAt, row.id]
}

export function authorsRepository (db: Db, clock: Clock) {
  const byIdOrSlug = db.select().from(authors)
    .where(sql`${authors.id} = ${sql.placeholder('key')} OR ${authors.slug} = ${sql.placeholder('key')}`).prepare()

  function find (idOrSlug: string) {
    const row = byIdOrSlug.get({ key: idOrSlug })
    return row === undefined ? undefined : toAuthor(row)
  }

  /** Runs the caller's check (an `If-Match`) inside the write's transaction; false when there is no such author. */
  function checkPrecondition (id: string, precondition: Precondition<Required<Author>> | undefined): boolean {
    const current = find(id)
    if (current === undefined) return false
    precondition?.(current)
    return true
  }

  return {
    find: async (idOrSlug: string) => find(idOrSlug),

    async exists (id: string): Promise<boolean> {
      return db.select({ id: authors.id }).from(authors).where(eq(authors.id, id)).get() !== undefined
    },

    async list (page: Page, sort: typeof AUTHOR_SORTS[number]) {
      const after = page.cursor === undefined ? undefined : afterCursor(ORDER[sort], decodeCursor(page.cursor, sort, ORDER[sort].length))
      const rows = db.select().from(authors).where(after).orderBy(...orderBy(ORDER[sort])).limit(page.limit + 1).offset(page.offset).all()
      const total = db.select({ total: count() }).from(authors).get()?.total ?? 0
      const { rows: pageRows, nextCursor } = pageWithCursor(rows, page.limit, sort, SORT_VALUES[sort])
      return { data: pageRows.map(toAuthor), total, nextCursor }
    },

    async create (input: AuthorCreate) {
      const now = clock.now()
      const row = db.transaction((tx) => insertWithSlug(db.$client, 'authors', input.slug, slugify(input.name) || 'author', (slug) =>
        tx.insert(authors).values({
          id: newId('aut'),
          slug,
          name: input.name,
          bio: input.bio ?? null,
          avatarUrl: input.avatarUrl ?? null,
          email: input.email ?? null,
          createdAt: now,
          updatedAt: now
        }).returning().get()
      ), { behavior: 'immediate' })
      return toAuthor(row)
    },

    /** Undefined when there is no such author. A rename touches the author's articles, whose embedded author changed. */
    async update (id: string, input: AuthorUpdate, precondition?: Precondition<Required<Author>>) {
      const now = clock.now()
      const row = db.transaction((tx) => {
        if (!checkPrecondition(id, precondition)) return undefined
        const slug = input.slug === undefined ? undefined : normalizeGivenSlug(input.slug)
        const updated = withGivenSlug(slug ?? '', () => tx.update(authors).set({ ...input, slug, updatedAt: now }).where(eq(authors.id, id)).returning().get())
        if (updated !== undefined && (input.name !== undefined || input.slug !== undefined)) {
          tx.update(articles).set({ updatedAt: now }).where(eq(articles.authorId, id)).run()
        }
        return updated
      }, { behavior: 'immediate' })
      return row === undefined ? undefined : toAuthor(row)
    },

    /** 'ok', 'missing', or 'has-articles' (an author who still signs articles cannot go). */
    async remove (id: string, precondition?: Precondition<Required<Author>>): Promise<'ok' | 'missing' | 'has-articles'> {
      return db.transaction((tx) => {
        if (!checkPrecondition(id, precondition)) return 'missing'
        if (tx.select({ pk: articles.pk }).from(articles).where(eq(articles.authorId, id)).limit(1).get() !== undefined) return 'has-articles'
        return tx.delete(authors).where(eq(authors.id, id)).run().changes > 0 ? 'ok' : 'missing'
      }, { behavior: 'immediate' })
    }
  }
}

export type AuthorsRepository = ReturnType<typeof authorsRepository>
