import t, { type Test } from 'tap'
import { create, DAY, expectArticle, expectList, expectProblem, idsOf, isoAt, newsroom, type Headers, type Newsroom } from './fixtures/support.js'

/**
 * Two authors, each with an author key, and articles in every state:
 * the first author's draft, scheduled and published; the second author's draft and published.
 */
async function twoAuthors (t: Test, context: Newsroom) {
  const { api, author } = context
  const secondResponse = await api.post('/v1/authors', { name: 'Second Auteur' })
  t.equal(secondResponse.statusCode, 201)
  const second = secondResponse.json<{ id: string, slug: string }>()
  const mine = await context.keyFor('author', author.id)
  const theirs = await context.keyFor('author', second.id)
  const own = {
    draft: await create(t, api, { title: 'Mon brouillon', body: 'x', authorId: author.id }),
    scheduled: await create(t, api, { title: 'Mon programmé', body: 'x', authorId: author.id, status: 'scheduled', publishedAt: isoAt(context, DAY) }),
    published: await create(t, api, { title: 'Mon publié', body: 'x', authorId: author.id, status: 'published' })
  }
  const other = {
    draft: await create(t, api, { title: 'Son brouillon', body: 'x', authorId: second.id }),
    published: await create(t, api, { title: 'Son publié', body: 'x', authorId: second.id, status: 'published' })
  }
  return { second, mine, theirs, own, other }
}

/** Asserts that an article is still as it was (read as admin). */
async function unchanged (t: Test, context: Newsroom, article: { id: string, title: string }, message: string) {
  const response = await context.api.get(`/v1/articles/${article.id}`, context.admin)
  t.equal(response.statusCode, 200, `${message}: still there`)
  t.equal(response.json<{ title: string }>().title, article.title, `${message}: unchanged`)
}

t.test('the public may not write: POST, PATCH and DELETE are 401 problems', async (t) => {
  const context = await newsroom(t)
  const { api, author } = context
  const article = await create(t, api, { title: 'Publié', body: 'x', authorId: author.id, status: 'published' })
  const created = expectProblem(t, await api.post('/v1/articles', { title: 'Anonyme', body: 'x', authorId: author.id }, {}), 401, 'POST')
  t.type(created.detail, 'string')
  expectProblem(t, await api.patch(`/v1/articles/${article.id}`, { title: 'Défiguré' }, {}), 401, 'PATCH')
  expectProblem(t, await api.del(`/v1/articles/${article.id}`, {}), 401, 'DELETE')
  await unchanged(t, context, article, 'after the public tried')
  t.equal(expectList(t, await api.get('/v1/articles', context.admin)).meta.total, 1, 'nothing was created')
})

