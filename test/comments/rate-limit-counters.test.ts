import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { changeWatch } from '../../src/db/change-watch.js'
import { openDatabase } from '../../src/db/client.js'
import { countersPathFor } from '../../src/db/counters.js'
import { runMigrations } from '../../src/db/migrate.js'
import { checkedAgainstSpec } from '../openapi-conformance.js'
import { apiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js'
import { TestClock } from '../helper.js'
import { aComment, MINUTE, QUIET } from './fixtures/support.js'

// The rate limit counts every submission, refused ones included. Those counts must not be commits to the main
// database: each would empty every process's read cache, and a client that only ever gets 429s would slow
// everyone's reads.

t.test('a flood of refused submissions leaves the main database, and so every read cache, untouched', async (t) => {
  const directory = t.testdir()
  const path = join(directory, 'cms.db')
  const clock = new TestClock()
  const config = loadConfig({ ...QUIET, SITE_URL: 'https://lequotidien.example', COMMENT_RATE_LIMIT: '2' })
  const migrated = openDatabase(path)
  runMigrations(migrated)
  const admin = { authorization: `Bearer ${(await apiKeysRepository(migrated, clock).create({ name: 'admin', role: 'admin' })).key}` }
  migrated.$client.close()
  const [firstDb, secondDb] = [openDatabase(path), openDatabase(path)]
  const first = checkedAgainstSpec(await buildApp({ config, db: firstDb, clock }))
  t.teardown(() => first.close())
  const second = checkedAgainstSpec(await buildApp({ config, db: secondDb, clock }))
  t.teardown(() => second.close())

  const author = await first.inject({ method: 'POST', url: '/v1/authors', headers: admin, payload: { name: 'Lequotidien' } })
  const article = await first.inject({ method: 'POST', url: '/v1/articles', headers: admin, payload: { title: 'Un article', body: 'Texte.', authorId: author.json().id, status: 'published' } })
  const { id, slug } = article.json<{ id: string, slug: string }>()
  const submit = (app: typeof first, url = `/v1/articles/${id}/comments`) => app.inject({ method: 'POST', url, remoteAddress: '203.0.113.7', payload: aComment() })
  for (const app of [first, second]) t.equal((await submit(app)).statusCode, 201, 'within the limit')
  // Read once, so that each process keeps the article and the list.
  for (const app of [first, second]) {
    for (const url of [`/v1/articles/${slug}`, '/v1/articles']) t.equal((await app.inject(url)).statusCode, 200)
  }

  // What the read cache empties on: this connection's total_changes() and data_version, asked on each process's own connection.
  const watches = [changeWatch(firstDb), changeWatch(secondDb)]
  const versions = watches.map((watch) => watch.poll())
  const refusals = await Promise.all(Array.from({ length: 60 }, (_, index) => submit(index % 2 === 0 ? first : second, index % 3 === 0 ? '/v1/articles/nulle-part/comments' : undefined)))
  t.same([...new Set(refusals.map((answer) => answer.statusCode))], [429], 'every one refused, an unknown article\'s too')
  t.same(watches.map((watch) => watch.poll()), versions, 'neither process\'s connection saw the main database change')
  t.ok(existsSync(join(directory, 'cms.counters.db')), 'the counts are in the counters file beside it')

  const kept = await first.inject(`/v1/articles/${slug}`)
  t.equal(kept.statusCode, 200, 'reads go on')
  clock.advance(MINUTE)
  t.equal((await submit(second)).statusCode, 201, 'and the next window opens for both processes')
  t.equal((await submit(first)).statusCode, 201)
  t.equal((await submit(second)).statusCode, 429, 'counted together')
})

t.test('the counters file lies beside the database file, or in memory with it', async (t) => {
  t.equal(countersPathFor('./data/cms.db'), './data/cms.counters.db')
  t.equal(countersPathFor('/var/lib/cms/news.db'), '/var/lib/cms/news.counters.db')
  t.equal(countersPathFor('/srv/cms.sqlite'), '/srv/cms.sqlite.counters', 'another extension is kept whole')
  t.equal(countersPathFor(':memory:'), ':memory:')
})
