import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Clock } from '../../clock.js'
import { randomText } from '../../db/ids.js'
import type { ReadCache } from '../../db/read-cache.js'
import { fromIso, idOnly, IdOrSlugSchema, ref } from '../../http/common.js'
import { parseFields, selectFields, selectFieldsOfPage, wholeOrFields } from '../../http/fields.js'
import { IfMatchHeaders, ResponseHeaders, withHeaders } from '../../http/headers.js'
import { metaOf, pageOf } from '../../http/pagination.js'
import { badRequest, forbidden, notFound, problemResponses, unauthorized } from '../../http/problem.js'
import { allow, isStaff, KEY_ONLY, PUBLIC_OR_KEY, STAFF, type Principal } from '../../plugins/auth.js'
import { answeredNotModified, etagOf, ifMatch, type Precondition } from '../../plugins/caching.js'
import type { AuthorsRepository } from '../authors/authors.repository.js'
import type { TagsRepository } from '../tags/tags.repository.js'
import { MAX_SLUG_LENGTH, slugify } from '../../text/slug.js'
import { isLive, resolvePublication } from './articles.publication.js'
import { currentLocation } from './moved.js'
import type { ArticleFilter, ArticlesRepository } from './articles.repository.js'
import {
  ArticleCreateSchema, ArticleFieldsListSchema, ArticleFieldsSchema, ArticleGetQuerySchema, ArticleIdSchema, ArticleListQuerySchema, ArticleListSchema,
  ArticleSchema, ArticleUpdateSchema, RelatedArticlesSchema, RelatedQuerySchema, type Article, type ArticleListQuery
} from './articles.schemas.js'

interface Options {
  articles: ArticlesRepository
  authors: AuthorsRepository
  tags: TagsRepository
  clock: Clock
  cache: ReadCache
}

/**
 * An article as the cache keeps it: with its ETag, and its JSON once it has
 * been serialised whole, as UTF-8 bytes ready to send (French text would
 * otherwise be encoded again for every answer).
 */
interface KeptArticle {
  article: Article
  etag: string
  json?: Buffer
}

/** A page of a list as the cache keeps it: serialised to UTF-8 bytes, with its ETag. */
interface KeptPage {
  json: Buffer
  etag: string
}

const JSON_TYPE = 'application/json; charset=utf-8'

const WRITERS = ['author', ...STAFF] as const
const PROVISIONAL_SUFFIX_LENGTH = 6

/** A slug made from the title and random characters (30 bits): whether it is free says nothing of any other article. */
function provisionalSlug (title: string): string {
  const suffix = `-${randomText(PROVISIONAL_SUFFIX_LENGTH)}`
  return (slugify(title, MAX_SLUG_LENGTH - suffix.length) || 'article') + suffix
}

const articleShapes = { whole: ref(ArticleSchema), fields: ref(ArticleFieldsSchema) }
const listShapes = { whole: ref(ArticleListSchema), fields: ref(ArticleFieldsListSchema) }

