import { XMLParser, XMLValidator } from 'fast-xml-parser'
import Parser from 'rss-parser'
import t, { type Test } from 'tap'
import { createAuthor } from '../helper.js'
import { create, expectOk, HOUR, MINUTE, patchArticle, withFixture, type ArticleJson } from './fixtures/support.js'

const SITE = { SITE_NAME: 'Lequotidien', SITE_LANGUAGE: 'fr', SITE_URL: 'https://www.lequotidien.example' }

const JSON_FEED_TOP_LEVEL = ['version', 'title', 'home_page_url', 'feed_url', 'description', 'user_comment', 'next_url', 'icon', 'favicon', 'authors', 'language', 'expired', 'hubs', 'items']
const JSON_FEED_ITEM = ['id', 'url', 'external_url', 'title', 'content_html', 'content_text', 'summary', 'image', 'banner_image', 'date_published', 'date_modified', 'authors', 'tags', 'language', 'attachments']
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

interface JsonFeed {
  version: string
  title: string
  home_page_url?: string
  feed_url?: string
  language?: string
  items: Array<{ id: string, url?: string, title?: string, content_html?: string, content_text?: string, summary?: string, date_published?: string, date_modified?: string, authors?: Array<{ name?: string }>, tags?: string[] }>
}

type Xml = Record<string, any>

// Text as sent, not trimmed: an article's HTML must arrive whole.
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: false, isArray: (name) => ['item', 'entry', 'category', 'link', 'author'].includes(name) })
const rss = new Parser()

/** The text of an XML element that may carry attributes. */
function textOf (node: unknown): string {
  if (typeof node === 'string') return node
  return String((node as Xml | undefined)?.['#text'] ?? '')
}

/** What a reader shows for an HTML string that is meant to hold text only: no markup, entities decoded. */
function htmlText (t: Test, html: string, message: string): string {
  t.notMatch(html, /<[a-z/!?]/i, `${message}: as HTML, it holds no markup`)
  return html.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_entity, name: string) => {
    const lower = name.toLowerCase()
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16))
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10))
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: '\'' } as Record<string, string>)[lower]!
  })
}

/** The fixture, plus a draft and a scheduled article that no feed may show. */
async function newsroom (t: Test, env: Record<string, string> = {}) {
  const context = await withFixture(t, { ...SITE, ...env })
  const { api, author, clock } = context
  const draft = await create(t, api, { title: 'Brouillon secret', body: 'x', authorId: author.id })
  const scheduled = await create(t, api, { title: 'Programmé pour plus tard', body: 'x', authorId: author.id, status: 'scheduled', publishedAt: new Date(clock.now() + HOUR).toISOString() })
  const full = await Promise.all(context.fixture.map(async (article) => expectOk<ArticleJson>(t, await api.get(`/v1/articles/${article.id}`))))
  return { ...context, draft, scheduled, full: full as [ArticleJson, ArticleJson, ArticleJson] }
}

t.test('RSS 2.0: valid, with the site, and each published article newest first with full HTML, author, categories and dates', async (t) => {
  const { api, full, draft, scheduled } = await newsroom(t)
  const response = await api.get('/v1/feed.rss')
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/rss\+xml; charset=utf-8$/, 'RSS content type')
  t.equal(XMLValidator.validate(response.body), true, 'well-formed XML')
  const raw = xml.parse(response.body) as Xml
  t.equal(raw.rss['@_version'], '2.0')
  const feed = await rss.parseString(response.body)
  t.equal(feed.title, 'Lequotidien', 'the channel is the site: SITE_NAME')
  t.equal(feed.link, 'https://www.lequotidien.example/', 'SITE_URL')
  t.equal(feed.language, 'fr', 'SITE_LANGUAGE')
  t.strictSame(feed.items.map((item) => item.link), full.map((article) => article.url), 'newest first, published only')
  t.notOk(response.body.includes(draft.title) || response.body.includes(scheduled.title), 'no draft, no scheduled article')
  for (const [index, item] of feed.items.entries()) {
    const article = full[index]!
    t.equal(item.title, article.title, 'title')
    t.equal(item.link, article.url, 'link: the article\'s url')
    t.equal(item.guid, `tag:www.lequotidien.example,${article.createdAt.slice(0, 10)}:articles/${article.id}`, 'a guid: the article\'s id, in a permanent form')
    t.equal((raw.rss.channel.item[index] as Xml).guid['@_isPermaLink'], 'false', 'which is no link')
    t.equal(item.isoDate, article.publishedAt, 'pubDate: publishedAt')
    t.equal(item['content:encoded'], article.bodyHtml, 'the full sanitised HTML')
    t.equal(item.creator, article.author.name, 'the author, as dc:creator')
    t.strictSame(item.categories, article.tags.map((tag) => tag.name), 'categories: the tags')
    t.equal(htmlText(t, item.content ?? '', 'description'), article.excerpt, 'description: the excerpt')
    const rawItem = raw.rss.channel.item[index] as Xml
    for (const author of (rawItem.author ?? []) as unknown[]) {
      t.match(textOf(author), /^\S+@\S+/, 'an RSS <author> is an email address (RSS 2.0), never a bare name')
    }
  }
})

