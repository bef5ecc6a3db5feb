import { readFileSync } from 'node:fs'
import type { Socket } from 'node:net'
import compress from '@fastify/compress'
import cors from '@fastify/cors'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyReply, type FastifyServerOptions } from 'fastify'
import { type Clock, systemClock } from './clock.js'
import { trustProxyOf, type Config } from './config.js'
import type { Db } from './db/client.js'
import { changeWatch } from './db/change-watch.js'
import { countersPathFor, openCounters, rateWindows } from './db/counters.js'
import { readCache } from './db/read-cache.js'
import { PageMetaSchema } from './http/pagination.js'
import { ProblemSchema } from './http/problem.js'
import { apiKeysRepository } from './modules/api-keys/api-keys.repository.js'
import apiKeyRoutes from './modules/api-keys/api-keys.routes.js'
import { ApiKeyCreatedSchema, ApiKeyCreateSchema, ApiKeyListSchema, ApiKeySchema } from './modules/api-keys/api-keys.schemas.js'
import { articlesRepository } from './modules/articles/articles.repository.js'
import { scheduledPublishing } from './modules/articles/articles.publication.js'
import articleRoutes from './modules/articles/articles.routes.js'
import tombstoneRoutes from './modules/articles/tombstones.routes.js'
import {
  ArticleCreateSchema, ArticleFieldsListSchema, ArticleFieldsSchema, ArticleListSchema, ArticleSchema, ArticleSummarySchema, ArticleUpdateSchema, AuthorRefSchema,
  FeaturedImageSchema, RelatedArticlesSchema, TagRefSchema, TombstoneListSchema
} from './modules/articles/articles.schemas.js'
import { authorsRepository } from './modules/authors/authors.repository.js'
import authorRoutes from './modules/authors/authors.routes.js'
import { AuthorCreateSchema, AuthorFieldsListSchema, AuthorFieldsSchema, AuthorListSchema, AuthorSchema, AuthorUpdateSchema } from './modules/authors/authors.schemas.js'
import healthRoutes, { HealthSchema } from './modules/health/health.routes.js'
import bansRoutes from './modules/comments/bans.routes.js'
import { commentsRepository } from './modules/comments/comments.repository.js'
import commentRoutes from './modules/comments/comments.routes.js'
import {
  BanCreateSchema, BanListSchema, BanSchema, BulkResultSchema, BulkStatusChangeSchema, CommentHistoryEntrySchema, CommentSubmitSchema,
  CountsByStatusSchema, ErasureResultSchema, ErasureSchema, ModeratedCommentFieldsListSchema, ModeratedCommentFieldsSchema, ModeratedCommentListSchema,
  ModeratedCommentSchema, PublicCommentFieldsListSchema, PublicCommentFieldsSchema, PublicCommentListSchema, PublicCommentSchema, StatusChangeSchema, SubmittedCommentSchema
} from './modules/comments/comments.schemas.js'
import moderationRoutes from './modules/comments/moderation.routes.js'
import feedRoutes from './modules/feeds/feeds.routes.js'
import sitemapRoutes from './modules/feeds/sitemaps.routes.js'
import { JsonFeedSchema } from './modules/feeds/feeds.schemas.js'
import { tagsRepository } from './modules/tags/tags.repository.js'
import tagRoutes from './modules/tags/tags.routes.js'
import { TagCreateSchema, TagFieldsListSchema, TagFieldsSchema, TagListSchema, TagSchema, TagUpdateSchema } from './modules/tags/tags.schemas.js'
import auth from './plugins/auth.js'
import caching, { tidyVary } from './plugins/caching.js'
import errors from './plugins/errors.js'
import hostCheck from './plugins/host.js'
import openapi from './plugins/openapi.js'
import overload from './plugins/overload.js'
import securityHeaders from './plugins/security-headers.js'
import strictQuery, { compiledSchemas, schemaControllerOf, type CompiledSchemas } from './plugins/validation.js'

