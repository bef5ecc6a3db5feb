import { Agent } from 'node:http'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { openDatabase } from '../../src/db/client.js'
import { call, seedDatabase, startServer, tempDir, waitFor, waitForHealth, type ServerProcess } from '../reliability/fixtures/processes.js'

/**
 * The real server on a file, killed with SIGKILL while several clients write
 * at once (comments, new articles, edits), then restarted on the same file,
 * three times over. Whatever got a 2xx must be there afterwards exactly as it
 * was acknowledged, and the file must pass SQLite's integrity check.
 */

const ROUNDS: Array<'normal' | 'full'> = ['normal', 'full', 'normal']
const CLIENTS = 6
// Acknowledged writes in a round before the kill: enough that the kill lands among many writes in flight.
const WRITES_BEFORE_KILL = 60

interface ArticleState {
  /** The article as its last 2xx answered it. */
  acked: { title: string, body: string, updatedAt: string }
  /** An edit sent and not answered when the server died: it may or may not have been committed. */
  pending?: { title: string, body: string }
}

interface Written { id: string, title: string, body: string, updatedAt: string }

const articles = new Map<string, ArticleState>()
const comments = new Map<string, { body: string, authorName: string }>()

function verifyFile (t: Test, databasePath: string, round: number) {
  const db = openDatabase(databasePath)
  try {
    t.equal(db.$client.pragma('integrity_check', { simple: true }), 'ok', `round ${round}: integrity_check is ok`)
    t.same(db.$client.pragma('foreign_key_check'), [], `round ${round}: no dangling reference`)
    const articleRow = db.$client.prepare('SELECT title, body, updated_at AS updatedAt FROM articles WHERE id = ?')
    const wrongArticles: unknown[] = []
    for (const [id, state] of articles) {
      const row = articleRow.get(id) as { title: string, body: string, updatedAt: number } | undefined
      const stored = row === undefined ? undefined : { title: row.title, body: row.body, updatedAt: new Date(row.updatedAt).toISOString() }
      const asAcked = stored !== undefined && stored.title === state.acked.title && stored.body === state.acked.body && stored.updatedAt === state.acked.updatedAt
      const asPending = stored !== undefined && state.pending !== undefined && stored.title === state.pending.title && stored.body === state.pending.body &&
        stored.updatedAt >= state.acked.updatedAt
      if (!asAcked && !asPending) wrongArticles.push({ id, expected: state, stored })
    }
    t.same(wrongArticles, [], `round ${round}: each of the ${articles.size} acknowledged articles is there as last acknowledged`)
    const commentRow = db.$client.prepare('SELECT body, author_name AS authorName FROM comments WHERE id = ?')
    const wrongComments: unknown[] = []
    for (const [id, expected] of comments) {
      const stored = commentRow.get(id)
      if (JSON.stringify(stored) !== JSON.stringify(expected)) wrongComments.push({ id, expected, stored })
    }
    t.same(wrongComments, [], `round ${round}: each of the ${comments.size} acknowledged comments is there with its body`)
  } finally {
    db.$client.close()
  }
}

