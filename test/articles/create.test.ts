import t from 'tap'
import {
  ARTICLE_FIELDS, apiOf, create, DAY, expectArticle, expectFieldError, expectList, expectProblem, isoAt, newsroom
} from './fixtures/support.js'
import { build, createAuthor } from '../helper.js'

t.test('an editor creates an article: 201, Location and the full Article shape', async (t) => {
  const context = await newsroom(t)
  const { api, author, tags, clock } = context
  const editor = await context.keyFor('editor')
  const response = await api.post('/v1/articles', {
    title: 'Le budget adopté',
    body: 'Le Parlement a **adopté** le budget.',
    authorId: author.id,
    excerpt: 'Le budget est passé.',
    status: 'published',
    tagIds: [tags[1].id, tags[0].id],
    commentsOpen: false,
    featuredImage: { url: 'https://images.example/budget.jpg', alt: 'L’hémicycle' }
  }, editor)
  const article = expectArticle(t, response, 201)

  t.match(article.id, /^art_[0-9a-z]+$/)
  t.equal(response.headers.location, `/v1/articles/${article.id}`)
  t.strictSame(Object.keys(article).sort(), [...ARTICLE_FIELDS].sort(), 'exactly the Article fields')
  t.equal(article.slug, 'le-budget-adopte')
  t.equal(article.title, 'Le budget adopté')
  t.equal(article.excerpt, 'Le budget est passé.')
  t.equal(article.url, 'https://lequotidien.example/le-budget-adopte')
  t.equal(article.body, 'Le Parlement a **adopté** le budget.')
  t.match(article.bodyHtml, /<strong>adopté<\/strong>/)
  t.equal(article.status, 'published')
  const now = new Date(clock.now()).toISOString()
  t.equal(article.publishedAt, now)
  t.equal(article.createdAt, now)
  t.equal(article.updatedAt, now)
  t.strictSame(article.author, { id: author.id, slug: author.slug, name: author.name })
  t.strictSame(article.tags, [tags[1], tags[0]].map(({ id, slug, name }) => ({ id, slug, name })), 'tags in the order given')
  t.equal(article.wordCount, 6)
  t.equal(article.readingTimeMinutes, 1)
  t.equal(article.commentCount, 0)
  t.equal(article.commentsOpen, false)
  t.strictSame(article.featuredImage, { url: 'https://images.example/budget.jpg', alt: 'L’hémicycle' })

  const location = response.headers.location
  t.type(location, 'string')
  const fetched = expectArticle(t, await api.get(String(location)))
  t.strictSame(fetched, article, 'the Location answers the same article')
})

t.test('what is left out takes its default: a draft, comments open, no image, no tags', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, { title: 'Brouillon', body: 'Texte.', authorId: author.id })
  t.equal(article.status, 'draft')
  t.equal(article.publishedAt, null)
  t.equal(article.commentsOpen, true)
  t.equal(article.featuredImage, null)
  t.strictSame(article.tags, [])
  t.equal(article.commentCount, 0)
})

t.test('the url follows SITE_URL and ARTICLE_URL_TEMPLATE', async (t) => {
  t.test('the default template is {siteUrl}/{slug}', async (t) => {
    const { api, author } = await newsroom(t)
    const article = await create(t, api, { title: 'Un titre', body: 'x', authorId: author.id, status: 'published' })
    t.equal(article.url, 'https://lequotidien.example/un-titre')
  })

  t.test('a dated template uses the publication date, in UTC, zero-padded', async (t) => {
    const { api, author } = await newsroom(t, { ARTICLE_URL_TEMPLATE: '{siteUrl}/{year}/{month}/{day}/{slug}' })
    const article = await create(t, api, {
      title: 'Un titre daté', body: 'x', authorId: author.id, status: 'published', publishedAt: '2024-03-05T23:30:00.000Z'
    })
    t.equal(article.url, 'https://lequotidien.example/2024/03/05/un-titre-date')
    const fetched = expectArticle(t, await api.get(`/v1/articles/${article.id}`))
    t.equal(fetched.url, article.url)
    const listed = expectList(t, await api.get('/v1/articles'))
    t.equal(listed.data[0]?.url, article.url, 'lists carry the same url')
  })

  t.test('the id placeholder and SITE_URL are used as given', async (t) => {
    const { api, author } = await newsroom(t, { SITE_URL: 'https://news.example/fr/', ARTICLE_URL_TEMPLATE: '{siteUrl}/a/{id}-{slug}' })
    const article = await create(t, api, { title: 'Avec id', body: 'x', authorId: author.id, status: 'published' })
    t.equal(article.url, `https://news.example/fr/a/${article.id}-avec-id`)
  })

  t.test('a non-Latin slug is percent-encoded in the url', async (t) => {
    const { api, author } = await newsroom(t)
    const article = await create(t, api, { title: 'مرحبا بالعالم', body: 'x', authorId: author.id, status: 'published' })
    t.equal(article.url, `https://lequotidien.example/${encodeURIComponent('مرحبا-بالعالم')}`)
  })
})

