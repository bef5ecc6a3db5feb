import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { RateWindows } from '../../db/counters.js'
import { clientKey } from '../../http/client-address.js'
import { IdOrSlugSchema, ref } from '../../http/common.js'
import { parseFields, partialSchemas, selectFieldsOfPage } from '../../http/fields.js'
import { metaOf, pageOf } from '../../http/pagination.js'
import { badRequest, conflict, forbidden, HttpProblem, notFound, problemResponses } from '../../http/problem.js'
import { PUBLIC_OR_KEY } from '../../plugins/auth.js'
import { isLive } from '../articles/articles.publication.js'
import { answeredStatus, moderationRules } from './comments.moderation.js'
import type { CommentsRepository, NewComment } from './comments.repository.js'
import { type CommentSubmit, CommentListQuerySchema, CommentSubmitSchema, PublicCommentListSchema, PublicCommentSchema, SubmittedCommentSchema } from './comments.schemas.js'

const RATE_WINDOW_MS = 60_000
const publicPartials = partialSchemas(PublicCommentSchema)
const TRUSTED_ROLES = ['moderator', 'editor', 'admin']

interface Options {
  comments: CommentsRepository
  rateWindows: RateWindows
  clock: Clock
  config: Pick<Config, 'COMMENT_RATE_LIMIT' | 'COMMENT_MAX_LINKS' | 'COMMENT_BLOCKLIST' | 'COMMENT_APPROVE_RETURNING'>
}

/** Readers' side: an article's approved comments, and the comment form. */
const routes: FastifyPluginAsyncTypebox<Options> = async (app, { comments, rateWindows, clock, config }) => {
  const rules = moderationRules(config)

  function rateLimited (resetAt: number): never {
    throw new HttpProblem(429, 'Too Many Requests', 'Too many comments from this address: wait a minute.', {
      headers: { 'retry-after': String(Math.max(1, Math.ceil((resetAt - clock.now()) / 1000))) }
    })
  }

  /** The comment to store and what the moderation rules decide of it, once its article and parent allow it. */
  async function review (idOrSlug: string, body: CommentSubmit, client: string, trustedKey: boolean, userAgent: string | undefined) {
    const article = await liveArticle(idOrSlug)
    if (!article.commentsOpen) forbidden('Comments are closed on this article.')
    const parentId = body.parentId ?? null
    if (parentId !== null && !(await comments.isApprovedComment(parentId, article.pk))) {
      badRequest([{ path: '/body/parentId', message: 'must be an approved comment of the same article' }])
    }
    const comment: NewComment = {
      articlePk: article.pk,
      parentId,
      authorName: body.authorName.trim(),
      authorEmail: body.authorEmail.trim().toLowerCase(),
      authorUrl: body.authorUrl ?? null,
      body: body.body,
      ip: client,
      userAgent: userAgent?.slice(0, 500) ?? null
    }
    const decision = rules.decide(comment, {
      trustedKey,
      banned: await comments.isBanned(comment.authorEmail, client),
      hasApprovedComment: config.COMMENT_APPROVE_RETURNING && await comments.hasApprovedComment(comment.authorEmail)
    })
    return { article, comment, decision }
  }

  async function liveArticle (idOrSlug: string) {
    const article = await comments.findArticle(idOrSlug)
    if (article === undefined || !isLive(article, clock.now())) notFound('article', idOrSlug)
    return article
  }

  app.get('/:id/comments', {
    schema: {
      tags: ['comments'],
      operationId: 'listArticleComments',
      summary: 'Read an article\'s comments',
      description: 'Approved comments only, oldest first. Replies carry their `parentId`; the front end builds the tree.',
      security: PUBLIC_OR_KEY,
      params: Type.Object({ id: IdOrSlugSchema }),
      querystring: CommentListQuerySchema,
      response: { 200: ref(PublicCommentListSchema), ...problemResponses }
    }
  }, async (request, reply) => {
    const fields = parseFields(request.query.fields, PublicCommentSchema)
    const article = await liveArticle(request.params.id)
    const page = pageOf(request.query)
    const { data, total, nextCursor } = await comments.listApproved(article, page)
    return selectFieldsOfPage(reply, publicPartials, fields, { data, meta: metaOf(page, total, nextCursor) })
  })

  app.post('/:id/comments', {
    schema: {
      tags: ['comments'],
      operationId: 'submitComment',
      summary: 'Comment on an article',
      description: 'Anyone may comment on a published article whose comments are open. The answer comes once the comment is stored and reads `pending` whatever the moderation rules decided (only a moderator\'s or staff key\'s comment reads `approved`). Too many submissions from one client address (an IPv6 client counts by its /64) get a 429 with `Retry-After`; the same body on the same article from the same address within an hour is a 409.',
      security: PUBLIC_OR_KEY,
      params: Type.Object({ id: IdOrSlugSchema }),
      body: ref(CommentSubmitSchema),
      response: { 201: ref(SubmittedCommentSchema), ...problemResponses }
    }
  }, async (request, reply) => {
    // The schema counts characters; a name or body of nothing but spaces is empty all the same once trimmed.
    const blank = (['authorName', 'body'] as const).filter((field) => request.body[field].trim() === '')
    if (blank.length > 0) badRequest(blank.map((field) => ({ path: `/body/${field}`, message: 'must not be blank' })))
    const client = clientKey(request.ip)
    const trustedKey = TRUSTED_ROLES.includes(request.principal.role)
    // Counted first, whatever follows (a refused submission counts too), and in the counters database: a client
    // over the limit learns it without a write to the main one, which would empty every process's read cache.
    if (!trustedKey) {
      const { count, resetAt } = rateWindows.count(client, RATE_WINDOW_MS)
      if (count > config.COMMENT_RATE_LIMIT) rateLimited(resetAt)
    }
    const { article, comment, decision } = await review(request.params.id, request.body, client, trustedKey, request.headers['user-agent'])
    const submission = await comments.submit(comment, article.id, decision, trustedKey ? request.principal.keyId : null)
    if (submission.outcome === 'duplicate') return conflict('This comment was already submitted.')
    return reply.code(201).send({ ...submission.comment, status: answeredStatus(decision) })
  })
}

export default routes