t.test('Atom 1.0: valid, with ids, links, full HTML, author, categories, published and updated', async (t) => {
  const { api, full, draft } = await newsroom(t)
  const response = await api.get('/v1/feed.atom')
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/atom\+xml; charset=utf-8$/, 'Atom content type')
  t.equal(XMLValidator.validate(response.body), true, 'well-formed XML')
  const feed = await rss.parseString(response.body)
  t.equal(feed.title, 'Lequotidien')
  t.strictSame(feed.items.map((item) => item.link), full.map((article) => article.url), 'newest first, published only')
  t.notOk(response.body.includes(draft.title), 'no draft')
  const raw = (xml.parse(response.body) as Xml).feed as Xml
  t.equal(raw['@_xmlns'], 'http://www.w3.org/2005/Atom')
  t.equal(raw['@_xml:lang'], 'fr', 'in the site\'s language: SITE_LANGUAGE')
  t.ok(textOf(raw.id).length > 0, 'the feed has an id')
  t.ok(RFC3339.test(textOf(raw.updated)), 'the feed has an updated time')
  t.ok((raw.link as Xml[]).some((link) => link['@_rel'] === 'self'), 'a self link')
  for (const [index, entry] of (raw.entry as Xml[]).entries()) {
    const article = full[index]!
    const title = entry.title as Xml | string
    const type = typeof title === 'string' ? 'text' : String(title['@_type'] ?? 'text')
    t.equal(type === 'html' ? htmlText(t, textOf(title), 'an html title') : textOf(title), article.title, 'the title, read as its type says')
    t.equal(textOf(entry.id), `tag:www.lequotidien.example,${article.createdAt.slice(0, 10)}:articles/${article.id}`, 'id: the article\'s id, in a permanent form')
    t.equal((entry.link as Xml[])[0]!['@_href'], article.url, 'link')
    t.equal(textOf(entry.published), article.publishedAt, 'published')
    t.equal(textOf(entry.updated), article.updatedAt, 'updated')
    t.equal(String((entry.content as Xml)['@_type']), 'html')
    t.equal(textOf(entry.content), article.bodyHtml, 'the full sanitised HTML')
    t.strictSame((entry.author as Xml[]).map((author) => textOf(author.name)), [article.author.name], 'author')
    t.strictSame((entry.category as Xml[]).map((category) => category['@_term']), article.tags.map((tag) => tag.slug), 'categories: the tags')
    const summary = entry.summary as Xml
    const summaryType = String(summary['@_type'] ?? 'text')
    t.equal(summaryType === 'html' ? htmlText(t, textOf(summary), 'an html summary') : textOf(summary), article.excerpt, 'summary: the excerpt, read as its type says')
  }
})

