import { Type, type TSchema } from 'typebox'

/**
 * The response headers the API sends, declared in route schemas so that the
 * OpenAPI document lists them (@fastify/swagger lifts a response schema's
 * `headers`). A header declared on an answer is sent with every such answer.
 */
export const ResponseHeaders = {
  etag: Type.String({ description: 'The strong validator of this representation: send it back in `If-None-Match` for a 304, or in `If-Match` on a write.' }),
  lastModified: Type.String({ description: 'When the resource last changed, as an HTTP date.' }),
  location: Type.String({ description: 'The address of the resource, relative to the API\'s origin.' }),
  retryAfter: Type.String({ description: 'Seconds to wait before trying again.' }),
  readCacheControl: Type.String({ description: '`public, max-age=…, s-maxage=…, stale-while-revalidate=…` for an anonymous request (from the `CACHE_*` settings); `private, no-cache` for one with a key.' }),
  errorCacheControl: Type.String({ description: 'Always `no-store`: an error is never cached.' })
} as const

export type ResponseHeaderName = 'ETag' | 'Last-Modified' | 'Location' | 'Retry-After' | 'Cache-Control'

/** A response schema with the headers its answer carries, over whatever headers it already declares. */
export function withHeaders<T extends object> (response: T, headers: Partial<Record<ResponseHeaderName, TSchema>>): T {
  const declared = (response as { headers?: Record<string, TSchema> }).headers
  return { ...response, headers: { ...declared, ...headers } }
}

/** The `If-Match` request header of a write that honours it. */
export const IfMatchHeaders = Type.Object({
  'If-Match': Type.Optional(Type.String({ maxLength: 1000, description: 'An `ETag` from a read of this resource: the write happens only if it is still current, else a 412 and nothing changes. `*` matches any.' }))
})

/** The `If-None-Match` request header every GET honours. */
export const IfNoneMatchHeaders = Type.Object({
  'If-None-Match': Type.Optional(Type.String({ maxLength: 1000, description: 'ETags the client holds (comma-separated, `W/` compared weakly, `*` any): a 304 without a body when one is current.' }))
})
