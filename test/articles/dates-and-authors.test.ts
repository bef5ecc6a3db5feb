import t from 'tap'
import { create, DAY, expectArticle, expectFieldError, expectList, expectProblem, idsOf, newsroom } from './fixtures/support.js'

t.test('a leap second is no instant: refused wherever the API takes a time, never stored as a date-less article', async (t) => {
  const { api, author } = await newsroom(t)
  for (const status of ['published', 'scheduled']) {
    expectFieldError(t, await api.post('/v1/articles', { title: 'Seconde intercalaire', body: 'x', authorId: author.id, status, publishedAt: '2016-12-31T23:59:60Z' }), '/body/publishedAt', `${status} at 23:59:60`)
  }
  const draft = await create(t, api, { title: 'Brouillon', body: 'x', authorId: author.id })
  expectFieldError(t, await api.patch(`/v1/articles/${draft.id}`, { status: 'published', publishedAt: '2016-12-31T23:59:60Z' }), '/body/publishedAt', 'PATCH at 23:59:60')
  expectFieldError(t, await api.get('/v1/tombstones?since=2016-12-31T23:59:60Z'), '/querystring/since', 'since at 23:59:60')
  const list = expectList(t, await api.get('/v1/articles'))
  t.equal(list.meta.total, list.data.length, 'what is counted is what is shown')
})

t.test('a plain day bounds a date filter as people type it: from 00:00 UTC', async (t) => {
  const context = await newsroom(t)
  const { api, author, clock } = context
  clock.set('2025-01-28T09:00:00.000Z')
  const monday = await create(t, api, { title: 'Lundi', body: 'x', authorId: author.id, status: 'published', publishedAt: '2025-01-27T23:30:00.000Z' })
  const tuesday = await create(t, api, { title: 'Mardi', body: 'x', authorId: author.id, status: 'published', publishedAt: '2025-01-28T00:00:00.000Z' })
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles?publishedAfter=2025-01-28'))), [tuesday.id], 'publishedAfter a day: from its first instant')
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles?publishedBefore=2025-01-28'))), [monday.id], 'publishedBefore a day: up to its first instant')
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles?publishedAfter=2025-01-27&publishedBefore=2025-01-28'))), [monday.id], 'one day')
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles?updatedAfter=2025-01-28'))), [tuesday.id, monday.id], 'updatedAfter a day')
  clock.advance(DAY)
  t.equal((await api.get('/v1/tombstones?since=2025-01-28')).statusCode, 200, 'since a day')
})

// DELETE runs the same check inside its transaction (preconditionsOf in articles.routes.ts); PATCH is where a test can
// step in between, as the route asks the clock for the write's time after reading the article.
t.test('the author rule holds inside the write: a draft published between the check and the write is not the author\'s to change', async (t) => {
  const context = await newsroom(t)
  const { api, author, clock, db } = context
  const mine = await context.keyFor('author', author.id)
  const draft = expectArticle(t, await api.post('/v1/articles', { title: 'Mon brouillon', body: 'x' }, mine), 201)
  // A request asks the clock first before any route (scheduled publishing), then the PATCH route reads the article and
  // asks the clock for the write's time: an editor publishes the draft right then, at the request's second question.
  let questionsLeft = 2
  const now = clock.now.bind(clock)
  clock.now = () => {
    if (--questionsLeft === 0) db.$client.prepare("UPDATE articles SET status = 'published', published_at = ? WHERE id = ?").run(now(), draft.id)
    return now()
  }
  expectProblem(t, await api.patch(`/v1/articles/${draft.id}`, { title: 'Changé par l’auteur' }, mine), 403, 'PATCH of what became published')
  t.ok(questionsLeft < 0, 'the editor published it in between')
  t.equal(expectArticle(t, await api.get(`/v1/articles/${draft.id}`)).title, 'Mon brouillon', 'nothing was written')
})

t.test('an author key learns nothing of slugs it cannot see: no slug of its own choosing, a provisional one made for it', async (t) => {
  const context = await newsroom(t)
  const { api, author } = context
  const embargoed = await create(t, api, { title: 'Démission du ministre', body: 'x', authorId: author.id, status: 'scheduled', publishedAt: new Date(context.clock.now() + DAY).toISOString() })
  const mine = await context.keyFor('author', author.id)
  expectProblem(t, await api.post('/v1/articles', { title: 'Démission du ministre', body: 'x', slug: embargoed.slug }, mine), 403, 'a slug given with an author key')
  expectProblem(t, await api.post('/v1/articles', { title: 'Autre', body: 'x', slug: 'libre' }, mine), 403, 'even a free one: the answer must not depend on it')
  const same = expectArticle(t, await api.post('/v1/articles', { title: 'Démission du ministre', body: 'x' }, mine), 201)
  const fresh = expectArticle(t, await api.post('/v1/articles', { title: 'Un titre que personne n’a pris', body: 'x' }, mine), 201)
  t.match(same.slug, /^demission-du-ministre-[0-9a-z]{6}$/, 'the title and six random characters, not -2')
  t.match(fresh.slug, /^un-titre-que-personne-na-pris-[0-9a-z]{6}$/, 'the same form when the title is free: the slug tells nothing')
  expectProblem(t, await api.patch(`/v1/articles/${fresh.id}`, { slug: embargoed.slug }, mine), 403, 'nor by a PATCH')
  const published = expectArticle(t, await api.patch(`/v1/articles/${fresh.id}`, { slug: 'un-titre-libre', status: 'published' }), 200)
  t.equal(published.slug, 'un-titre-libre', 'an editor sets the final slug when publishing')
})
