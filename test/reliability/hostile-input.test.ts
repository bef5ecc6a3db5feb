/**
 * Hostile input, property-based: every route of the generated OpenAPI document
 * is driven with generated and adversarial paths, queries, headers and bodies,
 * with and without a valid admin key. Whatever comes in:
 *
 * - never a 5xx (overload protection is off here, so not even a 503);
 * - every 4xx is `application/problem+json` whose numeric `status` is the HTTP status;
 * - a request that does not succeed changes nothing stored (a hash of every
 *   table is compared before and after; a 2xx write may change things);
 * - afterwards the database passes `integrity_check` and nothing polluted `Object.prototype`.
 *
 * Each run uses a new random seed, printed as a comment in the TAP output. To
 * replay a failure, fix the seed (and, to go straight to the failing case, the
 * path fast-check prints with it):
 *
 *   HOSTILE_SEED=123456 [HOSTILE_PATH=42:1:0] npx tap test/reliability/hostile-input.test.ts
 *
 * PROPERTY_RUNS_SCALE scales the number of cases (1 by default: 2,500 in all; see test/fixtures/property-runs.ts).
 */
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { propertyRuns } from '../fixtures/property-runs.js'
import { build, createArticle, createAuthor, createTag, type TestContext } from '../helper.js'
import {
  ADVERSARIAL_STRINGS, BROKEN_BODIES, NUMERIC_TEXT, hostileString, hostileValue, inUrl, routesFromOpenApi, snapshotter, toJson, type Hostile, type Route
} from './fixtures/hostile.js'

const SEED = process.env.HOSTILE_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.HOSTILE_SEED)
const PATH = process.env.HOSTILE_PATH

// Parameters that arrive as text and are read as numbers.
const NUMERIC = new Set(['limit', 'offset', 'page'])
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const
type Method = typeof METHODS[number]

const routes = await routesFromOpenApi()
const withBody = routes.filter((route) => route.bodyProperties !== undefined)

interface World {
  context: TestContext
  moderator: { authorization: string }
  authorKey: { authorization: string }
  /** Known-good values by the name of the parameter or field they fit. */
  good: Record<string, string[]>
  /** Known ids and slugs for a path parameter, by path template. */
  pathValues: (template: string, parameter: string) => string[]
  snapshot: () => Record<string, { rows: number, hash: string }>
}

