import type { Test } from 'tap'
import { buildApp, type App } from '../src/app.js'
import type { Clock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { openDatabase, type Db } from '../src/db/client.js'
import { runMigrations } from '../src/db/migrate.js'
import { compiledSchemas } from '../src/plugins/validation.js'
import type { KeyRole } from '../src/db/schema/index.js'
import { apiKeysRepository } from '../src/modules/api-keys/api-keys.repository.js'
import { newsFr } from './fixtures/news-fr.js'
import { checkedAgainstSpec } from './openapi-conformance.js'

/** A clock that tests move by hand, so nothing sleeps. */
export class TestClock implements Clock {
  constructor (private current = Date.parse('2025-01-27T12:00:00.000Z')) {}
  now (): number { return this.current }
  set (iso: string): void { this.current = Date.parse(iso) }
  advance (ms: number): void { this.current += ms }
}

// Compiled once for all the apps this test file builds: compiling is most of the cost of building one.
const compiled = compiledSchemas()

export interface TestContext {
  app: App
  db: Db
  clock: TestClock
  /** The `Authorization` header of a new key with this role. */
  keyFor (role: KeyRole, authorId?: string): Promise<{ authorization: string }>
  admin: { authorization: string }
}

/**
 * An app over a fresh, migrated in-memory database of its own, closed when the test ends;
 * every answer it gives through `app.inject` is checked against the committed spec.
 * Overload protection is off: parallel test files stall each other's event loops, which is not overload.
 */
export async function build (t: Test, env: Record<string, string> = {}): Promise<TestContext> {
  const db = openDatabase(':memory:')
  runMigrations(db)
  const clock = new TestClock()
  const app = checkedAgainstSpec(await buildApp({ config: loadConfig({ SITE_URL: 'https://lequotidien.example', OVERLOAD_EVENT_LOOP_DELAY_MS: '0', ...env }), db, clock, compiled }))
  t.teardown(() => app.close())
  const keys = apiKeysRepository(db, clock)
  const keyFor = async (role: KeyRole, authorId?: string) => {
    const created = await keys.create({ name: `${role} key`, role, authorId })
    return { authorization: `Bearer ${created.key}` }
  }
  return { app, db, clock, keyFor, admin: await keyFor('admin') }
}

export { newsFr, type FixtureArticle } from './fixtures/news-fr.js'

/** Creates an author through the API and returns it. */
export async function createAuthor (context: TestContext, body: Record<string, unknown> = { name: 'Lequotidien' }) {
  const response = await context.app.inject({ method: 'POST', url: '/v1/authors', headers: context.admin, payload: body })
  if (response.statusCode !== 201) throw new Error(`author not created: ${response.body}`)
  return response.json<{ id: string, slug: string, name: string }>()
}

/** Creates a tag through the API and returns it. */
export async function createTag (context: TestContext, name: string) {
  const response = await context.app.inject({ method: 'POST', url: '/v1/tags', headers: context.admin, payload: { name } })
  if (response.statusCode !== 201) throw new Error(`tag not created: ${response.body}`)
  return response.json<{ id: string, slug: string, name: string }>()
}

/** Creates an article through the API (as admin unless told otherwise) and returns it. */
export async function createArticle (context: TestContext, body: Record<string, unknown>, headers = context.admin) {
  const response = await context.app.inject({ method: 'POST', url: '/v1/articles', headers, payload: body })
  if (response.statusCode !== 201) throw new Error(`article not created: ${response.statusCode} ${response.body}`)
  return response.json<{ id: string, slug: string, status: string, [field: string]: unknown }>()
}

/** Loads the fixture's articles, published, with their author and tags. */
export async function seedFixture (context: TestContext) {
  const author = await createAuthor(context, { name: newsFr.articles[0]!.author })
  const tagIds = new Map<string, string>()
  for (const name of new Set(newsFr.articles.flatMap((article) => article.tags))) tagIds.set(name, (await createTag(context, name)).id)
  const created = []
  for (const article of newsFr.articles) {
    created.push(await createArticle(context, {
      title: article.title,
      body: article.body,
      authorId: author.id,
      tagIds: article.tags.map((name) => tagIds.get(name)),
      status: 'published',
      publishedAt: article.publishedAt
    }))
  }
  return { author, tagIds, articles: created }
}
