import t, { type Test } from 'tap'
import { createArticle, createTag } from '../helper.js'
import {
  create, DAY, delivery, etagOf, expectList, expectOk, expectProblem, HOUR, patchArticle, varyNames, withFixture,
  type ArticleJson, type Delivery, type Headers
} from './fixtures/support.js'

const STRONG_ETAG = /^"[^"\s]+"$/
const PUBLIC_DEFAULT = 'public, max-age=60, s-maxage=300, stale-while-revalidate=30'

/** Asserts the `Vary` of a cacheable answer: Authorization and Accept-Encoding, each named once. */
function expectVary (t: Test, response: { headers: Record<string, unknown> } & Parameters<typeof varyNames>[0], message: string) {
  const names = varyNames(response)
  t.ok(names.includes('authorization'), `${message}: Vary names Authorization (got ${JSON.stringify(response.headers.vary)})`)
  t.ok(names.includes('accept-encoding'), `${message}: Vary names Accept-Encoding (got ${JSON.stringify(response.headers.vary)})`)
  t.equal(new Set(names).size, names.length, `${message}: Vary names each field once (got ${JSON.stringify(response.headers.vary)})`)
}

/** Every kind of public GET the API has, over the fixture. */
function publicReads (context: Awaited<ReturnType<typeof withFixture>>) {
  const [first] = context.fixture
  return [
    '/v1/articles',
    `/v1/articles/${first.id}`,
    `/v1/articles/${first.slug}`,
    `/v1/articles/${first.id}/related`,
    `/v1/articles/${first.id}/comments`,
    '/v1/authors',
    `/v1/authors/${context.author.slug}`,
    '/v1/tags',
    '/v1/tags/international',
    '/v1/tombstones?since=2020-01-01T00:00:00.000Z',
    '/v1/feed.rss',
    '/v1/feed.atom',
    '/v1/feed.json',
    '/v1/sitemap.xml',
    '/v1/sitemaps/1.xml',
    '/v1/news-sitemap.xml'
  ]
}

t.test('every public GET answers with a strong ETag, public Cache-Control and Vary, and a 304 to its own ETag', async (t) => {
  const context = await withFixture(t)
  for (const url of publicReads(context)) {
    const response = await context.api.get(url)
    t.equal(response.statusCode, 200, `${url} answers 200`)
    const etag = etagOf(t, response, url)
    t.match(etag, STRONG_ETAG, `${url}: the ETag is strong`)
    t.equal(response.headers['cache-control'], PUBLIC_DEFAULT, `${url}: public Cache-Control`)
    expectVary(t, response, url)
    const again = await context.api.get(url)
    t.equal(again.headers.etag, etag, `${url}: the same answer has the same ETag`)
    const revalidated = await context.api.get(url, { 'if-none-match': etag })
    t.equal(revalidated.statusCode, 304, `${url}: If-None-Match with its ETag is a 304`)
    t.equal(revalidated.body, '', `${url}: a 304 has no body`)
  }
})

t.test('If-None-Match compares weakly and takes a list of tags; anything else gets the full answer', async (t) => {
  const context = await withFixture(t)
  const url = `/v1/articles/${context.fixture[0].id}`
  const full = await context.api.get(url)
  const etag = etagOf(t, full)
  const cases: Array<[string, number]> = [
    [etag, 304],
    [`W/${etag}`, 304],
    [`"nope", ${etag}`, 304],
    [`"nope",W/${etag}`, 304],
    [`W/"nope" ,  ${etag} , "other"`, 304],
    ['*', 304],
    ['"nope"', 200],
    ['"nope", W/"other"', 200],
    [etag.slice(0, -2) + '"', 200]
  ]
  for (const [header, status] of cases) {
    const response = await context.api.get(url, { 'if-none-match': header })
    t.equal(response.statusCode, status, `If-None-Match: ${header} answers ${status}`)
    t.equal(response.headers.etag, etag, `If-None-Match: ${header}: the answer carries the current ETag`)
    t.equal(response.headers['cache-control'], PUBLIC_DEFAULT, `If-None-Match: ${header}: Cache-Control`)
    expectVary(t, response, `If-None-Match: ${header}`)
    if (status === 304) {
      t.equal(response.body, '', 'a 304 has no body')
      t.equal(response.headers['content-type'], undefined, 'a 304 has no Content-Type')
    } else {
      t.strictSame(response.json(), full.json(), 'a 200 has the full body')
    }
  }
  const list = await context.api.get('/v1/articles')
  t.equal((await context.api.get('/v1/articles', { 'if-none-match': `W/${etagOf(t, list)}` })).statusCode, 304, 'lists compare weakly too')
})

