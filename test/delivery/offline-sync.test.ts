import t from 'tap'
import {
  create, expectFieldError, expectList, expectOk, HOUR, idsOf, MINUTE, patchArticle, walkCursor, withFixture, type ListJson
} from './fixtures/support.js'

interface Tombstone { id: string, slug: string, removedAt: string }

const iso = (ms: number) => new Date(ms).toISOString()

t.test('updatedAfter lists what changed strictly after the time, whatever changed', async (t) => {
  const context = await withFixture(t)
  const { api, clock, fixture, author } = context
  const sync = clock.now()
  t.strictSame(idsOf(expectList(t, await api.get(`/v1/articles?updatedAfter=${iso(sync)}`))), [], 'nothing changed since the seed')
  t.equal(expectList(t, await api.get(`/v1/articles?updatedAfter=${iso(sync - 1)}`)).meta.total, 3, 'everything changed since just before')

  clock.advance(MINUTE)
  await patchArticle(t, api, fixture[1].id, { title: 'Le Kremlin dément' })
  clock.advance(MINUTE)
  const fresh = await create(t, api, { title: 'Tout nouveau', body: 'x', authorId: author.id, status: 'published' })
  clock.advance(MINUTE)
  await create(t, api, { title: 'Pas encore public', body: 'x', authorId: author.id })
  const changed = expectList(t, await api.get(`/v1/articles?updatedAfter=${iso(sync)}&sort=-updatedAt`))
  t.strictSame(idsOf(changed), [fresh.id, fixture[1].id], 'the edit and the new article, not the draft, for the public')
  t.equal(changed.meta.total, 2)
  t.strictSame(idsOf(expectList(t, await api.get(`/v1/articles?updatedAfter=${iso(sync + MINUTE)}`))), [fresh.id], 'strictly after: the edit at that very time is out')
  expectFieldError(t, await api.get('/v1/articles?updatedAfter=yesterday'), '/querystring/updatedAfter', 'not a time')
})

t.test('tombstones: a published article deleted or unpublished is listed once with its id, slug and time; drafts never were public', async (t) => {
  const context = await withFixture(t)
  const { api, clock, fixture, author } = context
  const sync = clock.now()
  const list = async (since: number) => expectOk<ListJson<Tombstone>>(t, await api.get(`/v1/tombstones?since=${iso(since)}`))
  t.strictSame((await list(sync - HOUR)).data, [], 'nothing removed yet')

  const draft = await create(t, api, { title: 'Jamais publié', body: 'x', authorId: author.id })
  const scheduled = await create(t, api, { title: 'Jamais parti', body: 'x', authorId: author.id, status: 'scheduled', publishedAt: iso(clock.now() + 5 * HOUR) })
  clock.advance(MINUTE)
  t.equal((await api.del(`/v1/articles/${draft.id}`)).statusCode, 204)
  t.equal((await api.del(`/v1/articles/${scheduled.id}`)).statusCode, 204)
  t.strictSame((await list(sync)).data, [], 'a draft or scheduled article deleted was never public: no tombstone')

  clock.advance(MINUTE)
  const deletedAt = clock.now()
  t.equal((await api.del(`/v1/articles/${fixture[2].id}`)).statusCode, 204)
  clock.advance(MINUTE)
  const unpublishedAt = clock.now()
  await patchArticle(t, api, fixture[1].id, { status: 'draft' })
  clock.advance(MINUTE)
  const rescheduledAt = clock.now()
  await patchArticle(t, api, fixture[0].id, { status: 'scheduled', publishedAt: iso(clock.now() + 10 * HOUR) })

  const removed = await list(sync)
  t.strictSame(removed.data, [
    { id: fixture[2].id, slug: fixture[2].slug, removedAt: iso(deletedAt) },
    { id: fixture[1].id, slug: fixture[1].slug, removedAt: iso(unpublishedAt) },
    { id: fixture[0].id, slug: fixture[0].slug, removedAt: iso(rescheduledAt) }
  ], 'deleted, unpublished, taken back to scheduled: oldest removal first')
  t.equal(removed.meta.total, 3)
  t.strictSame((await list(unpublishedAt - 1)).data.map((tombstone) => tombstone.id), [fixture[1].id, fixture[0].id], 'since filters')
  t.strictSame((await list(rescheduledAt)).data, [], 'since is strict')
  t.strictSame(idsOf(expectList(t, await api.get('/v1/articles'))), [], 'and the public list agrees: nothing left')
})