export interface Lifecycle {
  /** Set when the process starts shutting down: from then on every request, readiness included, is a 503. */
  shuttingDown: boolean
}

export interface AppOptions {
  config: Config
  db: Db
  clock?: Clock
  logger?: FastifyServerOptions['logger']
  lifecycle?: Lifecycle
  /** Validators and serializers already compiled, to share with other apps of this process (tests build hundreds). */
  compiled?: CompiledSchemas
}

// How often Node looks for requests past their timeout: a slow client is cut at most this long after it.
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000

// Node's HTTP parser's errors that are not a plain 400: status, title and detail.
const CLIENT_ERRORS: Readonly<Record<string, readonly [number, string, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'The request could not be read.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'The request did not arrive whole in time.']
}

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

/** Shared schemas, published as named OpenAPI components; an embedded schema comes before those that refer to it. */
const SCHEMAS = [
  ProblemSchema, PageMetaSchema, HealthSchema,
  AuthorSchema, AuthorCreateSchema, AuthorUpdateSchema, AuthorListSchema, AuthorFieldsSchema, AuthorFieldsListSchema,
  TagSchema, TagCreateSchema, TagUpdateSchema, TagListSchema, TagFieldsSchema, TagFieldsListSchema,
  AuthorRefSchema, TagRefSchema, FeaturedImageSchema,
  ArticleSchema, ArticleSummarySchema, ArticleCreateSchema, ArticleUpdateSchema, ArticleListSchema, RelatedArticlesSchema, TombstoneListSchema,
  ArticleFieldsSchema, ArticleFieldsListSchema,
  ApiKeySchema, ApiKeyCreatedSchema, ApiKeyCreateSchema, ApiKeyListSchema,
  PublicCommentSchema, SubmittedCommentSchema, CommentSubmitSchema, PublicCommentListSchema, PublicCommentFieldsSchema, PublicCommentFieldsListSchema, CommentHistoryEntrySchema,
  ModeratedCommentSchema, CountsByStatusSchema, ModeratedCommentListSchema, ModeratedCommentFieldsSchema, ModeratedCommentFieldsListSchema, StatusChangeSchema, BulkStatusChangeSchema,
  BulkResultSchema, ErasureSchema, ErasureResultSchema, BanSchema, BanCreateSchema, BanListSchema,
  JsonFeedSchema
]

/**
 * The whole application, over a database that is already open and migrated.
 * Tests, scripts and the server all build it here; nothing in it reads the environment.
 */
