import { readFileSync } from 'node:fs'
import { type Random, zipfSampler } from './random.js'

/**
 * Words to write articles with, ranked for a Zipf draw (the most frequent
 * first). The head is French's most frequent words ("de, la, le, et…") in
 * about their real order; the long tail is every other word of the fixture's
 * real news text shuffled among generated French-looking forms, so that a
 * search term is found in a natural share of the articles: from nearly all
 * of them for the head to a few in ten thousand for the tail.
 */
export interface Vocabulary {
  /** By rank; never contains the two marker words nor any word starting with them. */
  words: string[]
  /** Put into about 0.1% of the articles, and found nowhere else (search is by prefix, so no other word starts with it). */
  rareWord: string
  /** Put into about 25% of the articles, and found nowhere else. */
  commonWord: string
  /** How many of `words` come from the fixture's text (the rest of the tail is generated). */
  fromFixture: number
}

export const RARE_WORD = 'ornithorynque'
export const COMMON_WORD = 'gouvernement'
export const RARE_SHARE = 0.001
export const COMMON_SHARE = 0.25

const FIXTURE = new URL('../../test/fixtures/news-fr.json', import.meta.url)

// A word with its elided article or preposition split off ("l’", "d’", "qu’"), as the search index splits it.
const TOKEN = /[\p{L}]+’?/gu
const VOWEL_START = /^[aeiouyhàâéèêëîïôûù]/i

/** How the full-text index compares words: case- and accent-insensitive (unicode61 with remove_diacritics). */
export function fold (word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}

/** The fixture's words by their folded form; a word only ever capitalised keeps its capital (a name: Rubio, Gaza). */
function fixtureWords (): Map<string, string> {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { articles: Array<{ title: string, body: string }> }
  const text = fixture.articles.map((article) => `${article.title}.\n${article.body}`).join('\n').replaceAll("'", '’')
  const byFolded = new Map<string, string>()
  for (const [token] of text.matchAll(TOKEN)) {
    const key = fold(token)
    const known = byFolded.get(key)
    if (known === undefined || (token !== known && token === token.toLowerCase())) byFolded.set(key, token)
  }
  return byFolded
}

// Pieces of French orthography: onsets, vowel nuclei, derivational prefixes, and suffixes by part of speech.
const ONSETS = ['b', 'c', 'd', 'f', 'g', 'j', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'ch', 'br', 'cr', 'dr', 'fr', 'gr', 'pr', 'tr', 'pl', 'bl', 'cl', 'fl', 'gl', 'ph', 'st']
const NUCLEI = ['a', 'a', 'e', 'i', 'i', 'o', 'u', 'é', 'é', 'è', 'ou', 'ai', 'au', 'oi', 'eu', 'an', 'en', 'in', 'on', 'ar', 'er', 'ir', 'or', 'ur', 'al', 'el', 'il', 'ol']
const PREFIXES = ['re', 'dé', 'in', 'pré', 'con', 'com', 'pro', 'trans', 'inter', 'sur', 'anti', 'dis', 'ex', 'mé']
const NOUN_SUFFIXES = ['tion', 'ment', 'age', 'ure', 'ité', 'isme', 'iste', 'eur', 'ence', 'ance', 'ette', 'ier', 'oir', 'aison', 'ude', 'esse', 'erie', 'at', 'ard']
const ADJECTIVE_SUFFIXES = ['ique', 'able', 'ible', 'al', 'el', 'eux', 'if', 'aire', 'ais', 'ois', 'ien', 'in']
const VERB_SUFFIXES = ['er', 'ait', 'aient', 'ons', 'ez', 'ent', 'era', 'erait', 'ant', 'é', 'ée', 'és', 'ées', 'it', 'ir', 'issent']
const FEMININE: Readonly<Record<string, string>> = { eux: 'euse', if: 'ive', al: 'ale', el: 'elle', ien: 'ienne', ais: 'aise', ois: 'oise', in: 'ine' }
const LINKS = ['t', 'r', 'n', 's', 'l', 'c']
const VOWELS = /[aeiouyàâéèêëîïôûù]$/
const CONSONANT_RUN = /[^aeiouyàâéèêëîïôûù]{3,}/g
// Two consonants that may end a run of three, as in "entre", "ample", "marché": what starts a French syllable.
const CLUSTERS = new Set(ONSETS.filter((onset) => onset.length === 2))
// What French spelling does not do: doubled vowels other than "ee", three letters alike.
const UNFRENCH = /([aiouéèy])\1|(.)\2\2/

