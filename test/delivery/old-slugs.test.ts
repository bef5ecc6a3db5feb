import t from 'tap'
import { create, expectOk, expectProblem, patchArticle, varyNames, withFixture } from './fixtures/support.js'

t.test('a GET at an old slug is a 301 to the current one, keeping the query string', async (t) => {
  const { api, fixture, admin } = await withFixture(t)
  const [, kremlin] = fixture
  await patchArticle(t, api, kremlin.id, { slug: 'poutine-trump-pas-d-entretien' })
  const moved = await api.get(`/v1/articles/${kremlin.slug}`)
  t.equal(moved.statusCode, 301, 'the old slug answers 301')
  t.equal(moved.headers.location, '/v1/articles/poutine-trump-pas-d-entretien')
  t.equal(moved.body, '', 'with no body')
  const withQuery = await api.get(`/v1/articles/${kremlin.slug}?fields=title,slug`)
  t.equal(withQuery.statusCode, 301)
  t.equal(withQuery.headers.location, '/v1/articles/poutine-trump-pas-d-entretien?fields=title,slug', 'Location keeps the query string')
  const followed = expectOk(t, await api.get(String(withQuery.headers.location)))
  t.strictSame(followed, { id: kremlin.id, slug: 'poutine-trump-pas-d-entretien', title: kremlin.title }, 'following it gives the article')
  t.equal((await api.get(`/v1/articles/${kremlin.slug}`, admin)).statusCode, 301, 'a redirect with a key too')
  t.equal(expectOk(t, await api.get(`/v1/articles/${kremlin.id}`)).slug, 'poutine-trump-pas-d-entretien', 'the id still answers 200')
})

t.test('a 301 is cached like any answer, for a while only: an article may take its old slug back', async (t) => {
  const { api, fixture, admin } = await withFixture(t, { CACHE_MAX_AGE: '30', CACHE_S_MAXAGE: '90', CACHE_STALE_WHILE_REVALIDATE: '10' })
  await patchArticle(t, api, fixture[0].id, { slug: 'rubio-et-le-roi' })
  const moved = await api.get(`/v1/articles/${fixture[0].slug}`)
  t.equal(moved.statusCode, 301)
  t.equal(moved.headers['cache-control'], 'public, max-age=30, s-maxage=90, stale-while-revalidate=10', 'the public Cache-Control, from the settings')
  t.ok(varyNames(moved).includes('authorization') && varyNames(moved).includes('accept-encoding'), 'Vary: Authorization, Accept-Encoding')
  const keyed = await api.get(`/v1/articles/${fixture[0].slug}`, admin)
  t.equal(keyed.statusCode, 301)
  t.equal(keyed.headers['cache-control'], 'private, no-cache', 'private, no-cache with a key')
})

t.test('every old slug goes straight to the current one; a non-Latin slug is percent-encoded in Location', async (t) => {
  const { api, fixture } = await withFixture(t)
  const [, , gaza] = fixture
  await patchArticle(t, api, gaza.id, { slug: 'retour-a-gaza' })
  await patchArticle(t, api, gaza.id, { slug: 'retour-au-nord-de-gaza' })
  const arabic = 'العودة-إلى-غزة'
  await patchArticle(t, api, gaza.id, { slug: arabic })
  for (const old of [gaza.slug, 'retour-a-gaza', 'retour-au-nord-de-gaza']) {
    const moved = await api.get(`/v1/articles/${old}?fields=slug`)
    t.equal(moved.statusCode, 301, `${old} answers 301`)
    t.equal(moved.headers.location, `/v1/articles/${encodeURIComponent(arabic)}?fields=slug`, `${old} goes to the current slug in one hop`)
  }
  await patchArticle(t, api, gaza.id, { slug: 'gaza-le-retour' })
  const fromArabic = await api.get(`/v1/articles/${encodeURIComponent(arabic)}`)
  t.equal(fromArabic.statusCode, 301, 'an old slug in another script redirects too')
  t.equal(fromArabic.headers.location, '/v1/articles/gaza-le-retour')
})

