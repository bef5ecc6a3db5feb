import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import { clientKey } from '../../http/client-address.js'
import { IdOrSlugSchema, ref } from '../../http/common.js'
import { parseFields, partialSchemas, selectFieldsOfPage } from '../../http/fields.js'
import { metaOf, pageOf } from '../../http/pagination.js'
import { badRequest, forbidden, HttpProblem, notFound, problemResponses } from '../../http/problem.js'
import { PUBLIC_OR_KEY } from '../../plugins/auth.js'
import { isLive } from '../articles/articles.publication.js'
import { answeredStatus, moderationRules } from './comments.moderation.js'
import type { CommentsRepository } from './comments.repository.js'
import { CommentListQuerySchema, CommentSubmitSchema, PublicCommentListSchema, PublicCommentSchema, SubmittedCommentSchema } from './comments.schemas.js'

const RATE_WINDOW_MS = 60_000
const publicPartials = partialSchemas(PublicCommentSchema)
const TRUSTED_ROLES = ['moderator', 'editor', 'admin']

interface Options {
  comments: CommentsRepository
  clock: Clock
  config: Pick<Config, 'COMMENT_RATE_LIMIT' | 'COMMENT_MAX_LINKS' | 'COMMENT_BLOCKLIST' | 'COMMENT_APPROVE_RETURNING'>
}

/** Readers' side: an article's approved comments, and the comment form. */
const routes: FastifyPluginAsyncTypebox<Options> = async (app, { comments, clock, config }) => {
  const rules = moderationRules(config)

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
    if (!trustedKey) {
      const { count, resetAt } = await comments.countSubmission(client, RATE_WINDOW_MS)
      if (count > config.COMMENT_RATE_LIMIT) {
        throw new HttpProblem(429, 'Too Many Requests', 'Too many comments from this address: wait a minute.', {
          headers: { 'retry-after': String(Math.max(1, Math.ceil((resetAt - clock.now()) / 1000))) }
        })
      }
    }
    const article = await liveArticle(request.params.id)
    if (!article.commentsOpen) forbidden('Comments are closed on this article.')

    const { body } = request
    const parentId = body.parentId ?? null
    if (parentId !== null && !(await comments.isApprovedComment(parentId, article.pk))) {
      badRequest([{ path: '/body/parentId', message: 'must be an approved comment of the same article' }])
    }
    const comment = {
      articlePk: article.pk,
      parentId,
      authorName: body.authorName.trim(),
      authorEmail: body.authorEmail.trim().toLowerCase(),
      authorUrl: body.authorUrl ?? null,
      body: body.body,
      ip: client,
      userAgent: request.headers['user-agent']?.slice(0, 500) ?? null
    }

    const decision = rules.decide(comment, {
      trustedKey,
      banned: await comments.isBanned(comment.authorEmail, client),
      hasApprovedComment: config.COMMENT_APPROVE_RETURNING && await comments.hasApprovedComment(comment.authorEmail)
    })
    const created = await comments.create(comment, decision, trustedKey ? request.principal.keyId : null)
    return reply.code(201).send({ ...created, status: answeredStatus(decision) })
  })
}

export default routes
