import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Type, type TSchema } from 'typebox'
import { problemResponses } from '../http/problem.js'
import { PAGE_HEADERS } from './security-headers.js'

export interface OpenApiOptions {
  version: string
  /** Schemas with an `$id`, published as named components and referenced with `ref()`. */
  schemas: TSchema[]
}

type Responses = Record<string, { headers?: Record<string, { required?: boolean }> }>

function markHeadersRequired<T extends { paths?: object }> (document: T): T {
  for (const item of Object.values(document.paths ?? {}) as Record<string, { responses?: Responses }>[]) {
    for (const operation of Object.values(item)) {
      for (const response of Object.values(operation.responses ?? {})) {
        for (const header of Object.values(response.headers ?? {})) header.required = true
      }
    }
  }
  return document
}

/**
 * The OpenAPI 3.1 document is generated from the route schemas: components are
 * named by each shared schema's `$id`, and nothing in it depends on the
 * environment, so the committed `openapi/openapi.json` can be compared with it.
 */
async function openapi (app: FastifyInstance, options: OpenApiOptions) {
  for (const schema of options.schemas) app.addSchema(schema)

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Newsroom CMS API',
        version: options.version,
        license: { name: 'MIT', identifier: 'MIT' },
        contact: { name: 'The Newsroom CMS maintainers' },
        description: 'A headless CMS for news publishers: articles, authors and tags for web front ends and mobile apps, readers\' comments and their moderation, and the API keys that guard the newsroom\'s writes. Errors are RFC 9457 `application/problem+json`. Send a key as `Authorization: Bearer <key>`; without one you are the public.'
      },
      // The default local origin, so that the document does not depend on where it is served from
      // (written 127.0.0.1: linters take `localhost` for a placeholder left in by mistake).
      servers: [{ url: 'http://127.0.0.1:3000', description: 'A server run on its default settings (`npm start`); put your own origin here.' }],
      tags: [
        { name: 'articles', description: 'News articles, their rendering and publication.' },
        { name: 'authors', description: 'The people who sign articles.' },
        { name: 'tags', description: 'Topics that group articles.' },
        { name: 'comments', description: 'Readers\' comments, and their moderation.' },
        { name: 'feeds', description: 'RSS, Atom and JSON feeds, and sitemaps.' },
        { name: 'api-keys', description: 'Keys for the newsroom (admin only).' },
        { name: 'service', description: 'Health, readiness and this document.' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key made with `POST /v1/api-keys` or `cms keys create`.' }
        }
      }
    },
    // Every response header the routes declare is sent with every such answer.
    transformObject: (document) => markHeadersRequired('openapiObject' in document ? document.openapiObject : document.swaggerObject),
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) => (typeof json.$id === 'string' ? json.$id : `def-${index}`)
    }
  })

  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // No validator badge: it would load an image from swagger.io.
    uiConfig: { deepLinking: true, defaultModelsExpandDepth: 1, validatorUrl: null },
    // The only pages served: they get the security headers of documents.
    uiHooks: {
      onRequest: (_request, reply, done) => {
        reply.headers(PAGE_HEADERS)
        done()
      }
    },
    // Its own Content-Security-Policy: scripts, styles, fonts and images from here only (no remote
    // origin), and without upgrade-insecure-requests, which would break the page on plain HTTP.
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/ (validator\.swagger\.io|https:)/g, '').replace(/ ?upgrade-insecure-requests;?/, '')
  })

  app.get('/openapi.json', {
    schema: {
      tags: ['service'],
      operationId: 'getOpenApi',
      summary: 'This document',
      description: 'The OpenAPI 3.1 document of the API, as committed in the repository\'s `openapi/openapi.json`.',
      security: [],
      response: { 200: Type.Object({}, { additionalProperties: true, description: 'An OpenAPI 3.1 document.' }), ...problemResponses }
    }
  }, async () => app.swagger())
}

export default fp(openapi, { name: 'openapi' })
