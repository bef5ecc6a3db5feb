import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { checkedAgainstSpec } from '../openapi-conformance.js'
import { apiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js'
import { build, createArticle, createAuthor, TestClock } from '../helper.js'

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

t.test('a 400 lists at most 20 bad fields and says how many more, in full below that', async (t) => {
  const context = await build(t)
  const unknown = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`extra${index}`, index]))
  const few = isProblem(t, await context.app.inject({ method: 'POST', url: '/v1/tags', headers: context.admin, payload: { name: 'Maroc', ...unknown(20) } }), 400)
  t.equal(few.errors.length, 20, 'twenty bad fields are all listed')
  t.notOk('moreErrors' in few, 'with nothing more to count')
  const many = isProblem(t, await context.app.inject({ method: 'POST', url: '/v1/tags', headers: context.admin, payload: { name: 'Maroc', ...unknown(25) } }), 400)
  t.equal(many.errors.length, 20, 'twenty of twenty-five are listed')
  t.equal(many.moreErrors, 5, 'and the rest counted')
  t.match(many.detail, /; and 5 more$/)
})

t.test('a 1 MiB body of 131,064 unknown keys gets a small answer and a short log line', async (t) => {
  const lines: string[] = []
  const stream = new Writable({
    write (chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    }
  })
  const db = openDatabase(':memory:')
  runMigrations(db)
  const clock = new TestClock()
  const app = checkedAgainstSpec(await buildApp({ config: loadConfig({ OVERLOAD_EVENT_LOOP_DELAY_MS: '0' }), db, clock, logger: { level: 'info', stream } }))
  t.teardown(() => app.close())
  const admin = { authorization: `Bearer ${(await apiKeysRepository(db, clock).create({ name: 'admin', role: 'admin' })).key}` }
  // Keys of three letters or digits and a 0: `"aB7":0,` is 8 bytes, 131,064 of them just under 1 MiB.
  const digits = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  const keyOf = (index: number) => [index % 62, Math.floor(index / 62) % 62, Math.floor(index / 3844)].map((digit) => digits[digit]).join('')
  const keys = Array.from({ length: 131_064 }, (_, index) => `"${keyOf(index)}":0`)
  const payload = `{${keys.join(',')}}`
  t.ok(payload.length <= 1024 * 1024 && payload.length > 1_000_000, `the body is just under the 1 MiB limit (${payload.length} bytes)`)

  const response = await app.inject({ method: 'POST', url: '/v1/tags', headers: { ...admin, 'content-type': 'application/json' }, payload })
  const body = isProblem(t, response, 400)
  t.ok(response.body.length < 2048, `the answer is small (${response.body.length} bytes)`)
  t.ok(body.errors.length >= 1 && body.errors.length <= 20, `it lists at most 20 errors (${body.errors.length})`)
  t.ok(body.errors.some((error: { path: string }) => error.path === '/body/name'), 'the first error is named')
  t.ok(body.errors.some((error: { path: string, message: string }) => error.path === '/body' && /only its first error/.test(error.message)), 'and the answer says the rest went unchecked')
  const logged = lines.filter((line) => line.includes('invalid request'))
  t.equal(logged.length, 1, 'one log line for the refusal')
  t.ok(logged[0]!.length < 512, `a short one (${logged[0]!.length} bytes)`)
  t.match(JSON.parse(logged[0]!), { errorCount: Number }, 'holding a count of the errors')
  t.notMatch(logged[0]!, /"aaa"|is not a known property/, 'not the fields')
})

t.test('an offset past 10,000 is a 400 that points to cursor, on every list', async (t) => {
  const context = await build(t)
  const lists = ['/v1/articles', '/v1/articles?q=maroc', '/v1/authors', '/v1/tags', '/v1/comments', '/v1/comment-bans', '/v1/api-keys', '/v1/tombstones?since=2025-01-01T00:00:00Z']
  const author = await createAuthor(context)
  const article = await createArticle(context, { title: 'Titre', body: 'Texte', authorId: author.id, status: 'published' })
  lists.push(`/v1/articles/${article.id}/comments`)
  for (const url of lists) {
    const separator = url.includes('?') ? '&' : '?'
    t.equal((await context.app.inject({ method: 'GET', url: `${url}${separator}offset=10000`, headers: context.admin })).statusCode, 200, `${url}: offset=10000 is allowed`)
    const body = isProblem(t, await context.app.inject({ method: 'GET', url: `${url}${separator}offset=10001`, headers: context.admin }), 400)
    t.equal(body.errors.length, 1, url)
    t.equal(body.errors[0].path, '/querystring/offset', `${url}: the 400 names offset`)
    t.match(body.errors[0].message, /cursor/, `${url}: and points to cursor`)
  }
  const spec = (await context.app.inject({ method: 'GET', url: '/openapi.json' })).json()
  const offsets = Object.values(spec.paths as Record<string, { get?: { parameters?: Array<{ name: string, schema: { maximum?: number } }> } }>)
    .flatMap((path) => path.get?.parameters ?? []).filter((parameter) => parameter.name === 'offset')
  t.ok(offsets.length >= lists.length - 1, `the spec declares offset on the lists (${offsets.length})`)
  t.ok(offsets.every((parameter) => parameter.schema.maximum === 10_000), 'with its cap')
})
