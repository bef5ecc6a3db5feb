import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ref } from '../../http/common.js'
import { ResponseHeaders, withHeaders } from '../../http/headers.js'
import { metaOf, pageOf, pageQuery } from '../../http/pagination.js'
import { badRequest, notFound, problemResponses } from '../../http/problem.js'
import { KEY_ONLY, requireRole } from '../../plugins/auth.js'
import { noStore } from '../../plugins/caching.js'
import type { AuthorsRepository } from '../authors/authors.repository.js'
import type { ApiKeysRepository } from './api-keys.repository.js'
import { ApiKeyCreatedSchema, ApiKeyCreateSchema, ApiKeyListSchema, KeyIdSchema } from './api-keys.schemas.js'

const routes: FastifyPluginAsyncTypebox<{ keys: ApiKeysRepository, authors: AuthorsRepository }> = async (app, { keys, authors }) => {
  app.addHook('onRequest', async (request) => requireRole(request, ['admin']))

  app.post('', {
    // The answer holds the secret.
    onRequest: noStore,
    schema: {
      tags: ['api-keys'],
      operationId: 'createApiKey',
      summary: 'Make an API key',
      description: 'Admin only. The answer holds the secret `key`, shown this once: only its hash is stored.',
      security: KEY_ONLY,
      body: ref(ApiKeyCreateSchema),
      response: { 201: withHeaders(ref(ApiKeyCreatedSchema), { Location: ResponseHeaders.location }), ...problemResponses }
    }
  }, async (request, reply) => {
    const { name, role, authorId } = request.body
    // The schema already requires `authorId` for the author role and refuses it for the others.
    if (authorId !== undefined && !(await authors.exists(authorId))) badRequest([{ path: '/body/authorId', message: 'names no author' }])
    const created = await keys.create({ name, role, authorId })
    return reply.code(201).header('location', `/v1/api-keys/${created.id}`).send(created)
  })

  app.get('', {
    schema: {
      tags: ['api-keys'],
      operationId: 'listApiKeys',
      summary: 'List API keys',
      description: 'Admin only. Every key, revoked ones included, newest first, without secrets.',
      security: KEY_ONLY,
      querystring: Type.Object(pageQuery, { additionalProperties: false }),
      response: { 200: ref(ApiKeyListSchema), ...problemResponses }
    }
  }, async (request) => {
    const page = pageOf(request.query)
    const { data, total, nextCursor } = await keys.list(page)
    return { data, meta: metaOf(page, total, nextCursor) }
  })

  app.delete('/:id', {
    schema: {
      tags: ['api-keys'],
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key',
      description: 'Admin only. Revokes at once: the next request with this key is a 401.',
      security: KEY_ONLY,
      params: Type.Object({ id: KeyIdSchema }),
      response: { 204: Type.Null({ description: 'Revoked.' }), ...problemResponses }
    }
  }, async (request, reply) => {
    if (!(await keys.revoke(request.params.id))) notFound('API key', request.params.id)
    return reply.code(204).send(null)
  })
}

export default routes