/** An app over a fresh database holding a bit of everything, so that generated requests reach past the not-found checks. */
async function world (t: Test): Promise<World> {
  const context = await build(t, { OVERLOAD_EVENT_LOOP_DELAY_MS: '0', COMMENT_RATE_LIMIT: '1000000', TRUST_PROXY: 'true' })
  const author = await createAuthor(context, { name: 'Inès Berrada', email: 'ines@lequotidien.example' })
  const tag = await createTag(context, 'Économie')
  const published = await createArticle(context, { title: 'Le marché', body: 'Un *texte* publié.', authorId: author.id, tagIds: [tag.id], status: 'published' })
  const draft = await createArticle(context, { title: 'Un brouillon', body: 'Pas encore.', authorId: author.id })
  const comment = async (body: string) => {
    const response = await context.app.inject({ method: 'POST', url: `/v1/articles/${published.id}/comments`, payload: { authorName: 'Lecteur', authorEmail: 'lecteur@example.org', body } })
    return response.json<{ id: string }>().id
  }
  const approved = await comment('Approuvé.')
  const pending = await comment('En attente.')
  await context.app.inject({ method: 'PATCH', url: `/v1/comments/${approved}`, headers: context.admin, payload: { status: 'approved' } })
  const ban = (await context.app.inject({ method: 'POST', url: '/v1/comment-bans', headers: context.admin, payload: { email: 'troll@example.org', reason: 'spam' } })).json<{ id: string }>().id
  const spareKey = (await context.app.inject({ method: 'POST', url: '/v1/api-keys', headers: context.admin, payload: { name: 'spare', role: 'editor' } })).json<{ id: string }>().id

  const good: Record<string, string[]> = {
    authorId: [author.id],
    tagIds: [tag.id],
    parentId: [approved],
    ids: [approved, pending],
    article: [published.id, published.slug],
    tag: [tag.slug],
    author: [author.slug],
    slug: ['un-slug', published.slug, 'économie-2'],
    status: ['draft', 'published', 'scheduled', 'approved', 'pending', 'spam', 'trash'],
    role: ['author', 'moderator', 'editor', 'admin'],
    sort: ['-publishedAt', 'publishedAt', '-updatedAt', 'title', 'name', '-articleCount', '-createdAt'],
    fields: ['id,title', 'title,body', 'name', 'slug,url'],
    limit: ['1', '3', '100', '101', '0'],
    offset: ['0', '1', '1000000'],
    cursor: ['eyJ4IjoxfQ', 'AAAA'],
    publishedAt: ['2025-01-01T00:00:00.000Z', '2030-06-01T08:00:00Z', '2025-01-27T12:00:00.000Z'],
    publishedAfter: ['2024-01-01T00:00:00Z'],
    publishedBefore: ['2026-01-01T00:00:00Z'],
    updatedAfter: ['2024-01-01T00:00:00Z'],
    since: ['2024-01-01T00:00:00Z'],
    q: ['marché', 'marche', 'texte publié', 'tex'],
    email: ['lecteur@example.org', 'troll@example.org'],
    authorEmail: ['lecteur@example.org', 'someone@example.org'],
    ip: ['127.0.0.1', '203.0.113.9', '2001:db8::1'],
    authorUrl: ['https://example.org/moi'],
    avatarUrl: ['https://example.org/a.png'],
    commentsOpen: ['true', 'false']
  }
  const byTemplate: Record<string, string[]> = {
    '/v1/articles/{id}': [published.id, published.slug, draft.id, draft.slug],
    '/v1/comments/{id}': [approved, pending],
    '/v1/comment-bans/{id}': [ban],
    '/v1/authors/{id}': [author.id, author.slug],
    '/v1/tags/{id}': [tag.id, tag.slug],
    '/v1/api-keys/{id}': [spareKey]
  }
  const pathValues = (template: string, parameter: string) => {
    if (parameter === 'page') return ['1', '2', '0', '100000', '100001']
    const prefix = Object.keys(byTemplate).find((known) => template.startsWith(known.slice(0, known.indexOf('{'))))
    return prefix === undefined ? [] : byTemplate[prefix]!
  }
  return {
    context,
    moderator: await context.keyFor('moderator'),
    authorKey: await context.keyFor('author', author.id),
    good,
    pathValues,
    // The rate limit's counts, which refused submissions add to, live in a database file of their own.
    snapshot: snapshotter(context.db, [])
  }
}

/** A value for a field or parameter: one that fits it, or anything at all. */
function valueFor (w: World, name: string): fc.Arbitrary<Hostile> {
  const fits = Object.hasOwn(w.good, name) ? w.good[name] : undefined
  const fitting: fc.Arbitrary<Hostile> = name === 'tagIds' || name === 'ids'
    ? fc.subarray(fits!).map((ids) => ids as Hostile)
    : name === 'commentsOpen'
      ? fc.boolean()
      : name === 'featuredImage'
        ? fc.record({ url: fc.constantFrom('https://img.example/a.jpg', 'javascript:alert(1)'), alt: fc.string({ maxLength: 20 }) }).map(({ url, alt }): Hostile => ({ entries: [['url', url], ['alt', alt]] }))
        : fits === undefined ? fc.oneof(fc.string({ minLength: 1, maxLength: 120 }), fc.lorem({ maxCount: 12 })) : fc.constantFrom(...fits)
  return fc.oneof({ weight: 4, arbitrary: fitting }, { weight: 1, arbitrary: hostileValue })
}

const HEADER_SAFE = /[^\t\x20-\x7e\x80-\xff]/g
const headerText = (value: fc.Arbitrary<string>) => value.map((text) => text.replace(HEADER_SAFE, ''))
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 2 })

