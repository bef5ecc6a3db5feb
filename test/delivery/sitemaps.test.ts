import { XMLParser, XMLValidator } from 'fast-xml-parser'
import t, { type Test } from 'tap'
import { createAuthor } from '../helper.js'
import { create, expectOk, expectProblem, HOUR, insertPublishedRows, MINUTE, withFixture, type Api, type ArticleJson } from './fixtures/support.js'

type Xml = Record<string, any>

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (name) => ['url', 'sitemap'].includes(name) })

const SITEMAPS = 'http://www.sitemaps.org/schemas/sitemap/0.9'
const NEWS = 'http://www.google.com/schemas/sitemap-news/0.9'

/** Fetches an XML document, asserting a 200, the XML content type and well-formedness, and parses it. */
async function xmlAt (t: Test, api: Api, url: string): Promise<Xml> {
  const response = await api.get(url)
  t.equal(response.statusCode, 200, `${url} answers 200`)
  t.match(response.headers['content-type'], /^application\/xml/, `${url} is XML`)
  t.equal(XMLValidator.validate(response.body), true, `${url} is well-formed`)
  t.match(response.body, /^<\?xml version="1\.0" encoding="UTF-8"\?>/i, `${url} declares UTF-8`)
  return xml.parse(response.body) as Xml
}

/** The path of a sitemap the index names, to fetch it through the app. */
function pathOf (loc: string): string {
  const url = new URL(loc)
  return url.pathname + url.search
}

t.test('the index names one sitemap, which lists every published article with its lastmod', async (t) => {
  const context = await withFixture(t)
  const { api, author, clock, fixture } = context
  const draft = await create(t, api, { title: 'Brouillon', body: 'x', authorId: author.id })
  const scheduled = await create(t, api, { title: 'Programmé', body: 'x', authorId: author.id, status: 'scheduled', publishedAt: new Date(clock.now() + HOUR).toISOString() })
  clock.advance(MINUTE)
  const edited = expectOk<ArticleJson>(t, await api.patch(`/v1/articles/${fixture[1].id}`, { title: 'Le Kremlin précise' }, context.admin))

  const index = (await xmlAt(t, api, '/v1/sitemap.xml')).sitemapindex as Xml
  t.equal(index['@_xmlns'], SITEMAPS, 'a sitemap index')
  const sitemaps = index.sitemap as Xml[]
  t.equal(sitemaps.length, 1, 'one sitemap for three articles')
  t.match(sitemaps[0]!.loc, /^https?:\/\/[^/]+\/v1\/sitemaps\/1\.xml$/, 'an absolute link to /v1/sitemaps/1.xml')

  const urlset = (await xmlAt(t, api, pathOf(sitemaps[0]!.loc))).urlset as Xml
  t.equal(urlset['@_xmlns'], SITEMAPS)
  const entries = (urlset.url as Xml[]).map((entry) => ({ loc: entry.loc, lastmod: entry.lastmod }))
  const expected = [fixture[0], edited, fixture[2]].map((article) => ({ loc: article.url, lastmod: article.updatedAt }))
  t.strictSame([...entries].sort((a, b) => a.loc.localeCompare(b.loc)), [...expected].sort((a, b) => a.loc.localeCompare(b.loc)), 'each published article with its url and lastmod')
  t.notOk(entries.some((entry) => entry.loc === draft.url || entry.loc === scheduled.url), 'no draft, no scheduled article')

  clock.advance(HOUR)
  const later = ((await xmlAt(t, api, '/v1/sitemaps/1.xml')).urlset as Xml).url as Xml[]
  t.ok(later.some((entry) => entry.loc === scheduled.url), 'the scheduled article, once live')
  expectProblem(t, await api.get('/v1/sitemaps/2.xml'), 404, 'a page past the end')
  expectProblem(t, await api.get('/v1/sitemaps/0.xml'), 400, 'page 0')
  expectProblem(t, await api.get('/v1/sitemaps/un.xml'), 400, 'not a number')
})

