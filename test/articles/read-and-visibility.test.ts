import t, { type Test } from 'tap'
import { create, DAY, expectArticle, expectList, expectProblem, HOUR, idsOf, isoAt, newsroom, type Headers, type Newsroom } from './fixtures/support.js'

/** One article in each state: published (an hour ago), draft, scheduled (tomorrow). */
async function threeStates (t: Test, context: Newsroom) {
  const { api, author } = context
  const published = await create(t, api, { title: 'Publié', body: 'x', authorId: author.id, status: 'published', publishedAt: isoAt(context, -HOUR) })
  const draft = await create(t, api, { title: 'Brouillon', body: 'x', authorId: author.id })
  const scheduled = await create(t, api, { title: 'Programmé', body: 'x', authorId: author.id, status: 'scheduled', publishedAt: isoAt(context, DAY) })
  t.equal(published.status, 'published')
  t.equal(draft.status, 'draft')
  t.equal(scheduled.status, 'scheduled')
  return { published, draft, scheduled }
}

async function seesLikeThePublic (t: Test, context: Newsroom, headers: Headers, who: string) {
  const { api } = context
  const { published, draft, scheduled } = await threeStates(t, context)
  t.equal(expectArticle(t, await api.get(`/v1/articles/${published.id}`, headers)).id, published.id, `${who} reads a published article by id`)
  t.equal(expectArticle(t, await api.get(`/v1/articles/${published.slug}`, headers)).id, published.id, `${who} reads a published article by slug`)
  for (const hidden of [draft, scheduled]) {
    expectProblem(t, await api.get(`/v1/articles/${hidden.id}`, headers), 404, `${who}, ${hidden.status} by id`)
    expectProblem(t, await api.get(`/v1/articles/${hidden.slug}`, headers), 404, `${who}, ${hidden.status} by slug`)
    expectProblem(t, await api.get(`/v1/articles/${hidden.id}?fields=title`, headers), 404, `${who}, ${hidden.status} with fields`)
  }
  const list = expectList(t, await api.get('/v1/articles', headers))
  t.strictSame(idsOf(list), [published.id], `${who} lists the published article only`)
  t.equal(list.meta.total, 1, `${who}: total counts what it may see`)
}

t.test('the public sees only published articles: a draft or scheduled one is a 404 and absent from lists', async (t) => {
  const context = await newsroom(t)
  await seesLikeThePublic(t, context, {}, 'the public')
})

t.test('a 404 for a hidden article reads like one for an article that does not exist', async (t) => {
  const context = await newsroom(t)
  const { draft } = await threeStates(t, context)
  const hidden = expectProblem(t, await context.api.get(`/v1/articles/${draft.id}`), 404)
  const missing = expectProblem(t, await context.api.get('/v1/articles/art_0123456789abcdef'), 404)
  t.equal(hidden.title, missing.title)
  t.notMatch(JSON.stringify(hidden), /draft|brouillon/i, 'the answer does not tell it is a draft')
  expectProblem(t, await context.api.get('/v1/articles/no-such-slug'), 404, 'an unknown slug')
})

t.test('a moderator sees articles like the public', async (t) => {
  const context = await newsroom(t)
  await seesLikeThePublic(t, context, await context.keyFor('moderator'), 'a moderator')
})

t.test('an author key sees other authors\' articles like the public', async (t) => {
  const context = await newsroom(t)
  const other = await context.api.post('/v1/authors', { name: 'Autre plume' })
  t.equal(other.statusCode, 201)
  await seesLikeThePublic(t, context, await context.keyFor('author', other.json<{ id: string }>().id), 'another author')
})

for (const role of ['editor', 'admin'] as const) {
  t.test(`an ${role} key sees every article, in every state`, async (t) => {
    const context = await newsroom(t)
    const { api } = context
    const headers = await context.keyFor(role)
    const { published, draft, scheduled } = await threeStates(t, context)
    for (const article of [published, draft, scheduled]) {
      t.strictSame(expectArticle(t, await api.get(`/v1/articles/${article.id}`, headers)), article, `${article.status} by id`)
      t.equal(expectArticle(t, await api.get(`/v1/articles/${article.slug}`, headers)).id, article.id, `${article.status} by slug`)
    }
    const list = expectList(t, await api.get('/v1/articles', headers))
    t.equal(list.meta.total, 3)
    t.strictSame(new Set(list.data.map((item) => item.status)), new Set(['published', 'draft', 'scheduled']), 'all statuses are listed')
    for (const status of ['draft', 'scheduled', 'published'] as const) {
      const filtered = expectList(t, await api.get(`/v1/articles?status=${status}`, headers))
      t.strictSame(idsOf(filtered), [{ draft, scheduled, published }[status].id], `status=${status}`)
    }
  })
}

t.test('a published article whose publishedAt has not passed is not the public\'s', async (t) => {
  const context = await newsroom(t)
  const { api, author, admin, clock } = context
  const article = await create(t, api, { title: 'Tout juste', body: 'x', authorId: author.id, status: 'published' })
  t.equal(expectArticle(t, await api.get(`/v1/articles/${article.id}`)).id, article.id, 'seen once published')
  clock.advance(-HOUR)
  expectProblem(t, await api.get(`/v1/articles/${article.id}`), 404, 'not yet, by id')
  expectProblem(t, await api.get(`/v1/articles/${article.slug}`), 404, 'not yet, by slug')
  t.equal(expectList(t, await api.get('/v1/articles')).meta.total, 0, 'not yet listed')
  t.equal(expectArticle(t, await api.get(`/v1/articles/${article.id}`, admin)).status, 'published', 'staff still see it')
})