/** Headers, each there or not: no key, the admin key, another role's, or a broken or unknown one; content types, preconditions, encodings, proxies. */
function headersFor (w: World): fc.Arbitrary<Record<string, string>> {
  const admin = w.context.admin.authorization
  const authorization = fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 5, arbitrary: fc.constant(admin) },
    { weight: 1, arbitrary: fc.constantFrom(w.moderator.authorization, w.authorKey.authorization) },
    { weight: 1, arbitrary: headerText(fc.constantFrom('Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', `bearer  ${admin.slice(7)}`, `${admin} extra`, `Bearer ${admin.slice(7, -1)}`, 'Bearer cms_')) },
    { weight: 1, arbitrary: headerText(hostileString.map((text) => `Bearer ${text}`)) }
  )
  return fc.record({
    authorization,
    'content-type': fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: fc.constant(undefined) },
      {
        weight: 2,
        arbitrary: fc.constantFrom('application/json; charset=utf-8', 'application/json; charset=latin1', 'Application/JSON', 'text/plain',
          'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/merge-patch+json', 'application/problem+json', '*/*',
          'application/json, text/plain', 'application/json;', ';', 'application/jsonx')
      },
      { weight: 1, arbitrary: headerText(hostileString) }
    ),
    'if-match': optional(headerText(fc.oneof(fc.constantFrom('*', '"abc"', 'W/"abc"', '"', '""', ', ,'), hostileString))),
    'if-none-match': optional(headerText(fc.oneof(fc.constantFrom('*', '"abc"', 'W/"abc"', '"'), hostileString))),
    accept: optional(headerText(fc.oneof(fc.constantFrom('application/json', 'text/html', '*/*', 'application/xml;q=0'), hostileString))),
    'accept-encoding': optional(headerText(fc.oneof(fc.constantFrom('gzip', 'br', 'deflate', 'gzip;q=0, identity;q=0', '*;q=0', 'zstd', 'gzip;q=NaN'), hostileString))),
    'x-forwarded-for': optional(headerText(fc.oneof(fc.constantFrom('203.0.113.5', '2001:db8::1', 'unknown', ', , ,', '1.2.3.4, 5.6.7.8', '::ffff:10.0.0.1'), hostileString))),
    origin: optional(fc.constantFrom('https://evil.example', 'null', 'http://localhost:3000')),
    'user-agent': optional(headerText(hostileString))
  }, { requiredKeys: [] }).map((headers) => Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined)) as Record<string, string>)
}

/**
 * A JSON object for a route's body: most often every field it needs and some it
 * may have, fitting or not, so that some requests are valid writes; and
 * sometimes fields it does not know, `__proto__` among them, or a field twice.
 */
function objectBody (w: World, route: Route): fc.Arbitrary<string> {
  // An admin key's article needs an author too, though an author key's may leave it out.
  const needed = route.bodyProperties!.filter((name) => route.bodyRequired.includes(name) || name === 'authorId')
  const optionalFields = route.bodyProperties!.filter((name) => !needed.includes(name))
  const names = fc.oneof(
    { weight: 3, arbitrary: fc.subarray(optionalFields, { maxLength: Math.min(3, optionalFields.length) }).map((chosen) => [...needed, ...chosen]) },
    { weight: 1, arbitrary: fc.subarray(route.bodyProperties!) }
  )
  const known = names.chain((chosen) => fc.tuple(...chosen.map((name) => valueFor(w, name).map((value): [string, Hostile] => [name, value]))))
  const extra = fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'createdAt', 'commentCount'), hostileString), hostileValue), { minLength: 1, maxLength: 2 }) }
  )
  return fc.tuple(known, extra, fc.nat(9)).map(([fields, extras, roll]) => {
    const entries: Array<[string, Hostile]> = [...fields, ...extras]
    if (roll === 0 && entries.length > 0) entries.push([entries[0]![0], 'duplicate'])
    return toJson({ entries })
  })
}

interface Case {
  method: Method
  url: string
  headers: Record<string, string>
  payload: string | undefined
}

function urlOf (template: string, values: Record<string, string>, query: Array<[string, string]>): string {
  const path = template.replace(/\{(\w+)\}/g, (_match, name: string) => values[name] ?? '')
  return query.length === 0 ? path : `${path}?${query.map(([name, value]) => `${name}=${value}`).join('&')}`
}

function pathArbitrary (w: World, route: Route, hostileShare: number): fc.Arbitrary<Record<string, string>> {
  return fc.tuple(...route.pathParams.map((name) => {
    const known = w.pathValues(route.template, name)
    const fitting = known.length === 0 ? fc.string({ minLength: 1, maxLength: 10 }) : fc.constantFrom(...known.map(encodeURIComponent))
    const hostile = inUrl(NUMERIC.has(name) ? fc.oneof(fc.constantFrom(...NUMERIC_TEXT), hostileString) : hostileString)
    return fc.oneof({ weight: 10 - hostileShare, arbitrary: fitting }, { weight: hostileShare, arbitrary: hostile }).map((value) => [name, value] as const)
  })).map((pairs) => Object.fromEntries(pairs))
}

