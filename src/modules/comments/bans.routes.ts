import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { clientKey } from '../../http/client-address.js'
import { ref } from '../../http/common.js'
import { ResponseHeaders, withHeaders } from '../../http/headers.js'
import { metaOf, pageOf, pageQuery } from '../../http/pagination.js'
import { badRequest, notFound, problemResponses } from '../../http/problem.js'
import { KEY_ONLY, requireRole } from '../../plugins/auth.js'
import { noStore } from '../../plugins/caching.js'
import type { CommentsRepository } from './comments.repository.js'
import { BanCreateSchema, BanIdSchema, BanListSchema, BanSchema } from './comments.schemas.js'
import { MODERATORS } from './moderation.routes.js'

/** Banned commenters: their submissions are stored as spam, and told nothing of it. */
const routes: FastifyPluginAsyncTypebox<{ comments: CommentsRepository }> = async (app, { comments }) => {
  app.addHook('onRequest', async (request) => requireRole(request, MODERATORS))
  // Answers carry commenters' emails and addresses: no cache may keep them.
  app.addHook('onRequest', noStore)

  app.get('', {
    schema: {
      tags: ['comments'],
      operationId: 'listCommentBans',
      summary: 'List bans',
      description: 'Moderators and staff. Newest first.',
      security: KEY_ONLY,
      querystring: Type.Object(pageQuery, { additionalProperties: false }),
      response: { 200: ref(BanListSchema), ...problemResponses }
    }
  }, async (request) => {
    const page = pageOf(request.query)
    const { data, total, nextCursor } = await comments.bans.list(page)
    return { data, meta: metaOf(page, total, nextCursor) }
  })

  app.post('', {
    schema: {
      tags: ['comments'],
      operationId: 'createCommentBan',
      summary: 'Ban a commenter',
      description: 'Moderators and staff ban an email, a client address (an IPv6 address bans its /64), or both. Their later comments are stored as spam; the submitter is told `pending`, as everyone is.',
      security: KEY_ONLY,
      body: ref(BanCreateSchema),
      response: { 201: withHeaders(ref(BanSchema), { Location: ResponseHeaders.location }), ...problemResponses }
    }
  }, async (request, reply) => {
    const { email, ip, reason } = request.body
    if (email === undefined && ip === undefined) badRequest([{ path: '/body/email', message: 'an email or an ip is required' }])
    const ban = await comments.bans.create({
      email: email?.trim().toLowerCase() ?? null,
      ip: ip === undefined ? null : clientKey(ip),
      reason
    }, request.principal.keyId!)
    return reply.code(201).header('location', `/v1/comment-bans/${ban.id}`).send(ban)
  })

  app.delete('/:id', {
    schema: {
      tags: ['comments'],
      operationId: 'deleteCommentBan',
      summary: 'Lift a ban',
      description: 'Moderators and staff.',
      security: KEY_ONLY,
      params: Type.Object({ id: BanIdSchema }),
      response: { 204: Type.Null({ description: 'Lifted.' }), ...problemResponses }
    }
  }, async (request, reply) => {
    if (!(await comments.bans.remove(request.params.id))) notFound('ban', request.params.id)
    return reply.code(204).send(null)
  })
}

export default routes
