import { and, asc, count, desc, eq, getTableColumns, gt, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { Db } from '../../db/client.js'
import { newId } from '../../db/ids.js'
import { articles, articleTags, authors, tags, type ArticleStatus } from '../../db/schema/index.js'
import { insertWithSlug, normalizeGivenSlug, withGivenSlug } from '../../db/slugs.js'
import { toIso } from '../../http/common.js'
import type { Page } from '../../http/pagination.js'
import { htmlToText, renderMarkdown } from '../../text/markdown.js'
import { foldAccents, slugify } from '../../text/slug.js'
import { countWords, makeExcerpt, readingTimeMinutes } from '../../text/summary.js'
import type { Publication } from './articles.publication.js'
import type { Article, ArticleSort } from './articles.schemas.js'

type ArticleRow = typeof articles.$inferSelect
type AuthorRef = Article['author']
type TagRef = Article['tags'][number]

export interface ArticleFilter {
  /** Only what the public sees at this time: published, with `publishedAt` passed. */
  publicAt?: number
  status?: ArticleStatus
  authorId?: string
  tagSlug?: string
  authorSlug?: string
  publishedAfter?: number
  publishedBefore?: number
  updatedAfter?: number
}

export interface ArticleWrite {
  title: string
  body: string
  authorId: string
  slug?: string | undefined
  /** Undefined or null: made from the body. */
  excerpt?: string | null | undefined
  publication: Publication
  tagIds: readonly string[]
  commentsOpen: boolean
  featuredImage: { url: string, alt: string } | null
}

const ORDER: Record<ArticleSort, SQL[]> = {
  '-publishedAt': [desc(articles.publishedAt), desc(articles.pk)],
  publishedAt: [asc(articles.publishedAt), asc(articles.pk)],
  '-updatedAt': [desc(articles.updatedAt), desc(articles.pk)],
  title: [asc(articles.sortTitle), asc(articles.pk)]
}

/** Everything the server derives from the body, computed once per write. */
function rendered (body: string) {
  const bodyHtml = renderMarkdown(body)
  const text = htmlToText(bodyHtml)
  const wordCount = countWords(text)
  return { bodyHtml, text, wordCount, readingTimeMinutes: readingTimeMinutes(wordCount) }
}

export function articlesRepository (db: Db, clock: Clock, config: Pick<Config, 'SITE_URL' | 'ARTICLE_URL_TEMPLATE'>) {
  const { body: _body, bodyHtml: _bodyHtml, ...summaryColumns } = getTableColumns(articles)
  const authorRef = { id: authors.id, slug: authors.slug, name: authors.name }

  const byIdOrSlug = db.select({ article: articles, author: authorRef }).from(articles)
    .innerJoin(authors, eq(authors.id, articles.authorId))
    .where(or(eq(articles.id, sql.placeholder('key')), eq(articles.slug, sql.placeholder('key')))).prepare()
  const firstDue = db.select({ pk: articles.pk }).from(articles)
    .where(and(eq(articles.status, 'scheduled'), lte(articles.publishedAt, sql.placeholder('now')))).limit(1).prepare()

  function urlOf (row: Pick<ArticleRow, 'id' | 'slug' | 'publishedAt' | 'createdAt'>): string {
    const date = new Date(row.publishedAt ?? row.createdAt)
    const parts: Record<string, string> = {
      siteUrl: config.SITE_URL,
      slug: encodeURIComponent(row.slug),
      id: row.id,
      year: String(date.getUTCFullYear()),
      month: String(date.getUTCMonth() + 1).padStart(2, '0'),
      day: String(date.getUTCDate()).padStart(2, '0')
    }
    return config.ARTICLE_URL_TEMPLATE.replace(/\{(\w+)\}/g, (placeholder, name: string) => parts[name] ?? placeholder)
  }

  /** The tags of many articles in one query, in each article's own order. */
  function tagsOf (pks: readonly number[]): Map<number, TagRef[]> {
    const byArticle = new Map<number, TagRef[]>(pks.map((pk) => [pk, []]))
    if (pks.length === 0) return byArticle
    const rows = db.select({ articlePk: articleTags.articlePk, id: tags.id, slug: tags.slug, name: tags.name })
      .from(articleTags).innerJoin(tags, eq(tags.id, articleTags.tagId))
      .where(inArray(articleTags.articlePk, [...pks])).orderBy(articleTags.articlePk, articleTags.position).all()
    for (const { articlePk, ...tag } of rows) byArticle.get(articlePk)?.push(tag)
    return byArticle
  }

  function toSummary (row: Omit<ArticleRow, 'body' | 'bodyHtml'>, author: AuthorRef, articleTagRefs: TagRef[]) {
    return {
      id: row.id,
      slug: row.slug,
      title: row.title,
      excerpt: row.excerpt,
      url: urlOf(row),
      status: row.status,
      publishedAt: row.publishedAt === null ? null : toIso(row.publishedAt),
      createdAt: toIso(row.createdAt),
      updatedAt: toIso(row.updatedAt),
      author,
      tags: articleTagRefs,
      wordCount: row.wordCount,
      readingTimeMinutes: row.readingTimeMinutes,
      commentCount: row.commentCount,
      commentsOpen: row.commentsOpen,
      featuredImage: row.featuredImageUrl === null ? null : { url: row.featuredImageUrl, alt: row.featuredImageAlt ?? '' }
    }
  }

  function toArticle (row: ArticleRow, author: AuthorRef): Article {
    return { ...toSummary(row, author, tagsOf([row.pk]).get(row.pk) ?? []), body: row.body, bodyHtml: row.bodyHtml }
  }

  function findRow (idOrSlug: string) {
    return byIdOrSlug.get({ key: idOrSlug })
  }

  /** Keeps `articleCount` of the given authors and tags equal to their published articles. */
  function refreshCounts (authorIds: Iterable<string>, tagIds: Iterable<string>) {
    const authorList = [...new Set(authorIds)]
    const tagList = [...new Set(tagIds)]
    if (authorList.length > 0) {
      db.update(authors).set({
        articleCount: sql`(SELECT count(*) FROM ${articles} WHERE ${articles.authorId} = ${authors.id} AND ${articles.status} = 'published')`
      }).where(inArray(authors.id, authorList)).run()
    }
    if (tagList.length > 0) {
      db.update(tags).set({
        articleCount: sql`(SELECT count(*) FROM ${articleTags} JOIN ${articles} ON ${articles.pk} = ${articleTags.articlePk} WHERE ${articleTags.tagId} = ${tags.id} AND ${articles.status} = 'published')`
      }).where(inArray(tags.id, tagList)).run()
    }
  }

  function tagIdsOf (pk: number): string[] {
    return db.select({ tagId: articleTags.tagId }).from(articleTags).where(eq(articleTags.articlePk, pk)).all().map((row) => row.tagId)
  }

  function setTags (pk: number, tagIds: readonly string[]) {
    db.delete(articleTags).where(eq(articleTags.articlePk, pk)).run()
    if (tagIds.length > 0) db.insert(articleTags).values(tagIds.map((tagId, position) => ({ articlePk: pk, tagId, position }))).run()
  }

  function conditionsOf (filter: ArticleFilter): SQL | undefined {
    const conditions: (SQL | undefined)[] = []
    if (filter.publicAt !== undefined) conditions.push(eq(articles.status, 'published'), lte(articles.publishedAt, filter.publicAt))
    if (filter.status !== undefined) conditions.push(eq(articles.status, filter.status))
    if (filter.authorId !== undefined) conditions.push(eq(articles.authorId, filter.authorId))
    if (filter.authorSlug !== undefined) {
      conditions.push(eq(articles.authorId, db.select({ id: authors.id }).from(authors).where(eq(authors.slug, filter.authorSlug))))
    }
    if (filter.tagSlug !== undefined) {
      conditions.push(inArray(articles.pk, db.select({ pk: articleTags.articlePk }).from(articleTags)
        .innerJoin(tags, eq(tags.id, articleTags.tagId)).where(eq(tags.slug, filter.tagSlug))))
    }
    if (filter.publishedAfter !== undefined) conditions.push(gte(articles.publishedAt, filter.publishedAfter))
    if (filter.publishedBefore !== undefined) conditions.push(lt(articles.publishedAt, filter.publishedBefore))
    if (filter.updatedAfter !== undefined) conditions.push(gt(articles.updatedAt, filter.updatedAfter))
    return and(...conditions)
  }

  return {
    async find (idOrSlug: string): Promise<Article | undefined> {
      const found = findRow(idOrSlug)
      return found === undefined ? undefined : toArticle(found.article, found.author)
    },

    /** What authorisation needs to know of an article before a write. */
    async findState (id: string) {
      const found = findRow(id)
      return found === undefined ? undefined : { status: found.article.status, publishedAt: found.article.publishedAt, authorId: found.article.authorId }
    },

    async list (filter: ArticleFilter, sort: ArticleSort, page: Page, options: { withBody: boolean }) {
      const where = conditionsOf(filter)
      const columns = options.withBody ? getTableColumns(articles) : summaryColumns
      const rows = db.select({ article: columns, author: authorRef }).from(articles)
        .innerJoin(authors, eq(authors.id, articles.authorId))
        .where(where).orderBy(...ORDER[sort]).limit(page.limit).offset(page.offset).all()
      const total = db.select({ total: count() }).from(articles).where(where).get()?.total ?? 0
      const tagsByArticle = tagsOf(rows.map((row) => row.article.pk))
      const data = rows.map(({ article, author }) => {
        const summary = toSummary(article, author, tagsByArticle.get(article.pk) ?? [])
        return 'body' in article ? { ...summary, body: article.body, bodyHtml: (article as ArticleRow).bodyHtml } : summary
      })
      return { data, total }
    },

    async create (input: ArticleWrite): Promise<Article> {
      const now = clock.now()
      const { text, ...derived } = rendered(input.body)
      const created = db.transaction((tx) => {
        const row = insertWithSlug(db.$client, 'articles', input.slug, slugify(input.title) || 'article', (slug) =>
          tx.insert(articles).values({
            id: newId('art'),
            slug,
            title: input.title,
            sortTitle: foldAccents(input.title),
            excerpt: input.excerpt ?? makeExcerpt(text),
            excerptGenerated: input.excerpt === undefined || input.excerpt === null,
            body: input.body,
            ...derived,
            status: input.publication.status,
            publishedAt: input.publication.publishedAt,
            createdAt: now,
            updatedAt: now,
            authorId: input.authorId,
            commentsOpen: input.commentsOpen,
            featuredImageUrl: input.featuredImage?.url ?? null,
            featuredImageAlt: input.featuredImage?.alt ?? null
          }).returning().get())
        setTags(row.pk, input.tagIds)
        refreshCounts([input.authorId], input.tagIds)
        return row
      }, { behavior: 'immediate' })
      const author = db.select(authorRef).from(authors).where(eq(authors.id, created.authorId)).get()
      return toArticle(created, author!)
    },

    /** Applies a partial change; undefined when there is no such article. */
    async update (id: string, changes: Partial<Omit<ArticleWrite, 'tagIds'>> & { tagIds?: readonly string[] | undefined }): Promise<Article | undefined> {
      const now = clock.now()
      const done = db.transaction((tx) => {
        const current = tx.select().from(articles).where(eq(articles.id, id)).get()
        if (current === undefined) return false
        const set: Partial<ArticleRow> = { updatedAt: now }
        if (changes.title !== undefined) Object.assign(set, { title: changes.title, sortTitle: foldAccents(changes.title) })
        const body = changes.body ?? current.body
        if (changes.body !== undefined) {
          const { text, ...derived } = rendered(changes.body)
          Object.assign(set, { body, ...derived })
          if (current.excerptGenerated && changes.excerpt === undefined) set.excerpt = makeExcerpt(text)
        }
        if (changes.excerpt === null) Object.assign(set, { excerpt: makeExcerpt(rendered(body).text), excerptGenerated: true })
        if (typeof changes.excerpt === 'string') Object.assign(set, { excerpt: changes.excerpt, excerptGenerated: false })
        if (changes.publication !== undefined) Object.assign(set, changes.publication)
        if (changes.authorId !== undefined) set.authorId = changes.authorId
        if (changes.commentsOpen !== undefined) set.commentsOpen = changes.commentsOpen
        if (changes.featuredImage !== undefined) Object.assign(set, { featuredImageUrl: changes.featuredImage?.url ?? null, featuredImageAlt: changes.featuredImage?.alt ?? null })
        if (changes.slug !== undefined) set.slug = normalizeGivenSlug(changes.slug)
        withGivenSlug(set.slug ?? '', () => tx.update(articles).set(set).where(eq(articles.pk, current.pk)).run())
        const oldTagIds = tagIdsOf(current.pk)
        if (changes.tagIds !== undefined) setTags(current.pk, changes.tagIds)
        refreshCounts([current.authorId, set.authorId ?? current.authorId], [...oldTagIds, ...(changes.tagIds ?? [])])
        return true
      }, { behavior: 'immediate' })
      return done ? this.find(id) : undefined
    },

    /** False when there is no such article. */
    async remove (id: string): Promise<boolean> {
      return db.transaction((tx) => {
        const current = tx.select({ pk: articles.pk, authorId: articles.authorId }).from(articles).where(eq(articles.id, id)).get()
        if (current === undefined) return false
        const tagIds = tagIdsOf(current.pk)
        tx.delete(articles).where(eq(articles.pk, current.pk)).run()
        refreshCounts([current.authorId], tagIds)
        return true
      }, { behavior: 'immediate' })
    },

    /**
     * Scheduled articles whose time has come become published, with no one
     * acting: called before requests are answered, so counts and lists follow.
     * The check is one indexed lookup; the write happens once per article.
     */
    async publishDue (): Promise<number> {
      const now = clock.now()
      if (firstDue.get({ now }) === undefined) return 0
      return db.transaction((tx) => {
        const due = tx.select({ pk: articles.pk, authorId: articles.authorId }).from(articles)
          .where(and(eq(articles.status, 'scheduled'), lte(articles.publishedAt, now))).all()
        if (due.length === 0) return 0
        const pks = due.map((row) => row.pk)
        tx.update(articles).set({ status: 'published', updatedAt: sql`${articles.publishedAt}` }).where(inArray(articles.pk, pks)).run()
        const tagIds = tx.select({ tagId: articleTags.tagId }).from(articleTags).where(inArray(articleTags.articlePk, pks)).all().map((row) => row.tagId)
        refreshCounts(due.map((row) => row.authorId), tagIds)
        return due.length
      }, { behavior: 'immediate' })
    }
  }
}

export type ArticlesRepository = ReturnType<typeof articlesRepository>
