import t, { type Test } from 'tap'
import { sql } from 'drizzle-orm'
import {
  aComment, anotherArticle, expectFieldError, expectProblem, type Headers, MINUTE, MODERATED_KEYS, newsroom, type Newsroom, type QueueJson
} from './fixtures/support.js'

/** Every moderation route, with a request that would succeed for a moderator. */
async function moderationRoutes (t: Test, context: Newsroom) {
  const [article] = context.articles
  const comment = await context.submitted(t, article.id, aComment())
  const other = await context.submitted(t, article.id, aComment())
  const ban = await context.post('/v1/comment-bans', { email: 'troll@example.org', reason: 'x' }, context.admin)
  const banId = ban.json<{ id: string }>().id
  return [
    { method: 'GET', url: '/v1/comments', ok: 200 },
    { method: 'GET', url: `/v1/comments?status=pending&article=${article.slug}`, ok: 200 },
    { method: 'GET', url: `/v1/comments/${comment.id}`, ok: 200 },
    { method: 'PATCH', url: `/v1/comments/${comment.id}`, payload: { status: 'approved' }, ok: 200 },
    { method: 'POST', url: '/v1/comments/bulk', payload: { ids: [comment.id], status: 'trash' }, ok: 200 },
    { method: 'POST', url: '/v1/comments/erase', payload: { email: 'personne@example.org' }, ok: 200 },
    { method: 'DELETE', url: `/v1/comments/${other.id}`, ok: 204 },
    { method: 'GET', url: '/v1/comment-bans', ok: 200 },
    { method: 'POST', url: '/v1/comment-bans', payload: { ip: '192.0.2.1', reason: 'x' }, ok: 201 },
    { method: 'DELETE', url: `/v1/comment-bans/${banId}`, ok: 204 }
  ] as const
}

t.test('public and author keys cannot moderate: 401 and 403, and nothing changes', async (t) => {
  const context = await newsroom(t)
  const routes = await moderationRoutes(t, context)
  const author = await context.keyFor('author', context.author.id)
  const callers: [string, Headers, number][] = [
    ['no key', {}, 401],
    ['a bad key', { authorization: 'Bearer cms_notakey' }, 401],
    ['a malformed header', { authorization: 'Basic dXNlcjpwYXNz' }, 401],
    ['an author key', author, 403]
  ]
  const before = await context.queue(t)
  for (const route of routes) {
    for (const [name, headers, status] of callers) {
      const response = await context.app.inject({ method: route.method, url: route.url, headers, ...('payload' in route ? { payload: route.payload } : {}) })
      expectProblem(t, response, status, `${name}: ${route.method} ${route.url}`)
      if (status === 401) t.equal(response.headers['www-authenticate'], 'Bearer')
      t.notMatch(response.body, /@example\.org|203\.0\.113/, 'the refusal reveals no email or address')
    }
  }
  t.strictSame(await context.queue(t), before, 'nothing changed')
  t.equal((await context.get('/v1/comment-bans', context.admin)).json().meta.total, 1, 'no ban made or lifted')
})

t.test('a revoked moderator key is refused at once', async (t) => {
  const context = await newsroom(t)
  const created = await context.keyWithId('moderator')
  t.equal((await context.get('/v1/comments', created.headers)).statusCode, 200)
  t.equal((await context.del(`/v1/api-keys/${created.id}`, context.admin)).statusCode, 204)
  expectProblem(t, await context.get('/v1/comments', created.headers), 401, 'revoked')
})

for (const role of ['moderator', 'editor', 'admin'] as const) {
  t.test(`a ${role} key may use every moderation route`, async (t) => {
    const context = await newsroom(t)
    const routes = await moderationRoutes(t, context)
    const headers = await context.keyFor(role)
    for (const route of routes) {
      const response = await context.app.inject({ method: route.method, url: route.url, headers, ...('payload' in route ? { payload: route.payload } : {}) })
      t.equal(response.statusCode, route.ok, `${role}: ${route.method} ${route.url} ${response.statusCode === route.ok ? '' : response.body}`)
    }
  })
}