function queryArbitrary (w: World, route: Route): fc.Arbitrary<Array<[string, string]>> {
  const name = fc.oneof(
    { weight: 4, arbitrary: route.queryParams.length === 0 ? fc.constant('limit') : fc.constantFrom(...route.queryParams) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'limit[]', 'fields[0]', 'q[$ne]', 'a.b', '') },
    { weight: 1, arbitrary: inUrl(hostileString) }
  )
  const entry = name.chain((key) => {
    const fits = Object.hasOwn(w.good, key) ? w.good[key] : undefined
    const value = fits === undefined
      ? inUrl(hostileString)
      : fc.oneof(
        fc.constantFrom(...fits.map(encodeURIComponent)),
        inUrl(NUMERIC.has(key) ? fc.constantFrom(...NUMERIC_TEXT) : hostileString),
        inUrl(hostileString)
      )
    return value.map((text): [string, string] => [key, text])
  })
  return fc.array(entry, { maxLength: 4 })
}

/**
 * A GET that is valid but for one query parameter at an edge (a number that is
 * not quite one, an unknown sort, an injection attempt): nothing else in the
 * request is there to be refused first.
 */
function edgeQuery (w: World): fc.Arbitrary<Case> {
  const listed = routes.filter((route) => route.method === 'GET' && route.queryParams.length > 0)
  return fc.constantFrom(...listed).chain((route) => fc.record({
    path: fc.tuple(...route.pathParams.map((name) => fc.constantFrom(...w.pathValues(route.template, name).map(encodeURIComponent), 'x').map((value) => [name, value] as const)))
      .map((pairs) => Object.fromEntries(pairs)),
    name: fc.constantFrom(...route.queryParams),
    text: fc.oneof(fc.constantFrom(...NUMERIC_TEXT), fc.constantFrom(...ADVERSARIAL_STRINGS)),
    encoded: fc.boolean(),
    keyed: fc.boolean()
  }).map(({ path, name, text, encoded, keyed }) => ({
    method: 'GET' as const,
    url: urlOf(route.template, path, [[name, encoded ? encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd')) : text]]),
    headers: keyed ? { ...w.context.admin } : {},
    payload: undefined
  })))
}

/** Any route, method and key; the path, query, headers and body fitting or hostile; now and then one query parameter at an edge. */
function anyRequest (w: World): fc.Arbitrary<Case> {
  return fc.oneof({ weight: 3, arbitrary: anyRoute(w) }, { weight: 1, arbitrary: edgeQuery(w) })
}

function anyRoute (w: World): fc.Arbitrary<Case> {
  return fc.constantFrom(...routes).chain((route) => fc.record({
    method: fc.oneof({ weight: 9, arbitrary: fc.constant(route.method as Method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
    path: pathArbitrary(w, route, 4),
    query: queryArbitrary(w, route),
    headers: headersFor(w),
    payload: route.bodyProperties === undefined
      ? fc.option(fc.constantFrom(...BROKEN_BODIES.slice(0, 12)), { nil: undefined, freq: 5 })
      : fc.oneof({ weight: 6, arbitrary: objectBody(w, route) }, { weight: 2, arbitrary: fc.constantFrom(...BROKEN_BODIES) }, { weight: 1, arbitrary: hostileValue.map(toJson) })
  }).map(({ method, path, query, headers, payload }) => ({ method, url: urlOf(route.template, path, query), headers, payload })))
}

/** Routes that take a body, with an admin key, the path fitting and the body broken, duplicated, polluting or huge. */
function hostileBody (w: World): fc.Arbitrary<Case> {
  return fc.constantFrom(...withBody).chain((route) => fc.record({
    path: pathArbitrary(w, route, 1),
    contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8'),
    payload: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...BROKEN_BODIES) },
      { weight: 4, arbitrary: objectBody(w, route) },
      { weight: 2, arbitrary: fc.tuple(objectBody(w, route), fc.constantFrom(...ADVERSARIAL_STRINGS)).map(([json, text]) => `${json.slice(0, -1)}${json.length > 2 ? ',' : ''}"__proto__":${JSON.stringify(text)},"constructor":{"prototype":{"polluted":true}}}`) },
      { weight: 1, arbitrary: hostileValue.map(toJson) }
    )
  }).map(({ path, contentType, payload }) => ({
    method: route.method as Method,
    url: urlOf(route.template, path, []),
    headers: { ...w.context.admin, 'content-type': contentType },
    payload
  })))
}

/** Paths that are not quite a route's: traversal, doubled or dotted segments, broken escapes, case, length; hostile queries. */
function hostilePath (w: World): fc.Arbitrary<Case> {
  const mutations = ['none', 'traversal', 'double-slash', 'dot-segment', 'trailing-slash', 'upper-case', 'encoded-slash', 'long', 'prefix'] as const
  return fc.constantFrom(...routes).chain((route) => fc.record({
    path: pathArbitrary(w, route, 7),
    query: queryArbitrary(w, route),
    mutation: fc.constantFrom(...mutations),
    insert: inUrl(hostileString),
    headers: headersFor(w)
  }).map(({ path, query, mutation, insert, headers }) => {
    let url = urlOf(route.template, path, [])
    if (mutation === 'traversal') url = `${url}/../..${insert.startsWith('/') ? '' : '/'}${insert}`
    if (mutation === 'double-slash') url = url.replace(/\/(?=[^/]*$)/, '//')
    if (mutation === 'dot-segment') url = url.replace('/v1/', '/v1/./')
    if (mutation === 'trailing-slash') url = `${url}/`
    if (mutation === 'upper-case') url = url.toUpperCase()
    if (mutation === 'encoded-slash') url = url.replace(/\/(?=[^/]*$)/, '%2F')
    if (mutation === 'long') url = `${url}${'/x'.repeat(1_500)}`
    if (mutation === 'prefix') url = `/${insert.replace(/^\/+/, '')}${url}`
    const search = query.map(([name, value]) => `${name}=${value}`).join('&')
    return { method: route.method as Method, url: search === '' ? url : `${url}?${search}`, headers, payload: undefined }
  }))
}

interface Received {
  status: number
  headers: Record<string, unknown>
  body: Buffer
}

type Transport = (request: Case) => Promise<Received>

/** Through Fastify's injection: fast, but the URL is parsed (dot segments resolved) before the app sees it. */
const injected = (w: World): Transport => async (request) => {
  const response: LightMyRequestResponse = await w.context.app.inject({
    method: request.method,
    url: request.url,
    headers: request.headers,
    ...(request.payload === undefined ? {} : { payload: request.payload })
  })
  return { status: response.statusCode, headers: response.headers, body: response.rawPayload }
}

/**
 * Over a real connection, one per request: the request target goes out as written,
 * `..` and `//` included. Characters an HTTP client may not send raw (blanks,
 * controls, anything past U+00FF, lone surrogates) are percent-encoded as
 * their UTF-8 (WTF-8 for a lone surrogate) bytes; bytes 0x80–0xFF go out raw.
 */
function overHttp (port: number): Transport {
  const escape = (target: string) => target.replace(/[^\u0021-\u00ff]/gu, (char) => {
    const code = char.codePointAt(0)!
    const bytes = code >= 0xd800 && code <= 0xdfff
      ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
      : [...Buffer.from(char, 'utf8')]
    return bytes.map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('')
  })
  return (request) => new Promise((resolve, reject) => {
    const path = escape(request.url.startsWith('/') ? request.url : `/${request.url}`)
    const payload = request.payload === undefined ? undefined : Buffer.from(request.payload)
    const headers = payload === undefined ? request.headers : { ...request.headers, 'content-length': String(payload.length) }
    const sent = httpRequest({ host: '127.0.0.1', port, method: request.method, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) })
      }).on('error', reject)
    })
    sent.on('error', reject)
    sent.end(payload)
  })
}

