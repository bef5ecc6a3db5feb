import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import type { RateWindows } from '../../db/counters.js'
import { clientKey } from '../../http/client-address.js'
import { IdOrSlugSchema, ref } from '../../http/common.js'
import { ResponseHeaders } from '../../http/headers.js'
import { parseFields, selectFieldsOfPage, wholeOrFields } from '../../http/fields.js'
import { metaOf, pageOf } from '../../http/pagination.js'
import { badRequest, conflict, forbidden, HttpProblem, notFound, problemResponses, retryLaterResponse } from '../../http/problem.js'
import { PUBLIC_OR_KEY } from '../../plugins/auth.js'
import { isLive } from '../articles/articles.publication.js'
import type { ArticlesRepository } from '../articles/articles.repository.js'
import { currentLocation } from '../articles/moved.js'
import { answeredStatus, moderationRules } from './comments.moderation.js'
import type { CommentsRepository, NewComment } from './comments.repository.js'
import {
  type CommentSubmit, CommentListQuerySchema, CommentSubmitSchema, PublicCommentFieldsListSchema, PublicCommentListSchema, PublicCommentSchema, SubmittedCommentSchema
} from './comments.schemas.js'

const RATE_WINDOW_MS = 60_000
const listShapes = { whole: ref(PublicCommentListSchema), fields: ref(PublicCommentFieldsListSchema) }
const TRUSTED_ROLES = ['moderator', 'editor', 'admin']

interface Options {
  comments: CommentsRepository
  articles: Pick<ArticlesRepository, 'currentSlugFor'>
  rateWindows: RateWindows
  clock: Clock
  config: Pick<Config, 'COMMENT_RATE_LIMIT' | 'COMMENT_MAX_LINKS' | 'COMMENT_BLOCKLIST' | 'COMMENT_APPROVE_RETURNING'>
}

/** Readers' side: an article's approved comments, and the comment form. */
const routes: FastifyPluginAsyncTypebox<Options> = async (app, { comments, articles, rateWindows, clock, config }) => {
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

  /** The live article at this id, slug or old slug, and its current slug when it was found at an old one. */
  async function liveArticle (idOrSlug: string) {
    let article = await comments.findArticle(idOrSlug)
    const movedTo = article === undefined ? await articles.currentSlugFor(idOrSlug) : undefined
    if (movedTo !== undefined) article = await comments.findArticle(movedTo)
    if (article === undefined || !isLive(article, clock.now())) notFound('article', idOrSlug)
    return { ...article, movedTo }
  }

  app.get('/:idOrSlug/comments', {
    schema: {
      tags: ['comments'],
      operationId: 'listArticleComments',
      summary: 'Read an article\'s comments',
      description: 'Approved comments only, oldest first. Replies carry their `parentId`; the front end builds the tree. At an old slug, a 301 to the same list under the current one.',
      security: PUBLIC_OR_KEY,
      params: Type.Object({ idOrSlug: IdOrSlugSchema }),
      querystring: CommentListQuerySchema,
      response: {
        200: wholeOrFields(listShapes.whole, listShapes.fields, 'A page of comments; with `fields`, each item has only the fields named, and `id`.'),
        301: Type.Null({ description: 'The article\'s slug changed: `Location` holds this list\'s current address.', headers: { Location: ResponseHeaders.location } }),
        ...problemResponses
      }
    }
  }, async (request, reply) => {
    const fields = parseFields(request.query.fields, PublicCommentSchema)
    const article = await liveArticle(request.params.idOrSlug)
    if (article.movedTo !== undefined) return reply.code(301).header('location', currentLocation(request.url, article.movedTo, '/comments')).send()
    const page = pageOf(request.query)
    const { data, total, nextCursor } = await comments.listApproved(article, page)
    return selectFieldsOfPage(reply, listShapes, fields, { data, meta: metaOf(page, total, nextCursor) })
  })

  app.post('/:idOrSlug/comments', {
    schema: {
      tags: ['comments'],
      operationId: 'submitComment',
      summary: 'Comment on an article',
      description: 'Anyone may comment on a published article whose comments are open. The answer comes once the comment is stored and reads `pending` whatever the moderation rules decided (only a moderator\'s or staff key\'s comment reads `approved`). Too many submissions from one client address (an IPv6 client counts by its /64) get a 429 with `Retry-After`; the same body on the same article from the same address within an hour is a 409. At an old slug the comment goes to the article that slug now redirects to, as a form posted from a page cached before the slug changed expects.',
      security: PUBLIC_OR_KEY,
      params: Type.Object({ idOrSlug: IdOrSlugSchema }),
      body: ref(CommentSubmitSchema),
      response: { 201: ref(SubmittedCommentSchema), 429: retryLaterResponse('Too many submissions from this client address, as an RFC 9457 problem: retry after `Retry-After` seconds.'), ...problemResponses }
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
    const { article, comment, decision } = await review(request.params.idOrSlug, request.body, client, trustedKey, request.headers['user-agent'])
    const submission = await comments.submit(comment, article.id, decision, trustedKey ? request.principal.keyId : null)
    if (submission.outcome === 'duplicate') return conflict('This comment was already submitted.')
    return reply.code(201).send({ ...submission.comment, status: answeredStatus(decision) })
  })
}

export default routes