t.test('the queue: pending first, then oldest first; with a status, oldest first', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const ids: string[] = []
  for (let index = 0; index < 6; index++) {
    ids.push((await context.submitted(t, article.id, aComment())).id)
    context.clock.advance(MINUTE)
  }
  await context.setStatus(t, ids[0]!, 'approved')
  await context.setStatus(t, ids[2]!, 'spam')
  await context.setStatus(t, ids[3]!, 'trash')
  await context.setStatus(t, ids[5]!, 'approved')
  const queue = await context.queue(t)
  t.strictSame(queue.data.map((comment) => comment.id), [ids[1], ids[4], ids[0], ids[2], ids[3], ids[5]], 'pending (oldest first), then the rest oldest first')
  t.strictSame(queue.meta, { total: 6, limit: 20, offset: 0, nextCursor: null, countsByStatus: { pending: 2, approved: 2, spam: 1, trash: 1 } })

  const approved = await context.queue(t, '?status=approved')
  t.strictSame(approved.data.map((comment) => comment.id), [ids[0], ids[5]])
  t.strictSame(approved.meta, { total: 2, limit: 20, offset: 0, nextCursor: null, countsByStatus: { pending: 2, approved: 2, spam: 1, trash: 1 } }, 'counts are of the other filters')
  t.strictSame((await context.queue(t, '?status=spam')).data.map((comment) => comment.id), [ids[2]])
  t.strictSame((await context.queue(t, '?status=trash')).data.map((comment) => comment.id), [ids[3]])

  const page = await context.queue(t, '?limit=2&offset=1')
  t.strictSame(page.data.map((comment) => comment.id), [ids[4], ids[0]], 'paged in the same order')
  t.equal(page.meta.total, 6)
})

t.test('the queue and the bans page by cursor, in their own orders', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const ids: string[] = []
  for (let index = 0; index < 7; index++) {
    ids.push((await context.submitted(t, article.id, aComment())).id)
    context.clock.advance(MINUTE)
  }
  for (const index of [0, 3, 5]) await context.setStatus(t, ids[index]!, index === 3 ? 'spam' : 'approved')
  const walk = async (query: string) => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: QueueJson = await context.queue(t, `?limit=2${query}${cursor === null ? '' : `&cursor=${cursor}`}`)
      seen.push(...page.data.map((comment) => comment.id))
      t.ok(page.data.length <= 2)
      cursor = page.meta.nextCursor
    } while (cursor !== null && seen.length < 20)
    return seen
  }
  t.strictSame(await walk(''), (await context.queue(t)).data.map((comment) => comment.id), 'pending first then oldest, across pages')
  t.strictSame(await walk('&status=approved'), [ids[0], ids[5]], 'with a status')
  t.strictSame(await walk(`&article=${article.slug}&status=pending`), [ids[1], ids[2], ids[4], ids[6]], 'with filters')

  const queueCursor = (await context.queue(t, '?limit=1')).meta.nextCursor
  expectFieldError(t, await context.get(`/v1/comments?status=pending&cursor=${queueCursor}`, context.admin), '/querystring/cursor', 'the queue\'s cursor in another order')
  expectFieldError(t, await context.get(`/v1/comments?cursor=${queueCursor}&offset=2`, context.admin), '/querystring/offset', 'cursor and offset')

  for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
    t.equal((await context.post('/v1/comment-bans', { ip, reason: 'x' }, context.admin)).statusCode, 201)
    context.clock.advance(MINUTE)
  }
  const firstBans = (await context.get('/v1/comment-bans?limit=2', context.admin)).json()
  t.strictSame(firstBans.data.map((ban: { ip: string }) => ban.ip), ['192.0.2.3', '192.0.2.2'])
  const nextBans = (await context.get(`/v1/comment-bans?limit=2&cursor=${firstBans.meta.nextCursor}`, context.admin)).json()
  t.strictSame(nextBans.data.map((ban: { ip: string }) => ban.ip), ['192.0.2.1'])
  t.equal(nextBans.meta.nextCursor, null)
  expectFieldError(t, await context.get(`/v1/comment-bans?cursor=${queueCursor}`, context.admin), '/querystring/cursor', 'a queue cursor on the bans')
})