t.test('server-owned fields are unknown properties: a 400 naming /body/<field>', async (t) => {
  const { api, author, admin } = await newsroom(t)
  const owned: Record<string, unknown> = {
    id: 'art_0123456789abcdef',
    url: 'https://lequotidien.example/x',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    bodyHtml: '<p>x</p>',
    wordCount: 1,
    readingTimeMinutes: 1,
    commentCount: 0,
    articleCount: 0
  }
  const existing = await create(t, api, { title: 'Existant', body: 'x', authorId: author.id })
  for (const [field, value] of Object.entries(owned)) {
    const created = await api.post('/v1/articles', { title: 'Titre', body: 'x', authorId: author.id, [field]: value })
    const problem = expectProblem(t, created, 400, `POST with ${field}`)
    t.strictSame(problem.errors, [{ path: `/body/${field}`, message: 'is not a known property' }], `POST names only /body/${field}`)
    const patched = await api.patch(`/v1/articles/${existing.id}`, { title: 'Autre', [field]: value })
    expectFieldError(t, patched, `/body/${field}`, `PATCH with ${field}`)
  }
  const list = expectList(t, await api.get('/v1/articles', admin))
  t.equal(list.meta.total, 1, 'nothing was created')
  const after = expectArticle(t, await api.get(`/v1/articles/${existing.id}`, admin))
  t.equal(after.title, 'Existant', 'nothing was changed')
})

t.test('bad input of each field is a 400 problem whose errors name the field', async (t) => {
  const ctx = await newsroom(t)
  const { api, author, tags, clock } = ctx
  const good = { title: 'Titre', body: 'Texte.', authorId: author.id }
  const cases: [string, Record<string, unknown>, string][] = [
    ['an empty title', { ...good, title: '' }, '/body/title'],
    ['a number for title (not coerced)', { ...good, title: 123 }, '/body/title'],
    ['no title', { body: 'x', authorId: author.id }, '/body/title'],
    ['a title over 300 characters', { ...good, title: 'a'.repeat(301) }, '/body/title'],
    ['a number for body', { ...good, body: 42 }, '/body/body'],
    ['no body', { title: 'x', authorId: author.id }, '/body/body'],
    ['a string for commentsOpen (not coerced)', { ...good, commentsOpen: 'true' }, '/body/commentsOpen'],
    ['a javascript: image url', { ...good, featuredImage: { url: 'javascript:alert(1)', alt: 'x' } }, '/body/featuredImage/url'],
    ['an ftp: image url', { ...good, featuredImage: { url: 'ftp://images.example/a.jpg', alt: 'x' } }, '/body/featuredImage/url'],
    ['a data: image url', { ...good, featuredImage: { url: 'data:image/png;base64,AAAA', alt: 'x' } }, '/body/featuredImage/url'],
    ['an image without alt', { ...good, featuredImage: { url: 'https://images.example/a.jpg' } }, '/body/featuredImage/alt'],
    ['an unknown authorId', { ...good, authorId: 'aut_0123456789abcdef' }, '/body/authorId'],
    ['a malformed authorId', { ...good, authorId: 'Nadia' }, '/body/authorId'],
    ['an unknown tag id', { ...good, tagIds: [tags[0].id, 'tag_0123456789abcdef'] }, '/body/tagIds/1'],
    ['a duplicate tag id', { ...good, tagIds: [tags[0].id, tags[1].id, tags[0].id] }, '/body/tagIds'],
    ['a string for tagIds', { ...good, tagIds: tags[0].id }, '/body/tagIds'],
    ['an unknown status', { ...good, status: 'archived' }, '/body/status'],
    ['a publishedAt that is not a time', { ...good, status: 'published', publishedAt: 'hier' }, '/body/publishedAt'],
    ['scheduled without publishedAt', { ...good, status: 'scheduled' }, '/body/publishedAt'],
    ['scheduled with a null publishedAt', { ...good, status: 'scheduled', publishedAt: null }, '/body/publishedAt'],
    ['scheduled in the past', { ...good, status: 'scheduled', publishedAt: isoAt(ctx, -DAY) }, '/body/publishedAt'],
    ['scheduled for right now', { ...good, status: 'scheduled', publishedAt: isoAt(ctx) }, '/body/publishedAt'],
    ['a slug with an underscore', { ...good, slug: 'Hello_World' }, '/body/slug'],
    ['a slug with a double hyphen', { ...good, slug: 'a--b' }, '/body/slug'],
    ['a slug with an edge hyphen', { ...good, slug: '-titre' }, '/body/slug'],
    ['a slug with a space', { ...good, slug: 'mon titre' }, '/body/slug'],
    ['an empty slug', { ...good, slug: '' }, '/body/slug'],
    ['an excerpt that is not a string', { ...good, excerpt: 5 }, '/body/excerpt'],
    ['an editor key with no authorId', { title: 'x', body: 'x' }, '/body/authorId']
  ]
  for (const [label, payload, path] of cases) {
    expectFieldError(t, await api.post('/v1/articles', payload), path, label)
  }
  t.equal(clock.now(), Date.parse('2025-01-27T12:00:00.000Z'), 'the clock did not move')
  const list = expectList(t, await api.get('/v1/articles', ctx.admin))
  t.equal(list.meta.total, 0, 'no bad request created an article')
})

