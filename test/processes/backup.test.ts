import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { openDatabase } from '../../src/db/client.js'
import { migrationsApplied } from '../../src/db/migrate.js'
import { call, cli, seedDatabase, startServer, tempDir, waitForHealth, type ServerProcess } from '../reliability/fixtures/processes.js'

interface Acked { articles: Map<string, { title: string, body: string, updatedAt: string }>, comments: Map<string, string> }

/** Writes comments, articles and edits, one after another, until told to stop; records every 2xx. */
async function writer (server: ServerProcess, admin: { authorization: string }, authorId: string, commentOn: string, name: string, acked: Acked, stop: () => boolean) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  try {
    let own: string | undefined
    for (let step = 0; !stop(); step++) {
      const text = `${name} ${step} ${'newsroom copy '.repeat(1 + (step % 5))}`
      if (step % 3 === 0) {
        const answer = await call(server.port, { method: 'POST', path: '/v1/articles', headers: admin, agent, body: { title: `Backup ${text}`, body: text, authorId } })
        if (answer.status !== 201) throw new Error(`create: ${answer.status} ${answer.body}`)
        const created = JSON.parse(answer.body) as { id: string, title: string, body: string, updatedAt: string }
        acked.articles.set(created.id, { title: created.title, body: created.body, updatedAt: created.updatedAt })
        own = created.id
      } else if (step % 3 === 1) {
        const answer = await call(server.port, { method: 'POST', path: `/v1/articles/${commentOn}/comments`, agent, body: { authorName: name, authorEmail: `${name}@example.org`, body: `Comment ${text}` } })
        if (answer.status !== 201) throw new Error(`comment: ${answer.status} ${answer.body}`)
        const created = JSON.parse(answer.body) as { id: string, body: string }
        acked.comments.set(created.id, created.body)
      } else {
        const answer = await call(server.port, { method: 'PATCH', path: `/v1/articles/${own!}`, headers: admin, agent, body: { title: `Edited ${text}` } })
        if (answer.status !== 200) throw new Error(`update: ${answer.status} ${answer.body}`)
        const updated = JSON.parse(answer.body) as { id: string, title: string, body: string, updatedAt: string }
        acked.articles.set(updated.id, { title: updated.title, body: updated.body, updatedAt: updated.updatedAt })
      }
    }
  } finally {
    agent.destroy()
  }
}

const snapshot = (acked: Acked): Acked => ({ articles: new Map(acked.articles), comments: new Map(acked.comments) })

t.test('backup copies the live database while the server keeps serving and writing', async (t) => {
  const dir = tempDir(t)
  const databasePath = join(dir, 'cms.db')
  const backupPath = join(dir, 'cms-copy.db')
  const admin = await seedDatabase(databasePath)
  const server = await startServer(t, { databasePath, env: { COMMENT_RATE_LIMIT: '1000000', LOG_LEVEL: 'warn' } })
  await waitForHealth(server)
  // A reader that began before any write keeps every write in the WAL, out of the main file: the server's checkpoints
  // cannot move a page past the oldest open snapshot. The backup must copy the live database, WAL included.
  const reader = new Database(databasePath, { readonly: true })
  reader.prepare('BEGIN').run()
  reader.prepare('SELECT count(*) FROM articles').get()
  t.teardown(() => { if (reader.open) reader.close() })
  const author = await call(server.port, { method: 'POST', path: '/v1/authors', headers: admin, body: { name: 'Salma Idrissi' } })
  const authorId = (JSON.parse(author.body) as { id: string }).id
  const published = await call(server.port, { method: 'POST', path: '/v1/articles', headers: admin, body: { title: 'Backed up', body: 'Comments welcome.', authorId, status: 'published' } })
  const commentOn = (JSON.parse(published.body) as { id: string }).id

  const acked: Acked = { articles: new Map(), comments: new Map() }
  let stopping = false
  const writers = ['w0', 'w1', 'w2'].map((name) => writer(server, admin, authorId, commentOn, name, acked, () => stopping))
  const failed = Promise.all(writers)
  // Some writes acknowledged before the backup, and the writers still going while it runs.
  while (acked.articles.size + acked.comments.size < 30) await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 25))])
  const beforeBackup = snapshot(acked)
  const run = await cli(t, databasePath, ['backup', backupPath])
  const duringBackup = acked.articles.size + acked.comments.size - beforeBackup.articles.size - beforeBackup.comments.size
  stopping = true
  await failed

  reader.prepare('COMMIT').run()
  reader.close()

  t.equal(run.code, 0, 'backup exits 0', { stderr: run.stderr })
  t.ok(duringBackup > 0, `the server kept acknowledging writes while the backup ran (${duringBackup})`)
  t.match(run.stdout, /backed up \d+ pages/, 'it says what it copied')

  const copy = openDatabase(backupPath)
  t.teardown(() => { if (copy.$client.open) copy.$client.close() })
  t.equal(copy.$client.pragma('integrity_check', { simple: true }), 'ok', 'the copy passes integrity_check')
  t.ok(migrationsApplied(copy), 'the copy is a migrated database')
  const articleRow = copy.$client.prepare('SELECT title, body, updated_at AS updatedAt FROM articles WHERE id = ?')
  const missingArticles = [...beforeBackup.articles].filter(([id, expected]) => {
    const row = articleRow.get(id) as { title: string, body: string, updatedAt: number } | undefined
    // An edit acknowledged during the backup may be in the copy too: it must then be newer than the one acknowledged before.
    return row === undefined || (new Date(row.updatedAt).toISOString() === expected.updatedAt ? row.title !== expected.title || row.body !== expected.body : new Date(row.updatedAt).toISOString() < expected.updatedAt)
  })
  t.same(missingArticles, [], `each of the ${beforeBackup.articles.size} articles acknowledged before the backup is in the copy`)
  const commentBody = copy.$client.prepare('SELECT body FROM comments WHERE id = ?').pluck()
  const missingComments = [...beforeBackup.comments].filter(([id, body]) => commentBody.get(id) !== body)
  t.same(missingComments, [], `each of the ${beforeBackup.comments.size} comments acknowledged before the backup is in the copy`)
  t.ok((copy.$client.prepare('SELECT count(*) FROM api_keys').pluck().get() as number) >= 1, 'keys are copied too')
  copy.$client.close()

  // The server is still up and serving.
  t.equal((await call(server.port, { path: '/readyz' })).status, 200, 'the server still answers after the backup')

  // A FILE that exists is never overwritten.
  const hash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')
  const before = hash(backupPath)
  const again = await cli(t, databasePath, ['backup', backupPath])
  t.not(again.code, 0, 'a backup to an existing file exits non-zero')
  t.match(again.stderr, /exists/, 'and says why')
  t.equal(hash(backupPath), before, 'the existing file is left as it was')
  t.ok(existsSync(databasePath), 'the live database is untouched')
})
