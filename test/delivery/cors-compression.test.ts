import { gunzipSync } from 'node:zlib'
import t from 'tap'
import { create, etagOf, newsroom, varyNames } from './fixtures/support.js'

const ALLOWED = 'https://www.lequotidien.example'
const ALSO_ALLOWED = 'https://app.lequotidien.example'
const CORS_ORIGINS = `${ALLOWED}, ${ALSO_ALLOWED}`

/** The comma-separated names of a header, lower-cased. */
function namesIn (header: unknown): string[] {
  return String(header ?? '').split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '')
}

t.test('CORS with a list of origins: a preflight from an allowed origin may PATCH with If-Match; one from elsewhere gets no grant', async (t) => {
  const { app } = await newsroom(t, { CORS_ORIGINS })
  for (const origin of [ALLOWED, ALSO_ALLOWED]) {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/v1/articles/art_0123456789abcdef',
      headers: { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, content-type, if-match' }
    })
    t.ok(preflight.statusCode === 204 || preflight.statusCode === 200, `${origin}: the preflight succeeds`)
    t.equal(preflight.headers['access-control-allow-origin'], origin, `${origin}: allowed, by name`)
    for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) t.ok(namesIn(preflight.headers['access-control-allow-methods']).includes(method.toLowerCase()), `${origin}: may ${method}`)
    for (const header of ['authorization', 'content-type', 'if-match', 'if-none-match']) {
      t.ok(namesIn(preflight.headers['access-control-allow-headers']).includes(header), `${origin}: may send ${header}`)
    }
    t.ok(varyNames(preflight).includes('origin'), `${origin}: the grant varies by Origin`)
  }
  for (const origin of ['https://evil.example', 'https://www.lequotidien.example.evil.example', 'http://www.lequotidien.example', 'null']) {
    const preflight = await app.inject({ method: 'OPTIONS', url: '/v1/articles', headers: { origin, 'access-control-request-method': 'DELETE' } })
    t.equal(preflight.headers['access-control-allow-origin'], undefined, `${origin}: no Access-Control-Allow-Origin`)
    t.not(preflight.headers['access-control-allow-origin'], '*', `${origin}: never a wildcard`)
  }
})

t.test('CORS on real answers: ETag, Location and Retry-After are exposed to an allowed origin only', async (t) => {
  const context = await newsroom(t, { CORS_ORIGINS })
  const { app, api, author } = context
  const article = await create(t, api, { title: 'Exposé', body: 'x', authorId: author.id, status: 'published' })
  const read = await app.inject({ method: 'GET', url: `/v1/articles/${article.id}`, headers: { origin: ALLOWED } })
  t.equal(read.statusCode, 200)
  t.equal(read.headers['access-control-allow-origin'], ALLOWED)
  t.strictSame(namesIn(read.headers['access-control-expose-headers']).sort(), ['etag', 'location', 'retry-after'], 'ETag, Location and Retry-After exposed')
  t.ok(varyNames(read).includes('origin'), 'the answer varies by Origin')
  t.ok(varyNames(read).includes('authorization') && varyNames(read).includes('accept-encoding'), 'and still by Authorization and Accept-Encoding')
  const created = await app.inject({ method: 'POST', url: '/v1/articles', headers: { ...context.admin, origin: ALSO_ALLOWED }, payload: { title: 'Créé', body: 'x', authorId: author.id } })
  t.equal(created.statusCode, 201)
  t.equal(created.headers['access-control-allow-origin'], ALSO_ALLOWED)
  t.ok(namesIn(created.headers['access-control-expose-headers']).includes('location'), 'a browser can read Location')
  const elsewhere = await app.inject({ method: 'GET', url: `/v1/articles/${article.id}`, headers: { origin: 'https://evil.example' } })
  t.equal(elsewhere.statusCode, 200, 'the answer itself is the same')
  t.equal(elsewhere.headers['access-control-allow-origin'], undefined, 'but a browser elsewhere may not read it')
})

t.test('CORS_ORIGINS defaults to any origin', async (t) => {
  const { app } = await newsroom(t)
  const preflight = await app.inject({ method: 'OPTIONS', url: '/v1/articles', headers: { origin: 'https://anyone.example', 'access-control-request-method': 'GET' } })
  t.equal(preflight.headers['access-control-allow-origin'], '*')
  const read = await app.inject({ method: 'GET', url: '/v1/tags', headers: { origin: 'https://anyone.example' } })
  t.equal(read.headers['access-control-allow-origin'], '*')
  t.strictSame(namesIn(read.headers['access-control-expose-headers']).sort(), ['etag', 'location', 'retry-after'])
})

t.test('a large answer is gzipped for a client that accepts it, with the same JSON and the same ETag; a small one is not', async (t) => {
  const context = await newsroom(t)
  const { app, api, author } = context
  for (let index = 0; index < 40; index++) {
    await create(t, api, { title: `Dépêche numéro ${index} sur l'économie marocaine`, body: `Le texte de la dépêche ${index}. `.repeat(20), authorId: author.id, status: 'published' })
  }
  const plain = await app.inject({ method: 'GET', url: '/v1/articles?limit=40' })
  t.equal(plain.statusCode, 200)
  t.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding, no compression')
  t.ok(plain.rawPayload.length > 10_000, `a big answer (${plain.rawPayload.length} bytes)`)

  const gzipped = await app.inject({ method: 'GET', url: '/v1/articles?limit=40', headers: { 'accept-encoding': 'gzip' } })
  t.equal(gzipped.statusCode, 200)
  t.equal(gzipped.headers['content-encoding'], 'gzip', 'compressed')
  t.ok(gzipped.rawPayload.length < plain.rawPayload.length / 2, `much smaller (${gzipped.rawPayload.length} bytes)`)
  const unzipped = gunzipSync(gzipped.rawPayload)
  t.strictSame(JSON.parse(unzipped.toString('utf8')), plain.json(), 'the body gunzips to the same JSON')
  t.equal(etagOf(t, gzipped), etagOf(t, plain), 'one ETag however it is encoded')
  t.match(gzipped.headers['content-type'], /^application\/json/, 'still JSON')
  t.equal(gzipped.headers['cache-control'], plain.headers['cache-control'])
  const vary = varyNames(gzipped)
  t.ok(vary.includes('accept-encoding') && vary.includes('authorization'), 'Vary: Authorization, Accept-Encoding')
  t.equal(new Set(vary).size, vary.length, `each field named once in Vary (got ${JSON.stringify(gzipped.headers.vary)})`)
  const revalidated = await app.inject({ method: 'GET', url: '/v1/articles?limit=40', headers: { 'accept-encoding': 'gzip', 'if-none-match': String(plain.headers.etag) } })
  t.equal(revalidated.statusCode, 304, 'the ETag of the plain answer revalidates the gzipped one')
  t.equal(revalidated.rawPayload.length, 0, 'with no body')

  for (const url of [`/v1/tags/${context.tags[0].slug}`, '/v1/articles?limit=1&fields=title']) {
    const small = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } })
    t.equal(small.statusCode, 200)
    t.ok(small.rawPayload.length < 1024, `${url}: a small answer`)
    t.equal(small.headers['content-encoding'], undefined, `${url}: not compressed`)
    t.doesNotThrow(() => small.json(), `${url}: plain JSON`)
  }

  const feed = await app.inject({ method: 'GET', url: '/v1/feed.rss', headers: { 'accept-encoding': 'gzip' } })
  t.equal(feed.headers['content-encoding'], 'gzip', 'a large feed is compressed too')
  t.match(gunzipSync(feed.rawPayload).toString('utf8'), /^<\?xml/, 'and gunzips to XML')
})