t.test('queue items are whole ModeratedComments with their article; lists leave history empty', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const moderator = await context.keyWithId('moderator')
  const submitted = await context.submitted(t, article.id, aComment({ authorEmail: 'Amina@Example.ORG', authorUrl: 'https://amina.example/' }), { ip: '2001:db8:7:8:9::1' })
  context.clock.advance(MINUTE)
  await context.setStatus(t, submitted.id, 'approved', moderator.headers)
  const [item] = (await context.queue(t, '', moderator.headers)).data
  t.strictSame(Object.keys(item ?? {}).sort(), MODERATED_KEYS)
  t.strictSame(item, {
    id: submitted.id,
    articleId: article.id,
    parentId: null,
    authorName: 'Amina Lecteur',
    authorUrl: 'https://amina.example/',
    body: submitted.body,
    bodyHtml: submitted.bodyHtml,
    createdAt: submitted.createdAt,
    authorEmail: 'amina@example.org',
    status: 'approved',
    ip: '2001:db8:7:8::/64',
    userAgent: 'LeQuotidien/3.2 (iPhone)',
    article: { id: article.id, slug: article.slug, title: article['title'] },
    moderatedAt: new Date(context.clock.now()).toISOString(),
    moderatedBy: moderator.id,
    history: []
  })
})

t.test('queue filters: status, article by id or slug, email in any case, ip (IPv6 by its /64)', async (t) => {
  const context = await newsroom(t)
  const [first, second] = context.articles
  const a = await context.submitted(t, first.id, aComment({ authorEmail: 'amina@example.org' }), { ip: '198.51.100.1' })
  const b = await context.submitted(t, first.id, aComment({ authorEmail: 'bruno@example.org' }), { ip: '2001:db8:1:1::5' })
  const c = await context.submitted(t, second.id, aComment({ authorEmail: 'amina@example.org' }), { ip: '2001:db8:1:1::6' })
  const d = await context.submitted(t, second.id, aComment({ authorEmail: 'bruno@example.org' }), { ip: '198.51.100.1' })
  await context.setStatus(t, c.id, 'approved')
  await context.setStatus(t, d.id, 'spam')
  const ids = async (query: string) => (await context.queue(t, query)).data.map((comment) => comment.id).sort()

  t.strictSame(await ids(`?article=${first.id}`), [a.id, b.id].sort(), 'article by id')
  t.strictSame(await ids(`?article=${second.slug}`), [c.id, d.id].sort(), 'article by slug')
  t.strictSame(await ids('?article=nulle-part'), [], 'an unknown article matches nothing')
  t.strictSame(await ids('?email=AMINA@example.org'), [a.id, c.id].sort(), 'email in any case')
  t.strictSame(await ids('?email=amina'), [], 'an email matches whole, not in part')
  t.strictSame(await ids('?ip=198.51.100.1'), [a.id, d.id].sort(), 'an IPv4 address')
  t.strictSame(await ids('?ip=2001:db8:1:1:ffff::1'), [b.id, c.id].sort(), 'any IPv6 address of the /64')
  t.strictSame(await ids(`?ip=${encodeURIComponent('2001:db8:1:1::/64')}`), [b.id, c.id].sort(), 'the /64 as shown')
  t.strictSame(await ids('?ip=::ffff:198.51.100.1'), [a.id, d.id].sort(), 'IPv4-mapped')
  t.strictSame(await ids(`?article=${second.id}&email=bruno@example.org&ip=198.51.100.1&status=spam`), [d.id], 'filters combine')

  const filtered = await context.queue(t, '?email=bruno@example.org&status=pending')
  t.strictSame(filtered.data.map((comment) => comment.id), [b.id])
  t.strictSame(filtered.meta.countsByStatus, { pending: 1, approved: 0, spam: 1, trash: 0 }, 'counts follow the other filters')
  t.equal(filtered.meta.total, 1)
})

