import t from 'tap'
import {
  aComment, anotherArticle, expectFieldError, expectProblem, HOUR, MINUTE, newsroom, PUBLIC_KEYS, SUBMITTED_KEYS
} from './fixtures/support.js'

t.test('a reader submits a comment: 201 with the public comment and `pending`', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const payload = aComment({ authorUrl: 'https://amina.example/blog' })
  const response = await context.submit(article.id, payload)
  t.equal(response.statusCode, 201)
  t.match(response.headers['content-type'], /^application\/json/)
  const answer = response.json()
  t.strictSame(Object.keys(answer).sort(), SUBMITTED_KEYS, 'the public comment plus status, nothing else')
  t.match(answer.id, /^com_[0-9a-z]+$/)
  t.equal(answer.articleId, article.id)
  t.equal(answer.parentId, null)
  t.equal(answer.authorName, payload.authorName)
  t.equal(answer.authorUrl, 'https://amina.example/blog')
  t.equal(answer.body, payload.body)
  t.equal(answer.createdAt, new Date(context.clock.now()).toISOString())
  t.equal(answer.status, 'pending')

  const stored = await context.moderated(t, answer.id)
  t.equal(stored.status, 'pending', 'stored as pending')
  t.equal(stored.authorEmail, 'amina@example.org')
  t.equal(stored.userAgent, 'LeQuotidien/3.2 (iPhone)')
  t.equal(stored.ip, '203.0.113.7')
})

t.test('the user agent is kept for moderators, cut at 500 characters', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const long = await context.submitted(t, article.id, aComment(), { headers: { 'user-agent': 'U'.repeat(600) } })
  t.equal((await context.moderated(t, long.id)).userAgent, 'U'.repeat(500))
})

t.test('an article is named by id or by slug, and authorUrl may be left out', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const bySlug = await context.submitted(t, article.slug, aComment())
  t.equal(bySlug.articleId, article.id, 'by slug')
  t.equal(bySlug.authorUrl, null, 'no authorUrl is null')
  const explicitNull = await context.submitted(t, article.id, aComment({ authorUrl: null, parentId: null }))
  t.equal(explicitNull.authorUrl, null)
  t.equal(explicitNull.parentId, null)
  await context.setStatus(t, bySlug.id, 'approved')
  t.strictSame((await context.publicComments(t, article.slug)).data.map((comment) => comment.id), [bySlug.id], 'listed by slug')
  t.strictSame((await context.publicComments(t, article.id)).data.map((comment) => comment.id), [bySlug.id], 'listed by id')
})

t.test('the public list holds approved comments only, oldest first', async (t) => {
  const context = await newsroom(t)
  const [article, other] = context.articles
  const ids: string[] = []
  for (let index = 0; index < 6; index++) {
    ids.push((await context.submitted(t, article.id, aComment(), { ip: `198.51.100.${index}` })).id)
    context.clock.advance(MINUTE)
  }
  await context.submitted(t, other.id, aComment({ body: 'Sur un autre article.' }))
  t.strictSame((await context.publicComments(t, article.id)).data, [], 'nothing approved yet: nothing shown')

  // Approved out of order: the list still follows the time of submission.
  await context.setStatus(t, ids[4]!, 'approved')
  await context.setStatus(t, ids[0]!, 'approved')
  await context.setStatus(t, ids[2]!, 'approved')
  await context.setStatus(t, ids[1]!, 'spam')
  await context.setStatus(t, ids[3]!, 'trash')
  // ids[5] stays pending.
  const list = await context.publicComments(t, article.id)
  t.strictSame(list.data.map((comment) => comment.id), [ids[0], ids[2], ids[4]], 'approved only, oldest first')
  t.strictSame(list.meta, { total: 3, limit: 20, offset: 0, nextCursor: null })
  for (const comment of list.data) t.strictSame(Object.keys(comment).sort(), PUBLIC_KEYS, 'a PublicComment and nothing more')

  const page = await context.publicComments(t, article.id, '?limit=1&offset=1')
  t.strictSame(page.data.map((comment) => comment.id), [ids[2]], 'paged')
  t.strictSame({ ...page.meta, nextCursor: typeof page.meta.nextCursor }, { total: 3, limit: 1, offset: 1, nextCursor: 'string' }, 'a cursor to the page after')

  await context.setStatus(t, ids[4]!, 'pending')
  t.strictSame((await context.publicComments(t, article.id)).data.map((comment) => comment.id), [ids[0], ids[2]], 'unapproved: gone again')
  t.strictSame((await context.publicComments(t, other.id)).data, [], 'another article\'s comments are not listed here')
})

