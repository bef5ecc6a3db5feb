import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { apiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js'
import { etagOf } from '../../src/plugins/caching.js'
import { build, TestClock } from '../helper.js'
import { type ArticleJson, DAY, HOUR, type ListJson } from './fixtures/support.js'
import { checkedAgainstSpec } from '../openapi-conformance.js'

const CONFIG = { SITE_URL: 'https://lequotidien.example', OVERLOAD_EVENT_LOOP_DELAY_MS: '0' }

/** Two apps over one database file, as two workers of a cluster are: each with its own connection and read cache. */
async function twoWorkers (t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'cms-read-cache-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'cms.db')
  const clock = new TestClock()
  const open = async () => {
    const db = openDatabase(path)
    runMigrations(db)
    const app = checkedAgainstSpec(await buildApp({ config: loadConfig(CONFIG), db, clock }))
    t.teardown(() => app.close())
    return { app, db }
  }
  const first = await open()
  const second = await open()
  const key = await apiKeysRepository(second.db, clock).create({ name: 'admin', role: 'admin' })
  return { first: first.app, second: second.app, admin: { authorization: `Bearer ${key.key}` }, clock }
}

async function newArticle (app: Awaited<ReturnType<typeof buildApp>>, admin: Record<string, string>, title: string) {
  const author = await app.inject({ method: 'POST', url: '/v1/authors', headers: admin, payload: { name: `Plume ${title}` } })
  const tag = await app.inject({ method: 'POST', url: '/v1/tags', headers: admin, payload: { name: `Rubrique ${title}` } })
  const created = await app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: admin,
    payload: { title, body: 'Un texte.', authorId: author.json<{ id: string }>().id, tagIds: [tag.json<{ id: string }>().id], status: 'published' }
  })
  if (created.statusCode !== 201) throw new Error(created.body)
  return { article: created.json<ArticleJson>(), tag: tag.json<{ slug: string }>() }
}

t.test('a write by another process on the same file is seen at once, by an article and by a list already kept', async (t) => {
  const { first, second, admin } = await twoWorkers(t)
  const { article, tag } = await newArticle(second, admin, 'Premier titre')
  const listUrl = `/v1/articles?tag=${tag.slug}`
  for (let read = 0; read < 2; read++) {
    t.equal((await first.inject(`/v1/articles/${article.slug}`)).json<ArticleJson>().title, 'Premier titre', 'the first worker reads the article')
    t.equal((await first.inject(listUrl)).json<ListJson<ArticleJson>>().data[0]?.title, 'Premier titre', 'and the list')
  }
  const before = await first.inject(`/v1/articles/${article.slug}`)
  const changed = await second.inject({ method: 'PATCH', url: `/v1/articles/${article.id}`, headers: admin, payload: { title: 'Titre corrigé' } })
  t.equal(changed.statusCode, 200, 'the second worker changes the title')
  const after = await first.inject(`/v1/articles/${article.slug}`)
  t.equal(after.json<ArticleJson>().title, 'Titre corrigé', 'the first worker reads the new title at once')
  t.not(after.headers.etag, before.headers.etag, 'under a new ETag')
  t.equal(after.headers.etag, changed.headers.etag, 'the one the write answered')
  t.equal((await first.inject(listUrl)).json<ListJson<ArticleJson>>().data[0]?.title, 'Titre corrigé', 'and the list shows it too')
  const revalidated = await first.inject({ url: `/v1/articles/${article.slug}`, headers: { 'if-none-match': String(before.headers.etag) } })
  t.equal(revalidated.statusCode, 200, 'an old ETag is no longer answered 304')

  const removed = await second.inject({ method: 'DELETE', url: `/v1/articles/${article.id}`, headers: admin })
  t.equal(removed.statusCode, 204)
  t.equal((await first.inject(`/v1/articles/${article.slug}`)).statusCode, 404, 'a deleted article is gone for the other worker at once')
  t.equal((await first.inject(listUrl)).json<ListJson<ArticleJson>>().meta.total, 0, 'and from its list')
})

