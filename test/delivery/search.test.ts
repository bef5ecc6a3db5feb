import t from 'tap'
import {
  create, DAY, expectFieldError, expectList, fixtureArticle, idsOf, MINUTE, patchArticle, walkCursor, withFixture, type ArticleJson
} from './fixtures/support.js'

// 40 words in 159 characters: more words than are searched, all of them the same.
const MANY_WORDS = Array.from({ length: 40 }, () => 'gaz').join(' ')

const search = (q: string, rest = '') => `/v1/articles?q=${encodeURIComponent(q)}${rest}`

t.test('the fixture\'s searchFinds all find its first article, in any case, with or without accents, in NFC or NFD', async (t) => {
  const { api, fixture } = await withFixture(t)
  const expected = fixtureArticle(0).expected.searchFinds!
  t.ok(expected.length > 0, 'the fixture names what search must find')
  const queries = [...expected, 'Américain', 'AMERICAIN', 'américain', 'AME\u0301RICAIN', 'ame\u0301ricain', 'SÉCURITÉ', 'se\u0301curite\u0301', 'PALESTINIENS', 'Palest', 'washington']
  for (const q of queries) {
    const list = expectList(t, await api.get(search(q)), `q=${q}`)
    t.ok(idsOf(list).includes(fixture[0].id), `q=${JSON.stringify(q)} finds the first article`)
    t.equal(list.meta.total, list.data.length, `q=${JSON.stringify(q)}: meta.total is exact`)
  }
  t.strictSame(idsOf(expectList(t, await api.get(search('palestinien')))).sort(), [fixture[0].id, fixture[2].id].sort(), 'a word is a prefix: palestinien finds "Palestiniens" in two articles')
  t.strictSame(idsOf(expectList(t, await api.get(search('kremlin')))), [fixture[1].id], 'a word only one article has')
  t.strictSame(idsOf(expectList(t, await api.get(search('americain kremlin')))), [fixture[1].id], 'every word must match')
  t.strictSame(idsOf(expectList(t, await api.get(search('zanzibar')))), [], 'a word no article has')
})

t.test('whatever is typed is searched as text: FTS5 syntax never causes an error', async (t) => {
  const { api, fixture } = await withFixture(t)
  const hostile = [
    '"', '""', '\'', '"americain', 'americain"', '"americain"', 'americain*', '*', '**', '*americain', '^americain', '-americain', '+americain',
    'NEAR(', 'NEAR(americain', 'NEAR(americain bourita, 5)', 'NEAR', '(', ')', '(americain)', '((', 'americain)', ':', 'title:americain',
    'body : americain', '{title body}: americain', '{', '}', '[', ']', 'AND', 'OR', 'AND OR NOT', 'americain AND', 'OR americain', 'NOT americain',
    'americain NOT bourita', '\\', '\\"', '%', '_', '%americain%', ';', '\'; DROP TABLE articles; --', 'americain\'', 'd\'Etat', 'd’Etat', '…',
    '\u0301', 'e\u0301', '\u200b', '\u200bamericain', '🙂', 'americain 🙂', 'ﬁ', '²', 'x'.repeat(200), MANY_WORDS,
    '- - -', '.', ',', '@@', '#', '$', '~', '`', '<script>', '&amp;', 'rowid', 'rank', 'bm25(articles_fts)', 'MATCH', 'articles_fts'
  ]
  for (const q of hostile) {
    const response = await api.get(search(q))
    t.equal(response.statusCode, 200, `q=${JSON.stringify(q)} answers 200${response.statusCode === 200 ? '' : `: ${response.body}`}`)
    t.type(response.json<{ data: unknown[] }>().data, Array)
  }
  const asText: Array<[string, string[]]> = [
    ['"americain"', [fixture[0].id, fixture[1].id]],
    ['americain*', [fixture[0].id, fixture[1].id]],
    ['NOT', [fixture[0].id]], // only as a word: the first article's "notamment"
    ['(bourita)', [fixture[0].id]],
    ['-bourita', [fixture[0].id]],
    ['"bourita', [fixture[0].id]],
    ['^bourita', [fixture[0].id]],
    ['bourita*', [fixture[0].id]],
    ['{title}: bourita', []], // no article has a word starting with "title"
    ['AND', []],
    ['bourita OR kremlin', []], // OR is a word to find, not an operator
    [MANY_WORDS, [fixture[0].id, fixture[2].id]]
  ]
  for (const [q, expected] of asText) {
    t.strictSame(idsOf(expectList(t, await api.get(search(q)))).sort(), [...expected].sort(), `q=${JSON.stringify(q)} is searched as text`)
  }
})