t.test('every bad field is named at once', async (t) => {
  const { api, author } = await newsroom(t)
  const paths = expectFieldError(t, await api.post('/v1/articles', {
    title: 123,
    body: 'x',
    authorId: author.id,
    slug: 'a--b',
    featuredImage: { url: 'ftp://x.example/a.jpg', alt: 'x' },
    wordCount: 3
  }), '/body/title')
  for (const path of ['/body/slug', '/body/featuredImage/url', '/body/wordCount']) t.ok(paths.includes(path), `names ${path}`)
})

t.test('unknown references are all named, each tag by its index', async (t) => {
  const { api, tags } = await newsroom(t)
  const paths = expectFieldError(t, await api.post('/v1/articles', {
    title: 'x', body: 'x', authorId: 'aut_0123456789abcdef', tagIds: ['tag_0000000000000001', tags[0].id, 'tag_0000000000000002']
  }), '/body/authorId')
  t.ok(paths.includes('/body/tagIds/0'))
  t.ok(paths.includes('/body/tagIds/2'))
  t.notOk(paths.includes('/body/tagIds/1'), 'the known tag is not named')
})

t.test('a body that is not JSON, or too large, is a problem and never a 500', async (t) => {
  const context = await build(t)
  const { app, admin } = context
  const author = await createAuthor(context)
  const api = apiOf(context)

  const malformed = await app.inject({ method: 'POST', url: '/v1/articles', headers: { ...admin, 'content-type': 'application/json' }, payload: '{"title": "x",' })
  expectProblem(t, malformed, 400, 'malformed JSON')

  // A valid JSON text, so only the media type is wrong.
  const json = JSON.stringify({ title: 'x', body: 'x', authorId: author.id })
  for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const response = await app.inject({ method: 'POST', url: '/v1/articles', headers: { ...admin, 'content-type': type }, payload: json })
    expectProblem(t, response, 415, type)
  }
  const patched = await app.inject({ method: 'PATCH', url: '/v1/articles/art_0123456789abcdef', headers: { ...admin, 'content-type': 'text/plain' }, payload: '{"title":"x"}' })
  expectProblem(t, patched, 415, 'PATCH as text/plain')

  const huge = JSON.stringify({ title: 'x', body: 'a '.repeat(600 * 1024), authorId: author.id })
  t.ok(huge.length > 1024 * 1024)
  const tooLarge = await app.inject({ method: 'POST', url: '/v1/articles', headers: { ...admin, 'content-type': 'application/json' }, payload: huge })
  expectProblem(t, tooLarge, 413, 'a body over 1 MiB')

  const hugePatch = await app.inject({ method: 'PATCH', url: '/v1/articles/art_0123456789abcdef', headers: { ...admin, 'content-type': 'application/json' }, payload: huge })
  expectProblem(t, hugePatch, 413, 'a PATCH body over 1 MiB')

  const list = expectList(t, await api.get('/v1/articles', admin))
  t.equal(list.meta.total, 0, 'nothing was created')
})

t.test('an unknown query parameter on a write is a 400', async (t) => {
  const { api, author } = await newsroom(t)
  expectFieldError(t, await api.post('/v1/articles?draft=1', { title: 'x', body: 'x', authorId: author.id }), '/querystring/draft')
})
