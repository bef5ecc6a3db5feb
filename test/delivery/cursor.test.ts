import t from 'tap'
import {
  create, DAY, expectFieldError, expectList, expectOk, idsOf, MINUTE, newsroom, walkCursor, type ArticleJson, type ListJson, type Newsroom
} from './fixtures/support.js'

const BASE = Date.parse('2025-01-01T10:00:00.000Z')

/** A published article dated `day` days after BASE (fractions allowed). */
async function publishedOn (t: Parameters<typeof create>[0], context: Newsroom, day: number, title = `Jour ${day}`): Promise<ArticleJson> {
  context.clock.advance(MINUTE)
  return create(t, context.api, { title, body: `Le récit du jour ${day}.`, authorId: context.author.id, status: 'published', publishedAt: new Date(BASE + day * DAY).toISOString() })
}

t.test('-publishedAt: rows inserted newer and older between pages give no duplicate and no gap', async (t) => {
  const context = await newsroom(t)
  const byDay = new Map<number, ArticleJson>()
  for (const day of [1, 2, 3, 4, 5, 6]) byDay.set(day, await publishedOn(t, context, day))
  const { pages, ids } = await walkCursor(t, context.api, '/v1/articles?limit=2', async (pageNumber) => {
    if (pageNumber === 1) {
      byDay.set(7, await publishedOn(t, context, 7)) // newer than anything seen: belongs before the cursor
      byDay.set(0, await publishedOn(t, context, 0)) // older than anything: still to come
    }
    if (pageNumber === 2) {
      byDay.set(5.5, await publishedOn(t, context, 5.5)) // before the cursor: not to be shown again
      byDay.set(2.5, await publishedOn(t, context, 2.5)) // after the cursor: to come, in its place
    }
  })
  const day = (n: number) => byDay.get(n)!.id
  t.strictSame(pages, [[day(6), day(5)], [day(4), day(3)], [day(2.5), day(2)], [day(1), day(0)]], 'each page goes on from the last row seen')
  t.equal(new Set(ids).size, ids.length, 'no duplicates')
  for (const n of [0, 1, 2, 2.5, 3, 4, 5, 6]) t.ok(ids.includes(day(n)), `day ${n} is seen`)
})

t.test('offset paging: the right slice, the exact total, and the offset echoed', async (t) => {
  const context = await newsroom(t)
  const created = []
  for (const day of [1, 2, 3, 4, 5]) created.push(await publishedOn(t, context, day))
  const newestFirst = created.map((article) => article.id).reverse()
  const second = expectList(t, await context.api.get('/v1/articles?limit=2&offset=2'))
  t.strictSame(idsOf(second), newestFirst.slice(2, 4))
  t.equal(second.meta.total, 5)
  t.equal(second.meta.offset, 2)
  t.equal(second.meta.limit, 2)
  const last = expectList(t, await context.api.get('/v1/articles?limit=2&offset=4'))
  t.strictSame(idsOf(last), newestFirst.slice(4))
  t.equal(last.meta.nextCursor, null, 'the last page has no next cursor')
  t.strictSame(idsOf(expectList(t, await context.api.get('/v1/articles?limit=2&offset=10'))), [], 'past the end: an empty page')
  const fromOffset = expectList(t, await context.api.get('/v1/articles?limit=2&offset=1'))
  const next = expectList(t, await context.api.get(`/v1/articles?limit=2&cursor=${encodeURIComponent(fromOffset.meta.nextCursor!)}`))
  t.strictSame(idsOf(next), newestFirst.slice(3, 5), 'an offset page\'s nextCursor goes on after it')
})

t.test('rows with the same sort key are told apart by id: every one exactly once, even with an insert of the same date', async (t) => {
  const context = await newsroom(t)
  const same = []
  for (let index = 0; index < 5; index++) same.push(await publishedOn(t, context, 3, `Même jour ${index}`))
  const added: ArticleJson[] = []
  for (const sort of ['-publishedAt', 'publishedAt']) {
    const { ids } = await walkCursor(t, context.api, `/v1/articles?limit=2&sort=${sort}`, async (pageNumber) => {
      if (pageNumber === 1) added.push(await publishedOn(t, context, 3, `Même jour ajouté ${sort}`))
    })
    t.equal(new Set(ids).size, ids.length, `${sort}: no duplicates`)
    for (const article of same) t.ok(ids.includes(article.id), `${sort}: ${article.title} seen`)
  }
  // Going up, a later insert with the same date has a greater id: it comes after the cursor and is seen.
  const { ids: ascending } = await walkCursor(t, context.api, '/v1/articles?limit=2&sort=publishedAt')
  t.strictSame(ascending.slice(-added.length), added.map((article) => article.id), 'ties go by creation going up')
  const { ids: descending } = await walkCursor(t, context.api, '/v1/articles?limit=3')
  t.strictSame(descending, [...ascending].reverse(), 'and in reverse going down')
})

