import t, { type Test } from 'tap'
import {
  create, expectArticle, expectFieldError, expectList, idsOf, MINUTE, newsroom, SUMMARY_FIELDS, type ArticleJson, type Newsroom
} from './fixtures/support.js'

/**
 * Five published articles, created a minute apart (so each has its own updatedAt) with publication dates
 * in this order: A (oldest) … E (newest). Titles are chosen so that `sort=title` gives A, E, B, D, C.
 */
async function fiveArticles (t: Test, context: Newsroom) {
  const { api, author, tags, clock } = context
  const otherResponse = await api.post('/v1/authors', { name: 'Autre Plume' })
  t.equal(otherResponse.statusCode, 201)
  const other = otherResponse.json<{ id: string, slug: string }>()
  const specs: [string, string, string, string[]][] = [
    ['Alpha', '2025-01-20T10:00:00.000Z', author.id, [tags[0].id]],
    ['Été', '2025-01-22T10:00:00.000Z', author.id, [tags[1].id]],
    ['Zulu', '2025-01-24T10:00:00.000Z', other.id, [tags[0].id, tags[1].id]],
    ['Etz', '2025-01-25T10:00:00.000Z', other.id, []],
    ['Eta', '2025-01-26T10:00:00.000Z', author.id, [tags[2].id]]
  ]
  const created: ArticleJson[] = []
  for (const [title, publishedAt, authorId, tagIds] of specs) {
    clock.advance(MINUTE)
    created.push(await create(t, api, { title, body: `Le corps de ${title}.`, authorId, tagIds, status: 'published', publishedAt }))
  }
  const [A, B, C, D, E] = created as [ArticleJson, ArticleJson, ArticleJson, ArticleJson, ArticleJson]
  return { other, A, B, C, D, E }
}

t.test('the default order is newest publication first, with exact meta', async (t) => {
  const context = await newsroom(t)
  const { A, B, C, D, E } = await fiveArticles(t, context)
  const list = expectList(t, await context.api.get('/v1/articles'))
  t.strictSame(idsOf(list), [E.id, D.id, C.id, B.id, A.id])
  t.strictSame(list.meta, { total: 5, limit: 20, offset: 0, nextCursor: null })
  t.strictSame(idsOf(expectList(t, await context.api.get('/v1/articles?sort=-publishedAt'))), idsOf(list), 'sort=-publishedAt is the default')
})

t.test('sort=publishedAt is oldest first', async (t) => {
  const context = await newsroom(t)
  const { A, B, C, D, E } = await fiveArticles(t, context)
  t.strictSame(idsOf(expectList(t, await context.api.get('/v1/articles?sort=publishedAt'))), [A.id, B.id, C.id, D.id, E.id])
})

t.test('sort=-updatedAt is the last changed first', async (t) => {
  const context = await newsroom(t)
  const { api, clock } = context
  const { A, B, C, D, E } = await fiveArticles(t, context)
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles?sort=-updatedAt'))), [E.id, D.id, C.id, B.id, A.id], 'by creation while untouched')
  clock.advance(MINUTE)
  t.equal((await api.patch(`/v1/articles/${B.id}`, { title: 'Été modifié' })).statusCode, 200)
  clock.advance(MINUTE)
  t.equal((await api.patch(`/v1/articles/${A.id}`, { commentsOpen: false })).statusCode, 200)
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles?sort=-updatedAt'))), [A.id, B.id, E.id, D.id, C.id])
})

t.test('sort=title sorts as if accents were absent: "Été" between "Eta" and "Etz"', async (t) => {
  const context = await newsroom(t)
  const { A, B, C, D, E } = await fiveArticles(t, context)
  const list = expectList(t, await context.api.get('/v1/articles?sort=title'))
  t.strictSame(list.data.map((item) => item.title), ['Alpha', 'Eta', 'Été', 'Etz', 'Zulu'])
  t.strictSame(idsOf(list), [A.id, E.id, B.id, D.id, C.id])
})

t.test('sort=title ignores case, and spells out letters the contract counts as accented (œ, æ, ß, ø)', async (t) => {
  const { api, author } = await newsroom(t)
  const titles = ['Strassen', 'ogre', 'Æther', 'Straße', 'Œuvre', 'Oeil', 'Strasbourg', 'Adieu', 'Ödön', 'Ødegaard', 'ÉCOLE', 'ecole primaire']
  for (const title of titles) await create(t, api, { title, body: 'x', authorId: author.id, status: 'published' })
  const list = expectList(t, await api.get('/v1/articles?sort=title'))
  t.strictSame(list.data.map((item) => item.title), [
    'Adieu', 'Æther', 'ÉCOLE', 'ecole primaire', 'Ødegaard', 'Ödön', 'Oeil', 'Œuvre', 'ogre', 'Strasbourg', 'Straße', 'Strassen'
  ])
})