t.test('JSON Feed 1.1: the spec\'s required fields, and each article', async (t) => {
  const { api, full, draft } = await newsroom(t)
  const response = await api.get('/v1/feed.json')
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/feed\+json; charset=utf-8$/, 'JSON Feed content type')
  const feed = response.json<JsonFeed>()
  t.equal(feed.version, 'https://jsonfeed.org/version/1.1', 'version')
  t.equal(feed.title, 'Lequotidien', 'title: SITE_NAME')
  t.equal(feed.home_page_url, 'https://www.lequotidien.example', 'home_page_url: SITE_URL')
  t.match(feed.feed_url, /^https?:\/\/[^/]+\/v1\/feed\.json$/, 'feed_url: where it is')
  t.equal(feed.language, 'fr')
  t.strictSame(Object.keys(feed).filter((key) => !JSON_FEED_TOP_LEVEL.includes(key) && !key.startsWith('_')), [], 'only the spec\'s top-level fields')
  t.ok(Array.isArray(feed.items), 'items is an array')
  t.strictSame(feed.items.map((item) => item.url), full.map((article) => article.url), 'newest first, published only')
  t.notOk(feed.items.some((item) => item.title === draft.title), 'no draft')
  for (const [index, item] of feed.items.entries()) {
    const article = full[index]!
    t.type(item.id, 'string', 'id is a string (required)')
    t.ok(item.id.length > 0)
    t.ok(item.content_html !== undefined || item.content_text !== undefined, 'content_html or content_text (one is required)')
    t.strictSame(Object.keys(item).filter((key) => !JSON_FEED_ITEM.includes(key) && !key.startsWith('_')), [], 'only the spec\'s item fields')
    t.equal(item.content_html, article.bodyHtml, 'the full sanitised HTML')
    t.equal(item.title, article.title)
    t.equal(item.summary, article.excerpt)
    t.equal(item.date_published, article.publishedAt)
    t.equal(item.date_modified, article.updatedAt)
    t.match(item.date_published, RFC3339, 'RFC 3339 dates')
    t.strictSame(item.authors, [{ name: article.author.name }], 'authors: objects with a name (1.1)')
    t.strictSame(item.tags, article.tags.map((tag) => tag.name))
  }
})

t.test('links come from SITE_URL and ARTICLE_URL_TEMPLATE', async (t) => {
  const { api, full } = await newsroom(t, { ARTICLE_URL_TEMPLATE: '{siteUrl}/{year}/{month}/{day}/{slug}.html' })
  const expected = `https://www.lequotidien.example/2025/01/27/${full[0].slug}.html`
  t.equal(full[0].url, expected, 'the article\'s url follows the template')
  t.equal((await rss.parseString((await api.get('/v1/feed.rss')).body)).items[0]!.link, expected, 'RSS')
  t.equal((await rss.parseString((await api.get('/v1/feed.atom')).body)).items[0]!.link, expected, 'Atom')
  t.equal((await api.get('/v1/feed.json')).json<JsonFeed>().items[0]!.url, expected, 'JSON Feed')
})

t.test('by tag or by author; limit; a filter matching nothing is an empty feed', async (t) => {
  const context = await newsroom(t)
  const { api, full, clock } = context
  const other = await createAuthor(context, { name: 'Salma Idrissi' })
  clock.advance(MINUTE)
  const hers = await create(t, api, { title: 'Le port de Tanger', body: 'x', authorId: other.id, status: 'published' })
  for (const format of ['rss', 'atom', 'json'] as const) {
    const links = async (query: string) => {
      const response = await api.get(`/v1/feed.${format}${query}`)
      t.equal(response.statusCode, 200, `${format}${query}`)
      if (format === 'json') return response.json<JsonFeed>().items.map((item) => item.url)
      return (await rss.parseString(response.body)).items.map((item) => item.link)
    }
    t.strictSame(await links('?tag=gaza'), [full[2].url], `${format}: by tag`)
    t.strictSame(await links('?tag=etats-unis'), [full[0].url, full[1].url], `${format}: by another tag`)
    t.strictSame(await links(`?author=${other.slug}`), [hers.url], `${format}: by author`)
    t.strictSame(await links(`?author=${context.author.slug}&tag=international&limit=2`), [full[0].url, full[1].url], `${format}: both, with a limit`)
    t.strictSame(await links('?limit=1'), [hers.url], `${format}: limit`)
    t.strictSame(await links('?tag=sport'), [], `${format}: an unknown tag, an empty feed`)
  }
  const titled = await rss.parseString((await api.get('/v1/feed.rss?tag=gaza')).body)
  t.match(titled.title, /gaza/, 'a filtered feed says so in its title')
  t.equal((await api.get('/v1/feed.rss?limit=101')).statusCode, 400, 'limit over 100 is a 400')
  t.equal((await api.get('/v1/feed.json?status=draft')).statusCode, 400, 'an unknown parameter is a 400')
})

