import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'

/**
 * The headers helmet sets for these options, worked out once. Options without
 * per-request parts (no CSP nonce, no function) give every answer the same
 * headers, so helmet runs here against a recorder rather than on each request:
 * @fastify/helmet builds a new helmet middleware for every request, which cost
 * about 80 µs of CPU each (`npm run bench`), as much as the rest of a cached read.
 */
export function securityHeadersOf (options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader (name: string, value: string | number) { headers[name.toLowerCase()] = String(value) },
    removeHeader (name: string) { delete headers[name.toLowerCase()] }
  }
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error !== undefined) throw error
  })
  return Object.freeze(headers)
}

/**
 * Every answer of the API is data for programs, never a page: the headers
 * OWASP's REST Security Cheat Sheet asks of every API response. Nothing may
 * frame, sniff or load anything from it, and browsers keep to HTTPS. Helmet's
 * headers for documents (opener and referrer policies, DNS prefetching,
 * legacy IE, Flash and XSS-filter switches) do nothing for JSON, and each
 * costs every answer its bytes.
 */
export const API_HEADERS = securityHeadersOf({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  xFrameOptions: { action: 'deny' },
  // Pages of other sites may fetch the API, including those isolated with Cross-Origin-Embedder-Policy.
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false
})

/** The pages of /docs are documents: helmet's defaults, but their Content-Security-Policy, which @fastify/swagger-ui writes for them. */
export const PAGE_HEADERS = securityHeadersOf({ contentSecurityPolicy: false })

/** The API's security headers on every answer; a page's own hook adds `PAGE_HEADERS` over them. */
async function securityHeaders (app: FastifyInstance) {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(API_HEADERS)
    done()
  })
}

export default fp(securityHeaders, { name: 'security-headers' })