t.test('replies carry their parentId, and a reply to a reply is allowed', async (t) => {
  const context = await newsroom(t)
  const [article, other] = context.articles
  const root = await context.submitted(t, article.id, aComment())
  await context.setStatus(t, root.id, 'approved')
  context.clock.advance(MINUTE)
  const reply = await context.submitted(t, article.id, aComment({ parentId: root.id }))
  t.equal(reply.parentId, root.id)
  await context.setStatus(t, reply.id, 'approved')
  context.clock.advance(MINUTE)
  const nested = await context.submitted(t, article.slug, aComment({ parentId: reply.id }))
  t.equal(nested.parentId, reply.id, 'a reply to a reply')
  await context.setStatus(t, nested.id, 'approved')
  const list = await context.publicComments(t, article.id)
  t.strictSame(list.data.map((comment) => [comment.id, comment.parentId]), [[root.id, null], [reply.id, root.id], [nested.id, reply.id]])

  const pending = await context.submitted(t, article.id, aComment())
  expectFieldError(t, await context.submit(article.id, aComment({ parentId: pending.id })), '/body/parentId', 'a pending parent')
  await context.setStatus(t, pending.id, 'spam')
  expectFieldError(t, await context.submit(article.id, aComment({ parentId: pending.id })), '/body/parentId', 'a spam parent')
  expectFieldError(t, await context.submit(other.id, aComment({ parentId: root.id })), '/body/parentId', 'a parent on another article')
  expectFieldError(t, await context.submit(article.id, aComment({ parentId: 'com_doesnotexist' })), '/body/parentId', 'an unknown parent')
  expectFieldError(t, await context.submit(article.id, aComment({ parentId: 'art_abc' })), '/body/parentId', 'not a comment id')
  await context.setStatus(t, root.id, 'trash')
  expectFieldError(t, await context.submit(article.id, aComment({ parentId: root.id })), '/body/parentId', 'a parent taken down since')
})

t.test('articles the public cannot see answer 404 for reading and for commenting', async (t) => {
  const context = await newsroom(t)
  const draft = await anotherArticle(context, { title: 'Brouillon', status: 'draft' })
  const scheduled = await anotherArticle(context, { title: 'Programmé', status: 'scheduled', publishedAt: new Date(context.clock.now() + HOUR).toISOString() })
  const editor = await context.keyFor('editor')
  for (const [name, idOrSlug] of [['draft', draft.id], ['draft by slug', draft.slug], ['scheduled', scheduled.id], ['unknown id', 'art_doesnotexist'], ['unknown slug', 'nulle-part']] as const) {
    expectProblem(t, await context.get(`/v1/articles/${idOrSlug}/comments`), 404, `GET comments of ${name}`)
    expectProblem(t, await context.submit(idOrSlug, aComment()), 404, `POST a comment on ${name}`)
    expectProblem(t, await context.submit(idOrSlug, aComment(), { headers: editor }), 404, `POST a comment on ${name}, as an editor`)
  }
  const queue = await context.queue(t)
  t.equal(queue.meta.total, 0, 'nothing was stored')

  context.clock.advance(HOUR)
  t.equal((await context.get(`/v1/articles/${scheduled.id}/comments`)).statusCode, 200, 'once it is live, it may be read')
  await context.submitted(t, scheduled.id, aComment())
})

t.test('closed comments: 403 on submit, while the approved ones stay readable', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const earlier = await context.submitted(t, article.id, aComment())
  await context.setStatus(t, earlier.id, 'approved')
  t.equal((await context.patch(`/v1/articles/${article.id}`, { commentsOpen: false }, context.admin)).statusCode, 200)
  const closed = expectProblem(t, await context.submit(article.id, aComment()), 403, 'a reader on a closed article')
  t.match(closed.detail, /closed/i)
  expectProblem(t, await context.submit(article.id, aComment(), { headers: context.admin }), 403, 'even the newsroom')
  t.strictSame((await context.publicComments(t, article.id)).data.map((comment) => comment.id), [earlier.id])
  t.equal((await context.queue(t)).meta.total, 1, 'nothing more was stored')

  const bornClosed = await anotherArticle(context, { status: 'published', commentsOpen: false })
  expectProblem(t, await context.submit(bornClosed.id, aComment()), 403, 'created closed')

  t.equal((await context.patch(`/v1/articles/${article.id}`, { commentsOpen: true }, context.admin)).statusCode, 200)
  await context.submitted(t, article.id, aComment())
})