t.test('a write by the same process is seen at once', async (t) => {
  const context = await build(t)
  const { article } = await newArticle(context.app, context.admin, 'Avant')
  t.equal((await context.app.inject('/v1/articles')).json<ListJson<ArticleJson>>().data[0]?.title, 'Avant')
  t.equal((await context.app.inject(`/v1/articles/${article.id}`)).json<ArticleJson>().commentCount, 0)
  const comment = await context.app.inject({
    method: 'POST',
    url: `/v1/articles/${article.id}/comments`,
    headers: await context.keyFor('moderator'),
    payload: { authorName: 'Modératrice', authorEmail: 'moderation@lequotidien.example', body: 'Merci pour cet article.' }
  })
  t.equal(comment.statusCode, 201)
  t.equal((await context.app.inject(`/v1/articles/${article.id}`)).json<ArticleJson>().commentCount, 1, 'an approved comment counts at once, with no change to the article itself')
  await context.app.inject({ method: 'PATCH', url: `/v1/articles/${article.id}`, headers: context.admin, payload: { title: 'Après' } })
  t.equal((await context.app.inject('/v1/articles')).json<ListJson<ArticleJson>>().data[0]?.title, 'Après')
})

t.test('answers from the cache are byte for byte those computed without it', async (t) => {
  const cached = await build(t)
  const uncached = await build(t, { READ_CACHE_MB: '0' })
  const urlsOf = async (context: typeof cached) => {
    const { article, tag } = await newArticle(context.app, context.admin, 'Même article')
    return [`/v1/articles/${article.slug}`, `/v1/articles/${article.id}`, `/v1/articles?tag=${tag.slug}`, '/v1/articles?q=texte', '/v1/articles?limit=1']
  }
  const urls = await urlsOf(cached)
  const plainUrls = await urlsOf(uncached)
  for (const [index, url] of urls.entries()) {
    const [first, second, plain] = [await cached.app.inject(url), await cached.app.inject(url), await uncached.app.inject(plainUrls[index]!)]
    t.equal(first.statusCode, 200, `${url} answers`)
    // Ids and dates differ between the two databases: compare each answer's shape with ids masked, and the cache with itself.
    const masked = (body: string) => body.replace(/"(art|aut|tag)_[^"]+"/g, '"id"')
    t.equal(masked(second.body), masked(plain.body), `${url}: the same body with the cache as without`)
    t.equal(second.body, first.body, `${url}: the same body from the cache as when it was read`)
    t.equal(second.headers.etag, first.headers.etag, `${url}: the same ETag`)
    // A list's ETag is the hash of its bytes, kept or not (an article's is its resource's).
    if (url.includes('?')) t.same([etagOf(second.body), etagOf(plain.body)], [second.headers.etag, plain.headers.etag], `${url}: the ETag hashes the body`)
    t.equal(second.headers['content-type'], plain.headers['content-type'], `${url}: the same content type`)
    t.equal(second.headers['cache-control'], plain.headers['cache-control'], `${url}: the same Cache-Control`)
    const revalidated = await cached.app.inject({ url, headers: { 'if-none-match': String(first.headers.etag) } })
    t.equal(revalidated.statusCode, 304, `${url}: its ETag revalidates`)
  }
  const withFields = await cached.app.inject(`${urls[0]}?fields=title`)
  t.same(Object.keys(withFields.json()), ['id', 'title'], '`fields` still shapes an article read from the cache')
})

t.test('the clock alone changes what a kept list shows: set back before it was read, or reaching a future-dated article', async (t) => {
  const context = await build(t)
  const { article } = await newArticle(context.app, context.admin, 'Daté')
  const titles = async () => (await context.app.inject('/v1/articles')).json<ListJson<ArticleJson>>().data.map((item) => item.title)
  t.same(await titles(), ['Daté'], 'read once: kept')
  t.same(await titles(), ['Daté'])
  context.clock.advance(-HOUR)
  t.same(await titles(), [], 'with the clock set back before its publication, the article is not listed')
  t.equal((await context.app.inject(`/v1/articles/${article.id}`)).statusCode, 404, 'nor readable')
  context.clock.advance(2 * HOUR)
  t.same(await titles(), ['Daté'], 'once the clock reaches its date again, it is')
  t.equal((await context.app.inject(`/v1/articles/${article.id}`)).statusCode, 200)
})

t.test('a scheduled article going live empties what was kept', async (t) => {
  const context = await build(t)
  const { article } = await newArticle(context.app, context.admin, 'Déjà là')
  const scheduled = await context.app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: context.admin,
    payload: { title: 'Bientôt', body: 'x', authorId: article.author.id, status: 'scheduled', publishedAt: new Date(context.clock.now() + DAY).toISOString() }
  })
  t.equal(scheduled.statusCode, 201)
  const titles = async () => (await context.app.inject('/v1/articles')).json<ListJson<ArticleJson>>().data.map((item) => item.title)
  t.same(await titles(), ['Déjà là'])
  context.clock.advance(DAY + 1)
  t.same(await titles(), ['Bientôt', 'Déjà là'], 'the scheduled article is listed once its time has come')
})
