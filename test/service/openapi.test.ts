import { readFile } from 'node:fs/promises'
import SwaggerParser from '@apidevtools/swagger-parser'
import t from 'tap'
import { generateOpenApi } from '../../src/openapi-document.js'
import { build } from '../helper.js'

type Operation = { operationId?: string, tags?: string[], summary?: string, description?: string, responses?: Record<string, unknown>, security?: unknown }

t.test('the committed openapi/openapi.json is what the code generates', async (t) => {
  const committed = await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')
  t.equal(committed, await generateOpenApi(), 'stale: run `npm run openapi` and commit openapi/openapi.json')
})

t.test('the document is valid OpenAPI 3.1', async (t) => {
  const document = JSON.parse(await generateOpenApi())
  t.equal(document.openapi, '3.1.0')
  await t.resolves(SwaggerParser.validate(structuredClone(document)))
})

t.test('every operation is documented, names its errors and its security', async (t) => {
  const document = JSON.parse(await generateOpenApi())
  const operationIds = new Set<string>()
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`
      t.ok(operation.operationId, `${where} has an operationId`)
      t.notOk(operationIds.has(operation.operationId!), `${where} has a unique operationId`)
      operationIds.add(operation.operationId!)
      t.ok(operation.tags?.length, `${where} has a tag`)
      t.ok(operation.summary, `${where} has a summary`)
      t.ok(operation.description, `${where} has a description`)
      t.ok(operation.responses?.['4XX'], `${where} documents its 4xx problems`)
      if (path.startsWith('/v1/')) t.ok(operation.security, `${where} states its security`)
    }
  }
  t.ok(operationIds.has('listArticles') && operationIds.has('createApiKey'))
})

t.test('shared shapes are named components, with described fields, and errors are problem+json', async (t) => {
  const document = JSON.parse(await generateOpenApi())
  const schemas = document.components.schemas as Record<string, { properties?: Record<string, { description?: string, $ref?: string }> }>
  for (const name of ['Article', 'ArticleSummary', 'Author', 'Tag', 'ApiKey', 'ApiKeyCreated', 'Problem', 'ArticleList', 'AuthorList', 'TagList', 'ApiKeyList', 'PageMeta']) {
    t.ok(schemas[name], `component ${name}`)
  }
  for (const name of ['Article', 'Author', 'Tag', 'ApiKey']) {
    for (const [field, schema] of Object.entries(schemas[name]!.properties ?? {})) {
      t.ok(schema.description ?? schema.$ref, `${name}.${field} is described`)
    }
  }
  t.equal(document.components.securitySchemes.bearerAuth.scheme, 'bearer')
  const createArticle = document.paths['/v1/articles'].post
  t.same(Object.keys(createArticle.responses['4XX'].content), ['application/problem+json'])
  t.equal(createArticle.requestBody.content['application/json'].schema.$ref, '#/components/schemas/ArticleCreate')
})

t.test('GET /openapi.json serves the document and /docs a browsable reference', async (t) => {
  const { app } = await build(t)
  const spec = await app.inject({ method: 'GET', url: '/openapi.json' })
  t.equal(spec.statusCode, 200)
  t.equal(spec.json().info.title, 'Newsroom CMS API')
  const docs = await app.inject({ method: 'GET', url: '/docs' })
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], /text\/html/)
  t.match(docs.body, /swagger-ui/)
})

t.test('the spec declares the conditional requests and the headers the API honours and sends', async (t) => {
  const document = JSON.parse(await generateOpenApi())
  type Parameter = { in: string, name: string }
  type Declared = { parameters?: Parameter[], responses: Record<string, { headers?: Record<string, { required?: boolean }> }> }
  const headerParameters = (operation: Declared) => (operation.parameters ?? []).filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name)
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Declared>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`
      if (method === 'get') {
        t.ok(operation.responses['304'], `${where} declares its 304`)
        t.same(headerParameters(operation), ['If-None-Match'], `${where} takes If-None-Match`)
        t.same(Object.keys(operation.responses['200']!.headers ?? {}).filter((name) => name === 'ETag' || name === 'Cache-Control'), ['ETag', 'Cache-Control'], `${where} answers an ETag and Cache-Control`)
      }
      // A submitted comment has no address of its own for the public.
      if (operation.responses['201'] && path !== '/v1/articles/{idOrSlug}/comments') t.ok(operation.responses['201'].headers?.Location?.required, `${where} answers its Location`)
      t.ok(operation.responses['4XX']!.headers?.['Cache-Control'], `${where}: errors say they are not cached`)
      t.ok(operation.responses['503']!.headers?.['Retry-After'], `${where}: a 503 says when to retry`)
    }
  }
  for (const path of ['/v1/articles/{idOrSlug}', '/v1/authors/{idOrSlug}', '/v1/tags/{idOrSlug}', '/v1/comments/{id}']) {
    for (const method of ['patch', 'delete']) t.same(headerParameters(document.paths[path][method]), ['If-Match'], `${method.toUpperCase()} ${path} takes If-Match`)
  }
  t.ok(document.paths['/v1/articles/{idOrSlug}/related'] && document.paths['/v1/articles/{idOrSlug}/comments'], 'a path parameter that takes a slug is named idOrSlug')
  t.ok(document.paths['/v1/articles/{idOrSlug}/comments'].post.responses['429'].headers['Retry-After'], 'a comment flood answers Retry-After')
  t.same(document.paths['/healthz'].get.security, [], 'health needs no key')
  t.equal(document.info.license.identifier, 'MIT')
  t.match(document.servers, [{ url: /^http:\/\/127\.0\.0\.1:3000$/ }])
})

t.test('what the code requires the schemas require, and defaults are not forced on clients', async (t) => {
  const document = JSON.parse(await generateOpenApi())
  const schemas = document.components.schemas
  t.same(schemas.ApiKeyCreate.if, { properties: { role: { enum: ['author'] } } })
  t.same(schemas.ApiKeyCreate.then.required, ['authorId'])
  t.notOk('default' in schemas.ArticleCreate.properties.commentsOpen, 'commentsOpen has no default a generator would make required')
  const article = document.paths['/v1/articles/{idOrSlug}'].get.responses['200'].content['application/json'].schema
  t.same(article.anyOf, [{ $ref: '#/components/schemas/Article' }, { $ref: '#/components/schemas/ArticleFields' }])
  t.same(schemas.ArticleFields.required, ['id'], 'with fields, only id is sure to come')
  t.same(schemas.ArticleFieldsList.properties.data.items, { $ref: '#/components/schemas/ArticleFields' })
})
