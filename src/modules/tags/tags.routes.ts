import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { idOnly, IdOrSlugSchema, ref } from '../../http/common.js'
import { parseFields, selectFields, selectFieldsOfPage, wholeOrFields } from '../../http/fields.js'
import { IfMatchHeaders, ResponseHeaders, withHeaders } from '../../http/headers.js'
import { metaOf, pageOf } from '../../http/pagination.js'
import { notFound, problemResponses } from '../../http/problem.js'
import { allow, KEY_ONLY, PUBLIC_OR_KEY, STAFF } from '../../plugins/auth.js'
import { answeredNotModified, etagOf, ifMatch } from '../../plugins/caching.js'
import type { TagsRepository } from './tags.repository.js'
import { TagCreateSchema, TagFieldsListSchema, TagFieldsSchema, TagGetQuerySchema, TagIdSchema, TagListQuerySchema, TagListSchema, TagSchema, TagUpdateSchema } from './tags.schemas.js'

const tagShapes = { whole: ref(TagSchema), fields: ref(TagFieldsSchema) }
const listShapes = { whole: ref(TagListSchema), fields: ref(TagFieldsListSchema) }

const routes: FastifyPluginAsyncTypebox<{ tags: TagsRepository }> = async (app, { tags }) => {
  app.get('', {
    schema: {
      tags: ['tags'],
      operationId: 'listTags',
      summary: 'List tags',
      description: 'Everyone may read tags.',
      security: PUBLIC_OR_KEY,
      querystring: TagListQuerySchema,
      response: { 200: wholeOrFields(listShapes.whole, listShapes.fields, 'A page of tags; with `fields`, each item has only the fields named, and `id`.'), ...problemResponses }
    }
  }, async (request, reply) => {
    const fields = parseFields(request.query.fields, TagSchema)
    const page = pageOf(request.query)
    const { data, total, nextCursor } = await tags.list(page, request.query.sort ?? 'name')
    return selectFieldsOfPage(reply, listShapes, fields, { data, meta: metaOf(page, total, nextCursor) })
  })

  app.get('/:idOrSlug', {
    schema: {
      tags: ['tags'],
      operationId: 'getTag',
      summary: 'Read a tag',
      description: 'By id (`tag_…`) or slug.',
      security: PUBLIC_OR_KEY,
      params: Type.Object({ idOrSlug: IdOrSlugSchema }),
      querystring: TagGetQuerySchema,
      response: { 200: withHeaders(wholeOrFields(tagShapes.whole, tagShapes.fields, 'The tag; with `fields`, only the fields named, and `id`.'), { 'Last-Modified': ResponseHeaders.lastModified }), ...problemResponses }
    }
  }, async (request, reply) => {
    const fields = parseFields(request.query.fields, TagSchema)
    const tag = await tags.find(request.params.idOrSlug) ?? notFound('tag', request.params.idOrSlug)
    reply.header('last-modified', new Date(tag.updatedAt).toUTCString())
    if (answeredNotModified(request, reply, etagOf(tag))) return reply.send()
    return selectFields(reply, tagShapes, fields, tag)
  })

  app.post('', {
    onRequest: allow(STAFF),
    schema: {
      tags: ['tags'],
      operationId: 'createTag',
      summary: 'Add a tag',
      description: 'Editors and admins. A slug that is given and taken is a 409; a slug made from the name gets `-2`, `-3`, … when taken.',
      security: KEY_ONLY,
      body: ref(TagCreateSchema),
      response: { 201: withHeaders(ref(TagSchema), { Location: ResponseHeaders.location, ETag: ResponseHeaders.etag }), ...problemResponses }
    }
  }, async (request, reply) => {
    const tag = await tags.create(request.body)
    return reply.code(201).header('location', `/v1/tags/${tag.id}`).header('etag', etagOf(tag)).send(tag)
  })

  app.patch('/:idOrSlug', {
    onRequest: allow(STAFF),
    schema: {
      tags: ['tags'],
      operationId: 'updateTag',
      summary: 'Change a tag',
      description: 'Editors and admins. Only the fields sent change.',
      security: KEY_ONLY,
      params: idOnly(TagIdSchema),
      headers: IfMatchHeaders,
      body: ref(TagUpdateSchema),
      response: { 200: withHeaders(ref(TagSchema), { ETag: ResponseHeaders.etag }), ...problemResponses }
    }
  }, async (request, reply) => {
    const tag = await tags.update(request.params.idOrSlug, request.body, ifMatch(request)) ?? notFound('tag', request.params.idOrSlug)
    return reply.header('etag', etagOf(tag)).send(tag)
  })

  app.delete('/:idOrSlug', {
    onRequest: allow(STAFF),
    schema: {
      tags: ['tags'],
      operationId: 'deleteTag',
      summary: 'Remove a tag',
      description: 'Editors and admins. The tag is taken off every article that carried it.',
      security: KEY_ONLY,
      params: idOnly(TagIdSchema),
      headers: IfMatchHeaders,
      response: { 204: Type.Null({ description: 'Removed.' }), ...problemResponses }
    }
  }, async (request, reply) => {
    if (!(await tags.remove(request.params.idOrSlug, ifMatch(request)))) notFound('tag', request.params.idOrSlug)
    return reply.code(204).send(null)
  })
}

export default routes
