import type { Clock } from '../../clock.js'
import type { ChangeWatch } from '../../db/change-watch.js'
import type { ArticleStatus } from '../../db/schema/index.js'
import { badRequest } from '../../http/problem.js'
import type { ArticlesRepository } from './articles.repository.js'

export interface Publication {
  status: ArticleStatus
  publishedAt: number | null
}

/**
 * The status and date an article ends up with, by the contract's rules:
 * publishing with no date publishes now; `scheduled` needs a future date; a
 * `published` article dated in the future is scheduled, since the public would
 * not see it before that time anyway and it must then go live by itself.
 */
export function resolvePublication (requested: Publication, now: number): Publication {
  const { status, publishedAt } = requested
  if (status === 'scheduled') {
    if (publishedAt === null) badRequest([{ path: '/body/publishedAt', message: 'is required for a scheduled article' }])
    if (publishedAt <= now) badRequest([{ path: '/body/publishedAt', message: 'must be in the future for a scheduled article' }])
    return { status, publishedAt }
  }
  if (status === 'published') {
    if (publishedAt === null) return { status, publishedAt: now }
    return { status: publishedAt > now ? 'scheduled' : 'published', publishedAt }
  }
  return { status, publishedAt }
}

/** Whether the public may see an article now. */
export function isLive (article: { status: string, publishedAt: string | number | null }, now: number): boolean {
  return article.status === 'published' && article.publishedAt !== null && new Date(article.publishedAt).getTime() <= now
}

/**
 * Publishes scheduled articles once their time has come, before a request is
 * answered, whoever makes it. When the next one is due is read again only once
 * the database has changed (`watch`, polled at the start of every request), so
 * the check costs no statement on the requests in between.
 */
export function scheduledPublishing (articles: Pick<ArticlesRepository, 'nextScheduledAt' | 'publishDue'>, watch: ChangeWatch, clock: Clock) {
  let readAt = -1
  let nextDueAt = Infinity
  return async function publishDue (): Promise<void> {
    if (watch.version !== readAt) {
      readAt = watch.version
      nextDueAt = await articles.nextScheduledAt()
    }
    if (clock.now() < nextDueAt) return
    await articles.publishDue()
    // What was just published changes what is read next, in this request too: the cache must see it now.
    watch.poll()
  }
}