/** One client: creates, comments and edits in turn until the server stops answering. */
async function client (server: ServerProcess, admin: { authorization: string }, authorId: string, commentOn: string, name: string, onAck: () => void, killed: () => boolean) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const cycle = ['create', 'comment', 'update', 'comment', 'update', 'update'] as const
  let own: string | undefined
  try {
    for (let step = 0; ; step++) {
      const kind = own === undefined ? 'create' : cycle[step % cycle.length]!
      const text = `${name} step ${step}: ${'a line of copy. '.repeat(1 + (step % 7))}`
      if (kind === 'comment') {
        const body = `Comment from ${text}`
        const answer = await call(server.port, {
          method: 'POST',
          path: `/v1/articles/${commentOn}/comments`,
          agent,
          body: { authorName: `Reader ${name}`, authorEmail: `${name}@example.org`, body }
        })
        if (answer.status !== 201) throw new Error(`comment: ${answer.status} ${answer.body}`)
        const created = JSON.parse(answer.body) as { id: string, body: string, authorName: string }
        comments.set(created.id, { body: created.body, authorName: created.authorName })
      } else if (kind === 'create') {
        const answer = await call(server.port, { method: 'POST', path: '/v1/articles', headers: admin, agent, body: { title: `Article by ${text}`, body: text, authorId } })
        if (answer.status !== 201) throw new Error(`create: ${answer.status} ${answer.body}`)
        const created = JSON.parse(answer.body) as Written
        articles.set(created.id, { acked: { title: created.title, body: created.body, updatedAt: created.updatedAt } })
        own = created.id
      } else {
        const state = articles.get(own!)!
        const change = { title: `Edited by ${text}`, body: `Edited: ${text}` }
        state.pending = change
        const answer = await call(server.port, { method: 'PATCH', path: `/v1/articles/${own!}`, headers: admin, agent, body: change })
        if (answer.status !== 200) throw new Error(`update: ${answer.status} ${answer.body}`)
        const updated = JSON.parse(answer.body) as Written
        articles.set(updated.id, { acked: { title: updated.title, body: updated.body, updatedAt: updated.updatedAt } })
      }
      onAck()
    }
  } catch (error) {
    // The server was killed: the request in flight got no answer. Anything else is a failure of the test.
    if (!killed()) throw error
  } finally {
    agent.destroy()
  }
}

t.test('SIGKILL in the middle of writing, three times over the same file: nothing acknowledged is lost, the file stays sound', async (t) => {
  const databasePath = join(tempDir(t), 'cms.db')
  const admin = await seedDatabase(databasePath)
  let authorId = ''
  let commentOn = ''

  for (const [round, durability] of ROUNDS.entries()) {
    const server = await startServer(t, { databasePath, env: { COMMENT_RATE_LIMIT: '1000000', LOG_LEVEL: 'warn', DURABILITY: durability } })
    await waitForHealth(server)

    if (round === 0) {
      const author = await call(server.port, { method: 'POST', path: '/v1/authors', headers: admin, body: { name: 'Youssef Amrani' } })
      authorId = (JSON.parse(author.body) as { id: string }).id
      const article = await call(server.port, { method: 'POST', path: '/v1/articles', headers: admin, body: { title: 'Open for comments', body: 'Say something.', authorId, status: 'published' } })
      t.equal(article.status, 201, 'an article to comment on')
      commentOn = (JSON.parse(article.body) as { id: string }).id
    } else {
      // After the restart the API serves what was acknowledged before the kill.
      const settled = [...articles].filter(([, state]) => state.pending === undefined).slice(-5)
      for (const [id, state] of settled) {
        const answer = await call(server.port, { path: `/v1/articles/${id}?fields=title,body,updatedAt`, headers: admin })
        t.same(JSON.parse(answer.body), { id, ...state.acked }, `round ${round}: the restarted server serves ${id} as acknowledged`)
      }
    }

    let acks = 0
    let killed = false
    const clients = Array.from({ length: CLIENTS }, (_, index) =>
      client(server, admin, authorId, commentOn, `r${round}c${index}`, () => { acks++ }, () => killed))
    // A client that fails (a non-2xx answer) or stops before the kill fails the test at once.
    const stoppedEarly = Promise.race(clients).then(() => { if (!killed) throw new Error('a client stopped before the kill') })
    await Promise.race([waitFor(`${WRITES_BEFORE_KILL} acknowledged writes`, () => acks >= WRITES_BEFORE_KILL, 30_000), stoppedEarly])
    killed = true
    server.child.kill('SIGKILL')
    await server.exited
    await Promise.all([...clients, stoppedEarly])
    t.ok(acks >= WRITES_BEFORE_KILL, `round ${round} (DURABILITY=${durability}): killed after ${acks} acknowledged writes, with ${CLIENTS} in flight`)
    verifyFile(t, databasePath, round)
  }
  t.ok(comments.size > 0 && articles.size > 0, `${articles.size} articles and ${comments.size} comments acknowledged in all`)
})
