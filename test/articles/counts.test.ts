import t, { type Test } from 'tap'
import { create, DAY, isoAt, newsroom, type Newsroom } from './fixtures/support.js'

/** The public `articleCount` of the given authors and tags, by name. */
async function counts (t: Test, context: Newsroom, authorIds: string[] = [context.author.id]) {
  const result: Record<string, number> = {}
  for (const id of authorIds) {
    const response = await context.api.get(`/v1/authors/${id}`)
    t.equal(response.statusCode, 200)
    result[id === context.author.id ? 'author' : id] = response.json<{ articleCount: number }>().articleCount
  }
  for (const [index, tag] of context.tags.entries()) {
    const response = await context.api.get(`/v1/tags/${tag.slug}`)
    t.equal(response.statusCode, 200)
    result[`tag${index}`] = response.json<{ articleCount: number }>().articleCount
  }
  return result
}

t.test('articleCount counts published articles only', async (t) => {
  const context = await newsroom(t)
  const { api, author, tags } = context
  await create(t, api, { title: 'Publié', body: 'x', authorId: author.id, status: 'published', tagIds: [tags[0].id, tags[1].id] })
  await create(t, api, { title: 'Brouillon', body: 'x', authorId: author.id, tagIds: [tags[0].id, tags[2].id] })
  await create(t, api, { title: 'Programmé', body: 'x', authorId: author.id, status: 'scheduled', publishedAt: isoAt(context, DAY), tagIds: [tags[0].id, tags[2].id] })
  t.strictSame(await counts(t, context), { author: 1, tag0: 1, tag1: 1, tag2: 0 })
  const authorsResponse = await api.get('/v1/authors')
  t.equal(authorsResponse.statusCode, 200)
  const authors = authorsResponse.json<{ data: { id: string, articleCount: number }[] }>()
  t.equal(authors.data.find((item) => item.id === author.id)?.articleCount, 1, 'lists of authors agree')
})

t.test('articleCount follows publishing and unpublishing through PATCH', async (t) => {
  const context = await newsroom(t)
  const { api, author, tags } = context
  const draft = await create(t, api, { title: 'Brouillon', body: 'x', authorId: author.id, tagIds: [tags[0].id] })
  t.strictSame(await counts(t, context), { author: 0, tag0: 0, tag1: 0, tag2: 0 })
  t.equal((await api.patch(`/v1/articles/${draft.id}`, { status: 'published' })).statusCode, 200)
  t.strictSame(await counts(t, context), { author: 1, tag0: 1, tag1: 0, tag2: 0 }, 'published: counted')
  t.equal((await api.patch(`/v1/articles/${draft.id}`, { status: 'draft' })).statusCode, 200)
  t.strictSame(await counts(t, context), { author: 0, tag0: 0, tag1: 0, tag2: 0 }, 'back to draft: not counted')
  t.equal((await api.patch(`/v1/articles/${draft.id}`, { status: 'published' })).statusCode, 200)
  t.equal((await api.patch(`/v1/articles/${draft.id}`, { publishedAt: isoAt(context, DAY) })).statusCode, 200)
  t.strictSame(await counts(t, context), { author: 0, tag0: 0, tag1: 0, tag2: 0 }, 'moved to the future, so scheduled: not counted')
})

t.test('articleCount follows deletion', async (t) => {
  const context = await newsroom(t)
  const { api, author, tags } = context
  const kept = await create(t, api, { title: 'Gardé', body: 'x', authorId: author.id, status: 'published', tagIds: [tags[0].id] })
  const removed = await create(t, api, { title: 'Supprimé', body: 'x', authorId: author.id, status: 'published', tagIds: [tags[0].id, tags[1].id] })
  const draft = await create(t, api, { title: 'Brouillon', body: 'x', authorId: author.id, tagIds: [tags[0].id] })
  t.strictSame(await counts(t, context), { author: 2, tag0: 2, tag1: 1, tag2: 0 })
  t.equal((await api.del(`/v1/articles/${removed.id}`)).statusCode, 204)
  t.strictSame(await counts(t, context), { author: 1, tag0: 1, tag1: 0, tag2: 0 }, 'the deleted published article is no longer counted')
  t.equal((await api.del(`/v1/articles/${draft.id}`)).statusCode, 204)
  t.strictSame(await counts(t, context), { author: 1, tag0: 1, tag1: 0, tag2: 0 }, 'deleting a draft changes nothing')
  t.equal((await api.get(`/v1/articles/${kept.id}`)).statusCode, 200)
})

t.test('articleCount follows tag changes', async (t) => {
  const context = await newsroom(t)
  const { api, author, tags } = context
  const article = await create(t, api, { title: 'Étiqueté', body: 'x', authorId: author.id, status: 'published', tagIds: [tags[0].id, tags[1].id] })
  t.strictSame(await counts(t, context), { author: 1, tag0: 1, tag1: 1, tag2: 0 })
  t.equal((await api.patch(`/v1/articles/${article.id}`, { tagIds: [tags[1].id, tags[2].id] })).statusCode, 200)
  t.strictSame(await counts(t, context), { author: 1, tag0: 0, tag1: 1, tag2: 1 }, 'a removed tag loses it, an added tag gains it')
  t.equal((await api.patch(`/v1/articles/${article.id}`, { tagIds: [] })).statusCode, 200)
  t.strictSame(await counts(t, context), { author: 1, tag0: 0, tag1: 0, tag2: 0 }, 'no tags left')
  t.equal((await api.patch(`/v1/articles/${article.id}`, { title: 'Sans changement de tags' })).statusCode, 200)
  t.strictSame(await counts(t, context), { author: 1, tag0: 0, tag1: 0, tag2: 0 }, 'a PATCH without tagIds keeps the tags')
})

t.test('articleCount follows a change of author', async (t) => {
  const context = await newsroom(t)
  const { api, author } = context
  const other = await api.post('/v1/authors', { name: 'Seconde plume' })
  t.equal(other.statusCode, 201)
  const otherId = other.json<{ id: string }>().id
  const article = await create(t, api, { title: 'Signé', body: 'x', authorId: author.id, status: 'published' })
  t.match(await counts(t, context, [author.id, otherId]), { author: 1, [otherId]: 0 })
  const moved = await api.patch(`/v1/articles/${article.id}`, { authorId: otherId })
  t.equal(moved.statusCode, 200)
  t.equal(moved.json<{ author: { id: string } }>().author.id, otherId)
  t.match(await counts(t, context, [author.id, otherId]), { author: 0, [otherId]: 1 })
})