t.test('sort=title and sort=-updatedAt page by keyset too, with inserts in between', async (t) => {
  const context = await newsroom(t)
  const titles = ['Alger', 'Bamako', 'Dakar', 'Fès', 'Lomé', 'Niamey']
  const byTitle = new Map<string, ArticleJson>()
  for (const [index, title] of titles.entries()) byTitle.set(title, await publishedOn(t, context, index, title))
  const { pages } = await walkCursor(t, context.api, '/v1/articles?limit=2&sort=title', async (pageNumber) => {
    if (pageNumber === 1) {
      byTitle.set('Abidjan', await publishedOn(t, context, 9, 'Abidjan')) // before the cursor
      byTitle.set('Écija', await publishedOn(t, context, 9, 'Écija')) // between Dakar and Fès, accents aside
    }
  })
  const title = (name: string) => byTitle.get(name)!.id
  t.strictSame(pages, [[title('Alger'), title('Bamako')], [title('Dakar'), title('Écija')], [title('Fès'), title('Lomé')], [title('Niamey')]])

  const { ids } = await walkCursor(t, context.api, '/v1/articles?limit=3&sort=-updatedAt', async () => {
    await publishedOn(t, context, 20, 'Nouveauté')
  })
  t.strictSame(ids, ['Écija', 'Abidjan', 'Niamey', 'Lomé', 'Fès', 'Dakar', 'Bamako', 'Alger'].map(title), 'newer changes stay before the cursor')
})

t.test('a staff list across drafts (no publishedAt) pages without loss in both directions', async (t) => {
  const context = await newsroom(t)
  const all: ArticleJson[] = []
  for (const day of [1, 2, 3]) all.push(await publishedOn(t, context, day))
  for (const index of [1, 2, 3]) {
    context.clock.advance(MINUTE)
    all.push(await create(t, context.api, { title: `Brouillon ${index}`, body: 'x', authorId: context.author.id }))
  }
  const drafts = all.slice(3).map((article) => article.id)
  const published = all.slice(0, 3).map((article) => article.id)
  const down = await walkCursor(t, context.api, '/v1/articles?limit=2', async () => {}, context.admin)
  t.strictSame(down.ids, [...[...published].reverse(), ...[...drafts].reverse()], 'newest first, drafts (no date) last')
  const up = await walkCursor(t, context.api, '/v1/articles?limit=2&sort=publishedAt', async () => {}, context.admin)
  t.strictSame(up.ids, [...drafts, ...published], 'oldest first, drafts (no date) first')
})

t.test('a cursor keeps the list\'s filters and stays right as matching rows are added', async (t) => {
  const context = await newsroom(t)
  const [politique] = context.tags
  const tagged = []
  for (const day of [1, 2, 3, 4]) {
    tagged.push(await create(t, context.api, { title: `Politique ${day}`, body: 'x', authorId: context.author.id, tagIds: [politique.id], status: 'published', publishedAt: new Date(BASE + day * DAY).toISOString() }))
    await publishedOn(t, context, day + 0.5, `Autre ${day}`)
  }
  let older: ArticleJson | undefined
  const { ids } = await walkCursor(t, context.api, `/v1/articles?limit=2&tag=${politique.slug}`, async () => {
    older ??= await create(t, context.api, { title: 'Politique 0', body: 'x', authorId: context.author.id, tagIds: [politique.id], status: 'published', publishedAt: new Date(BASE).toISOString() })
  })
  t.strictSame(ids, [...tagged.map((article) => article.id).reverse(), older!.id])
  const page: ListJson<ArticleJson> = expectOk(t, await context.api.get(`/v1/articles?limit=2&tag=${politique.slug}`))
  t.equal(page.meta.total, 5, 'meta.total counts every match')
})

t.test('a cursor that is not one of this list\'s is a 400 naming cursor; so is cursor with offset', async (t) => {
  const context = await newsroom(t)
  for (const day of [1, 2, 3]) await publishedOn(t, context, day)
  const page = expectList(t, await context.api.get('/v1/articles?limit=1'))
  const cursor = encodeURIComponent(page.meta.nextCursor!)
  expectFieldError(t, await context.api.get(`/v1/articles?limit=1&sort=title&cursor=${cursor}`), '/querystring/cursor', 'a cursor of another order')
  expectFieldError(t, await context.api.get('/v1/articles?cursor=not-a-cursor'), '/querystring/cursor', 'garbage')
  expectFieldError(t, await context.api.get(`/v1/articles?cursor=${Buffer.from('["-publishedAt",{"a":1},2]').toString('base64url')}`), '/querystring/cursor', 'a forged cursor')
  expectFieldError(t, await context.api.get(`/v1/articles?cursor=${cursor}&offset=1`), '/querystring/offset', 'cursor with offset')
})

t.test('tags page by cursor too, with inserts in between', async (t) => {
  const context = await newsroom(t)
  // The newsroom made Politique, Économie, Culture.
  for (const name of ['Afrique', 'Monde', 'Sport']) t.equal((await context.api.post('/v1/tags', { name })).statusCode, 201)
  const names: string[] = []
  let cursor: string | null = null
  for (let pageNumber = 1; pageNumber <= 10; pageNumber++) {
    const page: ListJson<{ name: string }> = expectOk(t, await context.api.get(`/v1/tags?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`))
    names.push(...page.data.map((tag) => tag.name))
    cursor = page.meta.nextCursor
    if (cursor === null) break
    if (pageNumber === 1) {
      t.equal((await context.api.post('/v1/tags', { name: 'Agriculture' })).statusCode, 201) // before the cursor
      t.equal((await context.api.post('/v1/tags', { name: 'Technologie' })).statusCode, 201) // still to come
    }
  }
  const all: ListJson<{ name: string }> = expectOk(t, await context.api.get('/v1/tags?limit=100'))
  const expected = all.data.map((tag) => tag.name).filter((name) => name !== 'Agriculture')
  t.strictSame(names, expected, 'every tag once, in the list\'s order, but the one added before the cursor')
  t.ok(names.includes('Technologie'), 'the tag added after the cursor is seen')
})