t.test('filters: tag and author by slug', async (t) => {
  const context = await newsroom(t)
  const { api, tags, author } = context
  const { other, A, B, C, D, E } = await fiveArticles(t, context)
  t.strictSame(idsOf(expectList(t, await api.get(`/v1/articles?tag=${tags[0].slug}`))), [C.id, A.id], 'tag 0')
  t.strictSame(idsOf(expectList(t, await api.get(`/v1/articles?tag=${encodeURIComponent(tags[1].slug)}`))), [C.id, B.id], 'tag 1, with an accent in its name')
  t.strictSame(idsOf(expectList(t, await api.get(`/v1/articles?author=${author.slug}`))), [E.id, B.id, A.id], 'author')
  t.strictSame(idsOf(expectList(t, await api.get(`/v1/articles?author=${other.slug}`))), [D.id, C.id], 'other author')
  t.strictSame(idsOf(expectList(t, await api.get(`/v1/articles?author=${other.slug}&tag=${tags[0].slug}`))), [C.id], 'both')
  const none = expectList(t, await api.get('/v1/articles?tag=inconnu'))
  t.strictSame(none, { data: [], meta: { total: 0, limit: 20, offset: 0, nextCursor: null } }, 'an unknown tag slug matches nothing')
  t.equal(expectList(t, await api.get('/v1/articles?author=personne')).meta.total, 0, 'an unknown author slug matches nothing')
  t.equal(expectList(t, await api.get(`/v1/articles?tag=${tags[0].id}`)).meta.total, 0, 'tag takes a slug, not an id')
})

t.test('filters: publishedAfter (at or after), publishedBefore (before) and updatedAfter (after)', async (t) => {
  const context = await newsroom(t)
  const { api, clock } = context
  const { A, B, C, D, E } = await fiveArticles(t, context)
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles?publishedAfter=2025-01-22T10:00:00.000Z'))), [E.id, D.id, C.id, B.id])
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles?publishedBefore=2025-01-24T10:00:00.000Z'))), [B.id, A.id])
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles?publishedAfter=2025-01-21T00:00:00Z&publishedBefore=2025-01-25T10:00:00Z'))), [C.id, B.id])
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles?publishedAfter=2025-01-21T01:00:00%2B01:00'))), [E.id, D.id, C.id, B.id], 'an offset time')

  const lastCreated = E.updatedAt
  clock.advance(MINUTE)
  t.equal((await api.patch(`/v1/articles/${C.id}`, { title: 'Zulu bis' })).statusCode, 200)
  t.strictSame(idsOf(expectList(t, await api.get(`/v1/articles?updatedAfter=${lastCreated}`))), [C.id], 'only what changed after')
  t.strictSame(idsOf(expectList(t, await api.get(`/v1/articles?updatedAfter=${D.updatedAt}`))), [E.id, C.id])
  t.equal(expectList(t, await api.get(`/v1/articles?updatedAfter=${encodeURIComponent(new Date(clock.now()).toISOString())}`)).meta.total, 0)
})

t.test('limit and offset page through the list, with an exact total', async (t) => {
  const context = await newsroom(t)
  const { api } = context
  const { A, B, C, D, E } = await fiveArticles(t, context)
  const first = expectList(t, await api.get('/v1/articles?limit=2'))
  t.strictSame(idsOf(first), [E.id, D.id])
  t.match(first.meta, { total: 5, limit: 2, offset: 0, nextCursor: String })
  const second = expectList(t, await api.get('/v1/articles?limit=2&offset=2'))
  t.strictSame(idsOf(second), [C.id, B.id])
  t.match(second.meta, { total: 5, limit: 2, offset: 2, nextCursor: String })
  const last = expectList(t, await api.get('/v1/articles?limit=2&offset=4'))
  t.strictSame(idsOf(last), [A.id])
  const beyond = expectList(t, await api.get('/v1/articles?offset=10'))
  t.strictSame(beyond, { data: [], meta: { total: 5, limit: 20, offset: 10, nextCursor: null } })
  t.equal(expectList(t, await api.get('/v1/articles?limit=1')).data.length, 1, 'limit=1 is allowed')
  t.equal(expectList(t, await api.get('/v1/articles?limit=100')).meta.limit, 100, 'limit=100 is allowed')
  const filtered = expectList(t, await api.get(`/v1/articles?tag=${context.tags[0].slug}&limit=1`))
  t.equal(filtered.meta.total, 2, 'the total counts every match, not the page')
  t.equal(filtered.data.length, 1)
})

