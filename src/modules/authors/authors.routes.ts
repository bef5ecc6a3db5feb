import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { idOnly, IdOrSlugSchema, ref } from '../../http/common.js'
import { parseFields, selectFields, selectFieldsOfPage, wholeOrFields } from '../../http/fields.js'
import { IfMatchHeaders, ResponseHeaders, withHeaders } from '../../http/headers.js'
import { metaOf, pageOf } from '../../http/pagination.js'
import { conflict, notFound, problemResponses } from '../../http/problem.js'
import { allow, isStaff, KEY_ONLY, PUBLIC, PUBLIC_OR_KEY, STAFF, type Principal } from '../../plugins/auth.js'
import { answeredNotModified, etagOf, ifMatch } from '../../plugins/caching.js'
import type { AuthorsRepository } from './authors.repository.js'
import {
  type Author, AuthorCreateSchema, AuthorFieldsListSchema, AuthorFieldsSchema, AuthorGetQuerySchema, AuthorIdSchema, AuthorListQuerySchema, AuthorListSchema,
  AuthorSchema, AuthorUpdateSchema
} from './authors.schemas.js'

const authorShapes = { whole: ref(AuthorSchema), fields: ref(AuthorFieldsSchema) }
const listShapes = { whole: ref(AuthorListSchema), fields: ref(AuthorFieldsListSchema) }

/**
 * An author's ETag: the same for every caller, so a staff key's `If-Match`
 * works with a tag read without a key. It hashes the public fields only (an
 * email change moves `updatedAt`), so the tag tells nothing about the email.
 */
function authorEtag (author: Required<Author>): string {
  return etagOf(visibleTo(PUBLIC, author))
}

/** An author's email is for the newsroom's staff only. */
function visibleTo (principal: Principal, author: Required<Author>): Author {
  if (isStaff(principal)) return author
  const { email: _email, ...rest } = author
  return rest
}

const routes: FastifyPluginAsyncTypebox<{ authors: AuthorsRepository }> = async (app, { authors }) => {
  app.get('', {
    schema: {
      tags: ['authors'],
      operationId: 'listAuthors',
      summary: 'List authors',
      description: 'Everyone may read authors. `email` is present for editor and admin keys only.',
      security: PUBLIC_OR_KEY,
      querystring: AuthorListQuerySchema,
      response: { 200: wholeOrFields(listShapes.whole, listShapes.fields, 'A page of authors; with `fields`, each item has only the fields named, and `id`.'), ...problemResponses }
    }
  }, async (request, reply) => {
    const fields = parseFields(request.query.fields, AuthorSchema)
    const page = pageOf(request.query)
    const { data, total, nextCursor } = await authors.list(page, request.query.sort ?? 'name')
    const visible = data.map((author) => visibleTo(request.principal, author))
    return selectFieldsOfPage(reply, listShapes, fields, { data: visible, meta: metaOf(page, total, nextCursor) })
  })

  app.get('/:idOrSlug', {
    schema: {
      tags: ['authors'],
      operationId: 'getAuthor',
      summary: 'Read an author',
      description: 'By id (`aut_…`) or slug.',
      security: PUBLIC_OR_KEY,
      params: Type.Object({ idOrSlug: IdOrSlugSchema }),
      querystring: AuthorGetQuerySchema,
      response: { 200: withHeaders(wholeOrFields(authorShapes.whole, authorShapes.fields, 'The author; with `fields`, only the fields named, and `id`.'), { 'Last-Modified': ResponseHeaders.lastModified }), ...problemResponses }
    }
  }, async (request, reply) => {
    const fields = parseFields(request.query.fields, AuthorSchema)
    const author = await authors.find(request.params.idOrSlug) ?? notFound('author', request.params.idOrSlug)
    reply.header('last-modified', new Date(author.updatedAt).toUTCString())
    if (answeredNotModified(request, reply, authorEtag(author))) return reply.send()
    return selectFields(reply, authorShapes, fields, visibleTo(request.principal, author))
  })

  app.post('', {
    onRequest: allow(STAFF),
    schema: {
      tags: ['authors'],
      operationId: 'createAuthor',
      summary: 'Add an author',
      description: 'Editors and admins. A slug that is given and taken is a 409; a slug made from the name gets `-2`, `-3`, … when taken.',
      security: KEY_ONLY,
      body: ref(AuthorCreateSchema),
      response: { 201: withHeaders(ref(AuthorSchema), { Location: ResponseHeaders.location, ETag: ResponseHeaders.etag }), ...problemResponses }
    }
  }, async (request, reply) => {
    const author = await authors.create(request.body)
    return reply.code(201).header('location', `/v1/authors/${author.id}`).header('etag', authorEtag(author)).send(author)
  })

  app.patch('/:idOrSlug', {
    onRequest: allow(STAFF),
    schema: {
      tags: ['authors'],
      operationId: 'updateAuthor',
      summary: 'Change an author',
      description: 'Editors and admins. Only the fields sent change; `null` clears an optional one.',
      security: KEY_ONLY,
      params: idOnly(AuthorIdSchema),
      headers: IfMatchHeaders,
      body: ref(AuthorUpdateSchema),
      response: { 200: withHeaders(ref(AuthorSchema), { ETag: ResponseHeaders.etag }), ...problemResponses }
    }
  }, async (request, reply) => {
    const author = await authors.update(request.params.idOrSlug, request.body, ifMatch(request, authorEtag)) ?? notFound('author', request.params.idOrSlug)
    return reply.header('etag', authorEtag(author)).send(author)
  })

  app.delete('/:idOrSlug', {
    onRequest: allow(STAFF),
    schema: {
      tags: ['authors'],
      operationId: 'deleteAuthor',
      summary: 'Remove an author',
      description: 'Editors and admins. An author who still signs articles (in any status) cannot be removed: 409.',
      security: KEY_ONLY,
      params: idOnly(AuthorIdSchema),
      headers: IfMatchHeaders,
      response: { 204: Type.Null({ description: 'Removed.' }), ...problemResponses }
    }
  }, async (request, reply) => {
    const outcome = await authors.remove(request.params.idOrSlug, ifMatch(request, authorEtag))
    if (outcome === 'missing') notFound('author', request.params.idOrSlug)
    if (outcome === 'has-articles') conflict('This author still signs articles: reassign or delete them first.')
    return reply.code(204).send(null)
  })
}

export default routes