t.test('relevance: the title weighs more than the body, whatever the dates; a sort overrides it', async (t) => {
  const { api, author, clock } = await withFixture(t)
  clock.advance(MINUTE)
  const inTitle = await create(t, api, { title: 'Le zorglub arrive à Rabat', body: 'Un texte sans le mot.', authorId: author.id, status: 'published', publishedAt: '2025-01-20T10:00:00.000Z' })
  clock.advance(MINUTE)
  const inBody = await create(t, api, {
    title: 'Une nouvelle du jour',
    body: 'Une longue histoire, avec beaucoup de mots, où le zorglub apparaît une fois au milieu de tout le reste du texte.',
    authorId: author.id,
    excerpt: 'Une histoire.',
    status: 'published',
    publishedAt: '2025-01-26T10:00:00.000Z'
  })
  clock.advance(MINUTE)
  const inExcerpt = await create(t, api, { title: 'Encore une nouvelle', body: 'Rien ici.', excerpt: 'Le zorglub, en bref.', authorId: author.id, status: 'published', publishedAt: '2025-01-25T10:00:00.000Z' })
  t.strictSame(idsOf(expectList(t, await api.get(search('zorglub')))), [inTitle.id, inExcerpt.id, inBody.id], 'title, then excerpt, then body')
  t.strictSame(idsOf(expectList(t, await api.get(search('ZORGLUB', '&sort=-publishedAt')))), [inBody.id, inExcerpt.id, inTitle.id], 'sort=-publishedAt overrides relevance')
  t.strictSame(idsOf(expectList(t, await api.get(search('zorglub', '&sort=publishedAt')))), [inTitle.id, inExcerpt.id, inBody.id], 'sort=publishedAt')
  t.strictSame(idsOf(expectList(t, await api.get(search('zorglub', '&sort=title')))), [inExcerpt.id, inTitle.id, inBody.id], 'sort=title')
})

t.test('paging by relevance is by offset, a cursor there is a 400; with a sort, a cursor works', async (t) => {
  const { api, author, clock } = await withFixture(t)
  const created: ArticleJson[] = []
  for (let day = 1; day <= 5; day++) {
    clock.advance(MINUTE)
    created.push(await create(t, api, { title: `Marrakech, épisode ${day}`, body: `Le festival, jour ${day}.`, authorId: author.id, status: 'published', publishedAt: new Date(Date.parse('2025-01-10T10:00:00.000Z') + day * DAY).toISOString() }))
  }
  const all = expectList(t, await api.get(search('marrakech', '&limit=100')))
  t.equal(all.meta.total, 5)
  t.equal(all.meta.nextCursor, null, 'no cursor by relevance')
  const byOffset: string[] = []
  for (let offset = 0; offset < 5; offset += 2) {
    const page = expectList(t, await api.get(search('marrakech', `&limit=2&offset=${offset}`)))
    t.equal(page.meta.total, 5, 'meta.total is exact on every page')
    t.equal(page.meta.offset, offset)
    t.equal(page.meta.nextCursor, null, 'no cursor by relevance')
    byOffset.push(...idsOf(page))
  }
  t.strictSame(byOffset, idsOf(all), 'offset pages join into the whole list')

  const sorted = expectList(t, await api.get(search('marrakech', '&limit=2&sort=-publishedAt')))
  expectFieldError(t, await api.get(search('marrakech', `&limit=2&cursor=${encodeURIComponent(sorted.meta.nextCursor!)}`)), '/querystring/cursor', 'a cursor by relevance')

  let added: ArticleJson | undefined
  const { ids } = await walkCursor(t, api, search('marrakech', '&limit=2&sort=-publishedAt'), async () => {
    added ??= await create(t, api, { title: 'Marrakech, avant-première', body: 'x', authorId: author.id, status: 'published', publishedAt: '2025-01-01T10:00:00.000Z' })
  })
  t.strictSame(ids, [...created.map((article) => article.id).reverse(), added!.id], 'q with a sort pages by cursor, with no duplicate or gap')
})

