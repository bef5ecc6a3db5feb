import type { Scenario } from './load.js'
import type { Random } from './random.js'
import type { Targets } from './targets.js'
import type { TextGenerator } from './vocabulary.js'

const articlePath = (slug: string) => `/v1/articles/${encodeURIComponent(slug)}`

/**
 * The reads, each request to another article or tag drawn at random: a load
 * on one hot row would measure SQLite's page cache, not the API.
 */
export function readScenarios (targets: Targets, etags: Map<string, string>, words: { rare: string, common: string }, random: Random): Scenario[] {
  const withEtags = [...etags.entries()]
  return [
    { name: 'article', method: 'GET', expectedStatus: 200, next: () => ({ path: articlePath(random.pick(targets.slugs)) }) },
    {
      name: 'list-by-tag',
      method: 'GET',
      expectedStatus: 200,
      next: () => ({ path: `/v1/articles?tag=${encodeURIComponent(random.pick(targets.tags))}&limit=20` })
    },
    // A search is one query by nature: the same words each time, from the read cache, or from the index without it.
    { name: 'search-rare', method: 'GET', expectedStatus: 200, next: () => ({ path: `/v1/articles?q=${encodeURIComponent(words.rare)}&limit=20` }) },
    { name: 'search-common', method: 'GET', expectedStatus: 200, next: () => ({ path: `/v1/articles?q=${encodeURIComponent(words.common)}&limit=20` }) },
    {
      name: 'not-modified',
      method: 'GET',
      expectedStatus: 304,
      next: () => {
        const [slug, etag] = random.pick(withEtags)
        return { path: articlePath(slug), headers: { 'if-none-match': etag } }
      }
    }
  ]
}

/**
 * Readers' comments, each on a random article and with its own text and
 * reader, so that none is refused as a double submission. They all come from
 * 127.0.0.1: the server does not trust X-Forwarded-For by default, so the
 * bench raises COMMENT_RATE_LIMIT instead of pretending to be many clients.
 */
export function commentScenario (name: string, targets: Targets, text: TextGenerator, random: Random): Scenario {
  let sequence = 0
  return {
    name,
    method: 'POST',
    expectedStatus: 201,
    next: () => {
      sequence++
      return {
        path: `${articlePath(random.pick(targets.slugs))}/comments`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ authorName: `Lecteur ${sequence}`, authorEmail: `bench${sequence}@mail.example.org`, body: text.comment() })
      }
    }
  }
}

export const ceilingScenario: Scenario = { name: 'ceiling', method: 'GET', expectedStatus: 200, next: () => ({ path: '/' }) }

/** Distinct items drawn at random, as many as asked (or all there are). */
function drawDistinct<T> (items: readonly T[], count: number, random: Random): T[] {
  const drawn = new Set<T>()
  while (drawn.size < Math.min(count, items.length)) drawn.add(random.pick(items))
  return [...drawn]
}

const searchPath = (typed: string) => `/v1/articles?q=${encodeURIComponent(typed)}&limit=20`

/**
 * Searches made to cost the most, from issue 12: twenty one-letter words, twenty of the most common words, and
 * 200 characters of common words' beginnings, each a prefix. Each request draws its own, so that the read cache never answers.
 */
export function adversarialSearchScenarios (commonWords: readonly string[], random: Random): Scenario[] {
  const letters = [...'abcdefghijklmnopqrstuvwxyz']
  const prefixes = commonWords.filter((word) => word.length >= 3).map((word) => word.slice(0, 3))
  return [
    { name: 'search-letters', method: 'GET', expectedStatus: 200, next: () => ({ path: searchPath(drawDistinct(letters, 20, random).join(' ')) }) },
    { name: 'search-common-words', method: 'GET', expectedStatus: 200, next: () => ({ path: searchPath(drawDistinct(commonWords, 20, random).join(' ')) }) },
    {
      name: 'search-200-chars',
      method: 'GET',
      expectedStatus: 200,
      next: () => {
        const words: string[] = []
        while (words.join(' ').length < 200) words.push(`${random.pick(prefixes)}${random.pick(letters)}`)
        return { path: searchPath(words.join(' ').slice(0, 200)) }
      }
    }
  ]
}