t.test('a made slug never takes another article\'s old slug; a given one is a 409; the article may take its own back', async (t) => {
  const { api, fixture, author } = await withFixture(t)
  const [, , gaza] = fixture
  const original = gaza.slug
  await patchArticle(t, api, gaza.id, { slug: 'gaza-retour' })

  const sameTitle = await create(t, api, { title: gaza.title, body: 'Une autre dépêche.', authorId: author.id, status: 'published' })
  t.equal(sameTitle.slug, `${original}-2`, 'a slug made from the same title skips the old slug')
  t.equal((await api.get(`/v1/articles/${original}`)).statusCode, 301, 'which still redirects to its article')

  expectProblem(t, await api.post('/v1/articles', { title: 'Autre', body: 'x', authorId: author.id, slug: original }), 409, 'POST with another article\'s old slug')
  expectProblem(t, await api.post('/v1/articles', { title: 'Autre', body: 'x', authorId: author.id, slug: original.toUpperCase() }), 409, 'the same, given in capitals')
  expectProblem(t, await api.patch(`/v1/articles/${fixture[1].id}`, { slug: original }), 409, 'PATCH another article to it')
  t.equal(expectOk(t, await api.get(`/v1/articles/${fixture[1].id}`)).slug, fixture[1].slug, 'the 409 changed nothing')

  const takenBack = await patchArticle(t, api, gaza.id, { slug: original })
  t.equal(takenBack.slug, original, 'the article takes its own old slug back')
  t.equal(expectOk(t, await api.get(`/v1/articles/${original}`)).id, gaza.id, 'which answers 200 again')
  const fromNewer = await api.get('/v1/articles/gaza-retour')
  t.equal(fromNewer.statusCode, 301, 'and the slug it left redirects')
  t.equal(fromNewer.headers.location, `/v1/articles/${original}`)
  const retitled = await create(t, api, { title: 'Gaza retour', body: 'x', authorId: author.id })
  t.equal(retitled.slug, 'gaza-retour-2', 'a made slug skips that old slug too')
})

t.test('an old slug reveals nothing the caller may not see', async (t) => {
  const context = await withFixture(t)
  const { api, fixture } = context
  const [first] = fixture
  await patchArticle(t, api, first.id, { slug: 'rubio-salue-le-roi' })
  await patchArticle(t, api, first.id, { status: 'draft' })
  expectProblem(t, await api.get(`/v1/articles/${first.slug}`), 404, 'the old slug of a draft, for the public')
  expectProblem(t, await api.get('/v1/articles/rubio-salue-le-roi'), 404, 'its current slug too')
  const staff = await api.get(`/v1/articles/${first.slug}`, context.admin)
  t.equal(staff.statusCode, 301, 'staff, who may read it, are sent on')
  t.equal(staff.headers.location, '/v1/articles/rubio-salue-le-roi')
  t.equal((await api.del(`/v1/articles/${first.id}`)).statusCode, 204)
  expectProblem(t, await api.get(`/v1/articles/${first.slug}`, context.admin), 404, 'a deleted article\'s old slug answers 404')
  const reused = await create(t, api, { title: 'Autre', body: 'x', authorId: context.author.id, slug: first.slug })
  t.equal(reused.slug, first.slug, 'and is free again once its article is gone')
})

t.test('the related articles and the comments at an old slug: the same 301, never a 404; a comment posted there lands', async (t) => {
  const { api, fixture } = await withFixture(t)
  const [rubio] = fixture
  await patchArticle(t, api, rubio.id, { slug: 'rubio-salue-le-roi' })
  for (const [suffix, query] of [['/related', '?limit=2'], ['/comments', '?limit=5&fields=body']] as const) {
    const moved = await api.get(`/v1/articles/${rubio.slug}${suffix}${query}`)
    t.equal(moved.statusCode, 301, `${suffix} at the old slug answers 301`)
    t.equal(moved.headers.location, `/v1/articles/rubio-salue-le-roi${suffix}${query}`, `${suffix}: Location is the same list under the current slug, with the query`)
    t.equal(moved.body, '', 'with no body')
    t.equal((await api.get(String(moved.headers.location))).statusCode, 200, `${suffix}: followed, it answers`)
  }
  const posted = await api.post(`/v1/articles/${rubio.slug}/comments`, { authorName: 'Amina', authorEmail: 'amina@example.org', body: 'Un lien partagé avant la correction.' }, {})
  t.equal(posted.statusCode, 201, 'a comment posted at the old slug is taken')
  t.equal(posted.json<{ articleId: string }>().articleId, rubio.id, 'on the article the slug moved from')
  expectProblem(t, await api.get('/v1/articles/jamais-existe/comments'), 404, 'a slug that never was is still a 404')
})