t.test('bad queue parameters are a 400 naming them', async (t) => {
  const context = await newsroom(t)
  const bad: [string, string][] = [
    ['?status=published', '/querystring/status'],
    ['?status=', '/querystring/status'],
    ['?limit=101', '/querystring/limit'],
    ['?limit=0', '/querystring/limit'],
    ['?offset=-3', '/querystring/offset'],
    ['?article=', '/querystring/article'],
    [`?article=${'a'.repeat(301)}`, '/querystring/article'],
    ['?email=', '/querystring/email'],
    [`?email=${'a'.repeat(255)}`, '/querystring/email'],
    ['?ip=', '/querystring/ip'],
    ['?sort=createdAt', '/querystring/sort'],
    ['?q=casino', '/querystring/q']
  ]
  for (const [query, path] of bad) expectFieldError(t, await context.get(`/v1/comments${query}`, context.admin), path, query)
})

t.test('GET one comment: in full, with its history of changes, by which key, when', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const moderator = await context.keyWithId('moderator')
  const editor = await context.keyWithId('editor')
  const submitted = await context.submitted(t, article.id, aComment())
  const at = (offset: number) => new Date(Date.parse(submitted.createdAt) + offset).toISOString()
  context.clock.advance(MINUTE)
  await context.setStatus(t, submitted.id, 'spam', moderator.headers)
  context.clock.advance(MINUTE)
  await context.setStatus(t, submitted.id, 'approved', editor.headers)
  context.clock.advance(MINUTE)
  const unchanged = await context.setStatus(t, submitted.id, 'approved', moderator.headers)
  t.equal(unchanged.moderatedBy, editor.id, 'setting the same status again changes nothing')

  const response = await context.get(`/v1/comments/${submitted.id}`, moderator.headers)
  t.equal(response.statusCode, 200)
  const comment = response.json()
  t.strictSame(Object.keys(comment).sort(), MODERATED_KEYS)
  t.equal(comment.status, 'approved')
  t.equal(comment.moderatedBy, editor.id)
  t.equal(comment.moderatedAt, at(2 * MINUTE))
  t.strictSame(comment.history, [
    { status: 'pending', previousStatus: null, by: null, rule: 'default', at: at(0) },
    { status: 'spam', previousStatus: 'pending', by: moderator.id, rule: null, at: at(MINUTE) },
    { status: 'approved', previousStatus: 'spam', by: editor.id, rule: null, at: at(2 * MINUTE) }
  ])

  expectProblem(t, await context.get('/v1/comments/com_doesnotexist', context.admin), 404, 'unknown')
  expectFieldError(t, await context.get('/v1/comments/art_abc', context.admin), '/params/id', 'not a comment id')
  const selected = await context.get(`/v1/comments/${submitted.id}?fields=authorEmail`, context.admin)
  t.equal(selected.statusCode, 200)
  t.strictSame(selected.json(), { id: submitted.id, authorEmail: 'amina@example.org' }, 'fields selects what a moderator may see')
  expectFieldError(t, await context.get(`/v1/comments/${submitted.id}?fields=password`, context.admin), '/querystring/fields', 'unknown field')
})

t.test('PATCH a status: every status may be set, and the answer is the comment in full', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const moderator = await context.keyWithId('moderator')
  const submitted = await context.submitted(t, article.id, aComment())
  for (const status of ['approved', 'spam', 'trash', 'pending', 'approved'] as const) {
    context.clock.advance(MINUTE)
    const response = await context.patch(`/v1/comments/${submitted.id}`, { status }, moderator.headers)
    t.equal(response.statusCode, 200)
    const comment = response.json()
    t.strictSame(Object.keys(comment).sort(), MODERATED_KEYS)
    t.equal(comment.status, status)
    t.equal(comment.moderatedAt, new Date(context.clock.now()).toISOString())
    t.equal(comment.moderatedBy, moderator.id)
    t.equal(comment.history.at(-1).status, status)
  }
  t.equal((await context.moderated(t, submitted.id)).history.length, 6)

  const url = `/v1/comments/${submitted.id}`
  expectFieldError(t, await context.patch(url, { status: 'published' }, context.admin), '/body/status', 'an unknown status')
  expectFieldError(t, await context.patch(url, {}, context.admin), '/body/status', 'no status')
  expectFieldError(t, await context.patch(url, { status: null }, context.admin), '/body/status', 'a null status')
  expectFieldError(t, await context.patch(url, { status: 'spam', body: 'réécrit' }, context.admin), '/body/body', 'a moderator does not rewrite comments')
  expectFieldError(t, await context.patch(url, { status: 'spam', authorEmail: 'x@example.org' }, context.admin), '/body/authorEmail')
  expectFieldError(t, await context.patch(url, { status: 'spam', moderatedBy: 'key_x' }, context.admin), '/body/moderatedBy')
  expectFieldError(t, await context.patch('/v1/comments/not-an-id', { status: 'spam' }, context.admin), '/params/id')
  expectProblem(t, await context.patch('/v1/comments/com_doesnotexist', { status: 'spam' }, context.admin), 404, 'unknown comment')
  t.equal((await context.moderated(t, submitted.id)).status, 'approved', 'the refused changes changed nothing')
})

