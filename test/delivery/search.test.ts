import { readFileSync } from 'node:fs'
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { articlesRepository } from '../../src/modules/articles/articles.repository.js'
import { SEARCH_WINDOW, searchTerms } from '../../src/modules/articles/articles.search.js'
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

t.test('each word is searched once, a word under 3 letters only whole, at most 20 words', async (t) => {
  t.strictSame(searchTerms('d D d  é E e'), ['"d"', '"é"'], 'case and accents aside, a word typed again is the same word')
  t.strictSame(searchTerms('gaz GAZ Gaz'), ['"gaz"*'], 'a longer word is a prefix, once')
  t.strictSame(searchTerms('le Maroc'), ['"le"', '"Maroc"*'])
  t.equal(searchTerms(Array.from({ length: 30 }, (_, index) => `mot${index}`).join(' ')).length, 20, 'twenty words at most')
  t.strictSame(searchTerms(Array(20).fill('d').join(' ')), ['"d"'], 'twenty times "d" is one word')

  const { api, author } = await withFixture(t)
  const zebra = await create(t, api, { title: 'Le zèbre de Rabat', body: 'Un texte.', authorId: author.id, status: 'published' })
  await create(t, api, { title: 'Zanzibar', body: 'Un autre texte.', authorId: author.id, status: 'published' })
  t.strictSame(idsOf(expectList(t, await api.get(search('z')))), [], 'one letter is a whole word: "z" matches no article, though many words start with it')
  t.strictSame(idsOf(expectList(t, await api.get(search('zeb')))), [zebra.id], 'three letters are a prefix')
})

t.test('a search matching more articles than it ranks lists the newest of them, with an estimated total', async (t) => {
  const { api, author, clock, db } = await withFixture(t)
  const articles = articlesRepository(db, clock, loadConfig({ SITE_URL: 'https://lequotidien.example' }))
  const article = (title: string, body: string) => ({
    title,
    body,
    authorId: author.id,
    tagIds: [],
    commentsOpen: true,
    featuredImage: null,
    publication: { status: 'published' as const, publishedAt: clock.now() }
  })
  clock.advance(MINUTE)
  // More matches for "dromadaire" than a search ranks; a few of them also say "ornithorynque", once in a title.
  await articles.createMany(Array.from({ length: SEARCH_WINDOW + 50 }, (_, index) => article(`Caravane ${index}`, `Un dromadaire, un chameau et le désert, le numéro ${index}.`)))
  clock.advance(MINUTE)
  const [rareInBody, rareInTitle] = await articles.createMany([
    article('Caravane du soir', 'Un dromadaire et un ornithorynque.'),
    article('Un ornithorynque au désert', 'Un dromadaire.')
  ])
  clock.advance(MINUTE)
  const newest = (await articles.createMany([article('Caravane du matin', 'Un dromadaire et un chameau.')]))[0]

  const common = expectList(t, await api.get(search('dromadaire', '&limit=5')))
  t.equal(common.meta.totalIsEstimate, true, 'the total is marked as an estimate')
  t.ok(Number.isInteger(common.meta.total) && common.meta.total > SEARCH_WINDOW, `an integer past the window (${common.meta.total})`)
  t.ok(Math.abs(common.meta.total - (SEARCH_WINDOW + 53)) < (SEARCH_WINDOW + 53) / 4, 'and near the truth')
  t.equal(idsOf(common)[0], newest, 'the newest match first: no word rare enough to rank by')
  const past = expectList(t, await api.get(search('dromadaire', `&limit=5&offset=${SEARCH_WINDOW}`)))
  t.strictSame(past.data, [], 'nothing is listed past the window')
  t.equal(past.meta.totalIsEstimate, true)
  const sorted = expectList(t, await api.get(search('dromadaire', '&limit=5&sort=-publishedAt')))
  t.equal(sorted.meta.totalIsEstimate, true, 'with a sort too')
  t.equal(idsOf(sorted)[0], newest)

  t.equal(idsOf(expectList(t, await api.get(search('dromadaire chameau caravane désert', '&limit=1'))))[0], newest, 'of four common words, the fourth is left out')
  t.not(idsOf(expectList(t, await api.get(search('désert dromadaire chameau caravane', '&limit=1'))))[0], newest, 'the first three are required')

  const rare = expectList(t, await api.get(search('dromadaire ornithorynque')))
  t.strictSame(idsOf(rare), [rareInTitle, rareInBody], 'ranked by the rare word: in the title first')
  t.equal(rare.meta.total, 2, 'an exact total')
  t.notOk('totalIsEstimate' in rare.meta, 'not marked as an estimate')
})

t.test('the migration that adds prefix indexes fills the index with the text the repository indexes', async (t) => {
  const { api, author, db } = await withFixture(t)
  const linked = await create(t, api, { title: 'Une visite', body: 'Voir [le compte rendu](https://exemple.org/zygomatique) *complet*.', authorId: author.id, status: 'published' })
  const before = idsOf(expectList(t, await api.get(search('complet'))))
  t.strictSame(before, [linked.id], 'the body\'s text is found')
  t.strictSame(idsOf(expectList(t, await api.get(search('zygomatique')))), [], 'a link\'s address is not text')
  const migration = readFileSync(new URL('../../migrations/0009_articles_fts_prefixes.sql', import.meta.url), 'utf8')
  for (const statement of migration.split('--> statement-breakpoint')) db.$client.exec(statement)
  t.strictSame(idsOf(expectList(t, await api.get(search('complet')))), before, 'refilled, the index finds the same')
  t.strictSame(idsOf(expectList(t, await api.get(search('zygomatique')))), [], 'from the body\'s text, not its Markdown')
  t.strictSame(idsOf(expectList(t, await api.get(search('palestinien')))).length, 2, 'and the fixture\'s articles')
  t.match(db.$client.prepare("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").pluck().get(), /prefix='3 4 5 6'/, 'with its prefix indexes')
})
