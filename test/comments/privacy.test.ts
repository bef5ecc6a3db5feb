import { createHash } from 'node:crypto'
import { Writable } from 'node:stream'
import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { apiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js'
import { TestClock } from '../helper.js'
import {
  aComment, anotherArticle, apiOf, expectFieldError, expectProblem, MINUTE, newsroom, type Newsroom, PUBLIC_KEYS, QUIET, SUBMITTED_KEYS, withoutIdentity
} from './fixtures/support.js'
import { checkedAgainstSpec } from '../openapi-conformance.js'

const EMAIL = 'secret.reader@example.org'
const IP = '198.51.100.23'
const IPV6 = '2001:db8:dead:beef::17'
const USER_AGENT = 'SecretBrowser/9.9'

/** Every spelling of the commenter's identity that must never reach the public: the values and their hashes. */
const SECRET_VALUES = [
  EMAIL, IP, USER_AGENT, '2001:db8:dead:beef',
  createHash('md5').update(EMAIL).digest('hex'), createHash('sha256').update(EMAIL).digest('hex')
]
/** The private fields' names, which no public answer has (a 400 may name a parameter the client itself sent). */
const SECRET_FIELDS = ['authorEmail', '"ip"', 'userAgent', '"email"']

function secretsIn (text: string, fields = true): string[] {
  return [...SECRET_VALUES, ...(fields ? SECRET_FIELDS : [])].filter((secret) => text.toLowerCase().includes(secret.toLowerCase()))
}

function revealsNothing (t: Test, response: LightMyRequestResponse, name: string) {
  const fields = response.statusCode < 400
  t.strictSame(secretsIn(response.body, fields), [], `${name}: the body holds no email, address, user agent or hash of them`)
  t.strictSame(secretsIn(JSON.stringify(response.headers), fields), [], `${name}: nor do the headers`)
}

/** An article with comments from the secret commenter in every status, from IPv4 and IPv6. */
async function commented (t: Test, context: Newsroom) {
  const [article] = context.articles
  const options = { ip: IP, headers: { 'user-agent': USER_AGENT } }
  const ids = []
  for (const status of ['approved', 'pending', 'spam', 'trash', 'approved'] as const) {
    const answer = await context.submitted(t, article.id, aComment({ authorEmail: EMAIL, authorUrl: 'https://lecteur.example/' }), { ...options, ip: ids.length % 2 === 0 ? IP : IPV6 })
    if (status !== 'pending') await context.setStatus(t, answer.id, status)
    ids.push(answer.id)
    context.clock.advance(MINUTE)
  }
  const root = ids[0]!
  const reply = await context.submitted(t, article.id, aComment({ authorEmail: EMAIL, parentId: root }), options)
  await context.setStatus(t, reply.id, 'approved')
  return { article, ids, reply }
}

t.test('no public answer holds a commenter\'s email, address, user agent or status', async (t) => {
  const context = await newsroom(t)
  const { article, reply } = await commented(t, context)
  const submit = await context.submit(article.id, aComment({ authorEmail: EMAIL }), { ip: '192.0.2.200', headers: { 'user-agent': USER_AGENT } })
  t.equal(submit.statusCode, 201)
  t.strictSame(Object.keys(submit.json()).sort(), SUBMITTED_KEYS, 'the submit answer: the public comment and its status only')
  revealsNothing(t, submit, 'the submit answer')

  const reads = [
    `/v1/articles/${article.id}/comments`,
    `/v1/articles/${article.slug}/comments?limit=1&offset=1`,
    `/v1/articles/${article.id}`,
    `/v1/articles/${article.slug}`,
    '/v1/articles',
    '/v1/articles?fields=commentCount,commentsOpen',
    `/v1/authors/${context.author.id}`,
    '/v1/authors',
    '/v1/tags'
  ]
  for (const url of reads) {
    const response = await context.get(url)
    t.equal(response.statusCode, 200, url)
    revealsNothing(t, response, url)
  }
  const list = (await context.publicComments(t, article.id)).data
  t.equal(list.length, 3, 'the approved ones are there')
  t.ok(list.some((comment) => comment.id === reply.id))
  for (const comment of list) t.strictSame(Object.keys(comment).sort(), PUBLIC_KEYS, 'no status, email, address or user agent in a list item')
})

t.test('the published schemas agree: a public comment has no private field', async (t) => {
  const context = await newsroom(t)
  const spec = (await context.get('/openapi.json')).json<{ components: { schemas: Record<string, { properties: Record<string, unknown> }> } }>()
  t.strictSame(Object.keys(spec.components.schemas.PublicComment?.properties ?? {}).sort(), PUBLIC_KEYS)
  t.strictSame(Object.keys(spec.components.schemas.SubmittedComment?.properties ?? {}).sort(), SUBMITTED_KEYS)
})

t.test('filtering, sorting, selecting or searching the public list by a private field is a 400 naming the parameter', async (t) => {
  const context = await newsroom(t)
  const { article } = await commented(t, context)
  const url = `/v1/articles/${article.id}/comments`
  const attempts: [string, string][] = [
    [`email=${EMAIL}`, 'email'],
    [`authorEmail=${EMAIL}`, 'authorEmail'],
    [`ip=${IP}`, 'ip'],
    [`userAgent=${USER_AGENT}`, 'userAgent'],
    ['status=pending', 'status'],
    ['status=spam', 'status'],
    ['sort=authorEmail', 'sort'],
    ['sort=-ip', 'sort'],
    ['fields=authorEmail', 'fields'],
    ['fields=id,ip,userAgent,status', 'fields'],
    [`q=${EMAIL}`, 'q'],
    ['search=secret.reader', 'search'],
    [`filter[authorEmail]=${EMAIL}`, 'filter[authorEmail]'],
    [`gravatar=${createHash('md5').update(EMAIL).digest('hex')}`, 'gravatar']
  ]
  for (const [query, name] of attempts) {
    const response = await context.get(`${url}?${query}`)
    expectFieldError(t, response, `/querystring/${name}`, query)
    revealsNothing(t, response, query)
  }
  for (const [query, name] of [['fields=authorEmail', 'fields'], ['email=x@example.org', 'email'], ['sort=authorEmail', 'sort']]) {
    expectFieldError(t, await context.get(`/v1/articles/${article.id}?${query}`), `/querystring/${name}`, `an article: ${query}`)
    expectFieldError(t, await context.get(`/v1/articles?${query}`), `/querystring/${name}`, `the articles: ${query}`)
  }
})

t.test('searching articles never finds one by its commenters\' email or address', async (t) => {
  const context = await newsroom(t)
  await commented(t, context)
  for (const term of [EMAIL, 'secret.reader', IP]) {
    const response = await context.get(`/v1/articles?q=${encodeURIComponent(term)}`)
    if (response.statusCode === 200) {
      t.equal(response.json<{ meta: { total: number } }>().meta.total, 0, `q=${term} finds nothing`)
    } else {
      expectFieldError(t, response, '/querystring/q', `q=${term}`)
    }
    revealsNothing(t, response, `q=${term}`)
  }
})

/** What two answers must share, once the id and time of each comment are set aside. */
function comparable (response: LightMyRequestResponse) {
  const { date: _date, ...headers } = response.headers
  const body = String(response.headers['content-type']).startsWith('application/json') ? withoutIdentity(response.json()) : response.json()
  return { statusCode: response.statusCode, headers, body }
}

let clients = 0
/** An address no other submission in this file uses (198.18.0.0/15 is set aside for tests). */
const freshIp = () => `198.18.${Math.floor(clients / 250)}.${(clients++ % 250) + 1}`

/** Submits the same comment under two emails, from two fresh addresses, and asserts the whole answers are the same. */
async function sameAnswer (t: Test, context: Newsroom, article: string, emails: [string, string], name: string, extra: Record<string, unknown> = {}) {
  const body = `Un avis sur l'article (${name}).`
  const answers = []
  for (const email of emails) {
    answers.push(await context.submit(article, { authorName: 'Lecteur', authorEmail: email, body, ...extra }, { ip: freshIp() }))
  }
  t.strictSame(comparable(answers[1]!), comparable(answers[0]!), `${name}: the answer does not depend on the email`)
  return answers
}

t.test('a banned email gets the very same answer as any other', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  t.equal((await context.post('/v1/comment-bans', { email: EMAIL, reason: 'troll' }, context.admin)).statusCode, 201)
  const [banned, free] = await sameAnswer(t, context, article.id, [EMAIL, 'innocent@example.org'], 'banned vs not banned')
  t.equal(banned!.statusCode, 201)
  t.equal(banned!.json().status, 'pending')
  t.equal((await context.moderated(t, banned!.json().id)).status, 'spam', 'yet the banned one was stored as spam')
  t.equal((await context.moderated(t, free!.json().id)).status, 'pending')
  await sameAnswer(t, context, article.id, ['innocent@example.org', EMAIL], 'the other way round')
  await sameAnswer(t, context, article.id, [EMAIL.toUpperCase(), 'Innocent@Example.org'], 'in upper case')
})

