import { statSync } from 'node:fs'
import type { Clock } from '../../src/clock.js'
import { openDatabase } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { apiKeysRepository } from '../../src/modules/api-keys/api-keys.repository.js'
import type { ArticleWrite } from '../../src/modules/articles/articles.repository.js'
import { articlesRepository } from '../../src/modules/articles/articles.repository.js'
import { authorsRepository } from '../../src/modules/authors/authors.repository.js'
import { commentsRepository } from '../../src/modules/comments/comments.repository.js'
import { tagsRepository } from '../../src/modules/tags/tags.repository.js'
import { Progress } from './progress.js'
import { seededRandom } from './random.js'
import { buildVocabulary, COMMON_SHARE, RARE_SHARE, textGenerator } from './vocabulary.js'

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
const READERS = 20_000
// The share of comments a moderator approves, and marks as spam; the rest wait in the queue.
const APPROVED = 0.7
const SPAM = 0.08

const SECTIONS = [
  'Politique', 'Économie', 'International', 'Société', 'Culture', 'Sport', 'Santé', 'Justice', 'Environnement', 'Éducation',
  'Sciences', 'Technologie', 'Diplomatie', 'Maroc', 'Afrique', 'Europe', 'Moyen-Orient', 'Etats-Unis', 'Élections', 'Climat',
  'Énergie', 'Agriculture', 'Transports', 'Immobilier', 'Emploi', 'Médias', 'Musique', 'Cinéma', 'Littérature', 'Football',
  'Tennis', 'Météo', 'Faits divers', 'Religion', 'Défense', 'Tourisme', 'Numérique', 'Finance', 'Entreprises', 'Régions'
]
const FIRST_NAMES = ['Camille', 'Nadia', 'Youssef', 'Claire', 'Mehdi', 'Sophie', 'Karim', 'Léa', 'Hugo', 'Amina', 'Julien', 'Salma', 'Thomas', 'Inès', 'Omar']
const LAST_NAMES = ['Benali', 'Martin', 'El Idrissi', 'Dubois', 'Lefèvre', 'Tazi', 'Moreau', 'Alaoui', 'Girard', 'Bennani', 'Roux', 'Chraibi', 'Fournier', 'Haddad']
const USER_AGENTS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0', 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1', 'Mozilla/5.0 (Linux; Android 14) Chrome/131.0']

/** A clock the seeder sets: articles and comments get dates spread over years, not all "now". */
function settableClock (): Clock & { set (time: number): void } {
  let time = Date.now()
  return { now: () => time, set: (value) => { time = value } }
}

/**
 * Fills a new database through the project's own repositories, as the API
 * would: the same rendering, slugs, tag links, search index and counters.
 * Articles go in by `createMany`, one transaction per batch; comments one by
 * one through `create`, then a moderator approves or marks some of them in
 * bulk, so that the articles' comment counts are real.
 */
export async function seed (options: SeedOptions): Promise<SeedReport> {
  const { path, articles: total, authors: authorCount = 50, tags: tagCount = 500, batchSize = 2_000, commentedShare = 0.1, seed: seedValue = 1 } = options
  const startedAt = performance.now()
  const db = openDatabase(path, 'normal')
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

  let commentCount = 0
  let approvedCount = 0
  const progress = new Progress('seeding', total, 'articles')
  for (let first = 0; first < total; first += batchSize) {
    const size = Math.min(batchSize, total - first)
    const inputs: ArticleWrite[] = []
    for (let index = first; index < first + size; index++) {
      const title = text.title()
      const inserted = [
        ...(random.chance(RARE_SHARE) ? [vocabulary.rareWord] : []),
        ...(random.chance(COMMON_SHARE) ? [vocabulary.commonWord] : [])
      ]
      const chosenTags = new Set<string>()
      while (chosenTags.size < 3) chosenTags.add(random.pick(tagIds))
      inputs.push({
        title,
        body: text.body(random.int(200, 300), inserted),
        authorId: random.pick(authorIds),
        publication: { status: 'published', publishedAt: Math.round(firstPublished + (index + random.next()) * step) },
        tagIds: [...chosenTags],
        commentsOpen: true,
        featuredImage: random.chance(0.7) ? { url: `https://images.news.example.org/${seedValue}/${index}.jpg`, alt: title } : null
      })
    }
    // Created when the batch's last article was published: createdAt and updatedAt then follow publishedAt.
    clock.set(inputs.at(-1)!.publication.publishedAt!)
    const ids = await articles.createMany(inputs)

    const toApprove: string[] = []
    const toSpam: string[] = []
    let lastCommentAt = 0
    for (let index = 0; index < ids.length; index++) {
      if (!random.chance(commentedShare)) continue
      const article = (await comments.findArticle(ids[index]!))!
      const approvedHere: string[] = []
      // Most articles get a few comments, some many: a geometric spread with a mean of about 5.
      const count = Math.min(40, 1 + Math.floor(-Math.log(1 - random.next()) * 4))
      for (let position = 0; position < count; position++) {
        const reader = random.int(1, READERS)
        lastCommentAt = inputs[index]!.publication.publishedAt! + Math.round(((position + random.next()) / count) * 20 * 60 * 60 * 1000)
        clock.set(lastCommentAt)
        const created = await comments.create({
          articlePk: article.pk,
          parentId: approvedHere.length > 0 && random.chance(0.2) ? random.pick(approvedHere) : null,
          authorName: `${random.pick(FIRST_NAMES)} ${reader}`,
          authorEmail: `lecteur${reader}@mail.example.org`,
          authorUrl: null,
          body: text.comment(),
          // Documentation addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24): stored, never contacted.
          ip: `${['192.0.2', '198.51.100', '203.0.113'][reader % 3]}.${reader % 254 + 1}`,
          userAgent: random.pick(USER_AGENTS)
        }, { status: 'pending', rule: 'default' }, null)
        const fate = random.next()
        if (fate < APPROVED) {
          approvedHere.push(created.id)
          toApprove.push(created.id)
        } else if (fate < APPROVED + SPAM) {
          toSpam.push(created.id)
        }
        commentCount++
      }
    }
    // The moderator goes through the queue an hour after the batch's last comment.
    clock.set(Math.min(Date.now(), lastCommentAt + 60 * 60 * 1000))
    for (const [ids, status] of [[toApprove, 'approved'], [toSpam, 'spam']] as const) {
      for (let start = 0; start < ids.length; start += 500) await comments.setStatusOfMany(ids.slice(start, start + 500), status, moderator.id)
    }
    approvedCount += toApprove.length
    progress.update(first + size, `${commentCount.toLocaleString('en-US')} comments`)
  }
  progress.done()

  // Everything into the main file, so that its size is the database's size and the server starts with an empty WAL.
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