t.test('what feeds carry is sanitised and escaped: scripts and handlers gone, titles with & < " \' and ]]> intact', async (t) => {
  const context = await withFixture(t, SITE)
  const { api } = context
  const author = await createAuthor(context, { name: 'Tom & "Jerry" <Rédaction>' })
  const title = 'Tom & Jerry: <b>pas</b> de "guillemets" ni d\'apostrophes ]]> fin'
  const excerpt = 'Un résumé avec <i>balises</i> & "guillemets" ]]> fin'
  const article = await create(t, api, {
    title,
    excerpt,
    body: 'Un texte <script>alert(1)</script> avec <a href="javascript:alert(2)" onclick="alert(3)">un lien</a> et <img src="x" onerror="alert(4)"> ]]> fin.',
    authorId: author.id,
    status: 'published'
  })
  const { bodyHtml } = expectOk<ArticleJson>(t, await api.get(`/v1/articles/${article.id}`))
  t.notMatch(bodyHtml, /<script|javascript:|onclick|onerror/i, 'the body is sanitised')

  const rssBody = (await api.get('/v1/feed.rss?limit=1')).body
  t.equal(XMLValidator.validate(rssBody), true, 'RSS stays well-formed')
  const rssItem = (await rss.parseString(rssBody)).items[0]!
  t.equal(rssItem.title, title, 'RSS title')
  t.equal(rssItem['content:encoded'], bodyHtml, 'RSS content')
  t.equal(htmlText(t, rssItem.content ?? '', 'RSS description'), excerpt, 'RSS description')
  t.equal(rssItem.creator, author.name, 'RSS author')
  t.notMatch(rssBody, /<script|javascript:|onclick=|onerror=/i, 'nothing active in the RSS')

  const atomBody = (await api.get('/v1/feed.atom?limit=1')).body
  t.equal(XMLValidator.validate(atomBody), true, 'Atom stays well-formed')
  const entry = ((xml.parse(atomBody) as Xml).feed.entry as Xml[])[0]!
  const atomTitle = entry.title as Xml
  t.equal(atomTitle['@_type'] === 'html' ? htmlText(t, textOf(atomTitle), 'Atom title') : textOf(atomTitle), title, 'Atom title')
  t.equal(textOf(entry.content), bodyHtml, 'Atom content')
  const atomSummary = entry.summary as Xml
  t.equal(atomSummary['@_type'] === 'html' ? htmlText(t, textOf(atomSummary), 'Atom summary') : textOf(atomSummary), excerpt, 'Atom summary')
  t.equal(textOf((entry.author as Xml[])[0]!.name), author.name, 'Atom author')

  const json = (await api.get('/v1/feed.json?limit=1')).json<JsonFeed>()
  t.equal(json.items[0]!.title, title, 'JSON Feed title')
  t.equal(json.items[0]!.summary, excerpt, 'JSON Feed summary (plain text)')
  t.equal(json.items[0]!.content_html, bodyHtml, 'JSON Feed content')
  t.strictSame(json.items[0]!.authors, [{ name: author.name }])
})

