import t from 'tap'
import { createTag } from '../helper.js'
import { create, expectOk, expectProblem, fixtureArticle, HOUR, MINUTE, patchArticle, withFixture, type ArticleJson } from './fixtures/support.js'

interface RelatedJson { data: ArticleJson[] }

t.test('the fixture\'s first article gives its expected.relatedInOrder, by id and by slug', async (t) => {
  const { api, fixture } = await withFixture(t)
  const expected = fixtureArticle(0).expected.relatedInOrder!
  t.equal(expected.length, 2, 'the fixture names the related articles in order')
  for (const key of [fixture[0].id, fixture[0].slug]) {
    const related = expectOk<RelatedJson>(t, await api.get(`/v1/articles/${key}/related`))
    t.strictSame(related.data.map((article) => article.slug), expected, `related to ${key}`)
    t.strictSame(Object.keys(related), ['data'], 'the answer is { data }')
    t.notOk(related.data.some((article) => 'body' in article || 'bodyHtml' in article), 'items leave out the body')
  }
  // The second shares two tags (International, Etats-Unis) with the first, the third one (International).
  const second = expectOk<RelatedJson>(t, await api.get(`/v1/articles/${fixture[1].id}/related`))
  t.strictSame(second.data.map((article) => article.id), [fixture[0].id, fixture[2].id], 'two shared tags before one')
})

t.test('most shared tags first, then newest first among equals; never itself, never one sharing no tag; limit', async (t) => {
  const context = await withFixture(t)
  const { api, author, clock } = context
  const a = await createTag(context, 'Alpha')
  const b = await createTag(context, 'Beta')
  const c = await createTag(context, 'Gamma')
  const other = await createTag(context, 'Autre')
  const make = async (title: string, tagIds: string[], publishedAt: string) => {
    clock.advance(MINUTE)
    return create(t, api, { title, body: 'x', authorId: author.id, tagIds, status: 'published', publishedAt })
  }
  const source = await make('Source', [a.id, b.id, c.id], '2025-01-20T10:00:00.000Z')
  const threeOld = await make('Trois, ancien', [a.id, b.id, c.id, other.id], '2025-01-01T10:00:00.000Z')
  const oneNew = await make('Un, récent', [c.id], '2025-01-26T10:00:00.000Z')
  const twoOld = await make('Deux, ancien', [a.id, b.id], '2025-01-02T10:00:00.000Z')
  const twoNew = await make('Deux, récent', [b.id, c.id], '2025-01-25T10:00:00.000Z')
  const oneOld = await make('Un, ancien', [a.id], '2025-01-03T10:00:00.000Z')
  await make('Aucun', [other.id], '2025-01-26T11:00:00.000Z')
  await make('Sans tag', [], '2025-01-26T11:30:00.000Z')

  const all = expectOk<RelatedJson>(t, await api.get(`/v1/articles/${source.id}/related?limit=20`))
  t.strictSame(all.data.map((article) => article.title), [threeOld, twoNew, twoOld, oneNew, oneOld].map((article) => article.title),
    'three shared, then two (newest first), then one (newest first); not itself, not those sharing nothing')
  t.strictSame(expectOk<RelatedJson>(t, await api.get(`/v1/articles/${source.id}/related`)).data.map((article) => article.id), [threeOld.id, twoNew.id, twoOld.id], 'three by default')
  t.strictSame(expectOk<RelatedJson>(t, await api.get(`/v1/articles/${source.id}/related?limit=1`)).data.map((article) => article.id), [threeOld.id], 'limit=1')
  expectProblem(t, await api.get(`/v1/articles/${source.id}/related?limit=0`), 400, 'limit=0')
  expectProblem(t, await api.get(`/v1/articles/${source.id}/related?limit=21`), 400, 'limit=21')
})

t.test('never a draft, a scheduled article or one published in the future; one that goes live joins', async (t) => {
  const context = await withFixture(t)
  const { api, author, clock, fixture, tagIds } = context
  const shared = [tagIds.get('International'), tagIds.get('Diplomatie'), tagIds.get('Maroc'), tagIds.get('Etats-Unis')]
  const draft = await create(t, api, { title: 'Brouillon', body: 'x', authorId: author.id, tagIds: shared })
  const scheduled = await create(t, api, { title: 'Programmé', body: 'x', authorId: author.id, tagIds: shared, status: 'scheduled', publishedAt: new Date(clock.now() + HOUR).toISOString() })
  const related = (headers = {}) => api.get(`/v1/articles/${fixture[0].id}/related?limit=20`, headers)
  const expected = fixtureArticle(0).expected.relatedInOrder!
  t.strictSame(expectOk<RelatedJson>(t, await related()).data.map((article) => article.slug), expected, 'the public: no draft, no scheduled article')
  t.strictSame(expectOk<RelatedJson>(t, await related(context.admin)).data.map((article) => article.slug), expected, 'staff: the same, related is what readers see')

  clock.advance(HOUR + 1)
  const live = expectOk<RelatedJson>(t, await related()).data.map((article) => article.id)
  t.strictSame(live, [scheduled.id, fixture[1].id, fixture[2].id], 'once live, the scheduled article shares the most tags')
  t.notOk(live.includes(draft.id), 'still no draft')

  await patchArticle(t, api, scheduled.id, { status: 'draft' })
  t.strictSame(expectOk<RelatedJson>(t, await related()).data.map((article) => article.slug), expected, 'unpublished, it leaves')
})

t.test('related of what the caller may not see is a 404; an unknown article is a 404', async (t) => {
  const context = await withFixture(t)
  const { api, author, tagIds } = context
  const draft = await create(t, api, { title: 'Brouillon lié', body: 'x', authorId: author.id, tagIds: [tagIds.get('International')] })
  expectProblem(t, await api.get(`/v1/articles/${draft.id}/related`), 404, 'a draft for the public')
  const staff = expectOk<RelatedJson>(t, await api.get(`/v1/articles/${draft.id}/related?limit=5`, context.admin))
  t.equal(staff.data.length, 3, 'staff see what a draft would be related to')
  expectProblem(t, await api.get('/v1/articles/art_0000000000000000/related'), 404, 'an unknown id')
  expectProblem(t, await api.get('/v1/articles/pas-un-article/related'), 404, 'an unknown slug')
})
