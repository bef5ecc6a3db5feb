const WORDS_PER_MINUTE = 200

// Chinese and Japanese are written without spaces: each ideograph or kana counts as one word.
const UNSPACED_SCRIPT_CHARACTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30FC]/gu
// Letters and numbers (with their combining marks, e.g. Arabic vowel signs); an apostrophe or a hyphen
// between two of them joins them, so "d’Etat" and "cessez-le-feu" are one word each.
const WORD = /[\p{L}\p{N}\p{M}]+(?:['’\-\u2010\u2011][\p{L}\p{N}\p{M}]+)*/gu
const WHITESPACE_RUN = /\s+/g
// Punctuation that would look wrong right before the ellipsis.
const TRAILING_SEPARATORS = /[\s,;:.\-–—]+$/u
const ELLIPSIS = '…'

/**
 * Counts the words of plain text (see WORD). Scripts written without spaces other than Chinese and Japanese
 * (Thai, Khmer…) count one word per run, which underestimates them.
 */
export function countWords (text: string): number {
  const unspacedCharacterCount = countMatches(text, UNSPACED_SCRIPT_CHARACTER)
  return unspacedCharacterCount + countMatches(text.replace(UNSPACED_SCRIPT_CHARACTER, ' '), WORD)
}

export function readingTimeMinutes (wordCount: number): number {
  return Math.max(1, Math.ceil(wordCount / WORDS_PER_MINUTE))
}

/**
 * The start of plain text, at most `maxLength` code points including the trailing "…" added when it was cut.
 * It is cut between words; a first word longer than the limit is the only one cut inside.
 */
export function makeExcerpt (text: string, maxLength = 160): string {
  const collapsed = text.replace(WHITESPACE_RUN, ' ').trim()
  const characters = Array.from(collapsed)
  if (characters.length <= maxLength) return collapsed

  const budget = maxLength - ELLIPSIS.length
  // One character past the budget, so a space right at the limit counts as a word boundary.
  const window = characters.slice(0, budget + 1).join('')
  const lastSpace = window.lastIndexOf(' ')
  const cut = lastSpace > 0 ? window.slice(0, lastSpace) : characters.slice(0, budget).join('')
  return cut.replace(TRAILING_SEPARATORS, '') + ELLIPSIS
}

function countMatches (text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0
}
