import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { clientKey } from '../../http/client-address.js'
import { ref } from '../../http/common.js'
import { parseFields, selectFields, selectFieldsOfPage, wholeOrFields } from '../../http/fields.js'
import { IfMatchHeaders, ResponseHeaders, withHeaders } from '../../http/headers.js'
import { metaOf, pageOf } from '../../http/pagination.js'
import { notFound, problemResponses } from '../../http/problem.js'
import { KEY_ONLY, requireRole } from '../../plugins/auth.js'
import { answeredNotModified, etagOf, ifMatch, noStore } from '../../plugins/caching.js'
import type { CommentsRepository, ModerationFilter } from './comments.repository.js'
import {
  BulkResultSchema, CommentGetQuerySchema, BulkStatusChangeSchema, CommentIdSchema, ErasureResultSchema, ErasureSchema, ModeratedCommentFieldsListSchema,
  ModeratedCommentFieldsSchema, ModeratedCommentListSchema, ModeratedCommentSchema, ModerationQuerySchema, StatusChangeSchema
} from './comments.schemas.js'

export const MODERATORS = ['moderator', 'editor', 'admin'] as const

const commentShapes = { whole: ref(ModeratedCommentSchema), fields: ref(ModeratedCommentFieldsSchema) }
const listShapes = { whole: ref(ModeratedCommentListSchema), fields: ref(ModeratedCommentFieldsListSchema) }

/** The newsroom's side: the moderation queue, for moderators and staff. */
const routes: FastifyPluginAsyncTypebox<{ comments: CommentsRepository }> = async (app, { comments }) => {
  app.addHook('onRequest', async (request) => requireRole(request, MODERATORS))
  // Answers carry commenters' emails and addresses: no cache may keep them.
  app.addHook('onRequest', noStore)

  app.get('', {
    schema: {
      tags: ['comments'],
      operationId: 'listComments',
      summary: 'The moderation queue',
      description: 'Moderators and staff. With no `status`, pending comments first, then oldest first; with a `status`, oldest first. `meta.countsByStatus` gives the size of each queue under the other filters.',
      security: KEY_ONLY,
      querystring: ModerationQuerySchema,
      response: { 200: wholeOrFields(listShapes.whole, listShapes.fields, 'A page of the queue; with `fields`, each item has only the fields named, and `id`.'), ...problemResponses }
    }
  }, async (request, reply) => {
    const { query } = request
    const fields = parseFields(query.fields, ModeratedCommentSchema)
    const page = pageOf(query)
    const filter: ModerationFilter = {
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.email === undefined ? {} : { email: query.email.trim().toLowerCase() }),
      ...(query.ip === undefined ? {} : { ip: clientKey(query.ip.trim()) })
    }
    if (query.article !== undefined) {
      // An unknown article matches no comment; -1 is a key no article has.
      filter.articlePk = (await comments.findArticle(query.article))?.pk ?? -1
    }
    const { data, total, nextCursor, countsByStatus } = await comments.listForModeration(filter, page)
    return selectFieldsOfPage(reply, listShapes, fields, { data, meta: { ...metaOf(page, total, nextCursor), countsByStatus } })
  })

  app.get('/:id', {
    schema: {
      tags: ['comments'],
      operationId: 'getComment',
      summary: 'Read a comment in full',
      description: 'Moderators and staff: the comment with its commenter\'s email and address, its article, and its history of status changes.',
      security: KEY_ONLY,
      params: Type.Object({ id: CommentIdSchema }),
      querystring: CommentGetQuerySchema,
      response: { 200: wholeOrFields(commentShapes.whole, commentShapes.fields, 'The comment; with `fields`, only the fields named, and `id`.'), ...problemResponses }
    }
  }, async (request, reply) => {
    const fields = parseFields(request.query.fields, ModeratedCommentSchema)
    const comment = await comments.find(request.params.id) ?? notFound('comment', request.params.id)
    if (answeredNotModified(request, reply, etagOf(comment))) return reply.send()
    return selectFields(reply, commentShapes, fields, comment)
  })

  app.patch('/:id', {
    schema: {
      tags: ['comments'],
      operationId: 'moderateComment',
      summary: 'Moderate a comment',
      description: 'Moderators and staff set the status; the article\'s `commentCount` follows in the same transaction, and the change joins the history. With `If-Match` (the ETag of a GET of this comment), a 412 when it changed meanwhile.',
      security: KEY_ONLY,
      params: Type.Object({ id: CommentIdSchema }),
      headers: IfMatchHeaders,
      body: ref(StatusChangeSchema),
      response: { 200: withHeaders(ref(ModeratedCommentSchema), { ETag: ResponseHeaders.etag }), ...problemResponses }
    }
  }, async (request, reply) => {
    const comment = await comments.setStatus(request.params.id, request.body.status, request.principal.keyId!, ifMatch(request)) ?? notFound('comment', request.params.id)
    return reply.header('etag', etagOf(comment)).send(comment)
  })

  app.post('/bulk', {
    schema: {
      tags: ['comments'],
      operationId: 'moderateComments',
      summary: 'Moderate many comments',
      description: 'Moderators and staff set one status on up to 500 comments at once, in one transaction.',
      security: KEY_ONLY,
      body: ref(BulkStatusChangeSchema),
      response: { 200: ref(BulkResultSchema), ...problemResponses }
    }
  }, async (request) => ({ updated: await comments.setStatusOfMany(request.body.ids, request.body.status, request.principal.keyId!) }))

  app.post('/erase', {
    schema: {
      tags: ['comments'],
      operationId: 'eraseCommenter',
      summary: 'Erase a commenter',
      description: 'Moderators and staff delete every comment from this address, for good: the right to be forgotten. Articles\' counts follow.',
      security: KEY_ONLY,
      body: ref(ErasureSchema),
      response: { 200: ref(ErasureResultSchema), ...problemResponses }
    }
  }, async (request) => ({ erased: await comments.erase(request.body.email.trim().toLowerCase()) }))

  app.delete('/:id', {
    schema: {
      tags: ['comments'],
      operationId: 'deleteComment',
      summary: 'Delete a comment',
      description: 'Moderators and staff delete a comment for good; its replies stay, as top-level comments.',
      security: KEY_ONLY,
      params: Type.Object({ id: CommentIdSchema }),
      headers: IfMatchHeaders,
      response: { 204: Type.Null({ description: 'Deleted.' }), ...problemResponses }
    }
  }, async (request, reply) => {
    if (!(await comments.remove(request.params.id, ifMatch(request)))) notFound('comment', request.params.id)
    return reply.code(204).send(null)
  })
}

export default routes