export async function buildApp ({ config, db, clock = systemClock, logger = false, lifecycle = { shuttingDown: false }, compiled = compiledSchemas() }: AppOptions) {
  const app = Fastify({
    logger,
    schemaController: schemaControllerOf(compiled),
    trustProxy: trustProxyOf(config),
    bodyLimit: 1024 * 1024,
    // Shutting down is answered below, as a problem with Retry-After, rather than by Fastify's bare 503.
    return503OnClosing: false,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    // Node cuts a request that has not arrived whole only when it checks (every 30 s by default), and one whose
    // headers have not at 60 s whatever `requestTimeout` says: the headers are part of the request, and a check
    // each second keeps a slow client's cut within a second of the setting.
    http: {
      requestTimeout: config.REQUEST_TIMEOUT_MS,
      headersTimeout: config.REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS
    },
    // A request Node's HTTP parser refuses (headers or URL too large, broken framing, too slow to arrive) never
    // reaches Fastify: answer it as a problem too.
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
      if (!socket.writable) return
      const [status, title, detail] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'Bad Request', 'The request could not be read.']
      const body = JSON.stringify({ type: 'about:blank', title, status, detail })
      socket.end(`HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
    },
    // A URL that cannot be decoded never reaches a route, nor the hooks: answer it as a problem too, not to be cached.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      reply.code(400).header('cache-control', 'no-store').type('application/problem+json').send({ type: 'about:blank', title: 'Bad Request', status: 400, detail: error.message })
    },
    // A 200-character slug in a non-Latin script is up to 1,600 bytes once percent-encoded.
    routerOptions: { maxParamLength: 2048 }
  }).withTypeProvider<TypeBoxTypeProvider>()

  // The API speaks JSON only: any other body, text/plain included, is a 415.
  app.removeContentTypeParser('text/plain')

  const keys = apiKeysRepository(db, clock)
  const authors = authorsRepository(db, clock)
  const tags = tagsRepository(db, clock)
  const articles = articlesRepository(db, clock, config)
  const comments = commentsRepository(db, clock)
  // Beside the database file, whichever opened it: the counters are shared by every process on that file.
  const counters = openCounters(db.$client.memory ? ':memory:' : countersPathFor(db.$client.name))
  const watch = changeWatch(db)
  const cache = readCache(watch, config.READ_CACHE_MB * 1024 * 1024)
  const publishDue = scheduledPublishing(articles, watch, clock)

  app.addHook('onClose', async () => {
    counters.close()
    db.$client.close()
  })

  await app.register(errors)
  await app.register(hostCheck)
  // Once shutting down, what still arrives on an open connection is sent elsewhere: 503, and the connection closes.
  app.addHook('onRequest', async (_request, reply) => {
    if (!lifecycle.shuttingDown) return
    return reply.code(503).header('connection', 'close').header('retry-after', '5').type('application/problem+json').send({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'The server is shutting down: retry, another instance will answer.'
    })
  })
  if (config.OVERLOAD_EVENT_LOOP_DELAY_MS > 0) await app.register(overload, { maxEventLoopDelay: config.OVERLOAD_EVENT_LOOP_DELAY_MS })
  // An API answers JSON, never pages: nothing may be framed, sniffed or load anything.
  await app.register(securityHeaders)
  await app.register(strictQuery)
  // Caching sees each body before compression does, so an answer has one ETag however it is encoded;
  // and it declares what it sends on every route registered after it, the OpenAPI document's own included.
  await app.register(caching, { config })
  await app.register(openapi, { version, schemas: SCHEMAS })
  await app.register(auth, { keys })
  await app.register(compress, { threshold: 1024 })
  // @fastify/compress sends from each route's own onSend hook, after every global one: tidy Vary after it.
  app.addHook('onRoute', (route) => { route.onSend = [...[route.onSend ?? []].flat(), tidyVary] })
  await app.register(cors, {
    origin: config.CORS_ORIGINS.trim() === '*' ? '*' : config.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter((origin) => origin !== ''),
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match'],
    // An OPTIONS without the preflight headers is answered like any other, not with a plain-text 400.
    strictPreflight: false,
    exposedHeaders: ['ETag', 'Location', 'Retry-After'],
    maxAge: 600
  })
  // Whether the database changed, asked once per request; then scheduled articles go live before anything is read.
  app.addHook('onRequest', async () => {
    watch.poll()
    await publishDue()
  })

  await app.register(healthRoutes, { db })
  await app.register(async (v1) => {
    await v1.register(articleRoutes, { prefix: '/articles', articles, authors, tags, clock, cache })
    await v1.register(commentRoutes, { prefix: '/articles', comments, articles, rateWindows: rateWindows(counters, clock), clock, config })
    await v1.register(moderationRoutes, { prefix: '/comments', comments })
    await v1.register(bansRoutes, { prefix: '/comment-bans', comments })
    await v1.register(tombstoneRoutes, { prefix: '/tombstones', articles })
    await v1.register(feedRoutes, { articles, clock, config })
    await v1.register(sitemapRoutes, { articles, config })
    await v1.register(authorRoutes, { prefix: '/authors', authors })
    await v1.register(tagRoutes, { prefix: '/tags', tags })
    await v1.register(apiKeyRoutes, { prefix: '/api-keys', keys, authors })
  }, { prefix: '/v1' })

  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