t.test('bulk: one status on many comments, counting only those that changed', async (t) => {
  const context = await newsroom(t)
  const [first, second] = context.articles
  const moderator = await context.keyWithId('moderator')
  const ids = [
    (await context.submitted(t, first.id, aComment())).id,
    (await context.submitted(t, first.id, aComment())).id,
    (await context.submitted(t, second.id, aComment())).id,
    (await context.submitted(t, second.id, aComment())).id
  ]
  await context.setStatus(t, ids[1]!, 'approved')
  context.clock.advance(MINUTE)
  const response = await context.post('/v1/comments/bulk', { ids: [ids[0], ids[1], ids[2], 'com_doesnotexist'], status: 'approved' }, moderator.headers)
  t.equal(response.statusCode, 200)
  t.strictSame(response.json(), { updated: 2 }, 'the already approved one and the unknown one are not counted')
  t.equal(await context.commentCount(t, first.id), 2)
  t.equal(await context.commentCount(t, second.id), 1)
  for (const id of [ids[0]!, ids[2]!]) {
    const comment = await context.moderated(t, id)
    t.match(comment, { status: 'approved', moderatedBy: moderator.id, moderatedAt: new Date(context.clock.now()).toISOString() })
    t.match(comment.history.at(-1), { status: 'approved', previousStatus: 'pending', by: moderator.id })
  }
  t.equal((await context.moderated(t, ids[1]!)).history.length, 2, 'no history for a comment that did not change')
  t.equal((await context.moderated(t, ids[3]!)).status, 'pending', 'one left out stays as it was')

  t.strictSame((await context.post('/v1/comments/bulk', { ids, status: 'trash' }, moderator.headers)).json(), { updated: 4 })
  t.equal(await context.commentCount(t, first.id), 0)
  t.equal(await context.commentCount(t, second.id), 0)

  const bad: [unknown, string, string][] = [
    [{ ids: [], status: 'spam' }, '/body/ids', 'no ids'],
    [{ ids: [ids[0], ids[0]], status: 'spam' }, '/body/ids', 'the same id twice'],
    [{ ids: Array.from({ length: 501 }, (_, index) => `com_${index}`), status: 'spam' }, '/body/ids', 'more than 500'],
    [{ ids: ['nope'], status: 'spam' }, '/body/ids/0', 'not a comment id'],
    [{ ids: [ids[0]], status: 'deleted' }, '/body/status', 'an unknown status'],
    [{ ids: [ids[0]] }, '/body/status', 'no status'],
    [{ status: 'spam' }, '/body/ids', 'no ids at all'],
    [{ ids: ids[0], status: 'spam' }, '/body/ids', 'not an array'],
    [{ ids: [ids[0]], status: 'spam', force: true }, '/body/force', 'an unknown property']
  ]
  for (const [payload, path, name] of bad) expectFieldError(t, await context.post('/v1/comments/bulk', payload, moderator.headers), path, name)
  const okAt500 = await context.post('/v1/comments/bulk', { ids: Array.from({ length: 500 }, (_, index) => `com_${index}`), status: 'spam' }, moderator.headers)
  t.strictSame(okAt500.json(), { updated: 0 }, '500 ids are allowed')
})

