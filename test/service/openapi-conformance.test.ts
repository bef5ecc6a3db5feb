import Fastify from 'fastify'
import t from 'tap'
import type { App } from '../../src/app.js'
import { checkedAgainstSpec, conformanceProblems } from '../openapi-conformance.js'

/** A stand-in server answering the API's paths the wrong way, to show what the check catches. */
async function wrongServer () {
  const app = Fastify()
  app.get('/v1/tags/:idOrSlug', async () => ({ id: 'tag_1', name: 42 }))
  app.get('/healthz', async (_request, reply) => reply.code(302).header('location', '/readyz').send())
  app.get('/v1/nowhere', async () => ({ ok: true }))
  app.get('/readyz', async (_request, reply) => reply.header('cache-control', 'no-store').header('etag', '"1"').type('text/plain').send('ok'))
  return app
}

t.test('an answer the spec does not describe is named with its operation, status and what is wrong', async (t) => {
  const app = await wrongServer()
  t.teardown(() => app.close())
  const tag = conformanceProblems(await app.inject({ method: 'GET', url: '/v1/tags/rubrique' }))
  t.match(tag, [
    /^getTag \(GET \/v1\/tags\/rubrique → 200\): declared header Last-Modified is missing$/,
    /ETag is missing/,
    /Cache-Control is missing/,
    /the body does not match its schema: .*must have required property/
  ])
  t.match(conformanceProblems(await app.inject({ method: 'GET', url: '/healthz' })), [/getHealth .*status 302 is not declared/])
  t.match(conformanceProblems(await app.inject({ method: 'GET', url: '/v1/nowhere' })), [/GET \/v1\/nowhere → 200: the spec has no such operation/])
  t.match(conformanceProblems(await app.inject({ method: 'GET', url: '/readyz' })), [/content type "text\/plain" is not declared/])
  t.match(conformanceProblems(await app.inject({ method: 'POST', url: '/healthz' })), [/the spec has no such operation, and the answer is not a 4xx problem/], 'Fastify\'s own 404 is not a problem')
  t.same(conformanceProblems(await app.inject({ method: 'OPTIONS', url: '/v1/tags' })), [], 'CORS preflights are out of scope')
})

t.test('with the check on, such an answer fails the request that got it', async (t) => {
  const app = checkedAgainstSpec(await wrongServer() as unknown as App)
  t.teardown(() => app.close())
  await t.rejects(app.inject({ method: 'GET', url: '/v1/tags/rubrique' }), /does not match openapi\/openapi\.json:\ngetTag/)
})
