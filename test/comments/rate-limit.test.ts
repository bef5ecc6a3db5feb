import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { checkedAgainstSpec } from '../openapi-conformance.js'
import { apiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js'
import { TestClock } from '../helper.js'
import { aComment, expectProblem, MINUTE, newsroom, type Newsroom, QUIET, type SubmitOptions } from './fixtures/support.js'

/** Submits `n` comments from one client and asserts each is accepted. */
async function accepted (t: Test, context: Newsroom, n: number, options: SubmitOptions = {}) {
  for (let index = 0; index < n; index++) await context.submitted(t, context.articles[0].id, aComment(), options)
}

/** Asserts a 429 problem with a `Retry-After` of this many seconds. */
async function limited (t: Test, context: Newsroom, retryAfter: number, options: SubmitOptions = {}, message = 'limited') {
  const response = await context.submit(context.articles[0].id, aComment(), options)
  expectProblem(t, response, 429, message)
  t.equal(response.headers['retry-after'], String(retryAfter), `${message}: Retry-After ${retryAfter}`)
}

t.test('by default a client address may submit 5 comments a minute; the 6th is a 429 with Retry-After', async (t) => {
  const context = await newsroom(t, { COMMENT_RATE_LIMIT: '' })
  context.clock.set('2025-01-27T12:00:20.000Z')
  await accepted(t, context, 5)
  await limited(t, context, 40, {}, 'the 6th, 40 s before the window ends')
  context.clock.advance(30_000)
  await limited(t, context, 10, {}, 'still in the window')
  context.clock.advance(9_500)
  await limited(t, context, 1, {}, 'half a second before the window ends: rounded up')
  t.equal((await context.queue(t)).meta.total, 5, 'the refused ones were not stored')

  context.clock.set('2025-01-27T12:01:00.000Z')
  await accepted(t, context, 5)
  await limited(t, context, 60, {}, 'a new window, full at its start')
})

t.test('windows are fixed minutes, not sliding ones', async (t) => {
  const context = await newsroom(t, { COMMENT_RATE_LIMIT: '' })
  context.clock.set('2025-01-27T12:00:59.000Z')
  await accepted(t, context, 5)
  await limited(t, context, 1)
  context.clock.advance(1_000)
  await accepted(t, context, 5)
  await limited(t, context, 60)
})

t.test('COMMENT_RATE_LIMIT sets the number', async (t) => {
  const two = await newsroom(t, { COMMENT_RATE_LIMIT: '2' })
  await accepted(t, two, 2)
  await limited(t, two, 60)

  const ten = await newsroom(t, { COMMENT_RATE_LIMIT: '10' })
  await accepted(t, ten, 10)
  await limited(t, ten, 60)
})

t.test('each client address has its own limit', async (t) => {
  const context = await newsroom(t, { COMMENT_RATE_LIMIT: '2' })
  await accepted(t, context, 2, { ip: '198.51.100.1' })
  await limited(t, context, 60, { ip: '198.51.100.1' })
  await accepted(t, context, 2, { ip: '198.51.100.2' })
  await limited(t, context, 60, { ip: '198.51.100.2' })
  await limited(t, context, 60, { ip: '::ffff:198.51.100.1' }, 'the same IPv4 client, IPv4-mapped')
})

t.test('an IPv6 client counts by its /64', async (t) => {
  const context = await newsroom(t, { COMMENT_RATE_LIMIT: '3' })
  await accepted(t, context, 1, { ip: '2001:db8:1:2::1' })
  await accepted(t, context, 1, { ip: '2001:db8:1:2:aaaa::7' })
  await accepted(t, context, 1, { ip: '2001:db8:1:2:ffff:ffff:ffff:ffff' })
  await limited(t, context, 60, { ip: '2001:db8:1:2:1234::42' }, 'a fourth address in the same /64')
  await accepted(t, context, 3, { ip: '2001:db8:1:3::1' })
  await limited(t, context, 60, { ip: '2001:db8:1:3::2' }, 'the next /64 has its own count')
})

t.test('a moderator\'s, editor\'s or admin\'s key is exempt; an author\'s key and a different email are not', async (t) => {
  const context = await newsroom(t, { COMMENT_RATE_LIMIT: '2' })
  for (const role of ['moderator', 'editor', 'admin'] as const) {
    const headers = await context.keyFor(role)
    await accepted(t, context, 4, { headers, ip: '192.0.2.10' })
  }
  await accepted(t, context, 2, { ip: '192.0.2.11' })
  const author = await context.keyFor('author', context.author.id)
  await limited(t, context, 60, { ip: '192.0.2.11', headers: author }, 'an author key')
  const response = await context.submit(context.articles[0].id, aComment({ authorEmail: 'quelquun.dautre@example.org', authorName: 'Autre' }), { ip: '192.0.2.11' })
  expectProblem(t, response, 429, 'another email from the same address')
})

t.test('the limit holds whatever the outcome: refused submissions count too', async (t) => {
  const context = await newsroom(t, { COMMENT_RATE_LIMIT: '3' })
  const [article] = context.articles
  await context.submitted(t, article.id, aComment({ body: 'Une fois.' }))
  expectProblem(t, await context.submit(article.id, aComment({ body: 'Une fois.' })), 409, 'a duplicate')
  expectProblem(t, await context.submit('nulle-part', aComment()), 404, 'an unknown article')
  await limited(t, context, 60, {}, 'three attempts used the minute')
})

t.test('TRUST_PROXY false (the default): X-Forwarded-For is ignored', async (t) => {
  const context = await newsroom(t, { COMMENT_RATE_LIMIT: '2' })
  const viaProxy = (client: string): SubmitOptions => ({ ip: '10.0.0.1', headers: { 'x-forwarded-for': client } })
  const first = await context.submitted(t, context.articles[0].id, aComment(), viaProxy('203.0.113.1'))
  await accepted(t, context, 1, viaProxy('203.0.113.2'))
  await limited(t, context, 60, viaProxy('203.0.113.3'), 'a forged header does not make a new client')
  t.equal((await context.moderated(t, first.id)).ip, '10.0.0.1', 'the socket\'s address is stored')
})

t.test('TRUST_PROXY true: X-Forwarded-For names the client', async (t) => {
  const context = await newsroom(t, { COMMENT_RATE_LIMIT: '2', TRUST_PROXY: 'true' })
  const viaProxy = (client: string): SubmitOptions => ({ ip: '10.0.0.1', headers: { 'x-forwarded-for': client } })
  const first = await context.submitted(t, context.articles[0].id, aComment(), viaProxy('203.0.113.1'))
  t.equal((await context.moderated(t, first.id)).ip, '203.0.113.1', 'the forwarded client is stored')
  await accepted(t, context, 1, viaProxy('203.0.113.1'))
  await limited(t, context, 60, viaProxy('203.0.113.1'), 'the forwarded client is limited')
  await accepted(t, context, 2, viaProxy('203.0.113.2'))
  await accepted(t, context, 2, viaProxy('2001:db8:9:9::1'))
  await limited(t, context, 60, viaProxy('2001:db8:9:9::2'), 'a forwarded IPv6 client counts by its /64')
  await limited(t, context, 60, viaProxy('203.0.113.1, 198.51.100.77'), 'with every hop trusted, the farthest address names the client')
})

t.test('TRUST_PROXY as a list of proxies: only those may name the client', async (t) => {
  const context = await newsroom(t, { COMMENT_RATE_LIMIT: '1', TRUST_PROXY: '10.0.0.1' })
  const fromTrusted = await context.submitted(t, context.articles[0].id, aComment(), { ip: '10.0.0.1', headers: { 'x-forwarded-for': '203.0.113.1' } })
  t.equal((await context.moderated(t, fromTrusted.id)).ip, '203.0.113.1', 'from the trusted proxy, the header names the client')
  const fromStranger = await context.submitted(t, context.articles[0].id, aComment(), { ip: '198.51.100.5', headers: { 'x-forwarded-for': '203.0.113.2' } })
  t.equal((await context.moderated(t, fromStranger.id)).ip, '198.51.100.5', 'from anyone else, the header is ignored')
  await limited(t, context, 60, { ip: '198.51.100.5', headers: { 'x-forwarded-for': '203.0.113.3' } }, 'so forging it does not escape the limit')
  await limited(t, context, 60, { ip: '10.0.0.1', headers: { 'x-forwarded-for': '203.0.113.1' } }, 'the forwarded client is limited')
})

t.test('TRUST_PROXY as a number of hops', async (t) => {
  const context = await newsroom(t, { COMMENT_RATE_LIMIT: '1', TRUST_PROXY: '1' })
  const answer = await context.submitted(t, context.articles[0].id, aComment(), { ip: '10.0.0.1', headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' } })
  t.equal((await context.moderated(t, answer.id)).ip, '203.0.113.9', 'one hop trusted: the address the proxy saw')
  await limited(t, context, 60, { ip: '10.0.0.2', headers: { 'x-forwarded-for': '198.51.100.2, 203.0.113.9' } }, 'a forged earlier hop changes nothing')
})

t.test('the limit holds across server processes sharing the database', async (t) => {
  const path = join(t.testdir(), 'cms.db')
  const clock = new TestClock()
  const config = loadConfig({ ...QUIET, SITE_URL: 'https://lequotidien.example', COMMENT_RATE_LIMIT: '5' })
  const migrated = openDatabase(path)
  runMigrations(migrated)
  const admin = { authorization: `Bearer ${(await apiKeysRepository(migrated, clock).create({ name: 'admin', role: 'admin' })).key}` }
  migrated.$client.close()
  const first = checkedAgainstSpec(await buildApp({ config, db: openDatabase(path), clock }))
  t.teardown(() => first.close())
  const second = checkedAgainstSpec(await buildApp({ config, db: openDatabase(path), clock }))
  t.teardown(() => second.close())

  const author = await first.inject({ method: 'POST', url: '/v1/authors', headers: admin, payload: { name: 'Lequotidien' } })
  const article = await second.inject({ method: 'POST', url: '/v1/articles', headers: admin, payload: { title: 'Un article', body: 'Texte.', authorId: author.json().id, status: 'published' } })
  t.equal(article.statusCode, 201)
  const url = `/v1/articles/${article.json<{ id: string }>().id}/comments`
  const submit = (app: typeof first) => app.inject({ method: 'POST', url, remoteAddress: '203.0.113.7', payload: aComment() })

  for (const app of [first, second, first, second, first]) t.equal((await submit(app)).statusCode, 201)
  for (const app of [second, first]) {
    const refused = await submit(app)
    t.equal(refused.statusCode, 429, 'the sixth is refused by whichever process gets it')
    t.equal(refused.headers['retry-after'], '60')
  }
  clock.advance(MINUTE)
  t.equal((await submit(second)).statusCode, 201, 'and both see the next window')
  t.equal((await submit(first)).statusCode, 201)
})
