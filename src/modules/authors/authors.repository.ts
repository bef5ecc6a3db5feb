import { asc, count, desc, eq, sql } from 'drizzle-orm'
import type { Clock } from '../../clock.js'
import type { Db } from '../../db/client.js'
import { newId } from '../../db/ids.js'
import { articles, authors } from '../../db/schema/index.js'
import { insertWithSlug, normalizeGivenSlug, withGivenSlug } from '../../db/slugs.js'
import { toIso } from '../../http/common.js'
import type { Page } from '../../http/pagination.js'
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

const ORDER = {
  name: [asc(authors.name), asc(authors.id)],
  '-articleCount': [desc(authors.articleCount), asc(authors.name), asc(authors.id)],
  '-createdAt': [desc(authors.createdAt), desc(authors.id)]
} satisfies Record<typeof AUTHOR_SORTS[number], unknown[]>

export function authorsRepository (db: Db, clock: Clock) {
  const byIdOrSlug = db.select().from(authors)
    .where(sql`${authors.id} = ${sql.placeholder('key')} OR ${authors.slug} = ${sql.placeholder('key')}`).prepare()

  function find (idOrSlug: string) {
    const row = byIdOrSlug.get({ key: idOrSlug })
    return row === undefined ? undefined : toAuthor(row)
  }

  return {
    find: async (idOrSlug: string) => find(idOrSlug),

    async exists (id: string): Promise<boolean> {
      return db.select({ id: authors.id }).from(authors).where(eq(authors.id, id)).get() !== undefined
    },

    async list (page: Page, sort: typeof AUTHOR_SORTS[number]) {
      const rows = db.select().from(authors).orderBy(...ORDER[sort]).limit(page.limit).offset(page.offset).all()
      const total = db.select({ total: count() }).from(authors).get()?.total ?? 0
      return { data: rows.map(toAuthor), total }
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
    async update (id: string, input: AuthorUpdate) {
      const now = clock.now()
      const row = db.transaction((tx) => {
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
    async remove (id: string): Promise<'ok' | 'missing' | 'has-articles'> {
      return db.transaction((tx) => {
        if (tx.select({ pk: articles.pk }).from(articles).where(eq(articles.authorId, id)).limit(1).get() !== undefined) return 'has-articles'
        return tx.delete(authors).where(eq(authors.id, id)).run().changes > 0 ? 'ok' : 'missing'
      }, { behavior: 'immediate' })
    }
  }
}

export type AuthorsRepository = ReturnType<typeof authorsRepository>