t.test('feeds follow publication and edits, with the same caching as everything else', async (t) => {
  const { api, clock, scheduled, fixture } = await newsroom(t)
  const etags = new Map<string, string>()
  for (const format of ['rss', 'atom', 'json']) {
    const response = await api.get(`/v1/feed.${format}`)
    etags.set(format, String(response.headers.etag))
    t.match(response.headers.etag, /^"[^"]+"$/, `${format}: a strong ETag`)
    t.equal(response.headers['cache-control'], 'public, max-age=60, s-maxage=300, stale-while-revalidate=30', `${format}: public Cache-Control`)
    const revalidated = await api.get(`/v1/feed.${format}`, { 'if-none-match': String(response.headers.etag) })
    t.equal(revalidated.statusCode, 304, `${format}: 304 to its ETag`)
  }
  clock.advance(HOUR)
  const links = (await rss.parseString((await api.get('/v1/feed.rss')).body)).items.map((item) => item.link)
  t.equal(links[0], scheduled.url, 'the scheduled article leads the feed once live')
  t.equal((await api.get('/v1/feed.json')).json<JsonFeed>().items[0]!.id, scheduled.id)
  for (const format of ['rss', 'atom', 'json']) {
    t.equal((await api.get(`/v1/feed.${format}`, { 'if-none-match': etags.get(format)! })).statusCode, 200, `${format}: a new ETag once it is live`)
  }
  const before = String((await api.get('/v1/feed.atom')).headers.etag)
  await patchArticle(t, api, fixture[2].id, { title: 'Gaza : le retour des déplacés' })
  const atom = await api.get('/v1/feed.atom')
  t.not(atom.headers.etag, before, 'an edit changes the feed\'s ETag')
  t.ok((await rss.parseString(atom.body)).items.some((item) => item.title === 'Gaza : le retour des déplacés'), 'and the feed shows it')
  await patchArticle(t, api, fixture[2].id, { status: 'draft' })
  t.notOk((await api.get('/v1/feed.json')).json<JsonFeed>().items.some((item) => item.id === fixture[2].id), 'unpublished, it leaves the feed')
})

t.test('RSS: the author\'s dc:creator is in a declared namespace even when no item has a body', async (t) => {
  const context = await withFixture(t, SITE)
  const author = await createAuthor(context, { name: 'Brève Express' })
  const empty = await create(t, context.api, { title: 'Une brève sans texte', body: '', authorId: author.id, status: 'published' })
  t.equal(empty.bodyHtml, '', 'no body, no HTML')
  const body = (await context.api.get('/v1/feed.rss?limit=1')).body
  t.equal(XMLValidator.validate(body), true)
  const raw = xml.parse(body) as Xml
  const item = (raw.rss.channel.item as Xml[])[0]!
  const creator = item['dc:creator'] as Xml | string
  t.equal(textOf(creator), author.name, 'the author is named')
  const declared = raw.rss['@_xmlns:dc'] ?? (typeof creator === 'string' ? undefined : creator['@_xmlns:dc'])
  t.equal(declared, 'http://purl.org/dc/elements/1.1/', 'the dc prefix is bound to Dublin Core')
  t.equal((await rss.parseString(body)).items[0]!.creator, author.name, 'a feed reader reads it')
})

t.test('an article keeps its RSS guid and Atom id when its slug changes: readers do not see it twice', async (t) => {
  const { api, fixture } = await newsroom(t)
  const idsOf = async () => {
    const rssItems = (await rss.parseString((await api.get('/v1/feed.rss')).body)).items
    const atomEntries = (xml.parse((await api.get('/v1/feed.atom')).body) as Xml).feed.entry as Xml[]
    return { rss: rssItems.map((item) => item.guid), atom: atomEntries.map((entry) => textOf(entry.id)), links: rssItems.map((item) => item.link) }
  }
  const before = await idsOf()
  await patchArticle(t, api, fixture[0].id, { slug: 'un-nouveau-slug' })
  const after = await idsOf()
  t.not(after.links[0], before.links[0], 'the link follows the new slug')
  t.match(after.links[0], /un-nouveau-slug$/)
  t.strictSame(after.rss, before.rss, 'the RSS guids stay')
  t.strictSame(after.atom, before.atom, 'the Atom ids stay')
})