t.test('a returning commenter gets the very same answer as a new one', async (t) => {
  const context = await newsroom(t, { COMMENT_APPROVE_RETURNING: 'true' })
  const [article, other] = context.articles
  const earlier = await context.submitted(t, other.id, aComment({ authorEmail: EMAIL }), { ip: '192.0.2.1' })
  await context.setStatus(t, earlier.id, 'approved')
  const [returning, fresh] = await sameAnswer(t, context, article.id, [EMAIL, 'nouveau@example.org'], 'returning vs new')
  t.equal(returning!.json().status, 'pending', 'the returning commenter reads pending')
  t.equal((await context.moderated(t, returning!.json().id)).status, 'approved', 'though the comment was approved')
  t.equal((await context.moderated(t, fresh!.json().id)).status, 'pending')
})

t.test('spam by the blocklist or by an address ban reads like any comment', async (t) => {
  const context = await newsroom(t, { COMMENT_BLOCKLIST: 'casino' })
  const [article] = context.articles
  t.equal((await context.post('/v1/comment-bans', { ip: '192.0.2.250', reason: 'robot' }, context.admin)).statusCode, 201)
  const normal = await context.submit(article.id, { authorName: 'Lecteur', authorEmail: EMAIL, body: 'Très bon article.' }, { ip: '192.0.2.249' })
  const ipBanned = await context.submit(article.id, { authorName: 'Lecteur', authorEmail: EMAIL, body: 'Très bon article.' }, { ip: '192.0.2.250' })
  t.strictSame(comparable(ipBanned), comparable(normal), 'a banned address reads the same')
  t.equal((await context.moderated(t, ipBanned.json().id)).status, 'spam')
  const spam = await context.submitted(t, article.id, aComment({ body: 'Mon casino' }))
  t.equal(spam.status, 'pending', 'blocklisted spam reads pending')
  t.equal((await context.moderated(t, spam.id)).status, 'spam')
})

