import t, { type Test } from 'tap'
import { create, DAY, expectArticle, expectFieldError, expectList, expectProblem, HOUR, idsOf, isoAt, MINUTE, newsroom, type Newsroom } from './fixtures/support.js'

t.test('published without publishedAt is published at the clock\'s now', async (t) => {
  const context = await newsroom(t)
  const { api, author, clock } = context
  clock.set('2025-03-10T08:15:30.000Z')
  const article = await create(t, api, { title: 'Maintenant', body: 'x', authorId: author.id, status: 'published' })
  t.equal(article.status, 'published')
  t.equal(article.publishedAt, '2025-03-10T08:15:30.000Z')
  t.equal(expectArticle(t, await api.get(`/v1/articles/${article.id}`)).publishedAt, '2025-03-10T08:15:30.000Z', 'the public sees it at once')
})

t.test('published with a past publishedAt keeps that date', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, { title: 'Rétro', body: 'x', authorId: author.id, status: 'published', publishedAt: '2024-12-31T23:00:00.000Z' })
  t.equal(article.status, 'published')
  t.equal(article.publishedAt, '2024-12-31T23:00:00.000Z')
})

t.test('published with a future publishedAt comes back scheduled, hidden from the public', async (t) => {
  const context = await newsroom(t)
  const { api, author } = context
  const at = isoAt(context, 2 * HOUR)
  const article = await create(t, api, { title: 'Bientôt', body: 'x', authorId: author.id, status: 'published', publishedAt: at })
  t.equal(article.status, 'scheduled')
  t.equal(article.publishedAt, at)
  expectProblem(t, await api.get(`/v1/articles/${article.id}`), 404)
})

t.test('a draft has publishedAt null', async (t) => {
  const { api, author } = await newsroom(t)
  const implicit = await create(t, api, { title: 'Brouillon', body: 'x', authorId: author.id })
  const explicit = await create(t, api, { title: 'Brouillon explicite', body: 'x', authorId: author.id, status: 'draft' })
  t.equal(implicit.publishedAt, null)
  t.equal(explicit.publishedAt, null)
})

/** A scheduled article with two tags, due in an hour; the author's and tags' counts before it goes live. */
async function scheduledInAnHour (t: Test, context: Newsroom) {
  const { api, author, tags } = context
  const publishedAt = isoAt(context, HOUR)
  const article = await create(t, api, {
    title: 'À paraître', body: 'x', authorId: author.id, tagIds: [tags[0].id, tags[1].id], status: 'scheduled', publishedAt
  })
  t.equal(article.status, 'scheduled')
  t.equal(article.publishedAt, publishedAt)
  expectProblem(t, await api.get(`/v1/articles/${article.id}`), 404, 'not public before its time')
  t.equal(expectList(t, await api.get('/v1/articles')).meta.total, 0, 'not listed before its time')
  t.equal((await api.get(`/v1/authors/${author.id}`)).json().articleCount, 0, 'the author counts no article yet')
  t.equal((await api.get(`/v1/tags/${tags[0].id}`)).json().articleCount, 0, 'the tag counts no article yet')
  return { article, publishedAt }
}

t.test('a scheduled article goes live by itself: the next GET of it shows it published', async (t) => {
  const context = await newsroom(t)
  const { api, author, tags, clock } = context
  const { article, publishedAt } = await scheduledInAnHour(t, context)
  clock.advance(HOUR + MINUTE)
  const live = expectArticle(t, await api.get(`/v1/articles/${article.id}`))
  t.equal(live.status, 'published')
  t.equal(live.publishedAt, publishedAt, 'it keeps its scheduled date')
  t.equal(expectArticle(t, await api.get(`/v1/articles/${article.slug}`)).status, 'published', 'by slug too')
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles'))), [article.id], 'it is listed')
  t.equal((await api.get(`/v1/authors/${author.id}`)).json().articleCount, 1, 'the author\'s count went up')
  t.equal((await api.get(`/v1/tags/${tags[0].id}`)).json().articleCount, 1, 'the first tag\'s count went up')
  t.equal((await api.get(`/v1/tags/${tags[1].id}`)).json().articleCount, 1, 'the second tag\'s count went up')
  t.equal((await api.get(`/v1/tags/${tags[2].id}`)).json().articleCount, 0, 'an unrelated tag is untouched')
})