t.test('the index follows every write: title, excerpt, body, delete, publication', async (t) => {
  const { api, author, fixture, clock, admin } = await withFixture(t)
  const [first] = fixture
  clock.advance(MINUTE)
  await patchArticle(t, api, first.id, { title: 'Rabat accueille une conférence' })
  t.strictSame(idsOf(expectList(t, await api.get(search('conference')))), [first.id], 'the new title is found, accents aside')
  t.strictSame(idsOf(expectList(t, await api.get(search('conference')))), idsOf(expectList(t, await api.get(search('CONFÉRENCE')))))

  await patchArticle(t, api, first.id, { body: 'Un tout autre texte, sur les oliviers de Meknès.' })
  t.strictSame(idsOf(expectList(t, await api.get(search('oliviers meknes')))), [first.id], 'the new body is found')
  t.strictSame(idsOf(expectList(t, await api.get(search('bourita')))), [], 'the old body is gone from the index')

  await patchArticle(t, api, first.id, { excerpt: 'Une synthèse sur l\'arganier.' })
  t.strictSame(idsOf(expectList(t, await api.get(search('arganier')))), [first.id], 'the new excerpt is found')

  const draft = await create(t, api, { title: 'Brouillon sur les oliviers', body: 'x', authorId: author.id })
  t.strictSame(idsOf(expectList(t, await api.get(search('oliviers')))), [first.id], 'the public never finds a draft')
  t.strictSame(idsOf(expectList(t, await api.get(search('oliviers', '&status=draft'), admin))), [draft.id], 'staff find it')
  await patchArticle(t, api, draft.id, { status: 'published' })
  t.strictSame(idsOf(expectList(t, await api.get(search('oliviers')))).sort(), [first.id, draft.id].sort(), 'published, the public finds it')
  await patchArticle(t, api, draft.id, { status: 'draft' })
  t.strictSame(idsOf(expectList(t, await api.get(search('oliviers')))), [first.id], 'unpublished, no longer')

  t.equal((await api.del(`/v1/articles/${first.id}`)).statusCode, 204)
  t.strictSame(idsOf(expectList(t, await api.get(search('oliviers meknes')))), [], 'a deleted article is no longer found')
  t.strictSame(idsOf(expectList(t, await api.get(search('oliviers'), admin))), [draft.id], 'nor by staff')
})

t.test('q combines with the other filters, and an empty or unsearchable q is handled', async (t) => {
  const { api, fixture } = await withFixture(t)
  t.strictSame(idsOf(expectList(t, await api.get(search('americain', '&tag=diplomatie')))), [fixture[0].id], 'q with tag')
  t.strictSame(idsOf(expectList(t, await api.get(search('gaza', '&publishedBefore=2025-01-27T09:00:00.000Z')))), [fixture[2].id], 'q with publishedBefore')
  const nothing = expectList(t, await api.get(search('«»')))
  t.strictSame(nothing.data, [], 'nothing searchable typed: nothing found')
  t.equal(nothing.meta.total, 0)
  expectFieldError(t, await api.get('/v1/articles?q='), '/querystring/q', 'an empty q')
})