t.test('errors do not depend on the email either, nor echo it', async (t) => {
  const context = await newsroom(t, { COMMENT_RATE_LIMIT: '3' })
  const [article] = context.articles
  t.equal((await context.post('/v1/comment-bans', { email: EMAIL, reason: 'troll' }, context.admin)).statusCode, 201)
  const closed = await anotherArticle(context, { status: 'published', commentsOpen: false })
  const draft = await anotherArticle(context, { status: 'draft' })
  const cases: [string, string, Record<string, unknown>][] = [
    ['a bad body', article.id, { body: '' }],
    ['a bad name', article.id, { authorName: 'x'.repeat(101) }],
    ['an unknown property', article.id, { status: 'approved' }],
    ['a bad parent', article.id, { parentId: 'com_doesnotexist' }],
    ['an unknown article', 'nulle-part', {}],
    ['a draft', draft.id, {}],
    ['closed comments', closed.id, {}]
  ]
  for (const [name, target, change] of cases) {
    const answers = []
    for (const email of [EMAIL, 'innocent@example.org']) {
      answers.push(await context.submit(target, { authorName: 'Lecteur', authorEmail: email, body: 'Bonjour.', ...change }, { ip: freshIp() }))
    }
    t.ok(answers[0]!.statusCode >= 400, `${name}: refused (${answers[0]!.statusCode})`)
    t.strictSame(comparable(answers[1]!), comparable(answers[0]!), `${name}: the same refusal for both`)
    revealsNothing(t, answers[0]!, name)
  }

  // A duplicate, then the rate limit, from one address under two emails.
  const ip = '192.0.2.77'
  await context.submitted(t, article.id, { authorName: 'Lecteur', authorEmail: 'innocent@example.org', body: 'Deux fois.' }, { ip })
  const duplicates = [
    await context.submit(article.id, { authorName: 'Lecteur', authorEmail: EMAIL, body: 'Deux fois.' }, { ip }),
    await context.submit(article.id, { authorName: 'Lecteur', authorEmail: 'innocent@example.org', body: 'Deux fois.' }, { ip })
  ]
  expectProblem(t, duplicates[0]!, 409, 'a duplicate')
  t.strictSame(comparable(duplicates[1]!), comparable(duplicates[0]!), 'the same 409 for both')
  const limitedAnswers = [
    await context.submit(article.id, aComment({ authorEmail: EMAIL }), { ip }),
    await context.submit(article.id, aComment({ authorEmail: 'innocent@example.org' }), { ip })
  ]
  expectProblem(t, limitedAnswers[0]!, 429, 'rate limited')
  t.strictSame(comparable(limitedAnswers[1]!), comparable(limitedAnswers[0]!), 'the same 429 for both')

  const echoed = await context.submit(article.id, aComment({ authorEmail: '<script>alert(1)</script>@evil' }), { ip: '192.0.2.250' })
  expectFieldError(t, echoed, '/body/authorEmail')
  t.notMatch(echoed.body, /script|evil/, 'a bad email is not echoed back')
})