t.test('a scheduled article goes live whatever the first read after its time is', async (t) => {
  const firstReads: [string, (t: Test, context: Newsroom, id: string) => Promise<unknown>][] = [
    ['a public list', async (t, { api }) => {
      const list = expectList(t, await api.get('/v1/articles'))
      t.equal(list.meta.total, 1, 'the list shows it')
      t.equal(list.data[0]?.status, 'published')
    }],
    ['the author', async (t, { api, author }) => t.equal((await api.get(`/v1/authors/${author.slug}`)).json().articleCount, 1, 'the author counts it')],
    ['a tag', async (t, { api, tags }) => t.equal((await api.get(`/v1/tags/${tags[1].slug}`)).json().articleCount, 1, 'the tag counts it')],
    ['a staff read', async (t, { api, admin }, id) => t.equal(expectArticle(t, await api.get(`/v1/articles/${id}`, admin)).status, 'published', 'staff see it published')],
    ['a list filtered by tag', async (t, { api, tags }) => t.equal(expectList(t, await api.get(`/v1/articles?tag=${tags[0].slug}`)).meta.total, 1, 'the tag filter finds it')]
  ]
  for (const [label, firstRead] of firstReads) {
    t.test(label, async (t) => {
      const context = await newsroom(t)
      const { article } = await scheduledInAnHour(t, context)
      context.clock.advance(2 * HOUR)
      await firstRead(t, context, article.id)
      const live = expectArticle(t, await context.api.get(`/v1/articles/${article.id}`))
      t.equal(live.status, 'published')
    })
  }
})

t.test('a scheduled article is live exactly at its publishedAt, not a moment before', async (t) => {
  const context = await newsroom(t)
  const { api, clock } = context
  const { article, publishedAt } = await scheduledInAnHour(t, context)
  clock.set(publishedAt)
  clock.advance(-1)
  expectProblem(t, await api.get(`/v1/articles/${article.id}`), 404, 'a millisecond before')
  clock.advance(1)
  t.equal(expectArticle(t, await api.get(`/v1/articles/${article.id}`)).status, 'published', 'at its time')
})

t.test('a draft is published through PATCH: without publishedAt it is dated now', async (t) => {
  const context = await newsroom(t)
  const { api, author, clock } = context
  const draft = await create(t, api, { title: 'À valider', body: 'x', authorId: author.id })
  clock.advance(3 * HOUR)
  const published = expectArticle(t, await api.patch(`/v1/articles/${draft.id}`, { status: 'published' }))
  t.equal(published.status, 'published')
  t.equal(published.publishedAt, isoAt(context))
  t.equal(expectArticle(t, await api.get(`/v1/articles/${draft.id}`)).status, 'published', 'the public sees it')
})

t.test('a draft is scheduled through PATCH, and goes live by itself', async (t) => {
  const context = await newsroom(t)
  const { api, author, clock } = context
  const draft = await create(t, api, { title: 'Plus tard', body: 'x', authorId: author.id })
  const at = isoAt(context, DAY)
  const scheduled = expectArticle(t, await api.patch(`/v1/articles/${draft.id}`, { status: 'scheduled', publishedAt: at }))
  t.equal(scheduled.status, 'scheduled')
  t.equal(scheduled.publishedAt, at)
  expectFieldError(t, await api.patch(`/v1/articles/${draft.id}`, { status: 'scheduled', publishedAt: isoAt(context, -MINUTE) }), '/body/publishedAt', 'rescheduled into the past')
  expectFieldError(t, await api.patch(`/v1/articles/${draft.id}`, { publishedAt: null }), '/body/publishedAt', 'a scheduled article without a date')
  clock.advance(DAY)
  t.equal(expectArticle(t, await api.get(`/v1/articles/${draft.id}`)).status, 'published')
})

t.test('a draft PATCHed to scheduled without a date is a 400', async (t) => {
  const { api, author } = await newsroom(t)
  const draft = await create(t, api, { title: 'Sans date', body: 'x', authorId: author.id })
  expectFieldError(t, await api.patch(`/v1/articles/${draft.id}`, { status: 'scheduled' }), '/body/publishedAt')
})

t.test('a published article given a future publishedAt becomes scheduled and leaves the public\'s sight', async (t) => {
  const context = await newsroom(t)
  const { api, author } = context
  const article = await create(t, api, { title: 'Retiré', body: 'x', authorId: author.id, status: 'published' })
  const at = isoAt(context, DAY)
  const moved = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { publishedAt: at }))
  t.equal(moved.status, 'scheduled')
  t.equal(moved.publishedAt, at)
  expectProblem(t, await api.get(`/v1/articles/${article.id}`), 404)
  t.equal((await api.get(`/v1/authors/${author.id}`)).json().articleCount, 0)
})

t.test('a published article PATCHed back to draft leaves the public\'s sight', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, { title: 'Dépublié', body: 'x', authorId: author.id, status: 'published' })
  const draft = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { status: 'draft' }))
  t.equal(draft.status, 'draft')
  expectProblem(t, await api.get(`/v1/articles/${article.id}`), 404)
  t.equal(expectList(t, await api.get('/v1/articles')).meta.total, 0)
})

t.test('re-publishing a published article keeps its date', async (t) => {
  const context = await newsroom(t)
  const { api, author, clock } = context
  const article = await create(t, api, { title: 'Stable', body: 'x', authorId: author.id, status: 'published' })
  clock.advance(HOUR)
  const again = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { status: 'published', title: 'Stable bis' }))
  t.equal(again.publishedAt, article.publishedAt)
})