t.test('DELETE a comment: gone for good, its replies stay as top-level comments', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const parent = await context.submitted(t, article.id, aComment())
  await context.setStatus(t, parent.id, 'approved')
  const reply = await context.submitted(t, article.id, aComment({ parentId: parent.id }))
  await context.setStatus(t, reply.id, 'approved')
  t.equal(await context.commentCount(t, article.id), 2)

  const moderator = await context.keyFor('moderator')
  const response = await context.del(`/v1/comments/${parent.id}`, moderator)
  t.equal(response.statusCode, 204)
  t.equal(response.body, '')
  expectProblem(t, await context.get(`/v1/comments/${parent.id}`, moderator), 404, 'gone')
  expectProblem(t, await context.del(`/v1/comments/${parent.id}`, moderator), 404, 'deleted twice')
  expectFieldError(t, await context.del('/v1/comments/nope', moderator), '/params/id')
  t.equal(await context.commentCount(t, article.id), 1, 'the count follows')
  const list = await context.publicComments(t, article.id)
  t.strictSame(list.data.map((comment) => [comment.id, comment.parentId]), [[reply.id, null]], 'the reply stays, as a top-level comment')
  t.equal((await context.queue(t)).meta.total, 1)
})

t.test('commentCount counts approved comments and follows every change', async (t) => {
  const context = await newsroom(t, { COMMENT_APPROVE_RETURNING: 'true' })
  const [article, other] = context.articles
  const count = (id = article.id) => context.commentCount(t, id)
  /** The stored count agrees with the comments table after every step. */
  const consistent = () => {
    const rows = context.db.all<{ stored: number, actual: number }>(sql`SELECT comment_count AS stored, (SELECT count(*) FROM comments WHERE comments.article_pk = articles.pk AND status = 'approved') AS actual FROM articles`)
    for (const row of rows) t.equal(row.stored, row.actual, 'the stored count matches the approved comments')
  }
  const a = await context.submitted(t, article.id, aComment({ authorEmail: 'a@example.org' }))
  const b = await context.submitted(t, article.id, aComment({ authorEmail: 'b@example.org' }))
  t.equal(await count(), 0, 'pending comments are not counted')
  await context.setStatus(t, a.id, 'approved')
  t.equal(await count(), 1, 'approved')
  consistent()
  await context.setStatus(t, b.id, 'spam')
  t.equal(await count(), 1, 'spam')
  await context.setStatus(t, a.id, 'trash')
  t.equal(await count(), 0, 'trashed')
  await context.setStatus(t, a.id, 'approved')
  await context.setStatus(t, b.id, 'approved')
  t.equal(await count(), 2)
  await context.setStatus(t, b.id, 'pending')
  t.equal(await count(), 1, 'back to pending')
  consistent()

  await context.submitted(t, article.id, aComment({ authorEmail: 'a@example.org' }))
  t.equal(await count(), 2, 'a returning commenter approved on submission')
  await context.submitted(t, article.id, aComment(), { headers: context.admin })
  t.equal(await count(), 3, 'a trusted key\'s comment')
  consistent()

  const c = await context.submitted(t, other.id, aComment({ authorEmail: 'c@example.org' }))
  t.strictSame((await context.post('/v1/comments/bulk', { ids: [b.id, c.id], status: 'approved' }, context.admin)).json(), { updated: 2 })
  t.equal(await count(), 4, 'bulk, on one article')
  t.equal(await count(other.id), 1, 'bulk, on another')
  t.equal((await context.del(`/v1/comments/${b.id}`, context.admin)).statusCode, 204)
  t.equal(await count(), 3, 'deleted')
  t.strictSame((await context.post('/v1/comments/erase', { email: 'a@example.org' }, context.admin)).json(), { erased: 2 })
  t.equal(await count(), 1, 'erased')
  t.equal(await count(other.id), 1, 'another article untouched by that erasure')
  consistent()

  const list = await context.get('/v1/articles?limit=100')
  const listed = list.json<{ data: { id: string, commentCount: number }[] }>().data.find((item) => item.id === article.id)
  t.equal(listed?.commentCount, 1, 'lists of articles agree')
})