t.test('single resources carry Last-Modified, their updatedAt, which moves with an edit', async (t) => {
  const context = await withFixture(t)
  const { api, clock, fixture } = context
  const reads = [`/v1/articles/${fixture[0].id}`, `/v1/authors/${context.author.id}`, `/v1/tags/${context.tagIds.get('Maroc')}`]
  for (const url of reads) {
    const response = await api.get(url)
    const { updatedAt } = expectOk<{ updatedAt: string }>(t, response, url)
    t.equal(response.headers['last-modified'], new Date(updatedAt).toUTCString(), `${url}: Last-Modified is its updatedAt`)
  }
  clock.advance(HOUR)
  await patchArticle(t, api, fixture[0].id, { title: 'Nouveau titre' })
  const after = await api.get(`/v1/articles/${fixture[0].id}`)
  t.equal(after.headers['last-modified'], new Date(clock.now()).toUTCString(), 'an edit moves Last-Modified to its time')
})

t.test('each number of the public Cache-Control is a setting', async (t) => {
  const context = await withFixture(t, { CACHE_MAX_AGE: '7', CACHE_S_MAXAGE: '120', CACHE_STALE_WHILE_REVALIDATE: '0' })
  for (const url of publicReads(context)) {
    t.equal((await context.api.get(url)).headers['cache-control'], 'public, max-age=7, s-maxage=120, stale-while-revalidate=0', url)
  }
})

t.test('answers to a key are private, no-cache, still with ETag and Vary, and still revalidate to 304', async (t) => {
  const context = await withFixture(t)
  const keys: Array<[string, Headers]> = [
    ['admin', context.admin],
    ['editor', await context.keyFor('editor')],
    ['moderator', await context.keyFor('moderator')],
    ['author', await context.keyFor('author', context.author.id)]
  ]
  for (const [role, headers] of keys) {
    for (const url of publicReads(context)) {
      const response = await context.api.get(url, headers)
      t.equal(response.statusCode, 200, `${role} ${url} answers 200`)
      t.equal(response.headers['cache-control'], 'private, no-cache', `${role} ${url}: private, no-cache`)
      expectVary(t, response, `${role} ${url}`)
      const etag = etagOf(t, response, `${role} ${url}`)
      t.equal((await context.api.get(url, { ...headers, 'if-none-match': etag })).statusCode, 304, `${role} ${url}: 304`)
    }
  }
  const queue = await context.api.get('/v1/comments', keys[2]![1])
  t.equal(queue.statusCode, 200)
  t.equal(queue.headers['cache-control'], 'no-store', 'the moderation queue, which carries emails and addresses, is not even kept privately')
  t.type(queue.headers.etag, 'string', 'the moderation queue has an ETag')
})

t.test('an error is never stored: no ETag, no-store', async (t) => {
  const context = await withFixture(t)
  for (const url of ['/v1/articles/nope', '/v1/articles?limit=1000', '/v1/tags/nope', '/v1/sitemaps/2.xml']) {
    const response = await context.api.get(url)
    t.ok(response.statusCode >= 400, `${url} is an error`)
    t.equal(response.headers.etag, undefined, `${url}: no ETag`)
    t.equal(response.headers['cache-control'], 'no-store', `${url}: no-store`)
  }
})

t.test('a single resource has the same ETag whatever key or fields the GET used', async (t) => {
  const context = await withFixture(t)
  const { api, fixture } = context
  const viewers: Headers[] = [{}, context.admin, await context.keyFor('editor'), await context.keyFor('moderator'), await context.keyFor('author', context.author.id)]
  const resources: Array<[string, string]> = [
    [`/v1/articles/${fixture[0].id}`, 'title,tags'],
    [`/v1/articles/${fixture[0].slug}`, 'bodyHtml'],
    [`/v1/authors/${context.author.id}`, 'name'],
    [`/v1/authors/${context.author.slug}`, 'email,name'],
    [`/v1/tags/${context.tagIds.get('Gaza')}`, 'articleCount']
  ]
  for (const [url, fields] of resources) {
    const reference = etagOf(t, await api.get(url), url)
    for (const headers of viewers) {
      for (const query of ['', `?fields=${fields}`]) {
        const response = await api.get(url + query, headers)
        t.equal(response.statusCode, 200, `${url}${query} answers 200`)
        t.equal(response.headers.etag, reference, `${url}${query} as ${headers.authorization === undefined ? 'the public' : 'a key'}: the same ETag`)
      }
    }
  }
  const staff = await api.get(`/v1/authors/${context.author.id}`, context.admin)
  t.ok('email' in staff.json<object>(), 'staff see the email, which changes nothing to the ETag')
})