const routes: FastifyPluginAsyncTypebox<Options> = async (app, { articles, authors, tags, clock, cache }) => {
  /** The article at this id or slug, from the read cache while the database is unchanged. */
  async function lookUp (idOrSlug: string): Promise<KeptArticle | undefined> {
    const key = `article:${idOrSlug}`
    const now = clock.now()
    const kept = cache.get<KeptArticle>(key, now)
    if (kept !== undefined) return kept
    const stamp = cache.stamp()
    const article = await articles.find(idOrSlug)
    if (article === undefined) return undefined
    const fresh: KeptArticle = { article, etag: etagOf(article) }
    // Markdown and HTML as strings (up to two bytes a character), then again in the JSON's bytes once sent: four a character, with room to spare.
    cache.set(key, { value: fresh, bytes: 4 * (article.body.length + article.bodyHtml.length) + 4096, readAt: now, validUntil: Infinity }, stamp)
    return fresh
  }

  /** Which articles a list may show this caller, from its role and the `status` it asked for. */
  function scopeOf (request: FastifyRequest, status: ArticleListQuery['status']): ArticleFilter {
    const { principal } = request
    if (isStaff(principal)) return status === undefined ? {} : { status }
    if (status === undefined || status === 'published') return { publicAt: clock.now() }
    if (principal.role === 'public') unauthorized(`Listing ${status} articles needs an API key.`)
    if (principal.role === 'author' && status === 'draft') return { status, authorId: principal.authorId ?? '' }
    return forbidden(`A key with the role "${principal.role}" may not list ${status} articles.`)
  }

  /**
   * An author key may write only its own drafts. Another author's draft does
   * not exist for it (404); what it can see but not change is a 403.
   */
  function checkWriteAccess (principal: Principal, id: string, state: { status: string, publishedAt: string | number | null, authorId: string }) {
    if (principal.role !== 'author') return
    const own = state.authorId === principal.authorId
    if (!own) return isLive(state, clock.now()) ? forbidden('An author key may change its own drafts only.') : notFound('article', id)
    if (state.status !== 'draft') forbidden(`An author key may not change its own ${state.status} article.`)
  }

  /** The article's state before a write, once this caller may write it (answering early, before any work). */
  async function authorizeWrite (request: FastifyRequest, id: string) {
    const state = await articles.findState(id) ?? notFound('article', id)
    checkWriteAccess(request.principal, id, state)
    return state
  }

  /**
   * The write's own checks, run on the article as it is inside the write's transaction: the author rule again (an
   * editor may have published the draft since `authorizeWrite` read it), and `If-Match`.
   */
  function preconditionsOf (request: FastifyRequest, id: string): Precondition<Article> | undefined {
    const matches = ifMatch<Article>(request)
    if (request.principal.role !== 'author') return matches
    return (current) => {
      checkWriteAccess(request.principal, id, { status: current.status, publishedAt: current.publishedAt, authorId: current.author.id })
      matches?.(current)
    }
  }

  /**
   * An author key writes drafts only: another status, a publication date or a slug is an editor's call. (A slug is
   * unique among all articles, so one an author key could choose would tell it whether a draft or an embargoed story it
   * cannot see has that slug.)
   */
  function checkAuthorPublication (request: FastifyRequest, body: { status?: string | undefined, publishedAt?: string | null | undefined, slug?: string | undefined }) {
    if (request.principal.role !== 'author') return
    if (body.status !== undefined && body.status !== 'draft') forbidden('An author key may only write drafts.')
    if (body.publishedAt !== undefined) forbidden('An author key may not set publishedAt.')
    if (body.slug !== undefined) forbidden('An author key may not set a slug: an editor chooses it when publishing.')
  }

  async function checkReferences (authorId: string | undefined, tagIds: readonly string[] | undefined) {
    const errors = []
    if (authorId !== undefined && !(await authors.exists(authorId))) errors.push({ path: '/body/authorId', message: 'names no author' })
    const unknownTags = await tags.missing(tagIds ?? [])
    for (const tagId of unknownTags) errors.push({ path: `/body/tagIds/${(tagIds ?? []).indexOf(tagId)}`, message: 'names no tag' })
    if (errors.length > 0) badRequest(errors)
  }

  /**
   * The article, if this caller may read it: the public sees it once live; staff
   * always; an author key its own drafts (its own scheduled article is a 403).
   * Anything else does not exist for the caller: 404.
   */
  async function readable (request: FastifyRequest, idOrSlug: string) {
    let kept = await lookUp(idOrSlug)
    // An old slug still finds its article, whose current slug the caller is sent to.
    const movedTo = kept === undefined ? await articles.currentSlugFor(idOrSlug) : undefined
    if (movedTo !== undefined) kept = await lookUp(movedTo)
    if (kept === undefined) return notFound('article', idOrSlug)
    const { article } = kept
    const { principal } = request
    if (!isLive(article, clock.now()) && !isStaff(principal)) {
      const own = principal.role === 'author' && article.author.id === principal.authorId
      if (!own) notFound('article', idOrSlug)
      if (article.status !== 'draft') forbidden(`An author key may not read its own ${article.status} article before it is published.`)
    }
    return { kept, movedTo }
  }

  app.get('', {
    schema: {
      tags: ['articles'],
      operationId: 'listArticles',
      summary: 'List articles',
      description: 'The public sees published articles whose `publishedAt` has passed. Items leave out `body` and `bodyHtml` unless `fields` names them.',
      security: PUBLIC_OR_KEY,
      querystring: ArticleListQuerySchema,
      response: { 200: wholeOrFields(listShapes.whole, listShapes.fields, 'A page of articles; with `fields`, each item has only the fields named, and `id`.'), ...problemResponses }
    }
  }, async (request, reply) => {
    const { query } = request
    const fields = parseFields(query.fields, ArticleSchema)
    const page = pageOf(query)
    const filter: ArticleFilter = {
      ...scopeOf(request, query.status),
      ...(query.tag === undefined ? {} : { tagSlug: query.tag }),
      ...(query.author === undefined ? {} : { authorSlug: query.author }),
      ...(query.publishedAfter === undefined ? {} : { publishedAfter: fromIso(query.publishedAfter) }),
      ...(query.publishedBefore === undefined ? {} : { publishedBefore: fromIso(query.publishedBefore) }),
      ...(query.updatedAfter === undefined ? {} : { updatedAfter: fromIso(query.updatedAfter) })
    }
    if (query.q !== undefined) filter.q = query.q
    const order = query.sort ?? (query.q === undefined ? '-publishedAt' : 'relevance')
    if (order === 'relevance' && page.cursor !== undefined) {
      badRequest([{ path: '/querystring/cursor', message: 'paging by relevance is by offset: use offset, or give a sort' }])
    }
    // The public's whole pages are kept in the read cache, serialised: what most requests of a busy site are.
    const cacheKey = request.principal.role === 'public' && fields === undefined ? `articles:${request.url}` : undefined
    const now = clock.now()
    const kept = cacheKey === undefined ? undefined : cache.get<KeptPage>(cacheKey, now)
    if (kept !== undefined) return reply.header('etag', kept.etag).type(JSON_TYPE).send(kept.json)
    const stamp = cache.stamp()
    const withBody = fields !== undefined && (fields.has('body') || fields.has('bodyHtml'))
    const { data, total, nextCursor, totalIsEstimate } = await articles.list(filter, order, page, { withBody })
    const answer = selectFieldsOfPage(reply, listShapes, fields, { data, meta: metaOf(page, total, nextCursor, totalIsEstimate) })
    if (cacheKey === undefined || !cache.enabled) return answer
    const json = Buffer.from(reply.serialize(answer) as string)
    const fresh: KeptPage = { json, etag: etagOf(json) }
    cache.set(cacheKey, { value: fresh, bytes: json.length + 512, readAt: now, validUntil: await articles.nextPublicChange(now) }, stamp)
    return reply.header('etag', fresh.etag).type(JSON_TYPE).send(json)
  })

  app.get('/:idOrSlug', {
    schema: {
      tags: ['articles'],
      operationId: 'getArticle',
      summary: 'Read an article',
      description: 'By id (`art_…`) or slug; an old slug answers 301 to the current one. Answers carry an `ETag` and `Last-Modified`. What the caller may not see is a 404: a draft for the public, another author\'s draft for an author key. An author key reading its own scheduled article gets a 403.',
      security: PUBLIC_OR_KEY,
      params: Type.Object({ idOrSlug: IdOrSlugSchema }),
      querystring: ArticleGetQuerySchema,
      response: {
        200: withHeaders(wholeOrFields(articleShapes.whole, articleShapes.fields, 'The article; with `fields`, only the fields named, and `id`.'), { 'Last-Modified': ResponseHeaders.lastModified }),
        301: Type.Null({ description: 'The article\'s slug changed: `Location` holds its current address.', headers: { Location: ResponseHeaders.location } }),
        ...problemResponses
      }
    }
  }, async (request, reply) => {
    const { idOrSlug } = request.params
    const fields = parseFields(request.query.fields, ArticleSchema)
    const { kept, movedTo } = await readable(request, idOrSlug)
    if (movedTo !== undefined) return reply.code(301).header('location', currentLocation(request.url, movedTo)).send()
    reply.header('last-modified', new Date(kept.article.updatedAt).toUTCString())
    if (answeredNotModified(request, reply, kept.etag)) return reply.send()
    if (fields !== undefined) return selectFields(reply, articleShapes, fields, kept.article)
    kept.json ??= Buffer.from(reply.compileSerializationSchema(articleShapes.whole as unknown as Record<string, unknown>)(kept.article))
    return reply.type(JSON_TYPE).send(kept.json)
  })

  app.get('/:idOrSlug/related', {
    schema: {
      tags: ['articles'],
      operationId: 'listRelatedArticles',
      summary: 'Related articles',
      description: 'Published articles ranked by how many tags they share with this one, the newest first among equals; never the article itself, never one sharing no tag. At an old slug, a 301 to the same list under the current one.',
      security: PUBLIC_OR_KEY,
      params: Type.Object({ idOrSlug: IdOrSlugSchema }),
      querystring: RelatedQuerySchema,
      response: {
        200: ref(RelatedArticlesSchema),
        301: Type.Null({ description: 'The article\'s slug changed: `Location` holds this list\'s current address.', headers: { Location: ResponseHeaders.location } }),
        ...problemResponses
      }
    }
  }, async (request, reply) => {
    const { kept, movedTo } = await readable(request, request.params.idOrSlug)
    if (movedTo !== undefined) return reply.code(301).header('location', currentLocation(request.url, movedTo, '/related')).send()
    return { data: await articles.related(kept.article.id, request.query.limit ?? 3) }
  })

  app.post('', {
    onRequest: allow(WRITERS),
    schema: {
      tags: ['articles'],
      operationId: 'createArticle',
      summary: 'Write an article',
      description: 'Authors (as their own author, drafts only), editors and admins.',
      security: KEY_ONLY,
      body: ref(ArticleCreateSchema),
      response: { 201: withHeaders(ref(ArticleSchema), { Location: ResponseHeaders.location, ETag: ResponseHeaders.etag }), ...problemResponses }
    }
  }, async (request, reply) => {
    const { body } = request
    const { principal } = request
    checkAuthorPublication(request, body)
    if (principal.role === 'author' && body.authorId !== undefined && body.authorId !== principal.authorId) {
      forbidden('An author key writes as its own author only.')
    }
    const authorId = body.authorId ?? principal.authorId ?? badRequest([{ path: '/body/authorId', message: 'is required' }])
    await checkReferences(authorId, body.tagIds)
    const publication = resolvePublication({
      status: body.status ?? 'draft',
      publishedAt: body.publishedAt == null ? null : fromIso(body.publishedAt)
    }, clock.now())
    const article = await articles.create({
      title: body.title,
      body: body.body,
      authorId,
      // An author key's draft gets a provisional slug that depends on no other article (see checkAuthorPublication).
      slug: principal.role === 'author' ? provisionalSlug(body.title) : body.slug,
      excerpt: body.excerpt,
      publication,
      tagIds: body.tagIds ?? [],
      commentsOpen: body.commentsOpen ?? true,
      featuredImage: body.featuredImage ?? null
    })
    return reply.code(201).header('location', `/v1/articles/${article.id}`).header('etag', etagOf(article)).send(article)
  })

  app.patch('/:idOrSlug', {
    onRequest: allow(WRITERS),
    schema: {
      tags: ['articles'],
      operationId: 'updateArticle',
      summary: 'Change an article',
      description: 'Only the fields sent change. An author key may change its own drafts only, and keep them drafts. With `If-Match` (an ETag from a GET of this article), a 412 when it changed meanwhile. The answer carries the new `ETag`.',
      security: KEY_ONLY,
      params: idOnly(ArticleIdSchema),
      headers: IfMatchHeaders,
      body: ref(ArticleUpdateSchema),
      response: { 200: withHeaders(ref(ArticleSchema), { ETag: ResponseHeaders.etag }), ...problemResponses }
    }
  }, async (request, reply) => {
    const { idOrSlug: id } = request.params
    const { body } = request
    const state = await authorizeWrite(request, id)
    checkAuthorPublication(request, body)
    if (request.principal.role === 'author' && body.authorId !== undefined && body.authorId !== request.principal.authorId) {
      forbidden('An author key writes as its own author only.')
    }
    await checkReferences(body.authorId, body.tagIds)
    const now = clock.now()
    // Publishing a scheduled article without a date publishes it now, as publishing anything without a date does.
    const publishesEarly = body.status === 'published' && body.publishedAt === undefined && state.publishedAt !== null && state.publishedAt > now
    const publication = body.status === undefined && body.publishedAt === undefined
      ? undefined
      : resolvePublication({
        status: body.status ?? state.status,
        publishedAt: body.publishedAt === undefined ? (publishesEarly ? null : state.publishedAt) : body.publishedAt === null ? null : fromIso(body.publishedAt)
      }, now)
    const { status: _status, publishedAt: _publishedAt, ...changes } = body
    const updated = await articles.update(id, { ...changes, publication }, preconditionsOf(request, id)) ?? notFound('article', id)
    return reply.header('etag', etagOf(updated)).send(updated)
  })

  app.delete('/:idOrSlug', {
    onRequest: allow(WRITERS),
    schema: {
      tags: ['articles'],
      operationId: 'deleteArticle',
      summary: 'Delete an article',
      description: 'Editors and admins; an author key deletes its own drafts only. With `If-Match`, a 412 when the article changed since it was read.',
      security: KEY_ONLY,
      params: idOnly(ArticleIdSchema),
      headers: IfMatchHeaders,
      response: { 204: Type.Null({ description: 'Deleted.' }), ...problemResponses }
    }
  }, async (request, reply) => {
    const { idOrSlug: id } = request.params
    await authorizeWrite(request, id)
    if (!(await articles.remove(id, preconditionsOf(request, id)))) notFound('article', id)
    return reply.code(204).send(null)
  })
}

export default routes