t.test('the count changes in the same transaction as the comment: when the count cannot be written, nothing changes', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const approved = await context.submitted(t, article.id, aComment({ authorEmail: 'a@example.org' }))
  await context.setStatus(t, approved.id, 'approved')
  const pending = await context.submitted(t, article.id, aComment({ authorEmail: 'b@example.org' }))
  // From here on, writing an article's commentCount fails, as a full disk or a crash would.
  context.db.run(sql`CREATE TRIGGER refuse_count BEFORE UPDATE OF comment_count ON articles BEGIN SELECT RAISE(ABORT, 'refused'); END`)
  const attempts = [
    ['PATCH', await context.patch(`/v1/comments/${pending.id}`, { status: 'approved' }, context.admin)],
    ['PATCH away from approved', await context.patch(`/v1/comments/${approved.id}`, { status: 'spam' }, context.admin)],
    ['bulk', await context.post('/v1/comments/bulk', { ids: [approved.id, pending.id], status: 'trash' }, context.admin)],
    ['DELETE', await context.del(`/v1/comments/${approved.id}`, context.admin)],
    ['erase', await context.post('/v1/comments/erase', { email: 'a@example.org' }, context.admin)],
    ['a trusted key\'s comment', await context.submit(article.id, aComment(), { headers: context.admin })]
  ] as const
  for (const [name, response] of attempts) {
    expectProblem(t, response, 500, name)
    t.notMatch(response.body, /refused|comment_count|TRIGGER/i, `${name}: a 5xx says nothing of the SQL`)
  }
  context.db.run(sql`DROP TRIGGER refuse_count`)
  t.equal((await context.moderated(t, approved.id)).status, 'approved', 'the approved comment is still there, still approved')
  t.equal((await context.moderated(t, pending.id)).status, 'pending', 'the pending one is still pending')
  t.equal((await context.moderated(t, pending.id)).history.length, 1, 'with no history of a change that did not happen')
  t.equal((await context.queue(t)).meta.total, 2, 'the trusted key\'s comment was not stored')
  t.equal(await context.commentCount(t, article.id), 1, 'and the count is what it was')
})

t.test('the comments table keeps what the issue lists, with indexes for the queue and its filters', async (t) => {
  const context = await newsroom(t)
  const columns = context.db.all<{ name: string }>(sql`SELECT name FROM pragma_table_info('comments')`).map((row) => row.name).sort()
  t.strictSame(columns, ['article_pk', 'author_email', 'author_name', 'author_url', 'body', 'created_at', 'id', 'ip', 'moderated_at', 'moderated_by', 'parent_id', 'status', 'user_agent'].sort())
  const indexes = context.db.all<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'comments' AND sql IS NOT NULL`).map((row) => row.name).sort()
  t.strictSame(indexes, ['comments_article_ip_created_idx', 'comments_article_status_created_idx', 'comments_email_idx', 'comments_ip_idx', 'comments_parent_idx', 'comments_queue_idx', 'comments_status_created_idx'])
  const plan = (query: ReturnType<typeof sql>) => context.db.all<{ detail: string }>(query).map((row) => row.detail).join(' | ')
  t.match(plan(sql`EXPLAIN QUERY PLAN SELECT id FROM comments WHERE article_pk = 1 AND status = 'approved' ORDER BY created_at`), /USING INDEX comments_article_status_created_idx/, 'the public list')
  t.match(plan(sql`EXPLAIN QUERY PLAN SELECT id FROM comments WHERE author_email = 'a@example.org'`), /USING INDEX comments_email_idx/, 'the email filter and erasure')
  t.match(plan(sql`EXPLAIN QUERY PLAN SELECT id FROM comments WHERE ip = '1.2.3.4'`), /USING INDEX comments_ip_idx/, 'the ip filter')
  t.match(plan(sql`EXPLAIN QUERY PLAN SELECT id FROM comments WHERE ip = '1.2.3.4' AND created_at > 0 AND article_pk = 1 AND body = 'x'`),
    /USING INDEX comments_article_ip_created_idx/, 'the double-submission check looks at this client\'s comments on this article only')
})

t.test('a moderator reads an article\'s public comments like anyone', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const moderator = await context.keyFor('moderator')
  const response = await context.get(`/v1/articles/${article.id}/comments`, moderator)
  t.equal(response.statusCode, 200)
  t.strictSame(response.json().meta, { total: 0, limit: 20, offset: 0, nextCursor: null })
  const draft = await anotherArticle(context, { status: 'draft', title: 'Brouillon' })
  expectProblem(t, await context.get(`/v1/articles/${draft.id}/comments`, moderator), 404, 'and a draft\'s comments are not there to read')
})