/** For each resource: a URL to read it, a URL to write it, a change, and what to check once changed. */
async function writableResources (context: Delivery) {
  const author = await context.api.post('/v1/authors', { name: 'Yasmine Alaoui', email: 'yasmine@lequotidien.example' })
  const { id: authorId } = author.json<{ id: string }>()
  const tag = await createTag(context, 'Sport')
  const article = await createArticle(context, { title: 'Un match', body: 'Le récit.', authorId, tagIds: [tag.id], status: 'published', publishedAt: '2025-01-26T10:00:00.000Z' })
  return [
    { name: 'article', url: `/v1/articles/${article.id}`, change: { title: 'Un match nul' }, another: { title: 'Un match gagné' } },
    { name: 'author', url: `/v1/authors/${authorId}`, change: { name: 'Yasmine El Alaoui' }, another: { bio: 'Reporter sportive.' } },
    { name: 'tag', url: `/v1/tags/${tag.id}`, change: { name: 'Sports' }, another: { description: 'Tous les sports.' } }
  ]
}

t.test('If-Match on PATCH: the current ETag passes and the answer carries the new ETag, that of a fresh GET; a stale one is a 412 that changes nothing', async (t) => {
  const context = await delivery(t)
  const { api, clock } = context
  for (const { name, url, change, another } of await writableResources(context)) {
    const read = etagOf(t, await api.get(url), name)
    clock.advance(HOUR)
    const written = await api.patch(url, change, { ...context.admin, 'if-match': read })
    t.equal(written.statusCode, 200, `${name}: PATCH with the current ETag answers 200 ${written.statusCode === 200 ? '' : written.body}`)
    const newTag = etagOf(t, written, `${name}: the PATCH answer`)
    t.match(newTag, STRONG_ETAG)
    t.not(newTag, read, `${name}: the write changed the ETag`)
    const fresh = await api.get(url)
    t.equal(newTag, fresh.headers.etag, `${name}: the PATCH answer's ETag is that of a fresh public GET`)
    t.equal(newTag, (await api.get(url, context.admin)).headers.etag, `${name}: and of a fresh GET with a key`)

    clock.advance(HOUR)
    const stale = await api.patch(url, another, { ...context.admin, 'if-match': read })
    expectProblem(t, stale, 412, `${name}: PATCH with the ETag read before the write`)
    t.equal(stale.headers.etag, undefined, `${name}: a 412 carries no ETag`)
    const unchanged = await api.get(url)
    t.equal(unchanged.headers.etag, newTag, `${name}: the 412 changed nothing`)
    t.strictSame(unchanged.json(), fresh.json(), `${name}: the body is the same`)

    const again = await api.patch(url, another, { ...context.admin, 'if-match': `"stale", ${newTag}` })
    t.equal(again.statusCode, 200, `${name}: If-Match with a list that holds the current ETag passes`)
    t.equal(again.headers.etag, (await api.get(url)).headers.etag, `${name}: the answer's ETag is again a fresh GET's`)
  }
})

t.test('If-Match compares strongly: a weak tag is a 412; * passes', async (t) => {
  const context = await delivery(t)
  const { api } = context
  for (const { name, url, change } of await writableResources(context)) {
    const read = etagOf(t, await api.get(url), name)
    expectProblem(t, await api.patch(url, change, { ...context.admin, 'if-match': `W/${read}` }), 412, `${name}: If-Match W/${read}`)
    t.equal((await api.get(url)).headers.etag, read, `${name}: nothing changed`)
    const star = await api.patch(url, change, { ...context.admin, 'if-match': '*' })
    t.equal(star.statusCode, 200, `${name}: If-Match * passes`)
  }
})

