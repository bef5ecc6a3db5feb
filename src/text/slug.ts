/** What a slug may look like; a string so a JSON schema `pattern` can reuse it (Ajv compiles patterns with the `u` flag, which `\p{…}` needs). */
export const SLUG_PATTERN = '^[\\p{L}\\p{M}\\p{N}]+(-[\\p{L}\\p{M}\\p{N}]+)*$'

const SLUG_REGEX = new RegExp(SLUG_PATTERN, 'u')

/** The longest a slug may be, in code points. */
export const MAX_SLUG_LENGTH = 200

/** Latin letters that Unicode does not decompose into a base letter plus accents. */
export const LATIN_WITHOUT_DECOMPOSITION: Readonly<Record<string, string>> = {
  œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', đ: 'd', ł: 'l', þ: 'th', ð: 'd', ı: 'i'
}

// A Latin letter with the marks that follow it, composed or not: its accents are what a Latin slug drops.
const LATIN_LETTER = /\p{Script=Latin}\p{M}*/gu
const MARK = /\p{M}/gu
// Invisible format characters (zero-width, bidi controls, soft hyphen), the marks that only dress emoji
// (variation selectors, enclosing keycaps) and apostrophes vanish without splitting the word they sit in.
// Arabic and Hebrew vowel points vanish too: optional in writing, keeping them would give one word two slugs.
// Every other mark stays: an Indic vowel sign or virama is part of its letter.
const VANISHING = /[\p{Cf}\p{Me}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}'’ʼ‘`´]|(?=\p{M})[\p{Script_Extensions=Arabic}\p{Script_Extensions=Hebrew}]/gu
// A few emoji are letters to Unicode (ℹ); they separate words like any other symbol.
const SEPARATOR_RUN = /(?:[^\p{L}\p{M}\p{N}]|\p{Extended_Pictographic})+/gu
// A mark with no letter or number before it to sit on, once separators are hyphens.
const ORPHAN_MARKS = /(^|-)\p{M}+/gu
const HYPHEN_RUN = /-{2,}/g
const EDGE_HYPHEN = /^-|-$/g

export function isSlug (s: string): boolean {
  return SLUG_REGEX.test(s)
}

/**
 * Turns a title into a URL slug; returns '' when no letter or number is left.
 * Written by hand because no library strips accents from Latin letters while keeping other scripts' letters.
 */
export function slugify (input: string, maxLength = MAX_SLUG_LENGTH): string {
  const slug = input
    .normalize('NFC')
    .toLowerCase()
    // Per character, so only Latin letters are decomposed: NFD of other scripts (kana, Indic) would change letters.
    // NFKD rather than NFD also folds Latin ligatures and full-width forms (ﬁ → fi, ａ → a).
    .replace(LATIN_LETTER, (letter) => LATIN_WITHOUT_DECOMPOSITION[letter] ?? letter.normalize('NFKD').replace(MARK, ''))
    .replace(VANISHING, '')
    .replace(SEPARATOR_RUN, '-')
    .replace(ORPHAN_MARKS, '$1')
    .replace(HYPHEN_RUN, '-')
    .replace(EDGE_HYPHEN, '')
  return truncateAtHyphen(slug, maxLength)
}

/** Keeps whole words while they fit in `maxLength` code points; a first word longer than that is cut. */
function truncateAtHyphen (slug: string, maxLength: number): string {
  if (codePointLength(slug) <= maxLength) return slug
  const [firstWord = '', ...otherWords] = slug.split('-')
  if (codePointLength(firstWord) >= maxLength) return Array.from(firstWord).slice(0, maxLength).join('')
  let truncated = firstWord
  let length = codePointLength(firstWord)
  for (const word of otherWords) {
    length += 1 + codePointLength(word)
    if (length > maxLength) break
    truncated += '-' + word
  }
  return truncated
}

function codePointLength (s: string): number {
  return [...s].length
}

/**
 * Text lower-cased and without accents, for comparing as readers do: sorting
 * titles ("Été" beside "ete"), matching blocked words. Unlike a slug, it keeps
 * every character that is not an accent.
 */
export function foldAccents (text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
    .replace(/[œæßøđłþðı]/gu, (letter) => LATIN_WITHOUT_DECOMPOSITION[letter] ?? letter)
}
