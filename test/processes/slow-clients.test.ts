import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { seedDatabase, startServer, tempDir, waitForHealth } from '../reliability/fixtures/processes.js'
import { requestHead } from '../reliability/fixtures/raw-http.js'

// A client that sends its request a byte at a time holds a connection for as long as the server lets it (slowloris).
// REQUEST_TIMEOUT_MS says how long that is, headers and body alike; Node's own defaults (60 s for headers, a check
// every 30 s) must not stretch it.

const REQUEST_TIMEOUT_MS = 2_000
const KEEP_ALIVE_TIMEOUT_MS = 5_000
// What the issue allows past the setting.
const GRACE_MS = 2_000
const TRICKLE_EVERY_MS = 200

interface Cut {
  /** Milliseconds from the connection's start to its close by the server. */
  afterMs: number
  /** What the server wrote before it closed, if anything. */
  answer: string
}

/** Opens a connection, writes `head` at once, then one more piece every TRICKLE_EVERY_MS until the server closes it. */
async function trickle (port: number, head: string, piece: () => string, giveUpMs = 30_000): Promise<Cut> {
  const socket: Socket = connect(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  const started = Date.now()
  let answer = ''
  socket.setEncoding('latin1').on('data', (chunk: string) => { answer += chunk })
  socket.on('error', () => {})
  socket.write(head)
  const timer = setInterval(() => { if (socket.writable) socket.write(piece()) }, TRICKLE_EVERY_MS)
  const giveUp = setTimeout(() => socket.destroy(), giveUpMs)
  await new Promise<void>((resolve) => socket.once('close', () => resolve()))
  clearInterval(timer)
  clearTimeout(giveUp)
  return { afterMs: Date.now() - started, answer }
}

t.test('a client trickling its request is cut within REQUEST_TIMEOUT_MS plus 2 s; an idle keep-alive connection lasts KEEP_ALIVE_TIMEOUT_MS', async (t) => {
  const databasePath = join(tempDir(t), 'cms.db')
  await seedDatabase(databasePath)
  const server = await startServer(t, {
    databasePath,
    env: { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS), LOG_LEVEL: 'warn' }
  })
  await waitForHealth(server)

  const [headers, body, idle] = await Promise.all([
    // Headers that never end: one more header line each time.
    trickle(server.port, requestHead('GET', '/healthz'), () => `X-Slow-${Math.random().toString(36).slice(2, 8)}: a\r\n`),
    // Whole headers, then a body that never ends: one more space of a 100,000-byte JSON document each time.
    trickle(server.port, `${requestHead('POST', '/v1/articles/nulle-part/comments', { 'Content-Type': 'application/json', 'Content-Length': '100000' })}\r\n{`, () => ' '),
    // A request answered at once, then nothing: only the keep-alive timeout may close it.
    trickle(server.port, `${requestHead('GET', '/healthz')}\r\n`, () => '', KEEP_ALIVE_TIMEOUT_MS + 10_000)
  ])

  for (const [what, cut] of [['trickled headers', headers], ['a trickled body', body]] as const) {
    t.ok(cut.afterMs >= REQUEST_TIMEOUT_MS - 100, `${what}: not cut before the setting (${cut.afterMs} ms)`)
    t.ok(cut.afterMs <= REQUEST_TIMEOUT_MS + GRACE_MS, `${what}: cut within ${REQUEST_TIMEOUT_MS} + ${GRACE_MS} ms (${cut.afterMs} ms)`)
  }
  t.match(headers.answer, /^HTTP\/1\.1 408 /, 'trickled headers are told 408 Request Timeout')
  t.match(headers.answer, /application\/problem\+json/, 'as a problem')
  t.match(idle.answer, /^HTTP\/1\.1 200 /, 'the idle connection had its answer')
  t.ok(idle.afterMs >= KEEP_ALIVE_TIMEOUT_MS - 100, `an idle keep-alive connection outlives the request timeout, up to KEEP_ALIVE_TIMEOUT_MS (${idle.afterMs} ms)`)
  t.ok(idle.afterMs <= KEEP_ALIVE_TIMEOUT_MS + GRACE_MS, `and is closed then (${idle.afterMs} ms)`)
})
