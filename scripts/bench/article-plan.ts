import type { ArticleWrite } from '../../src/modules/articles/articles.repository.js'
import type { Random } from './random.js'
import { COMMON_SHARE, RARE_SHARE, textGenerator, type Vocabulary } from './vocabulary.js'

export const FIRST_NAMES = ['Camille', 'Nadia', 'Youssef', 'Claire', 'Mehdi', 'Sophie', 'Karim', 'Léa', 'Hugo', 'Amina', 'Julien', 'Salma', 'Thomas', 'Inès', 'Omar']
const USER_AGENTS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0', 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1', 'Mozilla/5.0 (Linux; Android 14) Chrome/131.0']
const READERS = 20_000
// The share of comments a moderator approves, and marks as spam; the rest wait in the queue.
const APPROVED = 0.7
const SPAM = 0.08
const HOUR = 60 * 60 * 1000

/** What every article's plan is drawn from: the same for all of them, sent once to each worker thread. */
export interface PlanContext {
  seed: number
  vocabulary: Vocabulary
  authorIds: string[]
  tagIds: string[]
  /** The first article's publication time, and the time between two articles' (each is put at random within its step). */
  firstPublished: number
  step: number
  /** The share of articles that get comments. */
  commentedShare: number
}

/** A reader's comment on a planned article, with what the moderator will make of it. */
export interface PlannedComment {
  at: number
  /** The position, among the same article's comments, of an earlier one (to be approved) that this one answers. */
  replyTo?: number
  authorName: string
  authorEmail: string
  body: string
  ip: string
  userAgent: string
  fate: 'approved' | 'spam' | 'pending'
}

export interface ArticlePlan {
  write: ArticleWrite
  comments: PlannedComment[]
}

/**
 * A random stream for each article, drawn from (seed, article index) alone:
 * what article N says and gets does not depend on which thread makes it nor
 * in what order. sfc32, a small generator with 128 bits of state, so that a
 * million articles' streams (hundreds of draws each) never run into one
 * another, as they would in mulberry32's single cycle of 2^32.
 */
export function perArticleRandom (seed: number): Random & { startArticle (index: number): void } {
  let a = 0
  let b = 0
  let c = 0
  let counter = 0
  const next = () => {
    const t = (((a + b) | 0) + counter) | 0
    counter = (counter + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  return {
    startArticle (index) {
      // Seeded as its author seeds it: the key in the state words, the counter at 1, the first outputs thrown away.
      a = seed | 0
      b = index | 0
      c = 0x9E3779B9 | 0
      counter = 1
      for (let round = 0; round < 15; round++) next()
    },
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (probability) => next() < probability
  }
}

/** Plans articles by their index: the text, its planted marker words, tags, author and dates, and readers' comments. */
export function articlePlanner (context: PlanContext) {
  const { seed, vocabulary, authorIds, tagIds, firstPublished, step, commentedShare } = context
  const random = perArticleRandom(seed)
  // Built once (its Zipf table is 8,000 weights); it draws from whichever article's stream was started last.
  const text = textGenerator(vocabulary, random)

  function commentsOn (publishedAt: number): PlannedComment[] {
    if (!random.chance(commentedShare)) return []
    // Most articles get a few comments, some many: a geometric spread with a mean of about 5.
    const count = Math.min(40, 1 + Math.floor(-Math.log(1 - random.next()) * 4))
    const planned: PlannedComment[] = []
    const approvedHere: number[] = []
    for (let position = 0; position < count; position++) {
      const reader = random.int(1, READERS)
      const at = publishedAt + Math.round(((position + random.next()) / count) * 20 * HOUR)
      const replyTo = approvedHere.length > 0 && random.chance(0.2) ? random.pick(approvedHere) : undefined
      const fate = random.next()
      planned.push({
        at,
        ...(replyTo === undefined ? {} : { replyTo }),
        authorName: `${random.pick(FIRST_NAMES)} ${reader}`,
        authorEmail: `lecteur${reader}@mail.example.org`,
        body: text.comment(),
        // Documentation addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24): stored, never contacted.
        ip: `${['192.0.2', '198.51.100', '203.0.113'][reader % 3]}.${reader % 254 + 1}`,
        userAgent: random.pick(USER_AGENTS),
        fate: fate < APPROVED ? 'approved' : fate < APPROVED + SPAM ? 'spam' : 'pending'
      })
      if (fate < APPROVED) approvedHere.push(position)
    }
    return planned
  }

  return {
    plan (index: number): ArticlePlan {
      random.startArticle(index)
      const title = text.title()
      const inserted = [
        ...(random.chance(RARE_SHARE) ? [vocabulary.rareWord] : []),
        ...(random.chance(COMMON_SHARE) ? [vocabulary.commonWord] : [])
      ]
      const chosenTags = new Set<string>()
      while (chosenTags.size < 3) chosenTags.add(random.pick(tagIds))
      const publishedAt = Math.round(firstPublished + (index + random.next()) * step)
      const write: ArticleWrite = {
        title,
        body: text.body(random.int(200, 300), inserted),
        authorId: random.pick(authorIds),
        publication: { status: 'published', publishedAt },
        tagIds: [...chosenTags],
        commentsOpen: true,
        featuredImage: random.chance(0.7) ? { url: `https://images.news.example.org/${seed}/${index}.jpg`, alt: title } : null
      }
      return { write, comments: commentsOn(publishedAt) }
    }
  }
}