t.test('an empty site still has a valid index and an empty first sitemap', async (t) => {
  const context = await withFixture(t)
  for (const article of context.fixture) t.equal((await context.api.del(`/v1/articles/${article.id}`)).statusCode, 204)
  const index = (await xmlAt(t, context.api, '/v1/sitemap.xml')).sitemapindex as Xml
  t.equal((index.sitemap as Xml[]).length, 1)
  const urlset = (await xmlAt(t, context.api, '/v1/sitemaps/1.xml')).urlset as Xml
  t.equal(urlset.url, undefined, 'no url')
})

t.test('sitemaps hold at most 50,000 articles: 50,001 make two, every article once', async (t) => {
  const context = await withFixture(t)
  const { api, clock } = context
  const author = await createAuthor(context, { name: 'Archives' })
  insertPublishedRows(context, author.id, 50_001 - 3, (index) => clock.now() - (index + 1) * MINUTE)
  const index = (await xmlAt(t, api, '/v1/sitemap.xml')).sitemapindex as Xml
  const locs = (index.sitemap as Xml[]).map((sitemap) => pathOf(sitemap.loc))
  t.strictSame(locs, ['/v1/sitemaps/1.xml', '/v1/sitemaps/2.xml'], 'two sitemaps')
  const first = ((await xmlAt(t, api, locs[0]!)).urlset as Xml).url as Xml[]
  const second = ((await xmlAt(t, api, locs[1]!)).urlset as Xml).url as Xml[]
  t.equal(first.length, 50_000, 'the first is full')
  t.equal(second.length, 1, 'the second holds the rest')
  const all = new Set([...first, ...second].map((entry) => String(entry.loc)))
  t.equal(all.size, 50_001, 'no article twice')
  for (const article of context.fixture) t.ok(all.has(article.url), `${article.slug} is listed`)
  expectProblem(t, await api.get('/v1/sitemaps/3.xml'), 404, 'no third')
})

t.test('the Google News sitemap: the last 48 hours, newest first, with the publication\'s name and language from the settings', async (t) => {
  const context = await withFixture(t, { SITE_NAME: 'Lequotidien', SITE_LANGUAGE: 'fr' })
  const { api, author, clock } = context
  const at = (ms: number) => new Date(clock.now() - ms).toISOString()
  const fresh = await create(t, api, { title: 'Il y a une heure', body: 'x', authorId: author.id, status: 'published', publishedAt: at(HOUR) })
  const older = await create(t, api, { title: 'Il y a 47 heures', body: 'x', authorId: author.id, status: 'published', publishedAt: at(47 * HOUR) })
  const stale = await create(t, api, { title: 'Il y a 49 heures', body: 'x', authorId: author.id, status: 'published', publishedAt: at(49 * HOUR) })
  const scheduled = await create(t, api, { title: 'Dans une heure', body: 'x', authorId: author.id, status: 'scheduled', publishedAt: at(-HOUR) })
  await create(t, api, { title: 'Brouillon récent', body: 'x', authorId: author.id })

  const news = async () => {
    const urlset = (await xmlAt(t, api, '/v1/news-sitemap.xml')).urlset as Xml
    t.equal(urlset['@_xmlns'], SITEMAPS, 'a urlset')
    t.equal(urlset['@_xmlns:news'], NEWS, 'with the Google News namespace')
    return (urlset.url as Xml[] | undefined) ?? []
  }
  const entries = await news()
  // The fixture's articles were published 2 to 5 hours before the clock's now.
  const expected = [fresh, ...context.fixture, older]
  t.strictSame(entries.map((entry) => entry.loc), expected.map((article) => article.url), 'within 48 hours, newest first; not 49 hours ago, not scheduled, not a draft')
  for (const [index, entry] of entries.entries()) {
    const item = entry['news:news'] as Xml
    t.strictSame(item['news:publication'], { 'news:name': 'Lequotidien', 'news:language': 'fr' }, 'publication name and language from the settings')
    t.equal(item['news:publication_date'], expected[index]!.publishedAt, 'publication_date')
    t.equal(item['news:title'], expected[index]!.title, 'title')
  }
  t.notOk(entries.some((entry) => entry.loc === stale.url), 'not 49 hours ago')

  clock.advance(2 * HOUR)
  const later = (await news()).map((entry) => entry.loc)
  t.equal(later[0], scheduled.url, 'the scheduled article, once live, leads')
  t.notOk(later.includes(older.url), 'and what is now 49 hours old has left')
})