t.test('bodies are kept as typed and shown escaped, links with rel="nofollow ugc"', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const body = '<script>alert("pwned")</script>\n<img src=x onerror=alert(1)> voir https://source.example/doc?a=1&b=2\n\njavascript:alert(2)'
  const submitted = await context.submitted(t, article.id, aComment({ body }))
  t.equal(submitted.body, body, 'the body is kept as plain text, unchanged')
  t.equal(submitted.bodyHtml, '<p>&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;<br>&lt;img src=x onerror=alert(1)&gt; voir ' +
    '<a href="https://source.example/doc?a=1&amp;b=2" rel="nofollow ugc noopener">https://source.example/doc?a=1&amp;b=2</a></p>\n' +
    '<p>javascript:alert(2)</p>')
  await context.setStatus(t, submitted.id, 'approved')
  const [listed] = (await context.publicComments(t, article.id)).data
  t.equal(listed?.body, body, 'listed as typed')
  t.equal(listed?.bodyHtml, submitted.bodyHtml, 'and rendered the same way')
  t.notMatch(listed?.bodyHtml, /<script|<img/, 'nothing runs')

  const named = await context.submitted(t, article.id, aComment({ authorName: '<b>Amina</b>' }))
  t.equal(named.authorName, '<b>Amina</b>', 'the name too is kept as plain text, for the front end to escape')
})

t.test('a comment posted with a moderator, editor or admin key is approved at once; an author key\'s is not', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  let count = 0
  for (const role of ['moderator', 'editor', 'admin'] as const) {
    const key = await context.keyWithId(role)
    const answer = await context.submitted(t, article.id, aComment({ authorName: 'La rédaction' }), { headers: key.headers })
    t.equal(answer.status, 'approved', `${role}: reads approved`)
    count++
    t.equal(await context.commentCount(t, article.id), count, `${role}: counted at once`)
    const stored = await context.moderated(t, answer.id)
    t.equal(stored.status, 'approved')
    t.equal(stored.moderatedBy, key.id, `${role}: moderated by its key`)
    t.match(stored.history, [{ status: 'approved', previousStatus: null, by: key.id, rule: 'trusted-key' }])
  }
  const authorKey = await context.keyFor('author', context.author.id)
  const byAuthor = await context.submitted(t, article.id, aComment(), { headers: authorKey })
  t.equal(byAuthor.status, 'pending', 'an author key is a reader here')
  t.equal(await context.commentCount(t, article.id), count)
  t.equal((await context.publicComments(t, article.id)).meta.total, 3)
})

t.test('a bad key is a 401 on the public comment routes, never the public', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const bad = { authorization: 'Bearer cms_notakey' }
  expectProblem(t, await context.get(`/v1/articles/${article.id}/comments`, bad), 401, 'GET with a bad key')
  expectProblem(t, await context.submit(article.id, aComment(), { headers: bad }), 401, 'POST with a bad key')
  t.equal((await context.queue(t)).meta.total, 0, 'nothing stored')
})

t.test('every bad field of a submission is a problem+json 400 naming it', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const cases: [string, Record<string, unknown>, string][] = [
    ['authorName missing', { authorName: undefined }, '/body/authorName'],
    ['authorName empty', { authorName: '' }, '/body/authorName'],
    ['authorName blank', { authorName: '   ' }, '/body/authorName'],
    ['authorName too long', { authorName: 'a'.repeat(101) }, '/body/authorName'],
    ['authorName a number', { authorName: 42 }, '/body/authorName'],
    ['authorEmail missing', { authorEmail: undefined }, '/body/authorEmail'],
    ['authorEmail not an address', { authorEmail: 'amina' }, '/body/authorEmail'],
    ['authorEmail with no domain', { authorEmail: 'amina@' }, '/body/authorEmail'],
    ['authorEmail too long', { authorEmail: `${'a'.repeat(250)}@example.org` }, '/body/authorEmail'],
    ['authorEmail null', { authorEmail: null }, '/body/authorEmail'],
    ['body missing', { body: undefined }, '/body/body'],
    ['body empty', { body: '' }, '/body/body'],
    ['body blank', { body: ' \n\n\t ' }, '/body/body'],
    ['body too long', { body: 'a'.repeat(5001) }, '/body/body'],
    ['body an array', { body: ['a'] }, '/body/body'],
    ['authorUrl javascript:', { authorUrl: 'javascript:alert(1)' }, '/body/authorUrl'],
    ['authorUrl ftp:', { authorUrl: 'ftp://files.example/x' }, '/body/authorUrl'],
    ['authorUrl not a URL', { authorUrl: 'mon blog' }, '/body/authorUrl'],
    ['authorUrl too long', { authorUrl: `https://a.example/${'a'.repeat(2048)}` }, '/body/authorUrl'],
    ['parentId malformed', { parentId: 'not an id' }, '/body/parentId'],
    ['parentId a number', { parentId: 1 }, '/body/parentId'],
    ['status is not the reader\'s to set', { status: 'approved' }, '/body/status'],
    ['id is the server\'s', { id: 'com_mine' }, '/body/id'],
    ['createdAt is the server\'s', { createdAt: '2025-01-01T00:00:00.000Z' }, '/body/createdAt'],
    ['bodyHtml is the server\'s', { bodyHtml: '<p>x</p>' }, '/body/bodyHtml'],
    ['ip is not the reader\'s to say', { ip: '1.2.3.4' }, '/body/ip'],
    ['articleId comes from the path', { articleId: 'art_x' }, '/body/articleId']
  ]
  for (const [name, change, path] of cases) {
    const payload = aComment(change)
    for (const key of Object.keys(change)) if (change[key] === undefined) delete payload[key]
    expectFieldError(t, await context.submit(article.id, payload), path, name)
  }
  const longest = await context.submitted(t, article.id, aComment({ body: 'é'.repeat(5000), authorName: 'n'.repeat(100) }))
  t.equal(longest.body.length, 5000, 'the longest body and name allowed pass')
  const several = expectProblem(t, await context.submit(article.id, { authorName: '', authorEmail: 'x', body: '', extra: 1 }), 400, 'several bad fields')
  t.strictSame(new Set((several.errors ?? []).map((error) => error.path)), new Set(['/body/authorName', '/body/authorEmail', '/body/body', '/body/extra']), 'every bad field is named')

  const malformed = await context.app.inject({ method: 'POST', url: `/v1/articles/${article.id}/comments`, headers: { 'content-type': 'application/json' }, payload: '{"authorName": ' })
  expectProblem(t, malformed, 400, 'malformed JSON')
  const form = await context.app.inject({ method: 'POST', url: `/v1/articles/${article.id}/comments`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'authorName=a&body=b' })
  expectProblem(t, form, 415, 'not JSON')
  const text = await context.app.inject({ method: 'POST', url: `/v1/articles/${article.id}/comments`, headers: { 'content-type': 'text/plain' }, payload: 'bonjour' })
  expectProblem(t, text, 415, 'text/plain')
  t.equal((await context.queue(t)).meta.total, 1, 'only the valid one was stored')
})