/**
 * The most frequent French words, in about their order of frequency: the head
 * of any French text's distribution, which the fixture is too short to give.
 */
const FUNCTION_WORDS = [
  'de', 'la', 'le', 'et', 'les', 'des', 'l’', 'd’', 'en', 'un', 'du', 'une', 'à', 'que', 'est', 'pour', 'qui', 'dans', 'a', 'par',
  'plus', 'pas', 'au', 'sur', 'ne', 'se', 'ce', 'il', 'sont', 'qu’', 'avec', 'son', 'sa', 'ses', 'aux', 'n’', 'ou', 'été', 'cette',
  'ont', 'leur', 'elle', 'mais', 'nous', 'comme', 'deux', 'entre', 'après', 'selon', 'ils', 'lors', 'aussi', 'depuis', 'encore'
]

/** Whether a made-up form reads as French: spelling rules that the syllable soup alone would break. */
function looksFrench (form: string): boolean {
  if (form.length < 3 || form.length > 14 || UNFRENCH.test(form)) return false
  for (const [run] of form.matchAll(CONSONANT_RUN)) {
    if (run.length > 3 || !CLUSTERS.has(run.slice(1)) || form.startsWith(run)) return false
  }
  return true
}

/** Stem and suffix, with a linking consonant where two vowels would meet ("bora" + "ique" gives "boratique"). */
function join (stem: string, suffix: string): string {
  return VOWELS.test(stem) && /^[aeiouéè]/.test(suffix) ? stem + LINKS[stem.length % LINKS.length]! + suffix : stem + suffix
}

function plural (word: string): string {
  if (/[sxz]$/.test(word)) return word
  if (word.endsWith('al')) return word.slice(0, -2) + 'aux'
  return /eau$|eu$/.test(word) ? word + 'x' : word + 's'
}

function stemOf (random: Random): string {
  let stem = random.chance(0.25) ? random.pick(PREFIXES) : ''
  // Mostly one or two syllables before the suffix: French words are seldom longer than four.
  const syllables = random.chance(0.15) ? 3 : random.int(1, 2)
  for (let index = 0; index < syllables; index++) {
    stem += (index === 0 && stem === '' && random.chance(0.2) ? '' : random.pick(ONSETS)) + random.pick(NUCLEI)
  }
  return stem
}

/** A family of forms sharing one stem, as "constat, constater, constatation, constatations" do. */
function family (random: Random): string[] {
  const stem = stemOf(random)
  return Array.from({ length: random.int(1, 5) }, () => {
    const kind = random.int(0, 2)
    if (kind === 0) {
      const noun = join(stem, random.pick(NOUN_SUFFIXES))
      return random.chance(0.4) ? plural(noun) : noun
    }
    if (kind === 1) {
      const suffix = random.pick(ADJECTIVE_SUFFIXES)
      const adjective = join(stem, random.chance(0.4) ? FEMININE[suffix] ?? suffix : suffix)
      return random.chance(0.3) ? plural(adjective) : adjective
    }
    return join(stem, random.pick(VERB_SUFFIXES))
  })
}

function shuffle<T> (items: T[], random: Random): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = random.int(0, index)
    ;[items[index], items[other]] = [items[other]!, items[index]!]
  }
  return items
}