t.test('the total counts only what the caller may see', async (t) => {
  const context = await newsroom(t)
  const { api, author, tags, admin } = context
  await fiveArticles(t, context)
  await create(t, api, { title: 'Brouillon', body: 'x', authorId: author.id, tagIds: [tags[0].id] })
  t.equal(expectList(t, await api.get(`/v1/articles?tag=${tags[0].slug}`)).meta.total, 2, 'the public')
  t.equal(expectList(t, await api.get(`/v1/articles?tag=${tags[0].slug}`, admin)).meta.total, 3, 'staff')
  t.equal(expectList(t, await api.get('/v1/articles?limit=1', admin)).meta.total, 6, 'staff, every status')
})

t.test('bad list parameters are a 400 naming the parameter', async (t) => {
  const { api } = await newsroom(t)
  const cases: [string, string][] = [
    ['limit=0', '/querystring/limit'],
    ['limit=101', '/querystring/limit'],
    ['limit=abc', '/querystring/limit'],
    ['limit=1.5', '/querystring/limit'],
    ['offset=-1', '/querystring/offset'],
    ['sort=bogus', '/querystring/sort'],
    ['sort=-title', '/querystring/sort'],
    ['status=archived', '/querystring/status'],
    ['publishedAfter=hier', '/querystring/publishedAfter'],
    ['publishedBefore=2025-13-01T00:00:00Z', '/querystring/publishedBefore'],
    ['updatedAfter=2025-02-30', '/querystring/updatedAfter'],
    ['updatedAfter=2016-12-31T23:59:60Z', '/querystring/updatedAfter'],
    ['publishedAfter=01/27/2025', '/querystring/publishedAfter'],
    ['tag=', '/querystring/tag'],
    ['page=2', '/querystring/page'],
    ['q2=x&limit=5', '/querystring/q2']
  ]
  for (const [query, path] of cases) expectFieldError(t, await api.get(`/v1/articles?${query}`), path, query)
})

t.test('list items leave out body and bodyHtml unless fields names them', async (t) => {
  const context = await newsroom(t)
  const { api, admin } = context
  const { E } = await fiveArticles(t, context)
  for (const headers of [{}, admin]) {
    const list = expectList(t, await api.get('/v1/articles', headers))
    for (const item of list.data) t.strictSame(Object.keys(item).sort(), [...SUMMARY_FIELDS].sort(), 'every other field, no body')
  }
  const withBody = expectList(t, await api.get('/v1/articles?fields=body&limit=1'))
  t.strictSame(withBody.data, [{ id: E.id, body: 'Le corps de Eta.' }])
  const withHtml = expectList(t, await api.get('/v1/articles?fields=bodyHtml&limit=1'))
  t.strictSame(withHtml.data, [{ id: E.id, bodyHtml: E.bodyHtml }])
  const both = expectList(t, await api.get('/v1/articles?fields=title,body,bodyHtml&limit=1'))
  t.strictSame(both.data, [{ id: E.id, title: 'Eta', body: 'Le corps de Eta.', bodyHtml: E.bodyHtml }])
})

t.test('fields=title,url returns only id, title and url, in lists and single reads', async (t) => {
  const context = await newsroom(t)
  const { api } = context
  const { E } = await fiveArticles(t, context)
  const list = expectList(t, await api.get('/v1/articles?fields=title,url'))
  t.equal(list.data.length, 5)
  for (const item of list.data) t.strictSame(Object.keys(item).sort(), ['id', 'title', 'url'])
  t.strictSame(list.meta, { total: 5, limit: 20, offset: 0, nextCursor: null }, 'meta is whole')
  t.strictSame(list.data[0], { id: E.id, title: E.title, url: E.url })

  for (const key of [E.id, E.slug]) {
    const single = await api.get(`/v1/articles/${key}?fields=title,url`)
    t.strictSame(single.json(), { id: E.id, title: E.title, url: E.url }, `by ${key}`)
  }
  const idOnly = await api.get(`/v1/articles/${E.id}?fields=id`)
  t.strictSame(idOnly.json(), { id: E.id })
  const embedded = expectArticle(t, await api.get(`/v1/articles/${E.id}?fields=author,tags`))
  t.strictSame(embedded, { id: E.id, author: E.author, tags: E.tags }, 'embedded objects come whole')
})

t.test('an unknown fields name is a 400', async (t) => {
  const context = await newsroom(t)
  const { api } = context
  const { E } = await fiveArticles(t, context)
  for (const url of ['/v1/articles?fields=nope', '/v1/articles?fields=title,nope', `/v1/articles/${E.id}?fields=nope`, `/v1/articles/${E.id}?fields=title,,url`]) {
    expectFieldError(t, await api.get(url), '/querystring/fields', url)
  }
  expectFieldError(t, await api.get(`/v1/articles/${E.id}?limit=2`), '/querystring/limit', 'a list parameter on a single read')
})
