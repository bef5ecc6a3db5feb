import { randomBytes } from 'node:crypto'

// Lower-case Crockford base32: no `_` or `-`, so an id can never be mistaken for a slug.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/** An opaque id such as `art_5k2m9q…`: the type, an underscore and 80 random bits. */
export function newId (prefix: 'art' | 'aut' | 'tag' | 'com' | 'key' | 'ban'): string {
  const bytes = randomBytes(16)
  let suffix = ''
  for (const byte of bytes) suffix += ALPHABET[byte & 31]
  return `${prefix}_${suffix}`
}
