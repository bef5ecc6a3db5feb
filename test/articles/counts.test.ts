import fc from 'fast-check'
import t, { type Test } from 'tap'
import { create, DAY, isoAt, newsroom, type Newsroom } from './fixtures/support.js'
import { propertyRuns } from '../fixtures/property-runs.js'

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

t.test('kept counts equal a recount, and tag rows their articles\' status and date, after any sequence of writes', async (t) => {
  type Step =
    | { kind: 'create', status: 'draft' | 'published' | 'scheduled', tags: number[], author: number }
    | { kind: 'patch', target: number, status?: 'draft' | 'published' | 'scheduled', tags?: number[], author?: number }
    | { kind: 'delete', target: number }
    | { kind: 'time passes' }
  const status = fc.constantFrom('draft' as const, 'published' as const, 'scheduled' as const)
  const tagIndexes = fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { maxLength: 3 })
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('create' as const), status, tags: tagIndexes, author: fc.integer({ min: 0, max: 1 }) }),
    fc.record({ kind: fc.constant('patch' as const), target: fc.nat(), status: fc.option(status, { nil: undefined }), tags: fc.option(tagIndexes, { nil: undefined }), author: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }) }, { requiredKeys: ['kind', 'target'] }),
    fc.record({ kind: fc.constant('delete' as const), target: fc.nat() }),
    fc.constant({ kind: 'time passes' as const })
  )
  const sequences = propertyRuns(40)
  let checked = 0
  await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
    const context = await newsroom(t)
    const { api, tags, db } = context
    const second = await api.post('/v1/authors', { name: 'Seconde plume' })
    const authorIds = [context.author.id, second.json<{ id: string }>().id]
    const ids: string[] = []
    const publication = (chosen: 'draft' | 'published' | 'scheduled') => chosen === 'scheduled' ? { status: chosen, publishedAt: isoAt(context, DAY) } : { status: chosen }
    for (const current of steps) {
      if (current.kind === 'create') {
        const created = await create(t, api, { title: `Article ${ids.length}`, body: 'x', authorId: authorIds[current.author], tagIds: current.tags.map((index) => tags[index]!.id), ...publication(current.status) })
        ids.push(created.id)
      } else if (current.kind === 'time passes') {
        context.clock.advance(2 * DAY)
      } else if (ids.length > 0) {
        const id = ids[current.target % ids.length]!
        const response = current.kind === 'delete'
          ? await api.del(`/v1/articles/${id}`)
          : await api.patch(`/v1/articles/${id}`, {
            title: `Article ${id} revu`,
            ...(current.status === undefined ? {} : publication(current.status)),
            ...(current.tags === undefined ? {} : { tagIds: current.tags.map((index) => tags[index]!.id) }),
            ...(current.author === undefined ? {} : { authorId: authorIds[current.author] })
          })
        if (current.kind === 'delete') ids.splice(ids.indexOf(id), 1)
        if (response.statusCode >= 300) throw new Error(`${current.kind} answered ${response.statusCode}: ${response.body}`)
      }
    }
    // Any request first publishes what is due, then the kept counts must be what counting finds.
    const read = await api.get('/v1/tags')
    if (read.statusCode !== 200) throw new Error(read.body)
    const kept = db.$client.prepare(`
      SELECT 'author' AS kind, id, article_count AS count FROM authors
      UNION ALL SELECT 'tag', id, article_count FROM tags ORDER BY 1, 2`).all()
    const counted = db.$client.prepare(`
      SELECT 'author' AS kind, authors.id AS id, (SELECT count(*) FROM articles WHERE author_id = authors.id AND status = 'published') AS count FROM authors
      UNION ALL SELECT 'tag', tags.id, (SELECT count(*) FROM article_tags JOIN articles ON articles.pk = article_tags.article_pk
        WHERE article_tags.tag_id = tags.id AND articles.status = 'published') FROM tags ORDER BY 1, 2`).all()
    // So must the copies of each article's status and date that the tag lists' index reads.
    const stale = db.$client.prepare(`SELECT article_tags.article_pk, article_tags.status, articles.status AS current FROM article_tags
      JOIN articles ON articles.pk = article_tags.article_pk
      WHERE article_tags.status IS NOT articles.status OR article_tags.published_at IS NOT articles.published_at`).all()
    await context.app.close()
    if (JSON.stringify(kept) !== JSON.stringify(counted)) throw new Error(`kept ${JSON.stringify(kept)} but counted ${JSON.stringify(counted)} after ${JSON.stringify(steps)}`)
    if (stale.length > 0) throw new Error(`tag rows out of step with their articles: ${JSON.stringify(stale)} after ${JSON.stringify(steps)}`)
    checked++
  }), { numRuns: sequences })
  t.equal(checked, sequences, `kept counts and tag rows matched their articles after ${sequences} random sequences of writes`)
})