t.test('the Google News sitemap holds at most 1,000 articles, the newest', async (t) => {
  const context = await withFixture(t)
  const { api, clock } = context
  const author = await createAuthor(context, { name: 'Fil' })
  insertPublishedRows(context, author.id, 1_001, (index) => clock.now() - (index + 1) * 1000)
  const entries = ((await xmlAt(t, api, '/v1/news-sitemap.xml')).urlset as Xml).url as Xml[]
  t.equal(entries.length, 1_000, 'at most 1,000')
  const dates = entries.map((entry) => Date.parse((entry['news:news'] as Xml)['news:publication_date']))
  t.ok(dates.every((date, index) => index === 0 || date <= dates[index - 1]!), 'newest first')
  t.equal(dates[999], clock.now() - 1_000 * 1000, 'the oldest of the 1,001 is the one left out')
})

t.test('titles and names with & < > " \' are escaped: the documents stay valid and read back the same', async (t) => {
  const siteName = 'Le "Quotidien" & <Fils>'
  const context = await withFixture(t, { SITE_NAME: siteName })
  const { api, author } = context
  const title = 'Tom & Jerry: <b>pas</b> de "guillemets" ni d\'apostrophes > fin'
  const article = await create(t, api, { title, body: 'x', authorId: author.id, status: 'published' })
  const news = ((await xmlAt(t, api, '/v1/news-sitemap.xml')).urlset as Xml).url as Xml[]
  const entry = news.find((item) => item.loc === article.url)
  t.ok(entry, 'the article is in the news sitemap')
  t.equal(entry?.['news:news']['news:title'], title, 'the title reads back the same')
  t.equal(entry?.['news:news']['news:publication']['news:name'], siteName, 'so does the publication name')
  const raw = (await api.get('/v1/news-sitemap.xml')).body
  t.notOk(raw.includes('<b>pas</b>'), 'no raw markup in the document')
  const urls = ((await xmlAt(t, api, '/v1/sitemaps/1.xml')).urlset as Xml).url as Xml[]
  t.ok(urls.some((item) => item.loc === article.url), 'the sitemap lists it')
})

t.test('with nothing published in the last 48 hours, the Google News sitemap is a valid, empty urlset', async (t) => {
  const context = await withFixture(t)
  context.clock.advance(3 * 24 * HOUR)
  const urlset = (await xmlAt(t, context.api, '/v1/news-sitemap.xml')).urlset as Xml
  t.equal(urlset['@_xmlns'], SITEMAPS, 'a urlset')
  t.equal(urlset.url, undefined, 'with no url')
  t.equal(((await xmlAt(t, context.api, '/v1/sitemaps/1.xml')).urlset as Xml).url.length, 3, 'while the sitemap still lists the articles')
})

t.test('each sitemap declares only the namespaces it uses; the index links from API_URL, never from the Host', async (t) => {
  const context = await withFixture(t, { API_URL: 'https://api.lequotidien.example' })
  const { api } = context
  const namespaces = (element: Xml) => Object.keys(element).filter((key) => key.startsWith('@_xmlns')).sort()
  const response = await api.get('/v1/sitemap.xml', { host: 'evil.example' })
  t.notMatch(response.body, /evil\.example/, 'nothing from the Host')
  const index = (xml.parse(response.body) as Xml).sitemapindex as Xml
  t.strictSame(namespaces(index), ['@_xmlns'], 'the index: sitemaps only')
  t.equal((index.sitemap as Xml[])[0]!.loc, 'https://api.lequotidien.example/v1/sitemaps/1.xml', 'from API_URL')
  t.strictSame(namespaces((await xmlAt(t, api, '/v1/sitemaps/1.xml')).urlset as Xml), ['@_xmlns'], 'a sitemap of articles: sitemaps only')
  t.strictSame(namespaces((await xmlAt(t, api, '/v1/news-sitemap.xml')).urlset as Xml), ['@_xmlns', '@_xmlns:news'], 'the news sitemap: and Google News')
})
