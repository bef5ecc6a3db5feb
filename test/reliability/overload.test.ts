import t from 'tap'
import { build } from '../helper.js'

// Long enough that the event loop's mean delay over under-pressure's one-second sample passes the limit below,
// wherever in the sample the block falls; a test machine's ordinary jitter stays far under it.
const BLOCK_MS = 1_500
const LIMIT_MS = '10'

function blockEventLoop (ms: number) {
  const until = Date.now() + ms
  while (Date.now() < until) { /* busy: nothing else runs */ }
}

t.test('past OVERLOAD_EVENT_LOOP_DELAY_MS of event-loop lag, requests get a 503 problem with Retry-After', async (t) => {
  const context = await build(t, { OVERLOAD_EVENT_LOOP_DELAY_MS: LIMIT_MS })
  await context.app.ready()
  // The limit is low enough that a busy test machine's jitter may pass it for a sample: wait for one that does not.
  const deadline = Date.now() + 5_000
  let before = await context.app.inject({ method: 'GET', url: '/v1/tags' })
  while (before.statusCode === 503 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    before = await context.app.inject({ method: 'GET', url: '/v1/tags' })
  }
  t.equal(before.statusCode, 200, 'answered normally before the lag')

  blockEventLoop(BLOCK_MS)
  // under-pressure samples on a timer, which is overdue now: a short real wait lets it run first.
  await new Promise((resolve) => setTimeout(resolve, 20))

  const during = await context.app.inject({ method: 'GET', url: '/v1/tags' })
  t.equal(during.statusCode, 503, 'overloaded: 503')
  t.match(during.headers['content-type'], /^application\/problem\+json/, 'as problem+json')
  t.match(String(during.headers['retry-after']), /^\d+$/, 'with Retry-After in seconds')
  t.match(during.json(), { type: String, title: String, status: 503 }, 'a problem naming its status')
  const write = await context.app.inject({ method: 'POST', url: '/v1/tags', headers: context.admin, payload: { name: 'Refused' } })
  t.equal(write.statusCode, 503, 'a write is refused too')
  t.equal(context.db.$client.prepare('SELECT count(*) FROM tags').pluck().get(), 0, 'and not stored')
})

t.test('OVERLOAD_EVENT_LOOP_DELAY_MS=0 turns overload protection off', async (t) => {
  const context = await build(t, { OVERLOAD_EVENT_LOOP_DELAY_MS: '0' })
  await context.app.ready()
  blockEventLoop(BLOCK_MS)
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal((await context.app.inject({ method: 'GET', url: '/v1/tags' })).statusCode, 200, 'answered however late')
})

t.test('a body over 1 MiB is a 413 problem; one just under it is read', async (t) => {
  const context = await build(t, { OVERLOAD_EVENT_LOOP_DELAY_MS: '0' })
  const headers = { ...context.admin, 'content-type': 'application/json' }
  const MiB = 1024 * 1024
  const sized = (bytes: number) => {
    const shell = JSON.stringify({ name: 'Trop', description: '' })
    return JSON.stringify({ name: 'Trop', description: 'd'.repeat(bytes - shell.length) })
  }
  t.equal(Buffer.byteLength(sized(MiB + 1)), MiB + 1)

  const tooLarge = await context.app.inject({ method: 'POST', url: '/v1/tags', headers, payload: sized(MiB + 1) })
  t.equal(tooLarge.statusCode, 413, 'one byte over 1 MiB: 413')
  t.match(tooLarge.headers['content-type'], /^application\/problem\+json/, 'as problem+json')
  t.match(tooLarge.json(), { type: String, title: String, status: 413 }, 'a problem naming its status')

  const patch = await context.app.inject({ method: 'PATCH', url: '/v1/tags/tag_anything', headers, payload: sized(2 * MiB) })
  t.equal(patch.statusCode, 413, 'on every route that takes a body')

  const justUnder = await context.app.inject({ method: 'POST', url: '/v1/tags', headers, payload: sized(MiB) })
  t.not(justUnder.statusCode, 413, 'exactly 1 MiB is read')
  t.equal(justUnder.statusCode, 400, 'and judged on its content (a description that long is invalid)')
  t.equal(context.db.$client.prepare('SELECT count(*) FROM tags').pluck().get(), 0, 'nothing was stored')
})