t.test('bad query parameters of the public list are a 400 naming them', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const url = `/v1/articles/${article.id}/comments`
  expectFieldError(t, await context.get(`${url}?limit=0`), '/querystring/limit')
  expectFieldError(t, await context.get(`${url}?limit=101`), '/querystring/limit')
  expectFieldError(t, await context.get(`${url}?limit=abc`), '/querystring/limit')
  expectFieldError(t, await context.get(`${url}?offset=-1`), '/querystring/offset')
  expectFieldError(t, await context.get(`${url}?page=2`), '/querystring/page', 'an unknown parameter')
  t.strictSame((await context.publicComments(t, article.id, '?limit=100&offset=0')).meta, { total: 0, limit: 100, offset: 0, nextCursor: null }, 'the bounds themselves pass')
})

t.test('the public list pages by cursor, and the cursor stays right while comments are approved', async (t) => {
  const context = await newsroom(t)
  const [article, other] = context.articles
  const ids: string[] = []
  for (let index = 0; index < 5; index++) {
    ids.push((await context.submitted(t, article.id, aComment())).id)
    context.clock.advance(MINUTE)
  }
  for (const id of ids.slice(1)) await context.setStatus(t, id, 'approved')
  const first = await context.publicComments(t, article.id, '?limit=2')
  t.strictSame(first.data.map((comment) => comment.id), [ids[1], ids[2]])
  t.type(first.meta.nextCursor, 'string')
  t.strictSame(secretsOf(first.meta.nextCursor!), [], 'the cursor holds no private field')

  // An older comment is approved meanwhile: with an offset the next page would repeat ids[2].
  await context.setStatus(t, ids[0]!, 'approved')
  const second = await context.publicComments(t, article.id, `?limit=2&cursor=${first.meta.nextCursor}`)
  t.strictSame(second.data.map((comment) => comment.id), [ids[3], ids[4]], 'the page after the cursor, unchanged')
  t.equal(second.meta.nextCursor, null, 'the last page')
  t.equal(second.meta.total, 5)

  const url = `/v1/articles/${article.id}/comments`
  expectFieldError(t, await context.get(`${url}?cursor=${first.meta.nextCursor}&offset=1`), '/querystring/offset', 'cursor and offset')
  expectFieldError(t, await context.get(`${url}?cursor=bm9wZQ`), '/querystring/cursor', 'not a cursor')
  expectFieldError(t, await context.get(`${url}?cursor=`), '/querystring/cursor', 'an empty cursor')
  const onOther = await context.get(`/v1/articles/${other.id}/comments?cursor=${first.meta.nextCursor}`)
  t.equal(onOther.statusCode, 200, 'a cursor is a position in the order, usable on another article')
})

/** What a cursor could hide: it is base64url JSON. */
function secretsOf (cursor: string): string[] {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8')
  return ['@', 'amina', '203.0.113', 'pending', 'approved'].filter((secret) => decoded.includes(secret))
}