t.test('a malformed Authorization header, or an unknown or revoked key, is a 401 even on GET', async (t) => {
  const context = await newsroom(t)
  const { api, author, admin } = context
  const article = await create(t, api, { title: 'Publié', body: 'x', authorId: author.id, status: 'published' })
  const keyResponse = await api.post('/v1/api-keys', { name: 'Éphémère', role: 'editor' })
  t.equal(keyResponse.statusCode, 201)
  const key = keyResponse.json<{ id: string, key: string }>()
  const revocable = { authorization: `Bearer ${key.key}` }
  t.equal((await api.get(`/v1/articles/${article.id}`, revocable)).statusCode, 200, 'the key works before it is revoked')
  t.equal((await api.del(`/v1/api-keys/${key.id}`, admin)).statusCode, 204)

  const bad: [string, Headers][] = [
    ['Basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['Bearer without a key', { authorization: 'Bearer' }],
    ['a key without Bearer', { authorization: key.key }],
    ['two words after Bearer', { authorization: 'Bearer abc def' }],
    ['an empty header', { authorization: '' }],
    ['an unknown key', { authorization: 'Bearer cms_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['a revoked key', revocable]
  ]
  for (const [label, headers] of bad) {
    expectProblem(t, await api.get('/v1/articles', headers), 401, `${label}, list`)
    expectProblem(t, await api.get(`/v1/articles/${article.id}`, headers), 401, `${label}, read`)
    expectProblem(t, await api.post('/v1/articles', { title: 'x', body: 'x', authorId: author.id }, headers), 401, `${label}, write`)
  }
  t.equal(expectList(t, await api.get('/v1/articles', admin)).meta.total, 1, 'no bad key created anything')
})

t.test('a moderator key may read but not write articles: 403', async (t) => {
  const context = await newsroom(t)
  const { api, author } = context
  const moderator = await context.keyFor('moderator')
  const article = await create(t, api, { title: 'Publié', body: 'x', authorId: author.id, status: 'published' })
  expectProblem(t, await api.post('/v1/articles', { title: 'Modéré', body: 'x', authorId: author.id }, moderator), 403, 'POST')
  expectProblem(t, await api.patch(`/v1/articles/${article.id}`, { title: 'Modéré' }, moderator), 403, 'PATCH')
  expectProblem(t, await api.del(`/v1/articles/${article.id}`, moderator), 403, 'DELETE')
  await unchanged(t, context, article, 'after the moderator tried')
  t.equal(expectArticle(t, await api.get(`/v1/articles/${article.id}`, moderator)).id, article.id, 'it may read')
})

t.test('an author key creates drafts as its own author', async (t) => {
  const context = await newsroom(t)
  const { api, author, tags } = context
  const { mine, second } = await twoAuthors(t, context)
  const omitted = await create(t, api, { title: 'Sans authorId', body: 'x', tagIds: [tags[0].id] }, mine)
  t.equal(omitted.author.id, author.id, 'authorId left out: its own')
  t.equal(omitted.status, 'draft')
  t.equal(omitted.publishedAt, null)
  const given = await create(t, api, { title: 'Avec authorId', body: 'x', authorId: author.id, status: 'draft' }, mine)
  t.equal(given.author.id, author.id, 'its own authorId, given')
  t.equal(given.status, 'draft')

  const refused: [string, Record<string, unknown>][] = [
    ['another author', { title: 'Usurpé', body: 'x', authorId: second.id }],
    ['status published', { title: 'x', body: 'x', status: 'published' }],
    ['status scheduled', { title: 'x', body: 'x', status: 'scheduled', publishedAt: isoAt(context, DAY) }],
    ['a past publishedAt', { title: 'x', body: 'x', publishedAt: isoAt(context, -DAY) }],
    ['a future publishedAt on a draft', { title: 'x', body: 'x', status: 'draft', publishedAt: isoAt(context, DAY) }]
  ]
  for (const [label, payload] of refused) expectProblem(t, await api.post('/v1/articles', payload, mine), 403, label)
  const drafts = expectList(t, await api.get('/v1/articles?status=draft', context.admin))
  t.equal(drafts.meta.total, 4, 'only the two accepted drafts were added to the two of the set-up')
})

t.test('an author key reads, edits and deletes its own draft', async (t) => {
  const context = await newsroom(t)
  const { api } = context
  const { mine, own } = await twoAuthors(t, context)
  t.equal(expectArticle(t, await api.get(`/v1/articles/${own.draft.id}`, mine)).id, own.draft.id, 'GET by id')
  t.equal(expectArticle(t, await api.get(`/v1/articles/${own.draft.slug}`, mine)).id, own.draft.id, 'GET by slug')
  const edited = expectArticle(t, await api.patch(`/v1/articles/${own.draft.id}`, { title: 'Mon brouillon revu', body: 'Plus long.', status: 'draft' }, mine))
  t.equal(edited.title, 'Mon brouillon revu')
  t.equal(edited.status, 'draft')
  expectProblem(t, await api.patch(`/v1/articles/${own.draft.id}`, { status: 'published' }, mine), 403, 'publishing its draft')
  expectProblem(t, await api.patch(`/v1/articles/${own.draft.id}`, { status: 'scheduled', publishedAt: isoAt(context, DAY) }, mine), 403, 'scheduling its draft')
  expectProblem(t, await api.patch(`/v1/articles/${own.draft.id}`, { publishedAt: isoAt(context, -DAY) }, mine), 403, 'dating its draft')
  await unchanged(t, context, edited, 'after the refused changes')
  t.equal((await api.del(`/v1/articles/${own.draft.id}`, mine)).statusCode, 204, 'DELETE')
  expectProblem(t, await api.get(`/v1/articles/${own.draft.id}`, context.admin), 404, 'gone')
})

t.test('an author key may not hand its draft to another author', async (t) => {
  const context = await newsroom(t)
  const { mine, own, second } = await twoAuthors(t, context)
  expectProblem(t, await context.api.patch(`/v1/articles/${own.draft.id}`, { authorId: second.id }, mine), 403)
  await unchanged(t, context, own.draft, 'after the refused change')
})

t.test('an author key\'s own scheduled article: GET, PATCH and DELETE are 403', async (t) => {
  const context = await newsroom(t)
  const { api } = context
  const { mine, own } = await twoAuthors(t, context)
  expectProblem(t, await api.get(`/v1/articles/${own.scheduled.id}`, mine), 403, 'GET by id')
  expectProblem(t, await api.get(`/v1/articles/${own.scheduled.slug}`, mine), 403, 'GET by slug')
  expectProblem(t, await api.patch(`/v1/articles/${own.scheduled.id}`, { title: 'Changé' }, mine), 403, 'PATCH')
  expectProblem(t, await api.patch(`/v1/articles/${own.scheduled.id}`, { status: 'draft' }, mine), 403, 'PATCH back to draft')
  expectProblem(t, await api.del(`/v1/articles/${own.scheduled.id}`, mine), 403, 'DELETE')
  await unchanged(t, context, own.scheduled, 'after the author tried')
})

t.test('an author key\'s own published article: GET 200, PATCH and DELETE 403', async (t) => {
  const context = await newsroom(t)
  const { api } = context
  const { mine, own } = await twoAuthors(t, context)
  t.strictSame(expectArticle(t, await api.get(`/v1/articles/${own.published.id}`, mine)), own.published, 'GET')
  expectProblem(t, await api.patch(`/v1/articles/${own.published.id}`, { title: 'Changé' }, mine), 403, 'PATCH')
  expectProblem(t, await api.patch(`/v1/articles/${own.published.id}`, { status: 'draft' }, mine), 403, 'PATCH to draft')
  expectProblem(t, await api.del(`/v1/articles/${own.published.id}`, mine), 403, 'DELETE')
  await unchanged(t, context, own.published, 'after the author tried')
})

t.test('another author\'s draft does not exist for an author key: GET, PATCH and DELETE are 404', async (t) => {
  const context = await newsroom(t)
  const { api } = context
  const { mine, other } = await twoAuthors(t, context)
  expectProblem(t, await api.get(`/v1/articles/${other.draft.id}`, mine), 404, 'GET by id')
  expectProblem(t, await api.get(`/v1/articles/${other.draft.slug}`, mine), 404, 'GET by slug')
  expectProblem(t, await api.patch(`/v1/articles/${other.draft.id}`, { title: 'Changé' }, mine), 404, 'PATCH')
  expectProblem(t, await api.del(`/v1/articles/${other.draft.id}`, mine), 404, 'DELETE')
  await unchanged(t, context, other.draft, 'after the other author tried')
})

t.test('another author\'s published article: GET 200, PATCH and DELETE 403', async (t) => {
  const context = await newsroom(t)
  const { api } = context
  const { mine, other } = await twoAuthors(t, context)
  t.equal(expectArticle(t, await api.get(`/v1/articles/${other.published.id}`, mine)).id, other.published.id, 'GET')
  expectProblem(t, await api.patch(`/v1/articles/${other.published.id}`, { title: 'Changé' }, mine), 403, 'PATCH')
  expectProblem(t, await api.del(`/v1/articles/${other.published.id}`, mine), 403, 'DELETE')
  await unchanged(t, context, other.published, 'after the other author tried')
})

t.test('listing by status: an author key lists its own drafts only; other statuses are refused', async (t) => {
  const context = await newsroom(t)
  const { api } = context
  const { mine, theirs, own, other } = await twoAuthors(t, context)
  const myDrafts = expectList(t, await api.get('/v1/articles?status=draft', mine))
  t.strictSame(idsOf(myDrafts), [own.draft.id], 'its own draft, not the other author\'s')
  t.equal(myDrafts.meta.total, 1)
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles?status=draft', theirs))), [other.draft.id], 'the other author, its own')
  expectProblem(t, await api.get('/v1/articles?status=scheduled', mine), 403, 'author, status=scheduled')
  const published = expectList(t, await api.get('/v1/articles?status=published', mine))
  t.strictSame(new Set(idsOf(published)), new Set([own.published.id, other.published.id]), 'author, status=published: what the public sees')
  const unfiltered = expectList(t, await api.get('/v1/articles', mine))
  t.strictSame(new Set(idsOf(unfiltered)), new Set([own.published.id, other.published.id]), 'author, no status: what the public sees')

  expectProblem(t, await api.get('/v1/articles?status=draft'), 401, 'public, status=draft')
  expectProblem(t, await api.get('/v1/articles?status=scheduled'), 401, 'public, status=scheduled')
  t.equal(expectList(t, await api.get('/v1/articles?status=published')).meta.total, 2, 'public, status=published')
  const moderator = await context.keyFor('moderator')
  expectProblem(t, await api.get('/v1/articles?status=draft', moderator), 403, 'moderator, status=draft')
})

for (const role of ['editor', 'admin'] as const) {
  t.test(`an ${role} key may do everything on articles, any author's, any status`, async (t) => {
    const context = await newsroom(t)
    const { api } = context
    const staff = await context.keyFor(role)
    const { second, own, other } = await twoAuthors(t, context)

    const list = expectList(t, await api.get('/v1/articles', staff))
    t.equal(list.meta.total, 5, 'no status: every article')
    t.strictSame(new Set(list.data.map((item) => item.status)), new Set(['draft', 'scheduled', 'published']))
    t.strictSame(new Set(idsOf(expectList(t, await api.get('/v1/articles?status=draft', staff)))), new Set([own.draft.id, other.draft.id]), 'every author\'s drafts')
    t.strictSame(idsOf(expectList(t, await api.get('/v1/articles?status=scheduled', staff))), [own.scheduled.id])

    const created = await create(t, api, { title: 'Pour un autre', body: 'x', authorId: second.id, status: 'scheduled', publishedAt: isoAt(context, DAY) }, staff)
    t.equal(created.author.id, second.id)
    t.equal(created.status, 'scheduled')

    t.equal(expectArticle(t, await api.get(`/v1/articles/${other.draft.id}`, staff)).id, other.draft.id, 'reads another author\'s draft')
    t.equal(expectArticle(t, await api.patch(`/v1/articles/${other.draft.id}`, { title: 'Relu' }, staff)).title, 'Relu', 'edits it')
    t.equal(expectArticle(t, await api.patch(`/v1/articles/${own.scheduled.id}`, { status: 'published', publishedAt: isoAt(context) }, staff)).status, 'published', 'publishes a scheduled article now')
    t.equal(expectArticle(t, await api.patch(`/v1/articles/${other.published.id}`, { status: 'draft' }, staff)).status, 'draft', 'unpublishes')
    t.equal((await api.del(`/v1/articles/${other.draft.id}`, staff)).statusCode, 204, 'deletes another author\'s draft')
    t.equal((await api.del(`/v1/articles/${own.published.id}`, staff)).statusCode, 204, 'deletes a published article')
    t.equal(expectList(t, await api.get('/v1/articles', staff)).meta.total, 4)
  })
}
