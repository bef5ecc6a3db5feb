import { and, asc, count, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm'
import type { Clock } from '../../clock.js'
import type { Db } from '../../db/client.js'
import { newId } from '../../db/ids.js'
import { afterCursor, decodeCursor, orderBy, pageWithCursor, type SortKey } from '../../db/keyset.js'
import { articles, commentBans, commentHistory, comments, COMMENT_STATUSES, type CommentStatus } from '../../db/schema/index.js'
import { toIso } from '../../http/common.js'
import { conflict } from '../../http/problem.js'
import type { Page } from '../../http/pagination.js'
import type { Precondition } from '../../plugins/caching.js'
import { renderComment } from '../../text/comment.js'
import type { Decision } from './comments.moderation.js'
import type { ModeratedComment, PublicComment } from './comments.schemas.js'

type CommentRow = typeof comments.$inferSelect
type ArticleRef = ModeratedComment['article']

const HOUR = 60 * 60 * 1000

const OLDEST: SortKey[] = [{ key: comments.createdAt, descending: false }, { key: comments.id, descending: false }]
// With no status asked for: pending first, then oldest first (the order `comments_queue_idx` holds).
const QUEUE: SortKey[] = [{ key: sql`(${comments.status} <> 'pending')`, descending: false }, ...OLDEST]
const NEWEST_BANS: SortKey[] = [{ key: commentBans.createdAt, descending: true }, { key: commentBans.id, descending: true }]

/** The rows after the page's cursor, if it has one, in this order. */
function afterPage (page: Page, order: string, keys: SortKey[]) {
  return page.cursor === undefined ? undefined : afterCursor(keys, decodeCursor(page.cursor, order, keys.length))
}

export interface ModerationFilter {
  status?: CommentStatus
  articlePk?: number
  email?: string
  ip?: string
}

export interface NewComment {
  articlePk: number
  parentId: string | null
  authorName: string
  authorEmail: string
  authorUrl: string | null
  body: string
  ip: string
  userAgent: string | null
}

/** What became of a submission: stored, or refused as a double submission with nothing stored. */
export type Submission =
  | { outcome: 'stored', comment: PublicComment }
  | { outcome: 'duplicate' }

/** A submission waiting for its group's transaction. */
interface PendingSubmission {
  comment: NewComment
  articleId: string
  decision: Decision
  byKeyId: string | null
  resolve (submission: Submission): void
  reject (error: unknown): void
}

/**
 * One comment of `createMany`: what `create` takes, with the time it was
 * written (an import keeps its comments' dates). A reply to a comment of the
 * same batch names it by its position in the batch, since it has no id yet.
 */
export interface BatchComment {
  comment: NewComment
  decision: Decision
  byKeyId: string | null
  at: number
  /** Instead of `comment.parentId`: the position of an earlier comment of this batch that this one answers. */
  replyTo?: number
}

function toPublic (row: CommentRow, articleId: string): PublicComment {
  return {
    id: row.id,
    articleId,
    parentId: row.parentId,
    authorName: row.authorName,
    authorUrl: row.authorUrl,
    body: row.body,
    bodyHtml: renderComment(row.body),
    createdAt: toIso(row.createdAt)
  }
}

function toModerated (row: CommentRow, article: ArticleRef, history: ModeratedComment['history']): ModeratedComment {
  return {
    ...toPublic(row, article.id),
    authorEmail: row.authorEmail,
    status: row.status,
    ip: row.ip,
    userAgent: row.userAgent,
    article,
    moderatedAt: row.moderatedAt === null ? null : toIso(row.moderatedAt),
    moderatedBy: row.moderatedBy,
    history
  }
}

export function commentsRepository (db: Db, clock: Clock) {
  const articleRef = { id: articles.id, slug: articles.slug, title: articles.title }

  /** Keeps each article's `commentCount` equal to its approved comments, inside the caller's transaction. */
  function refreshCommentCounts (articlePks: Iterable<number>) {
    const pks = [...new Set(articlePks)]
    if (pks.length === 0) return
    db.update(articles).set({
      commentCount: sql`(SELECT count(*) FROM ${comments} WHERE ${comments.articlePk} = ${articles.pk} AND ${comments.status} = 'approved')`
    }).where(inArray(articles.pk, pks)).run()
  }

  // Prepared once: they run for every comment stored, many thousands of times in an import or a bulk moderation.
  const insertHistory = db.insert(commentHistory).values({
    commentId: sql.placeholder('commentId'),
    fromStatus: sql.placeholder('fromStatus'),
    toStatus: sql.placeholder('toStatus'),
    byKeyId: sql.placeholder('byKeyId'),
    rule: sql.placeholder('rule'),
    at: sql.placeholder('at')
  }).prepare()
  const findDuplicate = db.select({ id: comments.id }).from(comments)
    .where(and(
      eq(comments.ip, sql.placeholder('ip')),
      gt(comments.createdAt, sql.placeholder('since')),
      eq(comments.articlePk, sql.placeholder('articlePk')),
      eq(comments.body, sql.placeholder('body'))
    )).limit(1).prepare()
  const commentValue = (column: keyof CommentRow) => sql.placeholder(column)
  const insertRow = db.insert(comments).values({
    id: commentValue('id'),
    articlePk: commentValue('articlePk'),
    parentId: commentValue('parentId'),
    authorName: commentValue('authorName'),
    authorEmail: commentValue('authorEmail'),
    authorUrl: commentValue('authorUrl'),
    body: commentValue('body'),
    status: commentValue('status'),
    ip: commentValue('ip'),
    userAgent: commentValue('userAgent'),
    createdAt: commentValue('createdAt'),
    moderatedAt: commentValue('moderatedAt'),
    moderatedBy: commentValue('moderatedBy')
  }).prepare()
  // Prepared once too: every submission asks them.
  const articleByIdOrSlug = db.select({ pk: articles.pk, id: articles.id, status: articles.status, publishedAt: articles.publishedAt, commentsOpen: articles.commentsOpen })
    .from(articles).where(or(eq(articles.id, sql.placeholder('idOrSlug')), eq(articles.slug, sql.placeholder('idOrSlug')))).prepare()
  const banFor = db.select({ id: commentBans.id }).from(commentBans)
    .where(or(eq(commentBans.email, sql.placeholder('email')), eq(commentBans.ip, sql.placeholder('ip')))).limit(1).prepare()

  function recordChange (commentId: string, fromStatus: CommentStatus | null, toStatus: CommentStatus, byKeyId: string | null, rule: string | null, at: number) {
    insertHistory.run({ commentId, fromStatus, toStatus, byKeyId, rule, at })
  }

  /**
   * The same body on the same article from the same client within the hour: a double submission. Asked inside
   * the write's transaction, so that two arriving together cannot both get in.
   */
  function isDuplicate ({ ip, articlePk, body }: NewComment, now: number): boolean {
    return findDuplicate.get({ ip, since: now - HOUR, articlePk, body }) !== undefined
  }

  /**
   * Stores one comment with its first history entry, inside the caller's transaction, and returns its row;
   * the caller brings the article's `commentCount` up to date.
   */
  function insertComment (comment: NewComment, decision: Decision, byKeyId: string | null, now: number): CommentRow {
    const row: CommentRow = {
      id: newId('com'),
      ...comment,
      status: decision.status,
      createdAt: now,
      moderatedAt: byKeyId === null ? null : now,
      moderatedBy: byKeyId
    }
    insertRow.run(row)
    recordChange(row.id, null, decision.status, byKeyId, decision.rule, now)
    return row
  }

  /** One submission, as a savepoint of the group's transaction: if it throws, only its own writes are undone. */
  const submitOne = db.$client.transaction(({ comment, decision, byKeyId }: PendingSubmission): Submission | { stored: CommentRow } => {
    const now = clock.now()
    if (isDuplicate(comment, now)) return { outcome: 'duplicate' }
    const row = insertComment(comment, decision, byKeyId, now)
    if (decision.status === 'approved') refreshCommentCounts([comment.articlePk])
    return { stored: row }
  })
  const submitGroup = db.$client.transaction((group: readonly PendingSubmission[]) => group.map((pending) => {
    try {
      return { result: submitOne(pending) }
    } catch (error) {
      return { error }
    }
  })).immediate

  /**
   * Group commit: the submissions that reach the store within one turn of the
   * event loop are written in one transaction, each in a savepoint of its own,
   * and each answered once that transaction has committed. A comment costs its
   * own index entries; the pages they share at the end of each index and the
   * commit itself are paid once per group, and most of a commit is those.
   */
  let waiting: PendingSubmission[] = []
  function storeWaiting () {
    const group = waiting
    waiting = []
    let outcomes: Array<{ result: Submission | { stored: CommentRow } } | { error: unknown }>
    try {
      outcomes = submitGroup(group)
    } catch (error) {
      for (const pending of group) pending.reject(error)
      return
    }
    for (const [index, outcome] of outcomes.entries()) {
      const pending = group[index]!
      // Each answered whatever happens to the others: none may be left waiting.
      try {
        if ('error' in outcome) throw outcome.error
        pending.resolve('stored' in outcome.result ? { outcome: 'stored', comment: toPublic(outcome.result.stored, pending.articleId) } : outcome.result)
      } catch (error) {
        pending.reject(error)
      }
    }
  }

  function conditionsOf (filter: ModerationFilter): SQL | undefined {
    return and(
      filter.status === undefined ? undefined : eq(comments.status, filter.status),
      filter.articlePk === undefined ? undefined : eq(comments.articlePk, filter.articlePk),
      filter.email === undefined ? undefined : eq(comments.authorEmail, filter.email),
      filter.ip === undefined ? undefined : eq(comments.ip, filter.ip)
    )
  }

  function historyOf (commentId: string): ModeratedComment['history'] {
    return db.select().from(commentHistory).where(eq(commentHistory.commentId, commentId)).orderBy(asc(commentHistory.at), asc(commentHistory.pk)).all()
      .map((entry) => ({ status: entry.toStatus, previousStatus: entry.fromStatus, by: entry.byKeyId, rule: entry.rule, at: toIso(entry.at) }))
  }

  function findModerated (id: string) {
    const found = db.select({ comment: comments, article: articleRef }).from(comments)
      .innerJoin(articles, eq(articles.pk, comments.articlePk)).where(eq(comments.id, id)).get()
    return found === undefined ? undefined : toModerated(found.comment, found.article, historyOf(id))
  }

  /** Sets the status of the given comments that are not in it yet; their articles' counts follow in the same transaction. */
  function changeStatus (ids: readonly string[], status: CommentStatus, byKeyId: string) {
    return db.transaction(() => {
      const now = clock.now()
      const changing = db.select({ id: comments.id, status: comments.status, articlePk: comments.articlePk }).from(comments)
        .where(and(inArray(comments.id, [...ids]), sql`${comments.status} <> ${status}`)).all()
      if (changing.length === 0) return 0
      db.update(comments).set({ status, moderatedAt: now, moderatedBy: byKeyId }).where(inArray(comments.id, changing.map((row) => row.id))).run()
      for (const row of changing) recordChange(row.id, row.status, status, byKeyId, null, now)
      refreshCommentCounts(changing.map((row) => row.articlePk))
      return changing.length
    }, { behavior: 'immediate' })
  }

  return {
    /** What the comment routes need of an article named by id or slug. */
    async findArticle (idOrSlug: string) {
      return articleByIdOrSlug.get({ idOrSlug })
    },

    async listApproved (article: { pk: number, id: string }, page: Page) {
      const where = and(eq(comments.articlePk, article.pk), eq(comments.status, 'approved'))
      const rows = db.select().from(comments).where(and(where, afterPage(page, 'oldest', OLDEST))).orderBy(...orderBy(OLDEST)).limit(page.limit + 1).offset(page.offset).all()
      const total = db.select({ total: count() }).from(comments).where(where).get()?.total ?? 0
      const { rows: pageRows, nextCursor } = pageWithCursor(rows, page.limit, 'oldest', (row) => [row.createdAt, row.id])
      return { data: pageRows.map((row) => toPublic(row, article.id)), total, nextCursor }
    },

    async isApprovedComment (id: string, articlePk: number): Promise<boolean> {
      return db.select({ id: comments.id }).from(comments)
        .where(and(eq(comments.id, id), eq(comments.articlePk, articlePk), eq(comments.status, 'approved'))).get() !== undefined
    },

    async hasApprovedComment (email: string): Promise<boolean> {
      return db.select({ id: comments.id }).from(comments).where(and(eq(comments.authorEmail, email), eq(comments.status, 'approved'))).limit(1).get() !== undefined
    },

    async isBanned (email: string, ip: string): Promise<boolean> {
      return banFor.get({ email, ip }) !== undefined
    },

    /**
     * Stores a comment on the article `articleId` with the status the rules decided, in one write transaction
     * (its group's, see `storeWaiting`). A double submission stores nothing and is returned as such. Resolves
     * only once committed.
     */
    async submit (comment: NewComment, articleId: string, decision: Decision, byKeyId: string | null): Promise<Submission> {
      return await new Promise((resolve, reject) => {
        waiting.push({ comment, articleId, decision, byKeyId, resolve, reject })
        if (waiting.length === 1) setImmediate(storeWaiting)
      })
    },

    /**
     * Many comments in one transaction, for imports and seeding: each is checked, stored and recorded as
     * `create` does, at its own time, and the articles' counts follow once at the end. A double submission
     * fails the whole batch (409). Returns their ids, in order.
     */
    async createMany (batch: readonly BatchComment[]): Promise<string[]> {
      return db.transaction(() => {
        const ids: string[] = []
        const approvedOn = new Set<number>()
        for (const [position, { comment, decision, byKeyId, at, replyTo }] of batch.entries()) {
          if (replyTo !== undefined && (comment.parentId !== null || !(replyTo >= 0 && replyTo < position))) {
            throw new RangeError(`comment ${position} must answer an earlier comment of the batch (${replyTo}) and have no parentId`)
          }
          const parentId = replyTo === undefined ? comment.parentId : ids[replyTo]!
          if (isDuplicate(comment, at)) conflict('This comment was already submitted.')
          ids.push(insertComment({ ...comment, parentId }, decision, byKeyId, at).id)
          if (decision.status === 'approved') approvedOn.add(comment.articlePk)
        }
        refreshCommentCounts(approvedOn)
        return ids
      }, { behavior: 'immediate' })
    },

    async listForModeration (filter: ModerationFilter, page: Page) {
      const [order, keys] = filter.status === undefined ? ['queue', QUEUE] as const : ['oldest', OLDEST] as const
      const rows = db.select({ comment: comments, article: articleRef }).from(comments)
        .innerJoin(articles, eq(articles.pk, comments.articlePk))
        .where(and(conditionsOf(filter), afterPage(page, order, keys))).orderBy(...orderBy(keys)).limit(page.limit + 1).offset(page.offset).all()
      const { rows: pageRows, nextCursor } = pageWithCursor(rows, page.limit, order, ({ comment }) => [
        ...(filter.status === undefined ? [comment.status === 'pending' ? 0 : 1] : []), comment.createdAt, comment.id
      ])
      const counted = db.select({ status: comments.status, total: count() }).from(comments)
        .where(conditionsOf({ ...filter, status: undefined })).groupBy(comments.status).all()
      const countsByStatus = Object.fromEntries(COMMENT_STATUSES.map((status) => [status, counted.find((row) => row.status === status)?.total ?? 0])) as Record<CommentStatus, number>
      const total = filter.status === undefined ? Object.values(countsByStatus).reduce((sum, n) => sum + n, 0) : countsByStatus[filter.status]
      return { data: pageRows.map(({ comment, article }) => toModerated(comment, article, [])), total, nextCursor, countsByStatus }
    },

    find: async (id: string) => findModerated(id),

    /** Undefined when there is no such comment. */
    async setStatus (id: string, status: CommentStatus, byKeyId: string, precondition?: Precondition<ModeratedComment>) {
      return db.transaction(() => {
        const current = findModerated(id)
        if (current === undefined) return undefined
        precondition?.(current)
        changeStatus([id], status, byKeyId)
        return findModerated(id)
      }, { behavior: 'immediate' })
    },

    setStatusOfMany: async (ids: readonly string[], status: CommentStatus, byKeyId: string) => changeStatus(ids, status, byKeyId),

    /** Deletes for good; false when there is no such comment. */
    async remove (id: string, precondition?: Precondition<ModeratedComment>): Promise<boolean> {
      return db.transaction(() => {
        if (precondition !== undefined) {
          const current = findModerated(id)
          if (current === undefined) return false
          precondition(current)
        }
        const row = db.delete(comments).where(eq(comments.id, id)).returning({ articlePk: comments.articlePk }).get()
        if (row === undefined) return false
        refreshCommentCounts([row.articlePk])
        return true
      }, { behavior: 'immediate' })
    },

    /** Deletes every comment from this address (the right to be forgotten); returns how many. */
    async erase (email: string): Promise<number> {
      return db.transaction(() => {
        const rows = db.delete(comments).where(eq(comments.authorEmail, email)).returning({ articlePk: comments.articlePk }).all()
        refreshCommentCounts(rows.map((row) => row.articlePk))
        return rows.length
      }, { behavior: 'immediate' })
    },

    bans: {
      async list (page: Page) {
        const rows = db.select().from(commentBans).where(afterPage(page, 'newest', NEWEST_BANS)).orderBy(...orderBy(NEWEST_BANS)).limit(page.limit + 1).offset(page.offset).all()
        const total = db.select({ total: count() }).from(commentBans).get()?.total ?? 0
        const { rows: pageRows, nextCursor } = pageWithCursor(rows, page.limit, 'newest', (row) => [row.createdAt, row.id])
        return { data: pageRows.map((row) => ({ ...row, createdAt: toIso(row.createdAt) })), total, nextCursor }
      },

      async create (ban: { email: string | null, ip: string | null, reason: string }, byKeyId: string) {
        const row = db.insert(commentBans).values({ id: newId('ban'), ...ban, createdAt: clock.now(), createdBy: byKeyId }).returning().get()
        return { ...row, createdAt: toIso(row.createdAt) }
      },

      async remove (id: string): Promise<boolean> {
        return db.delete(commentBans).where(eq(commentBans.id, id)).run().changes > 0
      }
    }
  }
}

export type CommentsRepository = ReturnType<typeof commentsRepository>
