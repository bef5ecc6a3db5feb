import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { KeyRole } from '../db/schema/index.js'
import { forbidden, unauthorized } from '../http/problem.js'
import type { ApiKeysRepository } from '../modules/api-keys/api-keys.repository.js'

export type Role = 'public' | KeyRole

export interface Principal {
  role: Role
  keyId: string | null
  /** The author an `author` key writes as. */
  authorId: string | null
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal
  }
}

export const STAFF = ['editor', 'admin'] as const satisfies readonly KeyRole[]

/** OpenAPI `security` of a route anyone may call, with or without a key. */
export const PUBLIC_OR_KEY: Record<string, string[]>[] = [{}, { bearerAuth: [] }]
/** OpenAPI `security` of a route that needs a key. */
export const KEY_ONLY: Record<string, string[]>[] = [{ bearerAuth: [] }]
export const PUBLIC: Principal = Object.freeze({ role: 'public', keyId: null, authorId: null })

export function isStaff (principal: Principal): boolean {
  return (STAFF as readonly Role[]).includes(principal.role)
}

/** 401 without a key, 403 with a key whose role may not do this. */
export function requireRole (request: FastifyRequest, roles: readonly KeyRole[]): void {
  const { role } = request.principal
  if (role === 'public') unauthorized('This needs an API key: send `Authorization: Bearer <key>`.')
  if (!roles.includes(role)) forbidden(`A key with the role "${role}" may not do this.`)
}

/** The same check as a route's `onRequest` hook, so a caller without the right key learns it before its body is validated. */
export function allow (roles: readonly KeyRole[]) {
  return async (request: FastifyRequest) => requireRole(request, roles)
}

const BEARER = /^Bearer +(\S+) *$/i

/**
 * Who is calling. No `Authorization` header is the public; a header that is
 * malformed, or a key that is unknown or revoked, is a 401 even on public
 * routes, so a client with a broken key never silently reads as the public.
 */
async function auth (app: FastifyInstance, options: { keys: ApiKeysRepository }) {
  app.decorateRequest('principal', null as unknown as Principal)
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization
    if (header === undefined) {
      request.principal = PUBLIC
      return
    }
    const secret = BEARER.exec(header)?.[1]
    if (secret === undefined) unauthorized('The Authorization header must be `Bearer <key>`.')
    const key = await options.keys.authenticate(secret)
    if (key === undefined) unauthorized('This API key is unknown or has been revoked.')
    request.principal = { role: key.role, keyId: key.id, authorId: key.authorId }
  })
}

export default fp(auth, { name: 'auth' })
