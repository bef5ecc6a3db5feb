import { statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import type { Clock } from '../../src/clock.js'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { apiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js'
import { articlesRepository } from '../../src/modules/articles/articles.repository.js'
import { authorsRepository } from '../../src/modules/authors/authors.repository.js'
import { type BatchComment, commentsRepository } from '../../src/modules/comments/comments.repository.js'
import { tagsRepository } from '../../src/modules/tags/tags.repository.js'
import { FIRST_NAMES, type PlanContext, type PlannedComment } from './article-plan.js'
import type { DerivationJob, DerivedPlan } from './derive-worker.js'
import { Progress } from './progress.js'
import { seededRandom } from './random.js'
import { buildVocabulary, textGenerator } from './vocabulary.js'
import { workerPool } from './worker-pool.js'

export interface SeedOptions {
  path: string
  articles: number
  authors?: number
  tags?: number
  /** Articles per `createMany` call, one transaction each. */
  batchSize?: number
  /** The share of articles that get comments. */
  commentedShare?: number
  seed?: number
  /** Worker threads that write and render the articles while the main thread stores them (default: one per core, up to three). */
  threads?: number
}

export interface SeedReport {
  articles: number
  authors: number
  tags: number
  comments: number
  approvedComments: number
  vocabularySize: number
  seconds: number
  articlesPerSecond: number
  fileBytes: number
}

const DAY = 24 * 60 * 60 * 1000
// The articles' publication dates cover this span, ending a day ago: lists sort by date, and every article is live.
const SPAN = 3 * 365 * DAY
// Articles per job of a worker thread, and batches made ahead of the one being written.
const JOB_SIZE = 250
const BATCHES_AHEAD = 2
// One per core, but no more than three: rendering an article takes about twice as long as storing it, so that more
// threads would only wait for this one's writes.
const DEFAULT_THREADS = Math.min(availableParallelism(), 3)
// The largest packages that deriving an article loads (the repository's module with it): see worker-pool.ts.
const RENDERER_PACKAGES = ['drizzle-orm', 'drizzle-orm/sqlite-core', 'markdown-it', 'sanitize-html', 'typebox']

const SECTIONS = [
  'Politique', 'Économie', 'International', 'Société', 'Culture', 'Sport', 'Santé', 'Justice', 'Environnement', 'Éducation',
  'Sciences', 'Technologie', 'Diplomatie', 'Maroc', 'Afrique', 'Europe', 'Moyen-Orient', 'Etats-Unis', 'Élections', 'Climat',
  'Énergie', 'Agriculture', 'Transports', 'Immobilier', 'Emploi', 'Médias', 'Musique', 'Cinéma', 'Littérature', 'Football',
  'Tennis', 'Météo', 'Faits divers', 'Religion', 'Défense', 'Tourisme', 'Numérique', 'Finance', 'Entreprises', 'Régions'
]
const LAST_NAMES = ['Benali', 'Martin', 'El Idrissi', 'Dubois', 'Lefèvre', 'Tazi', 'Moreau', 'Alaoui', 'Girard', 'Bennani', 'Roux', 'Chraibi', 'Fournier', 'Haddad']

/** A clock the seeder sets: articles and comments get dates spread over years, not all "now". */
function settableClock (): Clock & { set (time: number): void } {
  let time = Date.now()
  return { now: () => time, set: (value) => { time = value } }
}

/**
 * Fills a new database through the project's own repositories, as the API
 * would: the same rendering, slugs, tag links, search index and counters.
 * Worker threads write each article from its index (see article-plan.ts) and
 * derive it with the repository's `deriveArticle`, batches ahead, while this
 * thread stores them: articles by `createMany`, one transaction per batch,
 * then their comments by the comments' `createMany`, each at its own time;
 * then a moderator approves or marks some of them in bulk, so that the
 * articles' comment counts are real. The same seed gives the same articles
 * and comments whatever the batch size or the number of threads.
 */
export async function seed (options: SeedOptions): Promise<SeedReport> {
  const { path, articles: total, authors: authorCount = 50, tags: tagCount = 500, batchSize = 2_000, commentedShare = 0.1, seed: seedValue = 1, threads = DEFAULT_THREADS } = options
  const startedAt = performance.now()
  const db = openDatabase(path, 'normal')
  // A seeding that stops halfway leaves a database to throw away: no commit of it needs to reach the disk
  // before the next one, only the whole at the end (see the checkpoint below).
  db.$client.pragma('synchronous = OFF')
  runMigrations(db)
  const clock = settableClock()
  const config = { SITE_URL: 'https://news.example.org', ARTICLE_URL_TEMPLATE: '{siteUrl}/{slug}' }
  const articles = articlesRepository(db, clock, config)
  const comments = commentsRepository(db, clock)
  const random = seededRandom(seedValue)
  const vocabulary = buildVocabulary(random)
  const text = textGenerator(vocabulary, random)

  const firstPublished = Date.now() - DAY - SPAN
  const step = SPAN / total
  clock.set(firstPublished - DAY)

  const authors = authorsRepository(db, clock)
  const authorIds: string[] = []
  for (let index = 0; index < authorCount; index++) {
    const name = `${FIRST_NAMES[index % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length]}`
    const author = await authors.create({ name, bio: text.comment(), email: `redaction+${index}@news.example.org` })
    authorIds.push(author.id)
  }
  const tags = tagsRepository(db, clock)
  const tagIds: string[] = []
  const tagNames = new Set<string>()
  while (tagIds.length < tagCount) {
    const name = tagIds.length < SECTIONS.length ? SECTIONS[tagIds.length]! : text.name()
    if (tagNames.has(name.toLowerCase())) continue
    tagNames.add(name.toLowerCase())
    tagIds.push((await tags.create({ name })).id)
  }
  const moderator = await apiKeysRepository(db, clock).create({ name: 'bench moderator', role: 'moderator' })

  const context: PlanContext = { seed: seedValue, vocabulary, authorIds, tagIds, firstPublished, step, commentedShare }
  const workers = workerPool<DerivationJob, DerivedPlan[]>(new URL('./derive-worker.ts', import.meta.url), { threads, workerData: context, preload: RENDERER_PACKAGES })
  const derivedBatch = async (first: number): Promise<DerivedPlan[]> => {
    const end = Math.min(first + batchSize, total)
    const jobs: Array<Promise<DerivedPlan[]>> = []
    for (let start = first; start < end; start += JOB_SIZE) jobs.push(workers.run({ first: start, count: Math.min(JOB_SIZE, end - start) }))
    return (await Promise.all(jobs)).flat()
  }
  const ahead: Array<Promise<DerivedPlan[]>> = []
  const prepare = (first: number) => {
    if (first >= total) return
    const batch = derivedBatch(first)
    // Awaited in its turn; should a thread fail meanwhile, the error must not count as unhandled before then.
    batch.catch(() => {})
    ahead.push(batch)
  }

  let commentCount = 0
  let approvedCount = 0
  const progress = new Progress('seeding', total, 'articles')
  try {
    for (let batch = 0; batch < BATCHES_AHEAD; batch++) prepare(batch * batchSize)
    for (let first = 0; first < total; first += batchSize) {
      const plans = await ahead.shift()!
      prepare(first + BATCHES_AHEAD * batchSize)
      // Created when the batch's last article was published: createdAt and updatedAt then follow publishedAt.
      clock.set(plans.at(-1)!.write.publication.publishedAt!)
      const ids = await articles.createMany(plans.map((plan) => plan.write))

      const batchComments: BatchComment[] = []
      const fates: Array<PlannedComment['fate']> = []
      for (const [index, plan] of plans.entries()) {
        if (plan.comments.length === 0) continue
        const article = (await comments.findArticle(ids[index]!))!
        // A reply's parent is one of the same article's comments, which start at this position of the batch.
        const offset = batchComments.length
        for (const { at, replyTo, fate, ...comment } of plan.comments) {
          batchComments.push({
            comment: { articlePk: article.pk, parentId: null, authorUrl: null, ...comment },
            decision: { status: 'pending', rule: 'default' },
            byKeyId: null,
            at,
            ...(replyTo === undefined ? {} : { replyTo: offset + replyTo })
          })
          fates.push(fate)
        }
      }
      const commentIds = await comments.createMany(batchComments)
      commentCount += commentIds.length
      const toApprove = commentIds.filter((_, position) => fates[position] === 'approved')
      const toSpam = commentIds.filter((_, position) => fates[position] === 'spam')
      // The moderator goes through the queue an hour after the batch's last comment.
      clock.set(Math.min(Date.now(), (batchComments.at(-1)?.at ?? 0) + 60 * 60 * 1000))
      for (const [ids, status] of [[toApprove, 'approved'], [toSpam, 'spam']] as const) {
        for (let start = 0; start < ids.length; start += 500) await comments.setStatusOfMany(ids.slice(start, start + 500), status, moderator.id)
      }
      approvedCount += toApprove.length
      progress.update(first + plans.length, `${commentCount.toLocaleString('en-US')} comments`)
    }
  } finally {
    await workers.close()
  }
  progress.done()

  // Everything into the main file, so that its size is the database's size and the server starts with an empty WAL;
  // synced to the disk, as every commit of the server is.
  db.$client.pragma('synchronous = NORMAL')
  db.$client.pragma('wal_checkpoint(TRUNCATE)')
  db.$client.close()
  const seconds = (performance.now() - startedAt) / 1000
  return {
    articles: total,
    authors: authorCount,
    tags: tagCount,
    comments: commentCount,
    approvedComments: approvedCount,
    vocabularySize: vocabulary.words.length,
    seconds,
    articlesPerSecond: total / seconds,
    fileBytes: statSync(path).size
  }
}
