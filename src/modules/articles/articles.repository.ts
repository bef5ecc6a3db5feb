import { and, asc, count, desc, eq, getTableColumns, gt, gte, inArray, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { Db } from '../../db/client.js'
import { newId } from '../../db/ids.js'
import { afterCursor, decodeCursor, orderBy, pageWithCursor, type SortKey } from '../../db/keyset.js'
import { articleOldSlugs, articles, articleTags, articleTombstones, authors, tags, type ArticleStatus } from '../../db/schema/index.js'
import { insertWithSlug, normalizeGivenSlug, withGivenSlug } from '../../db/slugs.js'
import { conflict } from '../../http/problem.js'
import { toIso } from '../../http/common.js'
import type { Page } from '../../http/pagination.js'
import type { Precondition } from '../../plugins/caching.js'
import { htmlToText, renderMarkdown } from '../../text/markdown.js'
import { foldAccents, slugify } from '../../text/slug.js'
import { countWords, makeExcerpt, readingTimeMinutes } from '../../text/summary.js'
import type { Publication } from './articles.publication.js'
import { articlesFts, MAX_COMMON_WORDS, RANKED_WORD_LIMIT, RELEVANCE, SEARCH_WINDOW, searchIndex, searchTerms } from './articles.search.js'
import type { Article, ArticleSort } from './articles.schemas.js'

type ArticleRow = typeof articles.$inferSelect
type AuthorRef = Article['author']
type TagRef = Article['tags'][number]
/** What an article's place in the kept counts depends on. */
type Counted = Pick<ArticleRow, 'status' | 'authorId'> & { tagIds: readonly string[] }

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
  /** Full-text search over title, excerpt and body. */
  q?: string
}

/** The orders a list may take; `relevance` only with `q`. */
export type ArticleOrder = ArticleSort | 'relevance'

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

const ORDER: Record<ArticleSort, SortKey[]> = {
  '-publishedAt': [{ key: articles.publishedAt, descending: true }, { key: articles.pk, descending: true }],
  publishedAt: [{ key: articles.publishedAt, descending: false }, { key: articles.pk, descending: false }],
  '-updatedAt': [{ key: articles.updatedAt, descending: true }, { key: articles.pk, descending: true }],
  title: [{ key: articles.sortTitle, descending: false }, { key: articles.pk, descending: false }]
}

/**
 * A tag's articles by date, read from `article_tags_tag_status_published_idx`, which holds a copy of each
 * article's status and date: a page is as many index steps as it has rows, however many articles the tag has.
 * The same values as ORDER's, so cursors are the same too.
 */
const TAGGED_ORDER: Partial<Record<ArticleSort, SortKey[]>> = {
  '-publishedAt': [{ key: articleTags.publishedAt, descending: true }, { key: articleTags.articlePk, descending: true }],
  publishedAt: [{ key: articleTags.publishedAt, descending: false }, { key: articleTags.articlePk, descending: false }]
}

type SortableRow = Pick<ArticleRow, 'pk' | 'publishedAt' | 'updatedAt' | 'sortTitle'>

const SORT_VALUES: Record<ArticleSort, (row: SortableRow) => Array<string | number | null>> = {
  '-publishedAt': (row) => [row.publishedAt, row.pk],
  publishedAt: (row) => [row.publishedAt, row.pk],
  '-updatedAt': (row) => [row.updatedAt, row.pk],
  title: (row) => [row.sortTitle, row.pk]
}

const TWO_DAYS = 48 * 60 * 60 * 1000

/** Everything the server derives from the body, computed once per write. */
function rendered (body: string) {
  const bodyHtml = renderMarkdown(body)
  const text = htmlToText(bodyHtml)
  const wordCount = countWords(text)
  return { bodyHtml, text, wordCount, readingTimeMinutes: readingTimeMinutes(wordCount) }
}

// Exists in the type only: an `ArticleDerivation` can come from nowhere but `deriveArticle`.
declare const byTheRenderer: unique symbol

/** What a new article's stored form derives from its title, body and excerpt, by the project's renderer. */
export interface ArticleDerivation {
  readonly bodyHtml: string
  /** The body's plain text, for the search index. */
  readonly text: string
  readonly wordCount: number
  readonly readingTimeMinutes: number
  readonly excerpt: string
  readonly excerptGenerated: boolean
  readonly sortTitle: string
  /** The slug the title makes, before the insert finds a free one from it. */
  readonly slugBase: string
  readonly [byTheRenderer]: true
}

