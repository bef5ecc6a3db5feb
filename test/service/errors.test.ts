import t, { type Test } from 'tap'
import { build, createArticle, createAuthor } from '../helper.js'

function isProblem (t: Test, response: { statusCode: number, headers: Record<string, unknown>, json: () => any }, status: number) {
  t.equal(response.statusCode, status)
  t.match(response.headers['content-type'], /^application\/problem\+json/)
  const body = response.json()
  t.equal(body.status, status)
  t.type(body.type, 'string')
  t.type(body.title, 'string')
  return body
}

t.test('validation failures name every bad field', async (t) => {
  const context = await build(t)
  const response = await context.app.inject({ method: 'POST', url: '/v1/authors', headers: context.admin, payload: { name: '', avatarUrl: 'javascript:alert(1)', email: 'not-an-address', nickname: 'x' } })
  const body = isProblem(t, response, 400)
  const paths = body.errors.map((error: { path: string }) => error.path).sort()
  t.same([...new Set(paths)], ['/body/avatarUrl', '/body/email', '/body/name', '/body/nickname'])
})

t.test('bodies are taken as sent: no type coercion', async (t) => {
  const context = await build(t)
  const response = await context.app.inject({ method: 'POST', url: '/v1/tags', headers: context.admin, payload: { name: 123 } })
  const body = isProblem(t, response, 400)
  t.same(body.errors, [{ path: '/body/name', message: 'must be string' }])
})

t.test('unknown query parameters are a 400, also on routes that take none', async (t) => {
  const context = await build(t)
  isProblem(t, await context.app.inject({ method: 'GET', url: '/v1/tags?colour=red' }), 400)
  const tag = (await context.app.inject({ method: 'POST', url: '/v1/tags', headers: context.admin, payload: { name: 'Maroc' } })).json()
  const body = isProblem(t, await context.app.inject({ method: 'DELETE', url: `/v1/tags/${tag.id}?force=true`, headers: context.admin }), 400)
  t.same(body.errors, [{ path: '/querystring/force', message: 'is not a known property' }])
  t.equal((await context.app.inject({ method: 'GET', url: `/v1/tags/${tag.id}` })).statusCode, 200, 'nothing was deleted')
})

t.test('malformed JSON, a wrong media type and an oversized body', async (t) => {
  const context = await build(t)
  const headers = { ...context.admin, 'content-type': 'application/json' }
  isProblem(t, await context.app.inject({ method: 'POST', url: '/v1/tags', headers, payload: '{"name": ' }), 400)
  isProblem(t, await context.app.inject({ method: 'POST', url: '/v1/tags', headers, payload: '{"__proto__": {"admin": true}, "name": "x"}' }), 400)
  isProblem(t, await context.app.inject({ method: 'POST', url: '/v1/tags', headers: { ...context.admin, 'content-type': 'text/plain' }, payload: 'name=x' }), 415)
  isProblem(t, await context.app.inject({ method: 'POST', url: '/v1/tags', headers, payload: JSON.stringify({ name: 'x', description: 'a'.repeat(1024 * 1024) }) }), 413)
  const listed = (await context.app.inject({ method: 'GET', url: '/v1/tags' })).json()
  t.equal(listed.meta.total, 0, 'nothing was stored')
})

t.test('unknown routes and unknown ids are 404 problems', async (t) => {
  const context = await build(t)
  isProblem(t, await context.app.inject({ method: 'GET', url: '/v1/nothing-here' }), 404)
  isProblem(t, await context.app.inject({ method: 'GET', url: '/v1/tags/tag_unknown' }), 404)
  isProblem(t, await context.app.inject({ method: 'GET', url: '/v1/authors/no-such-author' }), 404)
})

t.test('a 5xx says nothing internal: no stack, no SQL, just the request id', async (t) => {
  const context = await build(t)
  const author = await createAuthor(context)
  await createArticle(context, { title: 'Titre', body: 'Texte', authorId: author.id, status: 'published' })
  context.db.$client.exec('PRAGMA foreign_keys = OFF; DROP TABLE article_tags')
  const response = await context.app.inject({ method: 'GET', url: '/v1/tags' })
  t.equal(response.statusCode, 200, 'tags do not need the dropped table')
  const failed = await context.app.inject({ method: 'GET', url: '/v1/articles' })
  const body = isProblem(t, failed, 500)
  t.equal(body.title, 'Internal Server Error')
  t.type(body.requestId, 'string')
  t.notMatch(failed.body, /article_tags|SELECT|at .*\.ts|SqliteError/)
})
