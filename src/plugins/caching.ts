import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { Type } from 'typebox'
import type { Config } from '../config.js'
import { IfNoneMatchHeaders, ResponseHeaders, withHeaders } from '../http/headers.js'
import { HttpProblem } from '../http/problem.js'

/** A strong validator for a value: the same value, the same tag, whoever asks and however it is shaped. */
export function etagOf (value: unknown): string {
  const bytes = typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value)
  return `"${createHash('sha1').update(bytes).digest('base64url')}"`
}

function tagsIn (header: string): string[] {
  return header.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '')
}

/** `If-None-Match` compares weakly: `W/"x"` matches `"x"`. */
function noneMatch (header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const opaque = etag.replace(/^W\//, '')
  return tagsIn(header).some((tag) => tag === '*' || tag.replace(/^W\//, '') === opaque)
}

/**
 * `If-Match` on a write compares strongly: the write goes ahead only while the
 * resource is still the one the client read, else 412 and nothing changes.
 */
export function checkIfMatch (request: FastifyRequest, currentEtag: string): void {
  const header = request.headers['if-match']
  if (header === undefined) return
  if (tagsIn(header).some((tag) => tag === '*' || tag === currentEtag)) return
  throw new HttpProblem(412, 'Precondition Failed', 'The resource changed since it was read: read it again, then retry with its new ETag.')
}

/** A check on the current resource, run inside a write's transaction; it throws to stop the write. */
export type Precondition<T> = (current: T) => void

/** With `If-Match`, the check that the resource is still the one the client read; nothing without it. */
export function ifMatch<T> (request: FastifyRequest, etagFor: (current: T) => string = etagOf): Precondition<T> | undefined {
  return request.headers['if-match'] === undefined ? undefined : (current) => checkIfMatch(request, etagFor(current))
}

/**
 * For a single resource whose ETag the route knows before serialising it:
 * sets the ETag and, when the client already holds it, turns the answer into
 * a 304 at once, so a revalidation costs no serialisation. True when it did.
 */
export function answeredNotModified (request: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag)
  if (!noneMatch(request.headers['if-none-match'], etag)) return false
  reply.code(304)
  return true
}

function addVary (reply: FastifyReply, names: string[]) {
  const current = tagsIn(String(reply.getHeader('vary') ?? ''))
  const seen = new Set<string>()
  // Compare field names without case: @fastify/compress adds its own lower-case `accept-encoding`.
  const merged = [...current, ...names].filter((name) => !seen.has(name.toLowerCase()) && seen.add(name.toLowerCase()))
  if (merged.length > 0) reply.header('vary', merged.join(', '))
}

/** Runs after compression has added its own `Vary`, to leave each field name once. */
export async function tidyVary (_request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  if (reply.hasHeader('vary')) addVary(reply, [])
  return payload
}

type ResponseSchemas = Record<string, object & { headers?: Record<string, unknown> }>

/**
 * Declares on a GET's schema what this plugin does to its answers, so that the
 * OpenAPI document says it: `If-None-Match` is honoured, a 200 and a 301 carry
 * `Cache-Control` (a 200 its `ETag` too), and a current ETag is a 304, which
 * keeps the validators (`ETag`, and `Last-Modified` where the 200 has one).
 */
function declareCaching (route: RouteOptions) {
  const { schema } = route
  if (route.method !== 'GET' || schema?.response === undefined || schema.hide === true) return
  const responses = schema.response as ResponseSchemas
  if (responses['304'] !== undefined) return
  schema.headers ??= IfNoneMatchHeaders
  const ok = withHeaders(responses['200'] ?? {}, { ETag: ResponseHeaders.etag, 'Cache-Control': ResponseHeaders.readCacheControl })
  schema.response = {
    ...responses,
    200: ok,
    ...(responses['301'] === undefined ? {} : { 301: withHeaders(responses['301'], { 'Cache-Control': ResponseHeaders.readCacheControl }) }),
    304: Type.Null({ description: 'Not modified: an ETag in `If-None-Match` is current. No body.', headers: ok.headers })
  }
}

/**
 * For routes whose answers no cache may keep, not even the client's own: a
 * new key's secret, moderation (commenters' emails and addresses), health
 * probes (a kept answer would say the process is alive when it may not be).
 * Set before the route runs, it holds for every answer, errors and 304s
 * included, since the caching hook below keeps a `Cache-Control` already set.
 */
export async function noStore (_request: FastifyRequest, reply: FastifyReply) {
  reply.header('cache-control', 'no-store')
}

/**
 * HTTP caching for every GET, as the contract says: a strong ETag (the route's
 * own for single resources, else a hash of the body), 304 on `If-None-Match`,
 * and `Cache-Control` public for anonymous answers and private for keyed ones.
 * Written here rather than with @fastify/etag, which tags every answer (errors
 * and writes included) and compares `If-None-Match` as one exact value.
 */
async function caching (app: FastifyInstance, { config }: { config: Pick<Config, 'CACHE_MAX_AGE' | 'CACHE_S_MAXAGE' | 'CACHE_STALE_WHILE_REVALIDATE'> }) {
  app.addHook('onRoute', declareCaching)
  const publicCacheControl = `public, max-age=${config.CACHE_MAX_AGE}, s-maxage=${config.CACHE_S_MAXAGE}, stale-while-revalidate=${config.CACHE_STALE_WHILE_REVALIDATE}`

  app.addHook('onSend', async (request, reply, payload) => {
    const isRead = request.method === 'GET' || request.method === 'HEAD'
    if (reply.statusCode >= 400) {
      reply.header('cache-control', 'no-store')
      return payload
    }
    // A redirect (an old slug) is cached for as long as an answer, not forever as browsers keep a bare 301: the slug may come back.
    if (!isRead || ![200, 301, 304].includes(reply.statusCode)) return payload
    addVary(reply, ['Authorization', 'Accept-Encoding'])
    if (!reply.hasHeader('cache-control')) {
      reply.header('cache-control', request.headers.authorization === undefined ? publicCacheControl : 'private, no-cache')
    }
    if (reply.statusCode !== 200) return payload
    let etag = reply.getHeader('etag') as string | undefined
    if (etag === undefined) {
      if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload
      etag = etagOf(payload)
      reply.header('etag', etag)
    }
    if (!noneMatch(request.headers['if-none-match'], etag)) return payload
    reply.code(304).removeHeader('content-type').removeHeader('content-length')
    return ''
  })
}

export default fp(caching, { name: 'caching' })