t.test('If-Match on DELETE: a stale ETag is a 412 and the resource stays; the current one deletes it', async (t) => {
  const context = await delivery(t)
  const { api, clock } = context
  const resources = await writableResources(context)
  // Deleting the author needs its article gone first: go article, tag, then author.
  const order = [resources[0]!, resources[2]!, resources[1]!]
  for (const { name, url, change } of order) {
    const read = etagOf(t, await api.get(url), name)
    clock.advance(HOUR)
    const written = await api.patch(url, change)
    t.equal(written.statusCode, 200)
    expectProblem(t, await api.del(url, { ...context.admin, 'if-match': read }), 412, `${name}: DELETE with a stale ETag`)
    t.equal((await api.get(url)).statusCode, 200, `${name}: still there after the 412`)
    const current = etagOf(t, await api.get(url), name)
    const deleted = await api.del(url, { ...context.admin, 'if-match': current })
    t.equal(deleted.statusCode, 204, `${name}: DELETE with the current ETag ${deleted.statusCode === 204 ? '' : deleted.body}`)
    t.equal((await api.get(url)).statusCode, 404, `${name}: gone`)
  }
})

t.test('If-Match works with an ETag read with another key or with fields', async (t) => {
  const context = await withFixture(t)
  const { api, fixture } = context
  const editor = await context.keyFor('editor')
  const articleUrl = `/v1/articles/${fixture[1].id}`
  const readWithFields = etagOf(t, await api.get(`${articleUrl}?fields=title`))
  const patched = await api.patch(articleUrl, { commentsOpen: false }, { ...editor, 'if-match': readWithFields })
  t.equal(patched.statusCode, 200, 'an article ETag read with fields, by the public, lets an editor write')
  const readByAuthor = etagOf(t, await api.get(`${articleUrl}?fields=slug`, await context.keyFor('author', context.author.id)))
  t.equal((await api.patch(articleUrl, { commentsOpen: true }, { ...context.admin, 'if-match': readByAuthor })).statusCode, 200, 'one read by an author key too')

  const authorUrl = `/v1/authors/${context.author.id}`
  const publicRead = etagOf(t, await api.get(`${authorUrl}?fields=name`))
  t.equal((await api.patch(authorUrl, { bio: 'La rédaction.' }, { ...editor, 'if-match': publicRead })).statusCode, 200, 'an author ETag read by the public lets staff write')
  const staffRead = etagOf(t, await api.get(authorUrl, editor))
  t.equal((await api.patch(authorUrl, { bio: 'La rédaction, à Rabat.' }, { ...context.admin, 'if-match': staffRead })).statusCode, 200, 'one read by staff (with the email) too')

  const tagUrl = `/v1/tags/${context.tagIds.get('Gaza')}`
  const tagRead = etagOf(t, await api.get(`${tagUrl}?fields=name`, editor))
  t.equal((await api.patch(tagUrl, { description: 'La bande de Gaza.' }, { ...context.admin, 'if-match': tagRead })).statusCode, 200, 'a tag ETag read with fields')
})

t.test('an article edit changes its ETag and that of every list showing it', async (t) => {
  const context = await withFixture(t)
  const { api, fixture, clock } = context
  const reads = [`/v1/articles/${fixture[0].id}`, '/v1/articles', '/v1/articles?tag=international', `/v1/articles/${fixture[1].id}/related`, '/v1/feed.json', '/v1/feed.rss', '/v1/feed.atom']
  const before = new Map<string, string>()
  for (const url of reads) before.set(url, etagOf(t, await api.get(url), url))
  clock.advance(HOUR)
  await patchArticle(t, api, fixture[0].id, { excerpt: 'Un résumé de la rédaction.' })
  for (const url of reads) t.not((await api.get(url)).headers.etag, before.get(url), `${url}: a new ETag after the edit`)
})

t.test('an author rename changes the ETags of the author, of its articles and of the lists; an If-Match read before is stale', async (t) => {
  const context = await withFixture(t)
  const { api, fixture } = context
  const reads = [`/v1/authors/${context.author.id}`, `/v1/articles/${fixture[0].id}`, `/v1/articles/${fixture[2].slug}`, '/v1/articles', '/v1/authors', '/v1/feed.json']
  const before = new Map<string, string>()
  for (const url of reads) before.set(url, etagOf(t, await api.get(url), url))
  const renamed = await api.patch(`/v1/authors/${context.author.id}`, { name: 'Le Quotidien' })
  t.equal(renamed.statusCode, 200)
  for (const url of reads) t.not((await api.get(url)).headers.etag, before.get(url), `${url}: a new ETag after the rename`)
  t.equal(expectOk(t, await api.get(`/v1/articles/${fixture[0].id}`)).author.name, 'Le Quotidien', 'the article embeds the new name')
  expectProblem(t, await api.patch(`/v1/articles/${fixture[0].id}`, { commentsOpen: false }, { ...context.admin, 'if-match': before.get(`/v1/articles/${fixture[0].id}`)! }), 412,
    'an article ETag read before the author\'s rename')
})