/** The vocabulary for a seed: the same seed, the same words in the same ranks. */
export function buildVocabulary (random: Random, size = 8_000): Vocabulary {
  const markers = [fold(RARE_WORD), fold(COMMON_WORD)]
  // A prefix search for a marker must find the marker only.
  const allowed = (folded: string) => !markers.some((marker) => folded.startsWith(marker))
  const head = FUNCTION_WORDS.filter((word) => allowed(fold(word)))
  const seen = new Set(head.map(fold))
  // The fixture's other words, its names and its news vocabulary, go into the long tail with the generated forms.
  const tail = [...fixtureWords().entries()].filter(([folded]) => allowed(folded) && !seen.has(folded)).map(([, word]) => word)
  for (const word of tail) seen.add(fold(word))
  const fromFixture = tail.length
  while (head.length + tail.length < size) {
    for (const form of family(random)) {
      const folded = fold(form)
      if (!looksFrench(form) || seen.has(folded) || !allowed(folded)) continue
      seen.add(folded)
      tail.push(form)
    }
  }
  const words = [...head, ...shuffle(tail, random)].slice(0, size)
  return { words, rareWord: RARE_WORD, commonWord: COMMON_WORD, fromFixture }
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

/** Article and comment text drawn from a vocabulary with Zipf's law (exponent 1, as in natural language). */
export function textGenerator (vocabulary: Vocabulary, random: Random) {
  const { words } = vocabulary
  const rank = zipfSampler(words.length, 1, random)

  /** One word; an elided form ("l’") is followed by a word it can elide before, and written against it. */
  function word (): string {
    const drawn = words[rank()]!
    if (!drawn.endsWith('’')) return drawn
    for (let attempt = 0; attempt < 20; attempt++) {
      const next = words[rank()]!
      if (VOWEL_START.test(next) && !next.endsWith('’')) return drawn + next
    }
    return drawn.slice(0, -1) + 'e'
  }

  function phrase (count: number): string[] {
    return Array.from({ length: count }, word)
  }

  function sentence (count: number, inserted: string[] = []): string {
    const parts = phrase(count)
    for (const extra of inserted) parts.splice(random.int(1, parts.length), 0, extra)
    // A comma now and then, never at the very end.
    for (let index = 2; index < parts.length - 2; index += random.int(4, 12)) parts[index] += ','
    return capitalize(parts.join(' ')) + '.'
  }

  return {
    /** A headline of 6 to 12 words. */
    title (): string {
      return capitalize(phrase(random.int(6, 12)).join(' '))
    },

    /**
     * About `target` words of Markdown in paragraphs, now and then an
     * intertitle or a bold phrase, with each of `inserted` at a random place.
     */
    body (target: number, inserted: string[]): string {
      const blocks: string[] = []
      const pending = [...inserted]
      let written = 0
      while (written < target) {
        if (blocks.length > 0 && random.chance(0.15)) blocks.push(`## ${capitalize(phrase(random.int(3, 6)).join(' '))}`)
        const sentences: string[] = []
        for (let count = random.int(2, 4); count > 0 && written < target; count--) {
          const length = Math.min(random.int(8, 24), Math.max(4, target - written))
          // Each inserted word goes into one sentence of the article, at an early-or-late place at random.
          const here = pending.length > 0 && random.chance(0.3) ? [pending.shift()!] : []
          let text = sentence(length, here)
          if (random.chance(0.08)) text = text.replace(/ ([^ ]+ [^ ]+) /, ' **$1** ')
          sentences.push(text)
          written += length + here.length
        }
        blocks.push(sentences.join(' '))
      }
      if (pending.length > 0) blocks.push(sentence(random.int(6, 12), pending))
      return blocks.join('\n\n')
    },

    /** A reader's comment: one or two short paragraphs. */
    comment (): string {
      const paragraphs = random.chance(0.3) ? 2 : 1
      return Array.from({ length: paragraphs }, () => Array.from({ length: random.int(1, 3) }, () => sentence(random.int(5, 20))).join(' ')).join('\n\n')
    },

    /** A capitalised word or two, for tag names. */
    name (): string {
      return phrase(random.int(1, 2)).map(capitalize).join(' ')
    }
  }
}

export type TextGenerator = ReturnType<typeof textGenerator>
