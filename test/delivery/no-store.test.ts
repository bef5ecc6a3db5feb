import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { aComment, newsroom } from '../comments/fixtures/support.js'

// Answers that no cache may keep, not even the client's own: they carry a secret, or commenters' personal data,
// or say whether the process is alive right now.

function expectNoStore (t: Test, response: LightMyRequestResponse, what: string, status: number) {
  t.equal(response.statusCode, status, `${what} answers ${status}${response.statusCode === status ? '' : `: ${response.body}`}`)
  t.equal(response.headers['cache-control'], 'no-store', `${what}: Cache-Control no-store`)
}

t.test('a new API key, which holds its secret, is no-store', async (t) => {
  const context = await newsroom(t)
  const created = await context.post('/v1/api-keys', { name: 'Desk', role: 'editor' }, context.admin)
  expectNoStore(t, created, 'POST /v1/api-keys', 201)
  t.match(created.json(), { key: /.+/ }, 'the answer does hold the secret')
})

t.test('every moderation answer, reads and writes, is no-store', async (t) => {
  const context = await newsroom(t)
  const { admin } = context
  const moderator = await context.keyFor('moderator')
  const comment = await context.submitted(t, context.articles[0].id, aComment())
  const read = await context.get(`/v1/comments/${comment.id}`, moderator)
  expectNoStore(t, read, 'GET /v1/comments/{id}', 200)
  t.equal(read.json<{ authorEmail: string }>().authorEmail, 'amina@example.org', 'the answer does carry the email')
  expectNoStore(t, await context.get(`/v1/comments/${comment.id}`, { ...moderator, 'if-none-match': String(read.headers.etag) }), 'a revalidation', 304)
  expectNoStore(t, await context.get('/v1/comments', moderator), 'GET /v1/comments', 200)
  expectNoStore(t, await context.get('/v1/comments?email=amina@example.org', moderator), 'the queue filtered by email', 200)
  expectNoStore(t, await context.patch(`/v1/comments/${comment.id}`, { status: 'approved' }, moderator), 'PATCH /v1/comments/{id}', 200)
  expectNoStore(t, await context.post('/v1/comments/bulk', { ids: [comment.id], status: 'spam' }, moderator), 'POST /v1/comments/bulk', 200)
  const ban = await context.post('/v1/comment-bans', { email: 'troll@example.org', reason: 'spam' }, moderator)
  expectNoStore(t, ban, 'POST /v1/comment-bans', 201)
  expectNoStore(t, await context.get('/v1/comment-bans', moderator), 'GET /v1/comment-bans', 200)
  expectNoStore(t, await context.del(`/v1/comment-bans/${ban.json<{ id: string }>().id}`, moderator), 'DELETE /v1/comment-bans/{id}', 204)
  expectNoStore(t, await context.post('/v1/comments/erase', { email: 'amina@example.org' }, admin), 'POST /v1/comments/erase', 200)
  expectNoStore(t, await context.get('/v1/comments'), 'the queue without a key', 401)
})

t.test('the health probes are no-store, with or without a key', async (t) => {
  const context = await newsroom(t)
  for (const url of ['/healthz', '/readyz']) {
    expectNoStore(t, await context.get(url), url, 200)
    expectNoStore(t, await context.get(url, context.admin), `${url} with a key`, 200)
    expectNoStore(t, await context.app.inject({ method: 'HEAD', url }), `HEAD ${url}`, 200)
  }
})

t.test('the public\'s reads are still cacheable', async (t) => {
  const context = await newsroom(t)
  const answer = await context.get(`/v1/articles/${context.articles[0].id}/comments`)
  t.equal(answer.statusCode, 200)
  t.match(answer.headers['cache-control'], /^public, /)
})