t.test('a tag rename changes the ETags of the tag and of its articles, not of the others', async (t) => {
  const context = await withFixture(t)
  const { api, fixture } = context
  const gaza = context.tagIds.get('Gaza')!
  const reads = [`/v1/tags/${gaza}`, `/v1/articles/${fixture[2].id}`, '/v1/articles?tag=gaza', '/v1/tags', `/v1/articles/${fixture[2].id}/related`]
  const before = new Map<string, string>()
  for (const url of reads) before.set(url, etagOf(t, await api.get(url), url))
  const untouched = etagOf(t, await api.get(`/v1/articles/${fixture[1].id}`))
  t.equal((await api.patch(`/v1/tags/${gaza}`, { name: 'Bande de Gaza' })).statusCode, 200)
  t.not((await api.get(`/v1/tags/${gaza}`)).headers.etag, before.get(`/v1/tags/${gaza}`), 'the tag: a new ETag')
  t.not((await api.get(`/v1/articles/${fixture[2].id}`)).headers.etag, before.get(`/v1/articles/${fixture[2].id}`), 'its article: a new ETag')
  t.not((await api.get('/v1/articles?tag=gaza')).headers.etag, before.get('/v1/articles?tag=gaza'), 'the list of its articles: a new ETag')
  t.not((await api.get('/v1/tags')).headers.etag, before.get('/v1/tags'), 'the list of tags: a new ETag')
  t.equal((await api.get(`/v1/articles/${fixture[1].id}`)).headers.etag, untouched, 'an article without the tag keeps its ETag')
  t.strictSame(expectOk(t, await api.get(`/v1/articles/${fixture[2].id}`)).tags.map((tag) => tag.name), ['International', 'Bande de Gaza'])
})

t.test('a comment approved by a moderator changes the article\'s commentCount and ETag, and the comment list\'s', async (t) => {
  const context = await withFixture(t)
  const { api, fixture } = context
  const moderator = await context.keyFor('moderator')
  const articleUrl = `/v1/articles/${fixture[0].id}`
  const commentsUrl = `${articleUrl}/comments`
  const submitted = await api.post(commentsUrl, { authorName: 'Amina', authorEmail: 'amina@example.org', body: 'Très bon article.' }, {})
  t.equal(submitted.statusCode, 201, `comment submitted ${submitted.body}`)
  const commentId = submitted.json<{ id: string }>().id
  const article = await api.get(articleUrl)
  const articleTag = etagOf(t, article)
  const listTag = etagOf(t, await api.get(commentsUrl))
  t.equal(article.json<ArticleJson>().commentCount, 0, 'a pending comment does not count')
  t.equal((await api.get(articleUrl)).headers.etag, articleTag, 'a pending comment changes nothing the public sees')

  const approved = await api.patch(`/v1/comments/${commentId}`, { status: 'approved' }, moderator)
  t.equal(approved.statusCode, 200, `approved ${approved.body}`)
  const after = await api.get(articleUrl, { 'if-none-match': articleTag })
  t.equal(after.statusCode, 200, 'the old ETag no longer gets a 304')
  t.equal(after.json<ArticleJson>().commentCount, 1, 'commentCount follows')
  t.not(after.headers.etag, articleTag, 'a new article ETag')
  t.not((await api.get(commentsUrl)).headers.etag, listTag, 'a new ETag for the public comments')
  expectProblem(t, await api.patch(articleUrl, { commentsOpen: false }, { ...context.admin, 'if-match': articleTag }), 412, 'an If-Match read before the approval')

  const removed = await api.del(`/v1/comments/${commentId}`, moderator)
  t.equal(removed.statusCode, 204)
  const afterDelete = await api.get(articleUrl)
  t.equal(afterDelete.json<ArticleJson>().commentCount, 0, 'deleting the comment counts it out')
  t.not(afterDelete.headers.etag, after.headers.etag, 'and changes the ETag again')
})

