import t from 'tap'
import { build, createArticle, createAuthor } from '../helper.js'

t.test('staff create an author; the slug is made from the name', async (t) => {
  const context = await build(t)
  const response = await context.app.inject({
    method: 'POST',
    url: '/v1/authors',
    headers: context.admin,
    payload: { name: 'Hélène Côté', bio: 'Cheffe du service International.', avatarUrl: 'https://cdn.example/helene.jpg', email: 'helene@lequotidien.example' }
  })
  t.equal(response.statusCode, 201)
  const author = response.json()
  t.match(author, { id: /^aut_/, slug: 'helene-cote', name: 'Hélène Côté', articleCount: 0, email: 'helene@lequotidien.example' })
  t.equal(response.headers.location, `/v1/authors/${author.id}`)
  t.equal(author.createdAt, new Date(context.clock.now()).toISOString())
  const again = await createAuthor(context, { name: 'Helene Cote' })
  t.equal(again.slug, 'helene-cote-2', 'a made slug that is taken gets a suffix')
})

t.test('an author\'s email is for staff keys only', async (t) => {
  const context = await build(t)
  const author = await createAuthor(context, { name: 'Jeanne', email: 'jeanne@lequotidien.example' })
  const moderator = await context.keyFor('moderator')
  const authorKey = await context.keyFor('author', author.id)
  for (const headers of [{}, moderator, authorKey]) {
    for (const url of [`/v1/authors/${author.id}`, `/v1/authors/${author.slug}`, '/v1/authors', `/v1/authors/${author.id}?fields=name,email`]) {
      const response = await context.app.inject({ method: 'GET', url, headers })
      t.equal(response.statusCode, 200)
      t.notMatch(response.body, /jeanne@/, `${url} hides the email`)
    }
  }
  for (const headers of [context.admin, await context.keyFor('editor')]) {
    const response = await context.app.inject({ method: 'GET', url: `/v1/authors/${author.slug}`, headers })
    t.equal(response.json().email, 'jeanne@lequotidien.example')
  }
})

t.test('a given slug is lower-cased, and a taken one is a 409', async (t) => {
  const context = await build(t)
  const first = await createAuthor(context, { name: 'A', slug: 'La-Redaction' })
  t.equal(first.slug, 'la-redaction')
  const taken = await context.app.inject({ method: 'POST', url: '/v1/authors', headers: context.admin, payload: { name: 'B', slug: 'la-redaction' } })
  t.equal(taken.statusCode, 409)
  t.match(taken.headers['content-type'], /^application\/problem\+json/)
  const other = await createAuthor(context, { name: 'C' })
  const patch = await context.app.inject({ method: 'PATCH', url: `/v1/authors/${other.id}`, headers: context.admin, payload: { slug: 'LA-REDACTION' } })
  t.equal(patch.statusCode, 409)
  const bad = await context.app.inject({ method: 'POST', url: '/v1/authors', headers: context.admin, payload: { name: 'D', slug: 'la_redaction' } })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().errors[0].path, '/body/slug')
})

t.test('list, sort, page and select fields', async (t) => {
  const context = await build(t)
  for (const name of ['Zoé', 'Amine', 'Marc']) await createAuthor(context, { name })
  const page = await context.app.inject({ method: 'GET', url: '/v1/authors?limit=2' })
  t.same(page.json().data.map((author: { name: string }) => author.name), ['Amine', 'Marc'])
  t.match(page.json().meta, { total: 3, limit: 2, offset: 0, nextCursor: String })
  const next = await context.app.inject({ method: 'GET', url: '/v1/authors?limit=2&offset=2' })
  t.same(next.json().data.map((author: { name: string }) => author.name), ['Zoé'])
  const fields = await context.app.inject({ method: 'GET', url: '/v1/authors?fields=name' })
  t.same(Object.keys(fields.json().data[0]).sort(), ['id', 'name'])
  const unknown = await context.app.inject({ method: 'GET', url: '/v1/authors?fields=name,password' })
  t.equal(unknown.statusCode, 400)
  t.match(unknown.json().errors[0], { path: '/querystring/fields', message: /password/ })
  const sorted = await context.app.inject({ method: 'GET', url: '/v1/authors?sort=-createdAt' })
  t.equal(sorted.statusCode, 200)
  t.equal((await context.app.inject({ method: 'GET', url: '/v1/authors?sort=email' })).statusCode, 400)
})