t.test('an article coming back leaves the tombstones and shows in updatedAfter; going again tombstones it anew', async (t) => {
  const context = await withFixture(t)
  const { api, clock, fixture } = context
  const sync = clock.now()
  clock.advance(MINUTE)
  await patchArticle(t, api, fixture[1].id, { status: 'draft' })
  const tombstones = async () => expectOk<ListJson<Tombstone>>(t, await api.get(`/v1/tombstones?since=${iso(sync)}`)).data
  t.strictSame((await tombstones()).map((tombstone) => tombstone.id), [fixture[1].id])

  clock.advance(MINUTE)
  const back = clock.now()
  await patchArticle(t, api, fixture[1].id, { status: 'published', publishedAt: fixture[1].publishedAt })
  t.strictSame(await tombstones(), [], 'republished: no longer a tombstone')
  t.ok(idsOf(expectList(t, await api.get(`/v1/articles?updatedAfter=${iso(back - 1)}`))).includes(fixture[1].id), 'and listed by updatedAfter')

  clock.advance(MINUTE)
  const renamedGone = clock.now()
  await patchArticle(t, api, fixture[1].id, { status: 'draft', slug: 'kremlin-brouillon' })
  t.strictSame(await tombstones(), [{ id: fixture[1].id, slug: fixture[1].slug, removedAt: iso(renamedGone) }], 'gone again, at its new time, under the slug the public knew: the new one was never public')
})

t.test('a scheduled article going live leaves the tombstones with no one acting', async (t) => {
  const context = await withFixture(t)
  const { api, clock, fixture } = context
  const sync = clock.now()
  clock.advance(MINUTE)
  await patchArticle(t, api, fixture[0].id, { status: 'scheduled', publishedAt: iso(clock.now() + HOUR) })
  const tombstones = async () => expectOk<ListJson<Tombstone>>(t, await api.get(`/v1/tombstones?since=${iso(sync)}`)).data.map((tombstone) => tombstone.id)
  t.strictSame(await tombstones(), [fixture[0].id], 'taken out of sight until its new time')
  clock.advance(HOUR)
  t.strictSame(await tombstones(), [], 'back at its time')
  t.ok(idsOf(expectList(t, await api.get(`/v1/articles?updatedAfter=${iso(sync + MINUTE)}`))).includes(fixture[0].id), 'and updatedAfter lists it')
})

t.test('tombstones page by cursor and need a valid since', async (t) => {
  const context = await withFixture(t)
  const { api, clock, author } = context
  const sync = clock.now()
  const gone: string[] = []
  for (let index = 0; index < 5; index++) {
    const article = await create(t, api, { title: `Éphémère ${index}`, body: 'x', authorId: author.id, status: 'published' })
    clock.advance(MINUTE)
    t.equal((await api.del(`/v1/articles/${article.id}`)).statusCode, 204)
    gone.push(article.id)
  }
  let later: string | undefined
  const { ids } = await walkCursor(t, api, `/v1/tombstones?since=${iso(sync)}&limit=2`, async () => {
    if (later !== undefined) return
    const article = await create(t, api, { title: 'Éphémère tardif', body: 'x', authorId: author.id, status: 'published' })
    clock.advance(MINUTE)
    t.equal((await api.del(`/v1/articles/${article.id}`)).statusCode, 204)
    later = article.id
  })
  t.strictSame(ids, [...gone, later], 'every removal once, oldest first, the one removed meanwhile last')
  expectFieldError(t, await api.get('/v1/tombstones'), '/querystring/since', 'no since')
  expectFieldError(t, await api.get('/v1/tombstones?since=hier'), '/querystring/since', 'not a time')
})
