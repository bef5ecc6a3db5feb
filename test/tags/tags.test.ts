import t from 'tap'
import { build, createArticle, createAuthor, createTag } from '../helper.js'

t.test('staff create tags; slugs come from names; a taken given slug is a 409', async (t) => {
  const context = await build(t)
  const tag = await createTag(context, 'États-Unis')
  t.match(tag, { id: /^tag_/, slug: 'etats-unis', name: 'États-Unis' })
  t.equal((await createTag(context, 'Etats Unis')).slug, 'etats-unis-2')
  const taken = await context.app.inject({ method: 'POST', url: '/v1/tags', headers: context.admin, payload: { name: 'US', slug: 'etats-unis' } })
  t.equal(taken.statusCode, 409)
  const read = await context.app.inject({ method: 'GET', url: '/v1/tags/etats-unis' })
  t.equal(read.json().id, tag.id, 'read by slug')
  t.equal((await context.app.inject({ method: 'GET', url: `/v1/tags/${tag.id}?fields=slug` })).body, JSON.stringify({ id: tag.id, slug: 'etats-unis' }))
})

t.test('deleting a tag takes it off its articles, which count as changed', async (t) => {
  const context = await build(t)
  const author = await createAuthor(context)
  const gaza = await createTag(context, 'Gaza')
  const maroc = await createTag(context, 'Maroc')
  const article = await createArticle(context, { title: 'Titre', body: 'x', authorId: author.id, tagIds: [gaza.id, maroc.id], status: 'published' })
  t.equal((await context.app.inject({ method: 'GET', url: `/v1/tags/${gaza.id}` })).json().articleCount, 1)
  context.clock.advance(1000)
  t.equal((await context.app.inject({ method: 'DELETE', url: `/v1/tags/${gaza.id}`, headers: context.admin })).statusCode, 204)
  const reread = (await context.app.inject({ method: 'GET', url: `/v1/articles/${article.id}` })).json()
  t.same(reread.tags.map((tag: { slug: string }) => tag.slug), ['maroc'])
  t.equal(reread.updatedAt, new Date(context.clock.now()).toISOString())
  t.equal((await context.app.inject({ method: 'GET', url: `/v1/tags/${gaza.id}` })).statusCode, 404)
  t.equal((await context.app.inject({ method: 'DELETE', url: `/v1/tags/${gaza.id}`, headers: context.admin })).statusCode, 404)
})

t.test('renaming a tag shows in its articles', async (t) => {
  const context = await build(t)
  const author = await createAuthor(context)
  const tag = await createTag(context, 'Diplomatie')
  const article = await createArticle(context, { title: 'Titre', body: 'x', authorId: author.id, tagIds: [tag.id], status: 'published' })
  const renamed = await context.app.inject({ method: 'PATCH', url: `/v1/tags/${tag.id}`, headers: context.admin, payload: { name: 'Diplomatie mondiale', description: 'Les relations entre États.' } })
  t.equal(renamed.statusCode, 200)
  t.match(renamed.json(), { name: 'Diplomatie mondiale', slug: 'diplomatie', description: 'Les relations entre États.' })
  const reread = (await context.app.inject({ method: 'GET', url: `/v1/articles/${article.id}` })).json()
  t.equal(reread.tags[0].name, 'Diplomatie mondiale')
  t.equal((await context.app.inject({ method: 'PATCH', url: '/v1/tags/tag_missing', headers: context.admin, payload: { name: 'x' } })).statusCode, 404)
})

t.test('list: by name, by popularity, paged, with fields', async (t) => {
  const context = await build(t)
  const author = await createAuthor(context)
  const tags = []
  for (const name of ['Maroc', 'Gaza', 'International']) tags.push(await createTag(context, name))
  await createArticle(context, { title: 'A', body: 'x', authorId: author.id, tagIds: [tags[2]!.id], status: 'published' })
  const byName = (await context.app.inject({ method: 'GET', url: '/v1/tags' })).json()
  t.same(byName.data.map((tag: { name: string }) => tag.name), ['Gaza', 'International', 'Maroc'])
  t.same(byName.meta, { total: 3, limit: 20, offset: 0, nextCursor: null })
  const popular = (await context.app.inject({ method: 'GET', url: '/v1/tags?sort=-articleCount&limit=1' })).json()
  t.same(popular.data.map((tag: { name: string }) => tag.name), ['International'])
  t.equal((await context.app.inject({ method: 'GET', url: '/v1/tags?limit=101' })).statusCode, 400)
  t.equal((await context.app.inject({ method: 'GET', url: '/v1/tags?fields=nope' })).statusCode, 400)
})

t.test('writes are staff\'s', async (t) => {
  const context = await build(t)
  const author = await createAuthor(context)
  const tag = await createTag(context, 'Maroc')
  const outsiders = [[{}, 401], [await context.keyFor('moderator'), 403], [await context.keyFor('author', author.id), 403]] as const
  for (const [headers, status] of outsiders) {
    t.equal((await context.app.inject({ method: 'POST', url: '/v1/tags', headers, payload: { name: 'x' } })).statusCode, status)
    t.equal((await context.app.inject({ method: 'PATCH', url: `/v1/tags/${tag.id}`, headers, payload: { name: 'x' } })).statusCode, status)
    t.equal((await context.app.inject({ method: 'DELETE', url: `/v1/tags/${tag.id}`, headers })).statusCode, status)
  }
  t.equal((await context.app.inject({ method: 'POST', url: '/v1/tags', headers: await context.keyFor('editor'), payload: { name: 'Gaza' } })).statusCode, 201)
})