t.test('articleCount counts published articles, most-published first on request', async (t) => {
  const context = await build(t)
  const prolific = await createAuthor(context, { name: 'Prolific' })
  const quiet = await createAuthor(context, { name: 'Quiet' })
  await createArticle(context, { title: 'Un', body: 'x', authorId: prolific.id, status: 'published' })
  await createArticle(context, { title: 'Deux', body: 'x', authorId: prolific.id, status: 'published' })
  await createArticle(context, { title: 'Brouillon', body: 'x', authorId: quiet.id })
  const list = (await context.app.inject({ method: 'GET', url: '/v1/authors?sort=-articleCount' })).json()
  t.same(list.data.map((author: { name: string, articleCount: number }) => [author.name, author.articleCount]), [['Prolific', 2], ['Quiet', 0]])
})

t.test('update: partial, clears with null, renaming touches the author\'s articles', async (t) => {
  const context = await build(t)
  const author = await createAuthor(context, { name: 'Jeanne', bio: 'Old bio' })
  const article = await createArticle(context, { title: 'Titre', body: 'x', authorId: author.id, status: 'published' })
  context.clock.advance(60_000)
  const response = await context.app.inject({ method: 'PATCH', url: `/v1/authors/${author.id}`, headers: context.admin, payload: { name: 'Jeanne Dupont', bio: null } })
  t.equal(response.statusCode, 200)
  t.match(response.json(), { name: 'Jeanne Dupont', bio: null, slug: author.slug })
  t.not(response.json().updatedAt, response.json().createdAt)
  const reread = (await context.app.inject({ method: 'GET', url: `/v1/articles/${article.id}` })).json()
  t.equal(reread.author.name, 'Jeanne Dupont', 'the embedded author follows')
  t.equal(reread.updatedAt, new Date(context.clock.now()).toISOString(), 'the article counts as changed')
  t.equal((await context.app.inject({ method: 'PATCH', url: `/v1/authors/${author.id}`, headers: context.admin, payload: {} })).statusCode, 400)
  t.equal((await context.app.inject({ method: 'PATCH', url: '/v1/authors/aut_missing', headers: context.admin, payload: { name: 'x' } })).statusCode, 404)
  t.equal((await context.app.inject({ method: 'PATCH', url: `/v1/authors/${author.id}`, headers: context.admin, payload: { articleCount: 9 } })).statusCode, 400, 'server-owned fields are not writable')
})

t.test('an author who still signs articles cannot be deleted', async (t) => {
  const context = await build(t)
  const author = await createAuthor(context)
  const article = await createArticle(context, { title: 'Titre', body: 'x', authorId: author.id })
  const refused = await context.app.inject({ method: 'DELETE', url: `/v1/authors/${author.id}`, headers: context.admin })
  t.equal(refused.statusCode, 409)
  t.match(refused.headers['content-type'], /^application\/problem\+json/)
  t.equal((await context.app.inject({ method: 'DELETE', url: `/v1/articles/${article.id}`, headers: context.admin })).statusCode, 204)
  t.equal((await context.app.inject({ method: 'DELETE', url: `/v1/authors/${author.id}`, headers: context.admin })).statusCode, 204)
  t.equal((await context.app.inject({ method: 'GET', url: `/v1/authors/${author.id}` })).statusCode, 404)
  t.equal((await context.app.inject({ method: 'DELETE', url: `/v1/authors/${author.id}`, headers: context.admin })).statusCode, 404)
})

t.test('writes are staff\'s', async (t) => {
  const context = await build(t)
  const author = await createAuthor(context)
  const outsiders = [[{}, 401], [await context.keyFor('moderator'), 403], [await context.keyFor('author', author.id), 403]] as const
  for (const [headers, status] of outsiders) {
    t.equal((await context.app.inject({ method: 'POST', url: '/v1/authors', headers, payload: { name: 'x' } })).statusCode, status)
    t.equal((await context.app.inject({ method: 'PATCH', url: `/v1/authors/${author.id}`, headers, payload: { name: 'x' } })).statusCode, status)
    t.equal((await context.app.inject({ method: 'DELETE', url: `/v1/authors/${author.id}`, headers })).statusCode, status)
  }
  const editor = await context.keyFor('editor')
  t.equal((await context.app.inject({ method: 'POST', url: '/v1/authors', headers: editor, payload: { name: 'Editor made' } })).statusCode, 201)
})