/** An article to create, already derived: what `createMany` takes from work done elsewhere (another thread). */
export type DerivedArticleWrite = ArticleWrite & { readonly derivation: ArticleDerivation }

/**
 * Derives a new article's stored fields from what was written, touching no
 * database: pure CPU work that a caller may do on another thread before
 * handing the result to `createMany`. `create` and `createMany` call it for
 * every article that comes without.
 */
export function deriveArticle (input: ArticleWrite): DerivedArticleWrite {
  const { bodyHtml, text, wordCount, readingTimeMinutes } = rendered(input.body)
  const derivation = {
    bodyHtml,
    text,
    wordCount,
    readingTimeMinutes,
    excerpt: input.excerpt ?? makeExcerpt(text),
    excerptGenerated: input.excerpt === undefined || input.excerpt === null,
    sortTitle: foldAccents(input.title),
    slugBase: slugify(input.title) || 'article'
  } as ArticleDerivation
  return { ...input, derivation }
}

const isDerived = (input: ArticleWrite | DerivedArticleWrite): input is DerivedArticleWrite => 'derivation' in input

export function articlesRepository (db: Db, clock: Clock, config: Pick<Config, 'SITE_URL' | 'ARTICLE_URL_TEMPLATE'>) {
  const { body: _body, bodyHtml: _bodyHtml, ...summaryColumns } = getTableColumns(articles)
  const authorRef = { id: authors.id, slug: authors.slug, name: authors.name }

  const byIdOrSlug = db.select({ article: articles, author: authorRef }).from(articles)
    .innerJoin(authors, eq(authors.id, articles.authorId))
    .where(or(eq(articles.id, sql.placeholder('key')), eq(articles.slug, sql.placeholder('key')))).prepare()
  const search = searchIndex(db)
  const byOldSlug = db.select({ slug: articles.slug }).from(articleOldSlugs)
    .innerJoin(articles, eq(articles.pk, articleOldSlugs.articlePk)).where(eq(articleOldSlugs.slug, sql.placeholder('slug'))).prepare()
  const nextPublished = db.select({ at: articles.publishedAt }).from(articles)
    .where(and(eq(articles.status, 'published'), gt(articles.publishedAt, sql.placeholder('now'))))
    .orderBy(asc(articles.publishedAt)).limit(1).prepare()
  const nextScheduled = db.$client.prepare("SELECT min(published_at) FROM articles WHERE status = 'scheduled'").pluck()

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

  /** Runs the caller's check (an `If-Match`) on the article as it is inside the write's transaction, so no other write slips in between. */
  function checkPrecondition (row: ArticleRow, precondition: Precondition<Article> | undefined) {
    if (precondition === undefined) return
    const author = db.select(authorRef).from(authors).where(eq(authors.id, row.authorId)).get()!
    precondition(toArticle(row, author))
  }

  function findRow (idOrSlug: string) {
    return byIdOrSlug.get({ key: idOrSlug })
  }

  const addToAuthorCount = db.update(authors).set({ articleCount: sql`${authors.articleCount} + ${sql.placeholder('by')}` })
    .where(eq(authors.id, sql.placeholder('id'))).prepare()
  const addToTagCount = db.update(tags).set({ articleCount: sql`${tags.articleCount} + ${sql.placeholder('by')}` })
    .where(eq(tags.id, sql.placeholder('id'))).prepare()

  /**
   * Keeps `articleCount` of authors and tags equal to their published articles
   * by what a write changed, never by counting again (a tag may hold tens of
   * thousands): each article as it was is taken off, as it is now added on.
   */
  function adjustCounts (before: readonly Counted[], after: readonly Counted[]) {
    const byAuthor = new Map<string, number>()
    const byTag = new Map<string, number>()
    const add = (counts: Map<string, number>, id: string, by: number) => counts.set(id, (counts.get(id) ?? 0) + by)
    for (const [states, by] of [[before, -1], [after, 1]] as const) {
      for (const state of states) {
        if (state.status !== 'published') continue
        add(byAuthor, state.authorId, by)
        for (const tagId of state.tagIds) add(byTag, tagId, by)
      }
    }
    for (const [id, by] of byAuthor) if (by !== 0) addToAuthorCount.run({ id, by })
    for (const [id, by] of byTag) if (by !== 0) addToTagCount.run({ id, by })
  }

  function tagIdsOf (pk: number): string[] {
    return db.select({ tagId: articleTags.tagId }).from(articleTags).where(eq(articleTags.articlePk, pk)).all().map((row) => row.tagId)
  }

  // Prepared once: they run for every article written, many thousands of times in an import.
  const removeTags = db.delete(articleTags).where(eq(articleTags.articlePk, sql.placeholder('pk'))).prepare()
  // With the article's status and date as they are now; a later change reaches them through the trigger of migration 0007.
  const insertTag = db.$client.prepare(`INSERT INTO article_tags (article_pk, tag_id, position, status, published_at)
    SELECT pk, @tagId, @position, status, published_at FROM articles WHERE pk = @pk`)

  function addTags (pk: number, tagIds: readonly string[]) {
    tagIds.forEach((tagId, position) => insertTag.run({ pk, tagId, position }))
  }

  function setTags (pk: number, tagIds: readonly string[]) {
    removeTags.run({ pk })
    addTags(pk, tagIds)
  }

  /** Offline apps learn of an article leaving the public's sight; one coming back is no longer a tombstone. */
  function recordVisibility (article: Pick<ArticleRow, 'id' | 'slug'>, wasLive: boolean, isLive: boolean, now: number) {
    if (wasLive && !isLive) {
      db.insert(articleTombstones).values({ articleId: article.id, slug: article.slug, removedAt: now })
        .onConflictDoUpdate({ target: articleTombstones.articleId, set: { slug: article.slug, removedAt: now } }).run()
    }
    if (!wasLive && isLive) db.delete(articleTombstones).where(eq(articleTombstones.articleId, article.id)).run()
  }

  /** A slug the client gives must not be another article's old slug, which redirects there; its own comes back to it. */
  function claimOldSlug (slug: string, pk: number | undefined) {
    const holder = db.select({ articlePk: articleOldSlugs.articlePk }).from(articleOldSlugs).where(eq(articleOldSlugs.slug, slug)).get()
    if (holder === undefined) return
    if (holder.articlePk !== pk) conflict(`The slug ${JSON.stringify(slug)} is taken.`)
    db.delete(articleOldSlugs).where(eq(articleOldSlugs.slug, slug)).run()
  }

  /** Every filter but `q`, which `searchOf` applies. */
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

  /**
   * The public's most common lists (all, by tag, by author) take their exact
   * total from the counts kept on every write, instead of counting rows per
   * request; undefined for any other filter.
   */
  function keptTotal (filter: ArticleFilter): number | undefined {
    const { publicAt, tagSlug, authorSlug, ...others } = filter
    if (publicAt === undefined || Object.values(others).some((value) => value !== undefined)) return undefined
    if (tagSlug !== undefined && authorSlug !== undefined) return undefined
    // The kept counts hold every published article; they are the public's only while none is dated later than now
    // (which only a clock set back can cause, since publishing in the future schedules instead).
    if (nextPublished.get({ now: publicAt }) !== undefined) return undefined
    if (tagSlug !== undefined) return db.select({ total: tags.articleCount }).from(tags).where(eq(tags.slug, tagSlug)).get()?.total ?? 0
    if (authorSlug !== undefined) return db.select({ total: authors.articleCount }).from(authors).where(eq(authors.slug, authorSlug)).get()?.total ?? 0
    return db.select({ total: sql<number>`coalesce(sum(${authors.articleCount}), 0)` }).from(authors).get()?.total ?? 0
  }

  /**
   * Where a search starts: the full-text index, its matches then looked up in
   * the articles' visibility index. Left to itself, SQLite may instead walk the
   * articles in order and probe the index once per article, thousands of times.
   */
  const searchSource = sql`${articlesFts} CROSS JOIN ${articles} INDEXED BY articles_visibility_idx ON ${articles.pk} = ${articlesFts.rowid}`

  function countMatching (where: SQL | undefined): number {
    return db.select({ total: count() }).from(articles).where(where).get()?.total ?? 0
  }

  // At most SEARCH_WINDOW + 1 entries read, however common the word.
  const wordMatches = db.$client.prepare(`SELECT count(*) FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT ${SEARCH_WINDOW + 1})`).pluck()
  // Only rare words are ranked, each in at most RANKED_WORD_LIMIT articles: this reads no more entries than they have.
  const scoresFrom = db.$client.prepare(`SELECT rowid AS pk, ${RELEVANCE} AS score FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= ?`)
  const pkRange = db.$client.prepare('SELECT (SELECT min(pk) FROM articles) AS lowest, (SELECT max(pk) FROM articles) AS highest')

  /**
   * The newest articles that match a search and its filters, at most SEARCH_WINDOW of them, the best first by
   * relevance: everything a search ranks, sorts and counts. SQLite offers no progress handler or interrupt through
   * this driver, so the work is bounded by construction: each word's matches are counted up to SEARCH_WINDOW + 1;
   * with a word in at most SEARCH_WINDOW articles, there are no more matches than it has; with none, the index is
   * walked from its newest entry and stops at SEARCH_WINDOW + 1 matches. `total` is exact when they are all there;
   * past that it is an estimate, from how far back in the archive the newest matches reached. Of the words in more
   * than SEARCH_WINDOW articles, MAX_COMMON_WORDS are required and the others left out: FTS5 finds the articles
   * that have all of them by reading each one's entries, newest first, until enough match, and twenty such words
   * that seldom meet would have it read them all.
   */
  function searchOf (q: string, filters: SQL | undefined) {
    const counted = searchTerms(q).map((term) => ({ term, matches: wordMatches.get(term) as number }))
    const rareWords = counted.filter(({ matches }) => matches <= RANKED_WORD_LIMIT).map(({ term }) => term)
    const required = [
      ...counted.filter(({ matches }) => matches <= SEARCH_WINDOW),
      ...counted.filter(({ matches }) => matches > SEARCH_WINDOW).slice(0, MAX_COMMON_WORDS)
    ]
    const where = and(filters, sql`${articlesFts} MATCH ${required.map(({ term }) => term).join(' ')}`)
    const matching = db.select({ pk: sql<number>`${articles.pk}` }).from(searchSource).where(where)
    // With a word of few matches, in the index's own order: FTS5 then skips ahead in the common words' lists, where
    // walking them newest first would read them entry by entry.
    const found = counted.some(({ matches }) => matches <= SEARCH_WINDOW)
      ? matching.orderBy(asc(articlesFts.rowid)).all().map((row) => row.pk).reverse()
      : matching.orderBy(desc(articlesFts.rowid)).limit(SEARCH_WINDOW + 1).all().map((row) => row.pk)
    const candidates = found.slice(0, SEARCH_WINDOW)
    let total = found.length
    if (found.length > SEARCH_WINDOW) {
      const { lowest, highest } = pkRange.get() as { lowest: number, highest: number }
      total = Math.max(found.length, Math.round(SEARCH_WINDOW * (highest - lowest + 1) / (highest - candidates.at(-1)! + 1)))
    }
    return { candidates, total, totalIsEstimate: found.length > SEARCH_WINDOW, byRelevance: () => byRelevance(candidates, rareWords) }
  }

  /** A search's candidates by relevance, the best first, equals by key: by their rare words only; with none, newest first. */
  function byRelevance (candidates: readonly number[], rareWords: readonly string[]): number[] {
    if (rareWords.length === 0 || candidates.length < 2) return [...candidates]
    const scores = new Map((scoresFrom.all(rareWords.join(' '), candidates.at(-1)) as Array<{ pk: number, score: number }>).map((row) => [row.pk, row.score]))
    return [...candidates].sort((a, b) => scores.get(a)! - scores.get(b)! || a - b)
  }

  const articleValue = (column: keyof ArticleRow) => sql.placeholder(column)
  const insertRow = db.insert(articles).values({
    id: articleValue('id'),
    slug: articleValue('slug'),
    title: articleValue('title'),
    sortTitle: articleValue('sortTitle'),
    excerpt: articleValue('excerpt'),
    excerptGenerated: articleValue('excerptGenerated'),
    body: articleValue('body'),
    bodyHtml: articleValue('bodyHtml'),
    wordCount: articleValue('wordCount'),
    readingTimeMinutes: articleValue('readingTimeMinutes'),
    status: articleValue('status'),
    publishedAt: articleValue('publishedAt'),
    createdAt: articleValue('createdAt'),
    updatedAt: articleValue('updatedAt'),
    authorId: articleValue('authorId'),
    commentsOpen: articleValue('commentsOpen'),
    featuredImageUrl: articleValue('featuredImageUrl'),
    featuredImageAlt: articleValue('featuredImageAlt')
  }).returning({ pk: articles.pk }).prepare()
  const rowByPk = db.select().from(articles).where(eq(articles.pk, sql.placeholder('pk'))).prepare()

  /**
   * Inserts one article with its tags, inside the caller's transaction, which then puts its search entry
   * (`indexArticle`). Returns its keys only: reading the whole row back would cost an import more than the insert.
   */
  function insertArticle (input: DerivedArticleWrite, now: number): Pick<ArticleRow, 'pk' | 'id'> {
    const { derivation } = input
    if (input.slug !== undefined) claimOldSlug(normalizeGivenSlug(input.slug), undefined)
    const values: Omit<ArticleRow, 'pk' | 'slug' | 'commentCount'> = {
      id: newId('art'),
      title: input.title,
      sortTitle: derivation.sortTitle,
      excerpt: derivation.excerpt,
      excerptGenerated: derivation.excerptGenerated,
      body: input.body,
      bodyHtml: derivation.bodyHtml,
      wordCount: derivation.wordCount,
      readingTimeMinutes: derivation.readingTimeMinutes,
      status: input.publication.status,
      publishedAt: input.publication.publishedAt,
      createdAt: now,
      updatedAt: now,
      authorId: input.authorId,
      commentsOpen: input.commentsOpen,
      featuredImageUrl: input.featuredImage?.url ?? null,
      featuredImageAlt: input.featuredImage?.alt ?? null
    }
    const { pk } = insertWithSlug(db.$client, 'articles', input.slug, derivation.slugBase, (slug) => insertRow.get({ ...values, slug })!)
    // A new key has no tags: a deleted article's, were SQLite to reuse its key, went with it (ON DELETE CASCADE).
    addTags(pk, input.tagIds)
    return { pk, id: values.id }
  }

  function indexArticle (pk: number, { title, derivation }: DerivedArticleWrite) {
    search.put(pk, { title, excerpt: derivation.excerpt, text: derivation.text })
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

    /** A page of articles. With `q`, only matches; in `relevance` order, the best first (paged by offset only). */
    async list (filter: ArticleFilter, order: ArticleOrder, page: Page, options: { withBody: boolean }) {
      if (filter.q !== undefined && searchTerms(filter.q).length === 0) return { data: [], total: 0, nextCursor: null, totalIsEstimate: false }
      const columns = options.withBody ? getTableColumns(articles) : summaryColumns
      const sortKeys = order === 'relevance' ? undefined : ORDER[order]
      // One status (the public's lists, or staff asking for one): the index then holds the tag's rows in date order.
      const oneStatus = filter.publicAt !== undefined || filter.status !== undefined
      const taggedKeys = filter.tagSlug !== undefined && filter.q === undefined && oneStatus ? TAGGED_ORDER[order as ArticleSort] : undefined
      const pageKeys = taggedKeys ?? sortKeys
      const after = page.cursor === undefined || pageKeys === undefined ? undefined : afterCursor(pageKeys, decodeCursor(page.cursor, order, pageKeys.length))
      const where = conditionsOf(filter)
      const base = db.select({ article: columns, author: authorRef }).from(articles).innerJoin(authors, eq(authors.id, articles.authorId))
      let rows
      let searched: ReturnType<typeof searchOf> | undefined
      if (taggedKeys !== undefined) {
        const { tagSlug, publicAt, status, ...others } = filter
        const taggedWhere = and(
          eq(articleTags.tagId, db.select({ id: tags.id }).from(tags).where(eq(tags.slug, tagSlug!))),
          publicAt === undefined ? undefined : and(eq(articleTags.status, 'published'), lte(articleTags.publishedAt, publicAt)),
          status === undefined ? undefined : eq(articleTags.status, status),
          conditionsOf(others),
          after
        )
        rows = db.select({ article: columns, author: authorRef }).from(articleTags)
          .innerJoin(articles, eq(articles.pk, articleTags.articlePk)).innerJoin(authors, eq(authors.id, articles.authorId))
          .where(taggedWhere).orderBy(...orderBy(taggedKeys)).limit(page.limit + 1).offset(page.offset).all()
      } else if (filter.q === undefined) {
        rows = base.where(and(where, after)).orderBy(...orderBy(sortKeys!)).limit(page.limit + 1).offset(page.offset).all()
      } else {
        // The page's keys from the search's candidates first, then only their rows, put back in the page's order.
        searched = searchOf(filter.q, where)
        const { candidates } = searched
        const pks = sortKeys === undefined
          ? searched.byRelevance().slice(page.offset, page.offset + page.limit + 1)
          : candidates.length === 0
            ? []
            : db.select({ pk: articles.pk }).from(articles).where(and(inArray(articles.pk, candidates), after)).orderBy(...orderBy(sortKeys))
              .limit(page.limit + 1).offset(page.offset).all().map((row) => row.pk)
        const byPk = new Map(pks.length === 0 ? [] : base.where(inArray(articles.pk, pks)).all().map((row) => [row.article.pk, row]))
        rows = pks.map((pk) => byPk.get(pk)!)
      }
      const total = searched?.total ?? keptTotal(filter) ?? countMatching(where)
      const { rows: pageRows, nextCursor } = sortKeys === undefined
        ? { rows: rows.slice(0, page.limit), nextCursor: null }
        : pageWithCursor(rows, page.limit, order, ({ article }) => SORT_VALUES[order as ArticleSort](article))
      const tagsByArticle = tagsOf(pageRows.map((row) => row.article.pk))
      const data = pageRows.map(({ article, author }) => {
        const summary = toSummary(article, author, tagsByArticle.get(article.pk) ?? [])
        return 'body' in article ? { ...summary, body: article.body, bodyHtml: (article as ArticleRow).bodyHtml } : summary
      })
      return { data, total, nextCursor, totalIsEstimate: searched?.totalIsEstimate ?? false }
    },

    /**
     * The next time the clock alone changes what the public sees: the earliest
     * `publishedAt` still to come among published articles (only a clock set
     * back makes one); Infinity when there is none. Scheduled articles are
     * published by a write (`publishDue`), not by the clock.
     */
    async nextPublicChange (now: number): Promise<number> {
      return nextPublished.get({ now })?.at ?? Infinity
    },

    /** The current slug of the article that once answered at `slug`. */
    async currentSlugFor (slug: string): Promise<string | undefined> {
      return byOldSlug.get({ slug })?.slug
    },

    /**
     * Published articles sharing the most tags with this one, the newest first
     * among equals; never the article itself, never one sharing no tag.
     */
    async related (id: string, limit: number) {
      const now = clock.now()
      const source = db.select({ pk: articles.pk }).from(articles).where(eq(articles.id, id)).get()
      if (source === undefined) return []
      const sourceTags = db.select({ tagId: articleTags.tagId }).from(articleTags).where(eq(articleTags.articlePk, source.pk))
      const shared = count(articleTags.tagId)
      const rows = db.select({ article: summaryColumns, author: authorRef }).from(articleTags)
        .innerJoin(articles, eq(articles.pk, articleTags.articlePk))
        .innerJoin(authors, eq(authors.id, articles.authorId))
        .where(and(inArray(articleTags.tagId, sourceTags), ne(articles.pk, source.pk), eq(articles.status, 'published'), lte(articles.publishedAt, now)))
        .groupBy(articles.pk)
        .orderBy(desc(shared), desc(articles.publishedAt), desc(articles.pk))
        .limit(limit).all()
      const tagsByArticle = tagsOf(rows.map((row) => row.article.pk))
      return rows.map(({ article, author }) => toSummary(article, author, tagsByArticle.get(article.pk) ?? []))
    },

    /** Articles deleted or taken out of the public's sight after `since`, oldest first. */
    async tombstones (since: number, page: Page) {
      const keys: SortKey[] = [{ key: articleTombstones.removedAt, descending: false }, { key: articleTombstones.articleId, descending: false }]
      const after = page.cursor === undefined ? undefined : afterCursor(keys, decodeCursor(page.cursor, 'removedAt', 2))
      const where = gt(articleTombstones.removedAt, since)
      const rows = db.select().from(articleTombstones).where(and(where, after)).orderBy(...orderBy(keys)).limit(page.limit + 1).offset(page.offset).all()
      const total = db.select({ total: count() }).from(articleTombstones).where(where).get()?.total ?? 0
      const { rows: pageRows, nextCursor } = pageWithCursor(rows, page.limit, 'removedAt', (row) => [row.removedAt, row.articleId])
      return { data: pageRows.map((row) => ({ id: row.articleId, slug: row.slug, removedAt: toIso(row.removedAt) })), total, nextCursor }
    },

    async countPublished (): Promise<number> {
      const now = clock.now()
      return db.select({ total: count() }).from(articles).where(and(eq(articles.status, 'published'), lte(articles.publishedAt, now))).get()?.total ?? 0
    },

    /** One sitemap's worth of published articles, in a fixed order so that pages do not overlap. */
    async sitemapEntries (offset: number, limit: number) {
      const now = clock.now()
      return db.select({ id: articles.id, slug: articles.slug, publishedAt: articles.publishedAt, createdAt: articles.createdAt, updatedAt: articles.updatedAt })
        .from(articles).where(and(eq(articles.status, 'published'), lte(articles.publishedAt, now)))
        .orderBy(asc(articles.pk)).limit(limit).offset(offset).all()
        .map((row) => ({ url: urlOf(row), updatedAt: toIso(row.updatedAt) }))
    },

    /** Articles published in the last 48 hours, newest first, for Google News. */
    async recentForNews (limit: number) {
      const now = clock.now()
      return db.select({ id: articles.id, slug: articles.slug, title: articles.title, publishedAt: articles.publishedAt, createdAt: articles.createdAt })
        .from(articles).where(and(eq(articles.status, 'published'), gt(articles.publishedAt, now - TWO_DAYS), lte(articles.publishedAt, now)))
        .orderBy(desc(articles.publishedAt), desc(articles.pk)).limit(limit).all()
        .map((row) => ({ url: urlOf(row), title: row.title, publishedAt: toIso(row.publishedAt!) }))
    },

    async create (input: ArticleWrite): Promise<Article> {
      const created = db.transaction(() => {
        const derived = deriveArticle(input)
        const { pk } = insertArticle(derived, clock.now())
        indexArticle(pk, derived)
        const row = rowByPk.get({ pk })!
        adjustCounts([], [{ ...row, tagIds: input.tagIds }])
        return row
      }, { behavior: 'immediate' })
      const author = db.select(authorRef).from(authors).where(eq(authors.id, created.authorId)).get()
      return toArticle(created, author!)
    },

    /**
     * Many articles in one transaction, for imports and seeding: each is
     * derived, slugged, indexed and counted as `create` does. An article may
     * come derived already by `deriveArticle` (on another thread, say), which
     * then is not done again. Returns their ids, in order.
     */
    async createMany (inputs: ReadonlyArray<ArticleWrite | DerivedArticleWrite>): Promise<string[]> {
      return db.transaction(() => {
        const now = clock.now()
        const derived = inputs.map((input) => isDerived(input) ? input : deriveArticle(input))
        const keys = derived.map((input) => insertArticle(input, now))
        // The search entries after all the rows: a statement run between two of them may open a savepoint, at which
        // FTS5 writes its pending terms out as a new segment, and merging thousands of tiny segments would cost more
        // than everything else here.
        keys.forEach(({ pk }, index) => indexArticle(pk, derived[index]!))
        adjustCounts([], derived.map((input) => ({ status: input.publication.status, authorId: input.authorId, tagIds: input.tagIds })))
        return keys.map(({ id }) => id)
      }, { behavior: 'immediate' })
    },

    /** Applies a partial change; undefined when there is no such article. */
    async update (id: string, changes: Partial<Omit<ArticleWrite, 'tagIds'>> & { tagIds?: readonly string[] | undefined }, precondition?: Precondition<Article>): Promise<Article | undefined> {
      const now = clock.now()
      const done = db.transaction((tx) => {
        const current = tx.select().from(articles).where(eq(articles.id, id)).get()
        if (current === undefined) return false
        checkPrecondition(current, precondition)
        const set: Partial<ArticleRow> = { updatedAt: now }
        if (changes.title !== undefined) Object.assign(set, { title: changes.title, sortTitle: foldAccents(changes.title) })
        const renderedBody = changes.body === undefined ? undefined : rendered(changes.body)
        // The body's text, from the new body or, only when needed, from the stored HTML.
        const bodyText = () => renderedBody?.text ?? htmlToText(current.bodyHtml)
        if (renderedBody !== undefined) {
          const { text: _text, ...derived } = renderedBody
          Object.assign(set, { body: changes.body, ...derived })
          if (current.excerptGenerated && changes.excerpt === undefined) set.excerpt = makeExcerpt(renderedBody.text)
        }
        if (changes.excerpt === null) Object.assign(set, { excerpt: makeExcerpt(bodyText()), excerptGenerated: true })
        if (typeof changes.excerpt === 'string') Object.assign(set, { excerpt: changes.excerpt, excerptGenerated: false })
        if (changes.publication !== undefined) Object.assign(set, changes.publication)
        if (changes.authorId !== undefined) set.authorId = changes.authorId
        if (changes.commentsOpen !== undefined) set.commentsOpen = changes.commentsOpen
        if (changes.featuredImage !== undefined) Object.assign(set, { featuredImageUrl: changes.featuredImage?.url ?? null, featuredImageAlt: changes.featuredImage?.alt ?? null })
        if (changes.slug !== undefined) set.slug = normalizeGivenSlug(changes.slug)
        if (set.slug !== undefined && set.slug !== current.slug) {
          claimOldSlug(set.slug, current.pk)
          db.insert(articleOldSlugs).values({ slug: current.slug, articlePk: current.pk })
            .onConflictDoUpdate({ target: articleOldSlugs.slug, set: { articlePk: current.pk } }).run()
        }
        withGivenSlug(set.slug ?? '', () => tx.update(articles).set(set).where(eq(articles.pk, current.pk)).run())
        if (set.title !== undefined || set.excerpt !== undefined || changes.body !== undefined) {
          search.put(current.pk, { title: set.title ?? current.title, excerpt: set.excerpt ?? current.excerpt, text: bodyText() })
        }
        // A tombstone names the slug the public knew, not one given in the same write that takes the article away.
        recordVisibility(current, current.status === 'published', (set.status ?? current.status) === 'published', now)
        const oldTagIds = tagIdsOf(current.pk)
        if (changes.tagIds !== undefined) setTags(current.pk, changes.tagIds)
        adjustCounts([{ ...current, tagIds: oldTagIds }], [{
          status: set.status ?? current.status,
          authorId: set.authorId ?? current.authorId,
          tagIds: changes.tagIds ?? oldTagIds
        }])
        return true
      }, { behavior: 'immediate' })
      return done ? this.find(id) : undefined
    },

    /** False when there is no such article. */
    async remove (id: string, precondition?: Precondition<Article>): Promise<boolean> {
      return db.transaction((tx) => {
        const current = tx.select().from(articles).where(eq(articles.id, id)).get()
        if (current === undefined) return false
        checkPrecondition(current, precondition)
        const tagIds = tagIdsOf(current.pk)
        search.remove(current.pk)
        tx.delete(articles).where(eq(articles.pk, current.pk)).run()
        recordVisibility(current, current.status === 'published', false, clock.now())
        adjustCounts([{ ...current, tagIds }], [])
        return true
      }, { behavior: 'immediate' })
    },

    /** When the next scheduled article is due to go live; Infinity when none is scheduled. */
    async nextScheduledAt (): Promise<number> {
      return (nextScheduled.get() as number | null) ?? Infinity
    },

    /**
     * Scheduled articles whose time has come become published, with no one
     * acting: called before requests are answered once `nextScheduledAt` has
     * passed, so counts and lists follow. The write happens once per article.
     */
    async publishDue (): Promise<number> {
      const now = clock.now()
      return db.transaction((tx) => {
        const due = tx.select({ pk: articles.pk, id: articles.id, slug: articles.slug, authorId: articles.authorId }).from(articles)
          .where(and(eq(articles.status, 'scheduled'), lte(articles.publishedAt, now))).all()
        if (due.length === 0) return 0
        const pks = due.map((row) => row.pk)
        for (const article of due) recordVisibility(article, false, true, now)
        tx.update(articles).set({ status: 'published', updatedAt: sql`${articles.publishedAt}` }).where(inArray(articles.pk, pks)).run()
        adjustCounts([], due.map((row) => ({ status: 'published', authorId: row.authorId, tagIds: tagIdsOf(row.pk) })))
        return due.length
      }, { behavior: 'immediate' })
    }
  }
}

export type ArticlesRepository = ReturnType<typeof articlesRepository>
