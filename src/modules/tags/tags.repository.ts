import { count, eq, inArray, sql } from 'drizzle-orm'
import type { Clock } from '../../clock.js'
import type { Db } from '../../db/client.js'
import { newId } from '../../db/ids.js'
import { afterCursor, decodeCursor, orderBy, pageWithCursor, type SortKey } from '../../db/keyset.js'
import { articles, articleTags, tags } from '../../db/schema/index.js'
import { insertWithSlug, normalizeGivenSlug, withGivenSlug } from '../../db/slugs.js'
import { toIso } from '../../http/common.js'
import type { Page } from '../../http/pagination.js'
import type { Precondition } from '../../plugins/caching.js'
import { slugify } from '../../text/slug.js'
import type { Tag, TAG_SORTS, TagCreate, TagUpdate } from './tags.schemas.js'

type TagRow = typeof tags.$inferSelect

function toTag (row: TagRow): Tag {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    articleCount: row.articleCount,
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt)
  }
}

const ORDER: Record<typeof TAG_SORTS[number], SortKey[]> = {
  name: [{ key: tags.name, descending: false }, { key: tags.id, descending: false }],
  '-articleCount': [{ key: tags.articleCount, descending: true }, { key: tags.name, descending: false }, { key: tags.id, descending: false }],
  '-createdAt': [{ key: tags.createdAt, descending: true }, { key: tags.id, descending: true }]
}

const SORT_VALUES: Record<typeof TAG_SORTS[number], (row: typeof tags.$inferSelect) => Array<string | number>> = {
  name: (row) => [row.name, row.id],
  '-articleCount': (row) => [row.articleCount, row.name, row.id],
  '-createdAt': (row) => [row.createdAt, row.id]
}

export function tagsRepository (db: Db, clock: Clock) {
  const byIdOrSlug = db.select().from(tags)
    .where(sql`${tags.id} = ${sql.placeholder('key')} OR ${tags.slug} = ${sql.placeholder('key')}`).prepare()
  function find (idOrSlug: string) {
    const row = byIdOrSlug.get({ key: idOrSlug })
    return row === undefined ? undefined : toTag(row)
  }

  /** Runs the caller's check (an `If-Match`) inside the write's transaction; false when there is no such tag. */
  function checkPrecondition (id: string, precondition: Precondition<Tag> | undefined): boolean {
    const current = find(id)
    if (current === undefined) return false
    precondition?.(current)
    return true
  }

  const taggedArticles = (tagId: string) => db.select({ pk: articleTags.articlePk }).from(articleTags).where(eq(articleTags.tagId, tagId))

  return {
    find: async (idOrSlug: string) => find(idOrSlug),

    /** The ids among `ids` that name no tag. */
    async missing (ids: readonly string[]): Promise<string[]> {
      if (ids.length === 0) return []
      const found = new Set(db.select({ id: tags.id }).from(tags).where(inArray(tags.id, [...ids])).all().map((row) => row.id))
      return ids.filter((id) => !found.has(id))
    },

    async list (page: Page, sort: typeof TAG_SORTS[number]) {
      const after = page.cursor === undefined ? undefined : afterCursor(ORDER[sort], decodeCursor(page.cursor, sort, ORDER[sort].length))
      const rows = db.select().from(tags).where(after).orderBy(...orderBy(ORDER[sort])).limit(page.limit + 1).offset(page.offset).all()
      const total = db.select({ total: count() }).from(tags).get()?.total ?? 0
      const { rows: pageRows, nextCursor } = pageWithCursor(rows, page.limit, sort, SORT_VALUES[sort])
      return { data: pageRows.map(toTag), total, nextCursor }
    },

    async create (input: TagCreate) {
      const now = clock.now()
      const row = db.transaction((tx) => insertWithSlug(db.$client, 'tags', input.slug, slugify(input.name) || 'tag', (slug) =>
        tx.insert(tags).values({
          id: newId('tag'),
          slug,
          name: input.name,
          description: input.description ?? null,
          createdAt: now,
          updatedAt: now
        }).returning().get()
      ), { behavior: 'immediate' })
      return toTag(row)
    },

    /** Undefined when there is no such tag. A rename touches the tagged articles, whose embedded tag changed. */
    async update (id: string, input: TagUpdate, precondition?: Precondition<Tag>) {
      const now = clock.now()
      const row = db.transaction((tx) => {
        if (!checkPrecondition(id, precondition)) return undefined
        const slug = input.slug === undefined ? undefined : normalizeGivenSlug(input.slug)
        const updated = withGivenSlug(slug ?? '', () => tx.update(tags).set({ ...input, slug, updatedAt: now }).where(eq(tags.id, id)).returning().get())
        if (updated !== undefined && (input.name !== undefined || input.slug !== undefined)) {
          tx.update(articles).set({ updatedAt: now }).where(inArray(articles.pk, taggedArticles(id))).run()
        }
        return updated
      }, { behavior: 'immediate' })
      return row === undefined ? undefined : toTag(row)
    },

    /** Takes the tag off its articles (which count as updated) and deletes it. False when there is no such tag. */
    async remove (id: string, precondition?: Precondition<Tag>): Promise<boolean> {
      return db.transaction((tx) => {
        if (!checkPrecondition(id, precondition)) return false
        tx.update(articles).set({ updatedAt: clock.now() }).where(inArray(articles.pk, taggedArticles(id))).run()
        return tx.delete(tags).where(eq(tags.id, id)).run().changes > 0
      }, { behavior: 'immediate' })
    }
  }
}

export type TagsRepository = ReturnType<typeof tagsRepository>
