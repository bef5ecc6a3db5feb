import { randomBytes } from 'node:crypto'

// Lower-case Crockford base32: no `_` or `-`, so an id can never be mistaken for a slug.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/** `length` random characters of the id alphabet: 5 random bits each. */
export function randomText (length: number): string {
  let text = ''
  for (const byte of randomBytes(length)) text += ALPHABET[byte & 31]
  return text
}

/** An opaque id such as `art_5k2m9q…`: the type, an underscore and 80 random bits. */
export function newId (prefix: 'art' | 'aut' | 'tag' | 'com' | 'key' | 'ban'): string {
  return `${prefix}_${randomText(16)}`
}