t.test('a scheduled article going live, with no one acting, changes its ETag and the lists\' and feeds\'', async (t) => {
  const context = await withFixture(t)
  const { api, clock, author } = context
  const scheduled = await create(t, api, { title: 'Le sommet de demain', body: 'À venir.', authorId: author.id, tagIds: [context.tagIds.get('Gaza')], status: 'scheduled', publishedAt: new Date(clock.now() + 2 * HOUR).toISOString() })
  const url = `/v1/articles/${scheduled.id}`
  const staffBefore = etagOf(t, await api.get(url, context.admin))
  const publicReads = ['/v1/articles', '/v1/feed.json', '/v1/feed.rss', '/v1/sitemaps/1.xml', '/v1/news-sitemap.xml', `/v1/tags/${context.tagIds.get('Gaza')}`, `/v1/authors/${author.id}`]
  const before = new Map<string, string>()
  for (const read of publicReads) before.set(read, etagOf(t, await api.get(read), read))
  expectProblem(t, await api.get(url), 404, 'not yet public')

  clock.advance(HOUR)
  for (const read of publicReads) t.equal((await api.get(read)).headers.etag, before.get(read), `${read}: the same ETag while it waits`)

  clock.advance(HOUR + 1)
  const live = await api.get(url)
  t.equal(live.statusCode, 200, 'public once its time has come')
  t.equal(live.json<ArticleJson>().status, 'published')
  const staffAfter = etagOf(t, await api.get(url, context.admin))
  t.not(staffAfter, staffBefore, 'the article has a new ETag')
  t.equal(live.headers.etag, staffAfter, 'the same for the public and for staff')
  for (const read of publicReads) {
    const response = await api.get(read, { 'if-none-match': before.get(read)! })
    t.equal(response.statusCode, 200, `${read}: the ETag read before no longer gets a 304`)
    t.not(response.headers.etag, before.get(read), `${read}: a new ETag`)
  }
  t.ok(expectList(t, await api.get('/v1/articles')).data.some((item) => item.id === scheduled.id), 'it is listed')
  clock.advance(DAY)
  t.equal((await api.get(url, { 'if-none-match': live.headers.etag as string })).statusCode, 304, 'and then stays the same')
})

t.test('a create answers with the new resource\'s ETag, that of a fresh GET', async (t) => {
  const context = await delivery(t)
  const { api } = context
  const author = await api.post('/v1/authors', { name: 'Karim Tazi' })
  t.equal(author.statusCode, 201)
  const tag = await api.post('/v1/tags', { name: 'Santé' })
  t.equal(tag.statusCode, 201)
  const article = await api.post('/v1/articles', { title: 'Un nouvel hôpital', body: 'À Fès.', authorId: author.json<{ id: string }>().id, tagIds: [tag.json<{ id: string }>().id] })
  t.equal(article.statusCode, 201)
  // A draft: publishing it would change the author's and the tag's articleCount, and so their ETags.
  for (const [name, response] of [['author', author], ['tag', tag], ['article', article]] as const) {
    const location = String(response.headers.location)
    t.equal(response.headers.etag, (await api.get(location, context.admin)).headers.etag, `${name}: the 201 carries the ETag a GET of ${location} gives`)
  }
})

t.test('moderation: PATCH and DELETE /v1/comments/{id} honour If-Match, and a PATCH answers with the new ETag', async (t) => {
  const context = await withFixture(t)
  const { api, fixture } = context
  const moderator = await context.keyFor('moderator')
  const submitted = await api.post(`/v1/articles/${fixture[0].id}/comments`, { authorName: 'Omar', authorEmail: 'omar@example.org', body: 'Merci.' }, {})
  t.equal(submitted.statusCode, 201)
  const url = `/v1/comments/${submitted.json<{ id: string }>().id}`
  const read = etagOf(t, await api.get(url, moderator))
  const approved = await api.patch(url, { status: 'approved' }, { ...moderator, 'if-match': read })
  t.equal(approved.statusCode, 200, 'the current ETag passes')
  t.equal(approved.headers.etag, (await api.get(url, moderator)).headers.etag, 'the answer carries the ETag of a fresh GET')
  expectProblem(t, await api.patch(url, { status: 'spam' }, { ...moderator, 'if-match': read }), 412, 'PATCH with the ETag read before the approval')
  t.equal((await api.get(url, moderator)).json<{ status: string }>().status, 'approved', 'the 412 changed nothing')
  expectProblem(t, await api.del(url, { ...moderator, 'if-match': read }), 412, 'DELETE with a stale ETag')
  t.equal((await api.get(url, moderator)).statusCode, 200, 'still there')
})
