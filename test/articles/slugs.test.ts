import t from 'tap'
import { newsFr, seedFixture } from '../helper.js'
import { create, expectArticle, expectFieldError, expectProblem, newsroom } from './fixtures/support.js'

const SLUG = /^[\p{L}\p{N}]+(-[\p{L}\p{N}]+)*$/u

t.test('each fixture title gives its expected slug, and the article answers at it', async (t) => {
  const context = await newsroom(t)
  const { articles } = await seedFixture(context)
  t.equal(articles.length, newsFr.articles.length)
  for (const [index, expected] of newsFr.articles.entries()) {
    t.equal(articles[index]?.slug, expected.expected.slug, expected.title)
    const bySlug = expectArticle(t, await context.api.get(`/v1/articles/${expected.expected.slug}`))
    t.equal(bySlug.id, articles[index]?.id)
  }
})

t.test('the contract\'s example: accents go, apostrophes are dropped', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, { title: 'Le secrétaire d’Etat américain salue', body: 'x', authorId: author.id })
  t.equal(article.slug, 'le-secretaire-detat-americain-salue')
  const ligatures = await create(t, api, { title: 'Œuvre, cœur et Straße', body: 'x', authorId: author.id })
  t.equal(ligatures.slug, 'oeuvre-coeur-et-strasse')
})

t.test('an NFD title gives the same slug as its NFC form', async (t) => {
  const { api, author } = await newsroom(t)
  const title = newsFr.articles[0]!.title
  const decomposed = title.normalize('NFD')
  t.not(decomposed, title, 'the title has decomposable letters')
  const fromNfd = await create(t, api, { title: decomposed, body: 'x', authorId: author.id })
  t.equal(fromNfd.slug, newsFr.articles[0]!.expected.slug)
  const fromNfc = await create(t, api, { title: title.normalize('NFC'), body: 'x', authorId: author.id })
  t.equal(fromNfc.slug, `${newsFr.articles[0]!.expected.slug}-2`, 'the NFC title collides with the NFD one')
})

// Bidi embeddings, overrides and isolates never get this far: a title holding one is a 400 (test/text/invisible-text.test.ts).
t.test('zero-width characters and bidi marks vanish', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, {
    title: 'Sé\u200Bcu\u200Drité \u200Enationale\u061C \u2060urgente\u00AD \uFEFFréunion\u200F',
    body: 'x',
    authorId: author.id
  })
  t.equal(article.slug, 'securite-nationale-urgente-reunion')
  t.match(article.slug, SLUG)
})

t.test('an Arabic title gives an Arabic slug, and the article answers at it', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, { title: 'مرحبا بالعالم', body: 'نص', authorId: author.id, status: 'published' })
  t.equal(article.slug, 'مرحبا-بالعالم')
  t.match(article.slug, /\p{Script=Arabic}/u)
  t.match(article.slug, SLUG)
  const fetched = expectArticle(t, await api.get(`/v1/articles/${encodeURIComponent(article.slug)}`))
  t.equal(fetched.id, article.id)
})

t.test('titles with no usable character or far too long still give a valid slug', async (t) => {
  const { api, author } = await newsroom(t)
  const empty = await create(t, api, { title: '🎉 !!! 🎉', body: 'x', authorId: author.id })
  t.match(empty.slug, SLUG, 'a title of symbols gets some slug')
  const words = Array.from({ length: 45 }, (_, i) => `mot${i + 10}`)
  const long = await create(t, api, { title: words.join(' '), body: 'x', authorId: author.id })
  t.ok([...long.slug].length <= 200, `at most 200 characters (got ${[...long.slug].length})`)
  t.match(long.slug, SLUG)
  t.ok(`${words.join('-')}`.startsWith(`${long.slug}-`), 'cut at a hyphen, words kept whole')
})

t.test('a made slug that is taken gets -2, -3', async (t) => {
  const { api, author } = await newsroom(t)
  const slugs = []
  for (let i = 0; i < 3; i++) slugs.push((await create(t, api, { title: 'Même titre', body: 'x', authorId: author.id })).slug)
  t.strictSame(slugs, ['meme-titre', 'meme-titre-2', 'meme-titre-3'])
  const fourth = await create(t, api, { title: 'MÊME TITRE !', body: 'x', authorId: author.id })
  t.equal(fourth.slug, 'meme-titre-4')
})

t.test('a given slug is lower-cased', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, { title: 'Un titre', slug: 'Mon-Titre', body: 'x', authorId: author.id })
  t.equal(article.slug, 'mon-titre')
  const patched = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { slug: 'Nouveau-TITRE-2025' }))
  t.equal(patched.slug, 'nouveau-titre-2025')
  const accented = await create(t, api, { title: 'Autre', slug: 'Été-Brûlant', body: 'x', authorId: author.id })
  t.equal(accented.slug, 'été-brûlant', 'a given slug is lower-cased, not stripped of its accents')
})

t.test('a given slug that is taken is a 409, on POST and on PATCH', async (t) => {
  const { api, author, admin } = await newsroom(t)
  const first = await create(t, api, { title: 'Premier', slug: 'mon-titre', body: 'x', authorId: author.id })
  const second = await create(t, api, { title: 'Second', body: 'x', authorId: author.id })

  expectProblem(t, await api.post('/v1/articles', { title: 'Doublon', slug: 'mon-titre', body: 'x', authorId: author.id }), 409, 'POST, same slug')
  expectProblem(t, await api.post('/v1/articles', { title: 'Doublon', slug: 'Mon-Titre', body: 'x', authorId: author.id }), 409, 'POST, same slug in capitals')
  expectProblem(t, await api.patch(`/v1/articles/${second.id}`, { slug: 'mon-titre' }), 409, 'PATCH to a taken slug')
  expectProblem(t, await api.patch(`/v1/articles/${second.id}`, { slug: 'MON-TITRE', title: 'Changé' }), 409, 'PATCH to a taken slug in capitals')

  const unchanged = expectArticle(t, await api.get(`/v1/articles/${second.id}`, admin))
  t.equal(unchanged.slug, 'second', 'a refused PATCH changes nothing')
  t.equal(unchanged.title, 'Second', 'a refused PATCH changes nothing, not even the other fields')
  const list = await api.get('/v1/articles', admin)
  t.equal(list.json().meta.total, 2, 'a refused POST creates nothing')

  const same = expectArticle(t, await api.patch(`/v1/articles/${first.id}`, { slug: 'mon-titre', title: 'Premier bis' }))
  t.equal(same.slug, 'mon-titre', 'an article keeping its own slug is no conflict')
})

t.test('a given slug that is malformed is a 400 on PATCH too', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, { title: 'Titre', body: 'x', authorId: author.id })
  for (const slug of ['Hello_World', 'a--b', 'fin-', 'a/b']) {
    expectFieldError(t, await api.patch(`/v1/articles/${article.id}`, { slug }), '/body/slug', slug)
  }
})

t.test('GET works by id and by slug, and a new slug answers at once', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, { title: 'Par les deux', body: 'x', authorId: author.id, status: 'published' })
  const byId = expectArticle(t, await api.get(`/v1/articles/${article.id}`))
  const bySlug = expectArticle(t, await api.get(`/v1/articles/${article.slug}`))
  t.strictSame(byId, article)
  t.strictSame(bySlug, article)
  const renamed = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { slug: 'nouveau-nom' }))
  t.equal(renamed.url, 'https://lequotidien.example/nouveau-nom', 'the url follows the slug')
  t.equal(expectArticle(t, await api.get('/v1/articles/nouveau-nom')).id, article.id)
})