/** The body as the client reads it: compressed answers (Accept-Encoding was generated too) decompressed. */
function bodyOf (response: Received): string {
  const encoding = String(response.headers['content-encoding'] ?? 'identity')
  if (encoding === 'gzip') return gunzipSync(response.body).toString('utf8')
  if (encoding === 'br') return brotliDecompressSync(response.body).toString('utf8')
  if (encoding === 'deflate') return inflateSync(response.body).toString('utf8')
  return response.body.toString('utf8')
}

/** Sends one case and checks what the contract promises of any answer; returns what went wrong, if anything. */
async function check (w: World, send: Transport, request: Case, statuses: Map<number, number>): Promise<string | undefined> {
  const before = w.snapshot()
  let response: Received
  try {
    response = await send(request)
  } catch (error) {
    return `no answer: ${(error as Error).message}`
  }
  const status = response.status
  statuses.set(status, (statuses.get(status) ?? 0) + 1)
  if (status >= 500) return `a ${status}: ${bodyOf(response).slice(0, 300)}`
  if (status >= 400) {
    const type = String(response.headers['content-type'] ?? '')
    if (!type.startsWith('application/problem+json')) return `a ${status} as ${type || 'no content type'}: ${bodyOf(response).slice(0, 100)}`
    if (request.method !== 'HEAD') {
      let problem: { status?: unknown }
      try {
        problem = JSON.parse(bodyOf(response)) as { status?: unknown }
      } catch {
        return `a ${status} whose body is not JSON: ${bodyOf(response).slice(0, 200)}`
      }
      if (typeof problem.status !== 'number' || problem.status !== status) return `a ${status} whose problem says status ${JSON.stringify(problem.status)}`
    }
  }
  if (status < 200 || status >= 300) {
    const after = w.snapshot()
    const changed = Object.keys(before).filter((table) => before[table]!.hash !== after[table]!.hash)
    if (changed.length > 0) return `a ${status} that changed ${changed.join(', ')}`
  }
  return undefined
}

