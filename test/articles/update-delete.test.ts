import t from 'tap'
import { create, expectArticle, expectFieldError, expectList, expectProblem, isoAt, MINUTE, newsroom } from './fixtures/support.js'

t.test('PATCH is partial: only the given fields change, and updatedAt moves with the clock', async (t) => {
  const context = await newsroom(t)
  const { api, author, tags, clock } = context
  const article = await create(t, api, {
    title: 'Avant',
    body: 'Le corps.',
    authorId: author.id,
    excerpt: 'Le chapeau.',
    status: 'published',
    tagIds: [tags[0].id],
    featuredImage: { url: 'https://images.example/a.jpg', alt: 'Une image' }
  })
  clock.advance(5 * MINUTE)
  const patched = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { title: 'Après' }))
  t.equal(patched.title, 'Après')
  t.equal(patched.updatedAt, isoAt(context), 'updatedAt is the clock\'s now')
  t.not(patched.updatedAt, article.updatedAt)
  t.equal(patched.createdAt, article.createdAt, 'createdAt stays')
  const { title: _t1, updatedAt: _u1, ...before } = article
  const { title: _t2, updatedAt: _u2, ...after } = patched
  t.strictSame(after, before, 'everything else is as it was, the slug included')

  clock.advance(MINUTE)
  const again = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { commentsOpen: false }))
  t.equal(again.commentsOpen, false)
  t.equal(again.title, 'Après', 'the earlier change stays')
  t.equal(again.updatedAt, isoAt(context))
  t.strictSame(expectArticle(t, await api.get(`/v1/articles/${article.id}`)), again, 'a GET reads what the PATCH answered')
})

t.test('PATCH replaces the tags, in the order given', async (t) => {
  const { api, author, tags, admin } = await newsroom(t)
  const article = await create(t, api, { title: 'Tags', body: 'x', authorId: author.id, tagIds: [tags[0].id, tags[1].id] })
  const ref = (tag: { id: string, slug: string, name: string }) => ({ id: tag.id, slug: tag.slug, name: tag.name })
  t.strictSame(article.tags, [ref(tags[0]), ref(tags[1])])
  const replaced = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { tagIds: [tags[2].id, tags[0].id] }))
  t.strictSame(replaced.tags, [ref(tags[2]), ref(tags[0])], 'replaced, not merged, in the new order')
  const reordered = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { tagIds: [tags[0].id, tags[2].id] }))
  t.strictSame(reordered.tags, [ref(tags[0]), ref(tags[2])], 'the same tags in another order')
  const stored = expectArticle(t, await api.get(`/v1/articles/${article.id}`, admin))
  t.strictSame(stored.tags, [ref(tags[0]), ref(tags[2])], 'the order is stored')
  const listed = expectList(t, await api.get('/v1/articles', admin))
  t.strictSame(listed.data[0]?.tags, [ref(tags[0]), ref(tags[2])], 'lists show the same order')
})

t.test('PATCH sets and clears the featured image, the author and comments', async (t) => {
  const { api, author } = await newsroom(t)
  const otherResponse = await api.post('/v1/authors', { name: 'Autre' })
  t.equal(otherResponse.statusCode, 201)
  const other = otherResponse.json<{ id: string, slug: string, name: string }>()
  const article = await create(t, api, { title: 'Image', body: 'x', authorId: author.id })
  const withImage = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { featuredImage: { url: 'http://images.example/b.png', alt: 'B' } }))
  t.strictSame(withImage.featuredImage, { url: 'http://images.example/b.png', alt: 'B' })
  const withoutImage = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { featuredImage: null }))
  t.equal(withoutImage.featuredImage, null)
  const moved = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { authorId: other.id, commentsOpen: false }))
  t.strictSame(moved.author, { id: other.id, slug: other.slug, name: other.name })
  t.equal(moved.commentsOpen, false)
})

t.test('a PATCH with nothing in it is a 400', async (t) => {
  const { api, author, admin } = await newsroom(t)
  const article = await create(t, api, { title: 'Intact', body: 'x', authorId: author.id })
  expectFieldError(t, await api.patch(`/v1/articles/${article.id}`, {}), '/body')
  t.strictSame(expectArticle(t, await api.get(`/v1/articles/${article.id}`, admin)), article, 'nothing changed, not even updatedAt')
})

t.test('bad PATCH fields are a 400 naming them, and change nothing', async (t) => {
  const { api, author, tags, admin } = await newsroom(t)
  const article = await create(t, api, { title: 'Intact', body: 'x', authorId: author.id })
  const cases: [Record<string, unknown>, string][] = [
    [{ title: '' }, '/body/title'],
    [{ title: null }, '/body/title'],
    [{ body: null }, '/body/body'],
    [{ commentsOpen: 'false' }, '/body/commentsOpen'],
    [{ authorId: 'aut_0123456789abcdef' }, '/body/authorId'],
    [{ tagIds: [tags[0].id, 'tag_0123456789abcdef'] }, '/body/tagIds/1'],
    [{ tagIds: [tags[0].id, tags[0].id] }, '/body/tagIds'],
    [{ featuredImage: { url: 'javascript:alert(1)', alt: 'x' } }, '/body/featuredImage/url'],
    [{ status: 'archived' }, '/body/status'],
    [{ title: 'Changé', bodyHtml: '<script></script>' }, '/body/bodyHtml']
  ]
  for (const [payload, path] of cases) expectFieldError(t, await api.patch(`/v1/articles/${article.id}`, payload), path, JSON.stringify(payload))
  t.strictSame(expectArticle(t, await api.get(`/v1/articles/${article.id}`, admin)), article, 'nothing changed')
})

t.test('an unknown id is a 404 for PATCH and DELETE', async (t) => {
  const { api } = await newsroom(t)
  expectProblem(t, await api.patch('/v1/articles/art_0123456789abcdef', { title: 'x' }), 404, 'PATCH')
  expectProblem(t, await api.del('/v1/articles/art_0123456789abcdef'), 404, 'DELETE')
  expectProblem(t, await api.get('/v1/articles/art_0123456789abcdef'), 404, 'GET')
})

t.test('DELETE answers 204, then the article is a 404 everywhere', async (t) => {
  const { api, author, admin } = await newsroom(t)
  const article = await create(t, api, { title: 'Éphémère', body: 'x', authorId: author.id, status: 'published' })
  const kept = await create(t, api, { title: 'Gardé', body: 'x', authorId: author.id, status: 'published' })
  const deleted = await api.del(`/v1/articles/${article.id}`)
  t.equal(deleted.statusCode, 204)
  t.equal(deleted.body, '', 'no body')
  expectProblem(t, await api.get(`/v1/articles/${article.id}`), 404, 'GET by id, public')
  expectProblem(t, await api.get(`/v1/articles/${article.id}`, admin), 404, 'GET by id, admin')
  expectProblem(t, await api.get(`/v1/articles/${article.slug}`, admin), 404, 'GET by slug')
  expectProblem(t, await api.patch(`/v1/articles/${article.id}`, { title: 'x' }), 404, 'PATCH')
  expectProblem(t, await api.del(`/v1/articles/${article.id}`), 404, 'DELETE again')
  const list = expectList(t, await api.get('/v1/articles', admin))
  t.strictSame(list.data.map((item) => item.id), [kept.id], 'gone from lists, the other article stays')
  t.equal(list.meta.total, 1)
})
