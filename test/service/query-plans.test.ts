import t from 'tap'
import { build } from '../helper.js'

/** Every list, filter, sort, search and moderation-queue request, anonymous and as staff. */
const LIST_URLS = [
  '/v1/articles',
  ...['-publishedAt', 'publishedAt', '-updatedAt', 'title'].flatMap((sort) => [`/v1/articles?sort=${sort}`, `/v1/articles?tag=maroc&sort=${sort}`, `/v1/articles?author=lequotidien&sort=${sort}`]),
  '/v1/articles?status=draft', '/v1/articles?status=scheduled', '/v1/articles?status=published',
  '/v1/articles?publishedAfter=2025-01-01T00:00:00Z', '/v1/articles?publishedBefore=2025-01-01T00:00:00Z', '/v1/articles?updatedAfter=2025-01-01T00:00:00Z',
  '/v1/articles?q=maroc', '/v1/articles?q=maroc&sort=-publishedAt', '/v1/articles?q=maroc&tag=maroc', '/v1/articles?tag=maroc&status=draft',
  '/v1/tombstones?since=2025-01-01T00:00:00Z',
  '/v1/comments', '/v1/comments?status=pending', '/v1/comments?status=approved', '/v1/comments?email=a@example.org',
  '/v1/comments?ip=192.0.2.1', '/v1/comments?article=art_x', '/v1/comments?status=pending&article=art_x',
  '/v1/authors', '/v1/authors?sort=-articleCount', '/v1/tags', '/v1/tags?sort=-articleCount', '/v1/comment-bans', '/v1/api-keys',
  '/v1/feed.rss', '/v1/feed.json?tag=maroc', '/v1/sitemap.xml', '/v1/sitemaps/1.xml', '/v1/news-sitemap.xml'
]

t.test('no list, filter, sort, search or moderation query reads the whole articles or comments table', async (t) => {
  const context = await build(t)
  const statements = new Set<string>()
  const prepare = context.db.$client.prepare.bind(context.db.$client)
  // Statements prepared from now on are the ones the requests below run.
  context.db.$client.prepare = ((source: string) => {
    statements.add(source)
    return prepare(source)
  }) as typeof prepare

  for (const url of LIST_URLS) {
    for (const headers of [{}, context.admin]) {
      const response = await context.app.inject({ method: 'GET', url, headers })
      t.ok(response.statusCode < 500, `${url} answers`)
    }
  }
  const fullScansOf = (source: string, parameters: unknown[] = []) => (prepare(`EXPLAIN QUERY PLAN ${source}`).all(...parameters) as Array<{ detail: string }>)
    .map((step) => step.detail).filter((step) => /^SCAN (articles|comments)$/.test(step))
  t.same(fullScansOf('SELECT id FROM comments WHERE body = ?', ['x']), ['SCAN comments'], 'the check sees a full scan when there is one')

  const selects = [...statements].filter((source) => /^\s*select/i.test(source) && /"(articles|comments)"/.test(source))
  t.ok(selects.length > 20, `the requests ran the repositories' queries (${selects.length})`)
  for (const source of selects) {
    const parameters = Array.from({ length: (source.match(/\?/g) ?? []).length }, () => 1)
    t.same(fullScansOf(source, parameters), [], `no full scan in: ${source.slice(0, 160)}…`)
  }

  // A search walking the articles and probing the full-text index once for each is no full scan, yet as slow as one.
  const searches = selects.filter((source) => / MATCH /.test(source))
  t.ok(searches.length >= 2, `the requests ran searches (${searches.length})`)
  for (const source of searches) {
    const parameters = Array.from({ length: (source.match(/\?/g) ?? []).length }, () => 1)
    const [first] = (prepare(`EXPLAIN QUERY PLAN ${source}`).all(...parameters) as Array<{ detail: string }>).map((step) => step.detail)
    t.match(first, /^SCAN articles_fts VIRTUAL TABLE INDEX \d+:M/, `the search starts from the full-text index: ${source.slice(0, 160)}…`)
  }

  // A tag's list by date, of one status (the public's), starts from the tag's own rows in date order: its cost must not
  // grow with the tag's size.
  const tagLists = selects.filter((source) => /^select .* from "article_tags" inner join "articles"/i.test(source))
  t.ok(tagLists.length >= 2, `the requests ran lists of a tag by date (${tagLists.length})`)
  for (const source of tagLists) {
    const parameters = Array.from({ length: (source.match(/\?/g) ?? []).length }, () => 1)
    const steps = (prepare(`EXPLAIN QUERY PLAN ${source}`).all(...parameters) as Array<{ detail: string }>).map((step) => step.detail)
    t.match(steps.find((step) => /article_tags/.test(step)), /^SEARCH article_tags USING (COVERING )?INDEX article_tags_tag_status_published_idx/, `a tag's list reads its date index: ${source.slice(0, 160)}…`)
    t.notOk(steps.some((step) => /TEMP B-TREE/.test(step)), `and sorts nothing: ${steps.join(' / ')}`)
  }
})