/** Shortens what a failure report quotes: a generated URL or body can be a megabyte long. */
const clip = (text: string, length = 400) => (text.length <= length ? text : `${text.slice(0, length)}… (${text.length} characters)`)

async function drive (t: Test, name: string, numRuns: number, request: (w: World) => fc.Arbitrary<Case>, transport: 'inject' | 'http' = 'inject') {
  const w = await world(t)
  let send = injected(w)
  if (transport === 'http') {
    await w.context.app.listen({ host: '127.0.0.1', port: 0 })
    send = overHttp((w.context.app.server.address() as AddressInfo).port)
  }
  let cases = 0
  const statuses = new Map<number, number>()
  const property = fc.asyncProperty(request(w), async (sent) => {
    cases++
    const problem = await check(w, send, sent, statuses)
    if (problem !== undefined) throw new Error(`${clip(problem)}, to ${sent.method} ${clip(sent.url, 200)}`)
  })
  const started = Date.now()
  const details = await fc.check(property, { seed: SEED, numRuns, ...(PATH === undefined ? {} : { path: PATH }) })
  t.comment(`${name}: answers by status ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`)
  if (details.failed) {
    const [sent] = details.counterexample ?? []
    t.fail(`${name}: ${(details.errorInstance as Error | undefined)?.message ?? 'the property failed'}`, {
      replay: `HOSTILE_SEED=${details.seed} HOSTILE_PATH=${details.counterexamplePath ?? ''} npx tap test/reliability/hostile-input.test.ts`,
      request: sent === undefined ? undefined : { ...sent, url: clip(sent.url, 2_000), payload: sent.payload === undefined ? undefined : clip(sent.payload, 2_000) },
      shrinks: details.numShrinks
    })
  } else {
    t.ok(cases >= numRuns, `${name}: ${cases} requests in ${Date.now() - started} ms, none answered wrongly (seed ${SEED})`)
  }
  t.equal(w.context.db.$client.pragma('integrity_check', { simple: true }), 'ok', `${name}: the database passes integrity_check`)
  t.same(w.context.db.$client.pragma('foreign_key_check'), [], `${name}: no dangling reference`)
  t.same(Object.keys(Object.prototype), [], `${name}: Object.prototype was not polluted`)
  t.equal(({} as Record<string, unknown>).polluted, undefined, `${name}: no object inherits a polluted property`)
}

t.comment(`fast-check seed ${SEED}: replay with HOSTILE_SEED=${SEED}`)

t.test('any route: generated paths, queries, headers and bodies, with and without a key', async (t) => {
  await drive(t, 'any route', propertyRuns(1_200), anyRequest)
})

t.test('every route that takes a body: broken, duplicate-key, prototype-polluting and huge JSON, with an admin key', async (t) => {
  await drive(t, 'hostile bodies', propertyRuns(650), hostileBody)
})

t.test('hostile paths and queries: traversal, broken escapes, control characters, lone surrogates', async (t) => {
  await drive(t, 'hostile paths', propertyRuns(650), hostilePath, 'http')
})