t.test('a featured image: Media RSS and an Atom enclosure with its registered type, and no made-up length', async (t) => {
  const context = await withFixture(t, SITE)
  const { api, author } = context
  await create(t, api, { title: 'Avec une photo', body: 'x', authorId: author.id, status: 'published', featuredImage: { url: 'https://cdn.lequotidien.example/photos/port.JPG?w=1200&q=80', alt: 'Le port de Tanger' } })
  const rssBody = (await api.get('/v1/feed.rss?limit=1')).body
  t.equal(XMLValidator.validate(rssBody), true, 'well-formed, the & of the image URL escaped')
  const rssRaw = xml.parse(rssBody) as Xml
  t.equal(rssRaw.rss['@_xmlns:media'], 'http://search.yahoo.com/mrss/', 'Media RSS declared')
  const item = (rssRaw.rss.channel.item as Xml[])[0]!
  t.notOk('enclosure' in item, 'no RSS enclosure, which would need the byte length')
  const media = item['media:content'] as Xml
  t.equal(media['@_url'], 'https://cdn.lequotidien.example/photos/port.JPG?w=1200&q=80', 'the image')
  t.equal(media['@_type'], 'image/jpeg', 'the registered type of a .JPG, not image/jpg')
  t.equal(media['@_medium'], 'image')
  t.equal(textOf(media['media:description']), 'Le port de Tanger', 'the alt text')
  t.notMatch(rssBody, /length="0"/, 'no length of 0')

  const atomBody = (await api.get('/v1/feed.atom?limit=1')).body
  const entry = ((xml.parse(atomBody) as Xml).feed.entry as Xml[])[0]!
  const enclosure = (entry.link as Xml[]).find((link) => link['@_rel'] === 'enclosure')!
  t.equal(enclosure['@_href'], 'https://cdn.lequotidien.example/photos/port.JPG?w=1200&q=80')
  t.equal(enclosure['@_type'], 'image/jpeg')
  t.notOk('@_length' in enclosure, 'no length when it is not known')
  t.equal((await rss.parseString(atomBody)).items[0]!.link, (await rss.parseString(rssBody)).items[0]!.link, 'the entry\'s own link is still the article')
})

t.test('RSS declares only the namespaces it uses', async (t) => {
  const context = await withFixture(t, SITE)
  const empty = xml.parse((await context.api.get('/v1/feed.rss?tag=sport')).body) as Xml
  t.strictSame(Object.keys(empty.rss).filter((key) => key.startsWith('@_xmlns')), ['@_xmlns:atom'], 'an empty feed: atom (its self link) only')
  const full = xml.parse((await context.api.get('/v1/feed.rss')).body) as Xml
  t.strictSame(Object.keys(full.rss).filter((key) => key.startsWith('@_xmlns')).sort(), ['@_xmlns:atom', '@_xmlns:content', '@_xmlns:dc'], 'no Media RSS without an image')
})

t.test('links to the feeds themselves come from API_URL, never from the request\'s Host', async (t) => {
  const context = await withFixture(t, { ...SITE, API_URL: 'https://api.lequotidien.example' })
  const { api } = context
  const evil = { host: 'evil.example' }
  const rssRaw = xml.parse((await api.get('/v1/feed.rss?tag=gaza&limit=5', evil)).body) as Xml
  t.equal(rssRaw.rss.channel['atom:link']['@_href'], 'https://api.lequotidien.example/v1/feed.rss?tag=gaza&limit=5', 'RSS self link')
  const atomRaw = (xml.parse((await api.get('/v1/feed.atom?tag=gaza', evil)).body) as Xml).feed as Xml
  t.equal((atomRaw.link as Xml[]).find((link) => link['@_rel'] === 'self')!['@_href'], 'https://api.lequotidien.example/v1/feed.atom?tag=gaza', 'Atom self link')
  t.equal(textOf(atomRaw.id), 'https://api.lequotidien.example/v1/feed.atom?tag=gaza', 'the Atom feed\'s id: its address without the page size')
  const json = (await api.get('/v1/feed.json', evil)).json<JsonFeed>()
  t.equal(json.feed_url, 'https://api.lequotidien.example/v1/feed.json', 'JSON Feed feed_url')
  for (const format of ['rss', 'atom', 'json']) {
    t.notMatch((await api.get(`/v1/feed.${format}`, evil)).body, /evil\.example/, `${format}: nothing from the Host`)
  }
})
