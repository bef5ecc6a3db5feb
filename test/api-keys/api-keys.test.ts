import t from 'tap'
import { build, createAuthor } from '../helper.js'

t.test('an admin makes a key, shown once, that then works with its role', async (t) => {
  const context = await build(t)
  const { app, admin } = context
  const created = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: admin, payload: { name: 'Web front end', role: 'editor' } })
  t.equal(created.statusCode, 201)
  const key = created.json()
  t.match(key, { id: /^key_[0-9a-z]+$/, name: 'Web front end', role: 'editor', authorId: null, revokedAt: null })
  t.equal(created.headers.location, `/v1/api-keys/${key.id}`)
  t.match(key.key, /^cms_[A-Za-z0-9_-]{43}$/, '256 random bits, base64url')
  t.ok(key.key.startsWith(key.prefix), 'the prefix tells keys apart')

  const asEditor = await app.inject({ method: 'POST', url: '/v1/tags', headers: { authorization: `Bearer ${key.key}` }, payload: { name: 'Maroc' } })
  t.equal(asEditor.statusCode, 201, 'the new key acts with its role')

  const listed = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: admin })
  t.equal(listed.statusCode, 200)
  t.equal(listed.json().meta.total, 2)
  t.notOk(listed.body.includes(key.key), 'the list never shows a secret')
  t.notOk('key' in listed.json().data[0])
})

t.test('only a hash of the secret is stored', async (t) => {
  const context = await build(t)
  const created = await context.app.inject({ method: 'POST', url: '/v1/api-keys', headers: context.admin, payload: { name: 'x', role: 'moderator' } })
  const secret = created.json().key as string
  const stored = context.db.$client.prepare('SELECT * FROM api_keys WHERE id = ?').get(created.json().id) as Record<string, unknown>
  t.notOk(Object.values(stored).some((value) => String(value).includes(secret.slice(10))), 'no column holds the secret')
  t.match(stored.secret_hash, /^[0-9a-f]{64}$/)
})

t.test('a revoked key is refused at once, even on public routes', async (t) => {
  const context = await build(t)
  const { app, admin } = context
  const created = (await app.inject({ method: 'POST', url: '/v1/api-keys', headers: admin, payload: { name: 'leaked', role: 'editor' } })).json()
  const headers = { authorization: `Bearer ${created.key}` }
  t.equal((await app.inject({ method: 'GET', url: '/v1/articles', headers })).statusCode, 200)
  const revoked = await app.inject({ method: 'DELETE', url: `/v1/api-keys/${created.id}`, headers: admin })
  t.equal(revoked.statusCode, 204)
  const after = await app.inject({ method: 'GET', url: '/v1/articles', headers })
  t.equal(after.statusCode, 401)
  t.match(after.headers['content-type'], /^application\/problem\+json/)
  const listed = (await app.inject({ method: 'GET', url: '/v1/api-keys', headers: admin })).json()
  t.ok(listed.data.find((key: { id: string }) => key.id === created.id).revokedAt, 'the list shows when it was revoked')
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/api-keys/key_unknown', headers: admin })).statusCode, 404)
})

t.test('author keys name their author; other roles may not', async (t) => {
  const context = await build(t)
  const { app, admin } = context
  const author = await createAuthor(context)
  const made = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: admin, payload: { name: 'Jeanne', role: 'author', authorId: author.id } })
  t.equal(made.statusCode, 201)
  t.equal(made.json().authorId, author.id)
  const cases = [
    [{ name: 'x', role: 'author' }, '/body/authorId'],
    [{ name: 'x', role: 'editor', authorId: author.id }, '/body/authorId'],
    [{ name: 'x', role: 'author', authorId: 'aut_doesnotexist' }, '/body/authorId'],
    [{ name: 'x', role: 'superuser' }, '/body/role'],
    [{ name: '', role: 'admin' }, '/body/name'],
    [{ role: 'admin' }, '/body/name'],
    [{ name: 'x', role: 'admin', key: 'cms_mine' }, '/body/key']
  ] as const
  for (const [payload, path] of cases) {
    const response = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: admin, payload })
    t.equal(response.statusCode, 400, JSON.stringify(payload))
    t.ok(response.json().errors.some((error: { path: string }) => error.path === path), `${JSON.stringify(payload)} names ${path}`)
  }
})

t.test('API keys are the admin\'s alone', async (t) => {
  const context = await build(t)
  const { app } = context
  const author = await createAuthor(context)
  t.equal((await app.inject({ method: 'GET', url: '/v1/api-keys' })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/v1/api-keys', payload: { name: 'x', role: 'admin' } })).statusCode, 401)
  for (const headers of [await context.keyFor('editor'), await context.keyFor('moderator'), await context.keyFor('author', author.id)]) {
    t.equal((await app.inject({ method: 'GET', url: '/v1/api-keys', headers })).statusCode, 403)
    t.equal((await app.inject({ method: 'POST', url: '/v1/api-keys', headers, payload: { name: 'x', role: 'admin' } })).statusCode, 403)
    t.equal((await app.inject({ method: 'DELETE', url: '/v1/api-keys/key_abc', headers })).statusCode, 403)
  }
})
