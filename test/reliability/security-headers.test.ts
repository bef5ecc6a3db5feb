import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { build } from '../helper.js'
import { call, type Answer } from './fixtures/processes.js'

/** A CSP header as a map of directive to its sources. */
function directives (t: Test, header: unknown): Map<string, string[]> {
  t.type(header, 'string', 'a Content-Security-Policy header')
  return new Map(String(header).split(';').map((part) => part.trim()).filter((part) => part !== '').map((part) => {
    const [name = '', ...sources] = part.split(/\s+/)
    return [name.toLowerCase(), sources]
  }))
}

/** Headers that only matter for a page a browser renders: the API leaves them out, /docs sends them. */
const DOCUMENT_ONLY = ['referrer-policy', 'cross-origin-opener-policy', 'x-dns-prefetch-control', 'x-permitted-cross-domain-policies', 'x-download-options']

/** Over real HTTP, so that whatever Node itself would add (a `Server` header, say) shows too. */
async function listening (t: Test) {
  const context = await build(t, { OVERLOAD_EVENT_LOOP_DELAY_MS: '0' })
  await context.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = context.app.server.address() as AddressInfo
  return { ...context, get: (path: string, headers: Record<string, string> = {}) => call(port, { path, headers }) }
}

function checkNoFingerprint (t: Test, what: string, answer: Answer) {
  t.notOk('x-powered-by' in answer.headers, `${what}: no X-Powered-By`)
  t.notOk('server' in answer.headers, `${what}: no Server`)
  t.equal(answer.headers['x-content-type-options'], 'nosniff', `${what}: X-Content-Type-Options: nosniff`)
}

t.test('API answers: no fingerprinting headers, nosniff, and a CSP that allows nothing', async (t) => {
  const context = await listening(t)
  const answers: Array<[string, Answer]> = [
    ['a list', await context.get('/v1/articles')],
    ['a 404 problem', await context.get('/v1/articles/nothing-here')],
    ['a 401 problem', await context.get('/v1/api-keys')],
    ['a keyed answer', await context.get('/v1/api-keys', context.admin)],
    ['a feed', await context.get('/v1/feed.rss')],
    ['the OpenAPI document', await context.get('/openapi.json')],
    ['readiness', await context.get('/readyz')]
  ]
  for (const [what, answer] of answers) {
    t.ok(answer.status < 500, `${what}: answered (${answer.status})`)
    checkNoFingerprint(t, what, answer)
    const csp = directives(t, answer.headers['content-security-policy'])
    t.same(csp.get('default-src'), ["'none'"], `${what}: default-src 'none'`)
    t.same(csp.get('frame-ancestors'), ["'none'"], `${what}: frame-ancestors 'none'`)
    t.same([...csp.keys()].filter((name) => name.endsWith('-src') && name !== 'default-src'), [], `${what}: no directive loosens it`)
    t.equal(answer.headers['x-frame-options'], 'DENY', `${what}: X-Frame-Options: DENY`)
    t.match(answer.headers['strict-transport-security'], /^max-age=\d+/, `${what}: Strict-Transport-Security`)
    t.same(DOCUMENT_ONLY.filter((name) => name in answer.headers), [], `${what}: none of the headers that only pages need`)
  }
})

t.test('/docs: a CSP for a page that runs its own scripts only', async (t) => {
  const context = await listening(t)
  const page = await context.get('/docs')
  t.equal(page.status, 200, '/docs is served')
  t.match(page.headers['content-type'], /^text\/html/)
  checkNoFingerprint(t, '/docs', page)
  const csp = directives(t, page.headers['content-security-policy'])
  t.same(csp.get('script-src'), ["'self'"], "script-src is 'self' and nothing else")
  t.ok(csp.has('default-src'), 'a default-src limits what is not named')
  const sources = [...csp.entries()].flatMap(([name, values]) => values.map((value) => ({ directive: name, source: value })))
  t.same(sources.filter(({ source }) => /unsafe-eval/.test(source)), [], 'no unsafe-eval anywhere')
  t.same(sources.filter(({ source }) => source === '*' || /^(https?|wss?):/.test(source) || /^[a-z0-9-]+(\.[a-z0-9-]+)+/i.test(source) || source.startsWith('*.')), [],
    'no remote origin anywhere: no host, no scheme such as https:, no wildcard')
  t.same(csp.get('object-src'), ["'none'"], 'no plugins')
  t.notMatch(page.body, /(?:src|href)=["']?(?:https?:)?\/\//i, 'the page itself loads nothing from elsewhere')
  t.same(DOCUMENT_ONLY.filter((name) => !(name in page.headers)), [], 'the headers of a page')
  t.equal(page.headers['x-frame-options'], 'SAMEORIGIN', 'framed by nothing but itself')

  const script = await context.get('/docs/static/swagger-initializer.js')
  t.equal(script.status, 200, 'its scripts are served from here')
  checkNoFingerprint(t, 'a /docs script', script)
})