t.test('the public cannot test a guess through the moderation routes', async (t) => {
  const context = await newsroom(t)
  await commented(t, context)
  const author = await context.keyFor('author', context.author.id)
  for (const headers of [{}, author]) {
    const known = await context.get(`/v1/comments?email=${EMAIL}`, headers)
    const unknown = await context.get('/v1/comments?email=personne@example.org', headers)
    t.ok(known.statusCode === 401 || known.statusCode === 403, `refused (${known.statusCode})`)
    t.strictSame(comparable(unknown), comparable(known), 'the same refusal whether or not the email has commented')
    const byIp = await context.get(`/v1/comments?ip=${IP}`, headers)
    t.strictSame(comparable(byIp), comparable(known), 'and whatever the address')
    const erase = await context.post('/v1/comments/erase', { email: EMAIL }, headers)
    t.ok(erase.statusCode === 401 || erase.statusCode === 403)
    revealsNothing(t, erase, 'erase')
  }
  t.equal((await context.queue(t, `?email=${EMAIL}`)).meta.total, 6, 'nothing was erased')
})

t.test('the app\'s own log lines name no commenter\'s email or address', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  const db = openDatabase(':memory:')
  runMigrations(db)
  const clock = new TestClock()
  // The request serializer is the server's (it keeps the path, never the query or the socket); every other line is the app's.
  const logger = { level: 'trace', stream, serializers: { req: (request: { id: string, method: string, url: string }) => ({ id: request.id, method: request.method, path: request.url.split('?')[0] }) } }
  const app = checkedAgainstSpec(await buildApp({ config: loadConfig({ ...QUIET, SITE_URL: 'https://lequotidien.example', COMMENT_RATE_LIMIT: '2' }), db, clock, logger }))
  t.teardown(() => app.close())
  const admin = { authorization: `Bearer ${(await apiKeysRepository(db, clock).create({ name: 'admin', role: 'admin' })).key}` }
  const keyFor = async () => admin
  const context = { app, db, clock, admin, keyFor }
  const api = apiOf(context)
  const author = await api.post('/v1/authors', { name: 'Lequotidien' }, admin)
  const article = (await api.post('/v1/articles', { title: 'Un article', body: 'Texte.', authorId: author.json().id, status: 'published' }, admin)).json<{ id: string }>()

  const headers = { 'user-agent': USER_AGENT }
  await api.submit(article.id, { authorName: 'Lecteur', authorEmail: EMAIL, body: 'Bonjour.' }, { ip: IP, headers })
  await api.submit(article.id, { authorName: 'Lecteur', authorEmail: EMAIL, body: 'Bonjour.' }, { ip: IP, headers })
  await api.submit(article.id, { authorName: 'Lecteur', authorEmail: EMAIL, body: '' }, { ip: IP, headers })
  await api.submit(article.id, { authorName: 'Lecteur', authorEmail: EMAIL, body: 'Encore.' }, { ip: IP, headers })
  await api.submit(article.id, { authorName: 'Lecteur', authorEmail: EMAIL, body: 'Toujours.' }, { ip: IP, headers })
  await api.submit('nulle-part', { authorName: 'Lecteur', authorEmail: EMAIL, body: 'Ailleurs.' }, { ip: IPV6, headers })
  await api.get(`/v1/comments?email=${EMAIL}&ip=${IP}`, admin)
  await api.post('/v1/comment-bans', { email: EMAIL, ip: IP, reason: 'troll' }, admin)
  await api.post('/v1/comment-bans', { email: 'pas-une-adresse', reason: 'troll' }, admin)
  await api.post('/v1/comments/erase', { email: EMAIL }, admin)
  t.ok(lines.length > 10, 'requests were logged')
  t.ok(lines.some((line) => /Too many comments/.test(line)), 'the refusals were logged')
  for (const line of lines) t.strictSame(secretsIn(line, false), [], line.slice(0, 200))
})
