import { createHash } from 'node:crypto'
import { Writable } from 'node:stream'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { loggerOptions } from '../../src/logging.js'
import { apiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js'
import { TestClock } from '../helper.js'
import { checkedAgainstSpec } from '../openapi-conformance.js'

const EMAIL = 'Zelie.Secret-Commenter@Example.org'
const CLIENT_IPV4 = '203.0.113.77'
const CLIENT_IPV6 = '2001:db8:feed:beef::1234'
const PROXY = '198.51.100.23'
const UNKNOWN_KEY = `cms_${'Q'.repeat(20)}unknownKeyNeverIssued`

t.test('at trace level, no log line holds a key, the Authorization header, a commenter\'s email or a client address', async (t) => {
  const lines: string[] = []
  const stream = new Writable({
    write (chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    }
  })
  const config = loadConfig({ LOG_LEVEL: 'trace', TRUST_PROXY: 'true', OVERLOAD_EVENT_LOOP_DELAY_MS: '0', SITE_URL: 'https://lequotidien.example' })
  const db = openDatabase(':memory:')
  runMigrations(db)
  const clock = new TestClock()
  // The server's own logger options (src/logging.ts), writing here instead of to stdout.
  const app = checkedAgainstSpec(await buildApp({ config, db, clock, logger: { ...loggerOptions(config), stream } }))
  t.teardown(() => app.close())
  t.equal(app.log.level, 'trace', 'the app logs at trace level')

  const secret = (await apiKeysRepository(db, clock).create({ name: 'admin', role: 'admin' })).key
  const admin = { authorization: `Bearer ${secret}` }
  const request = (method: 'GET' | 'POST' | 'PATCH', url: string, options: { headers?: Record<string, string>, payload?: object, remoteAddress?: string } = {}) =>
    app.inject({ method, url, remoteAddress: PROXY, ...options })

  // Keyed requests: the staff set the article up and make another key.
  const author = (await request('POST', '/v1/authors', { headers: admin, payload: { name: 'Leïla Mansouri' } })).json<{ id: string }>()
  const article = (await request('POST', '/v1/articles', { headers: admin, payload: { title: 'Un article', body: 'Texte.', authorId: author.id, status: 'published' } })).json<{ id: string }>()
  const madeKey = (await request('POST', '/v1/api-keys', { headers: admin, payload: { name: 'moderation desk', role: 'moderator' } })).json<{ key: string }>().key
  const moderator = { authorization: `Bearer ${madeKey}` }
  t.equal((await request('GET', '/v1/api-keys', { headers: { authorization: `Bearer ${UNKNOWN_KEY}` } })).statusCode, 401, 'an unknown key is refused')
  t.equal((await request('GET', '/v1/api-keys', { headers: { authorization: `Basic ${Buffer.from(`admin:${UNKNOWN_KEY}`).toString('base64')}` } })).statusCode, 401, 'so is a malformed header')

  // Comment submissions behind a proxy that names the client, over IPv4 and IPv6; one accepted, then refusals.
  const forwardedFor = (client: string) => ({ 'x-forwarded-for': client, 'user-agent': 'Mozilla/5.0 (logs test)' })
  const comment = { authorName: 'Zélie', authorEmail: EMAIL, body: 'Un commentaire.' }
  const submitted = await request('POST', `/v1/articles/${article.id}/comments`, { headers: forwardedFor(CLIENT_IPV4), payload: comment })
  t.equal(submitted.statusCode, 201, 'a comment is submitted')
  const commentId = submitted.json<{ id: string }>().id
  t.equal((await request('POST', `/v1/articles/${article.id}/comments`, { headers: forwardedFor(CLIENT_IPV4), payload: comment })).statusCode, 409, 'the same again is a 409')
  t.equal((await request('POST', `/v1/articles/${article.id}/comments`, { headers: forwardedFor(CLIENT_IPV6), payload: { ...comment, authorEmail: `${EMAIL}@` } })).statusCode, 400, 'a bad email is a 400')
  t.equal((await request('POST', '/v1/articles/nulle-part/comments', { headers: forwardedFor(CLIENT_IPV6), payload: { ...comment, body: 'Ailleurs.' } })).statusCode, 404, 'an unknown article is a 404')

  // Moderation: the queue filtered by email and address, the comment in full, a decision, a ban and an erasure.
  const encoded = encodeURIComponent(EMAIL)
  t.equal((await request('GET', `/v1/comments?email=${encoded}&ip=${CLIENT_IPV4}`, { headers: moderator })).json<{ meta: { total: number } }>().meta.total, 1, 'the queue finds the comment by email and address')
  t.equal((await request('GET', `/v1/comments/${commentId}`, { headers: moderator })).json<{ authorEmail: string }>().authorEmail, EMAIL.toLowerCase(), 'a moderator reads the email')
  t.equal((await request('PATCH', `/v1/comments/${commentId}`, { headers: moderator, payload: { status: 'approved' } })).statusCode, 200, 'and approves the comment')
  t.equal((await request('GET', `/v1/comments?email=${encoded}&ip=${CLIENT_IPV6}&limit=1000`, { headers: moderator })).statusCode, 400, 'a refused query is a 400')
  t.equal((await request('POST', '/v1/comment-bans', { headers: moderator, payload: { email: EMAIL, ip: CLIENT_IPV6, reason: 'test' } })).statusCode, 201, 'a ban on the email and address')
  t.equal((await request('POST', '/v1/comments/erase', { headers: moderator, payload: { email: EMAIL } })).json<{ erased: number }>().erased, 1, 'an erasure')

  t.ok(lines.length >= 30, `the requests were logged (${lines.length} lines)`)
  t.ok(lines.some((line) => line.includes('"incoming request"')) && lines.some((line) => line.includes('"request completed"')), 'with their request lines')

  // What must never show, in any spelling a log line could give it.
  const forbidden: Array<[string, string]> = [
    ['the admin key', secret],
    ['the admin key without its prefix', secret.slice('cms_'.length)],
    ['the admin key\'s hash', createHash('sha256').update(secret).digest('hex')],
    ['the key made through the API', madeKey.slice('cms_'.length)],
    ['an unknown key sent', UNKNOWN_KEY.slice('cms_'.length)],
    ['a Basic credential sent', Buffer.from(`admin:${UNKNOWN_KEY}`).toString('base64')],
    ['the email', 'zelie.secret-commenter'],
    ['the email, percent-encoded', 'secret-commenter%40'],
    ['the IPv4 client', CLIENT_IPV4],
    ['the IPv6 client', '2001:db8:feed:beef'],
    ['the proxy\'s address', PROXY]
  ]
  for (const [what, value] of forbidden) {
    const found = lines.filter((line) => line.toLowerCase().includes(value.toLowerCase()))
    t.same(found, [], `no line holds ${what}`)
  }
})
