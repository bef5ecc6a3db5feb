import { Type, type TSchema, type TUnsafe, type Static } from 'typebox'
import { BIDI_CONTROL_RANGES } from '../text/invisible.js'
import { MAX_SLUG_LENGTH, SLUG_PATTERN } from '../text/slug.js'

/**
 * A `$ref` to a schema registered with `app.addSchema`, typed as the schema it
 * points to (TypeBox's own `Type.Ref` is typed `unknown`). Shared schemas become
 * named OpenAPI components this way.
 */
export function ref<T extends TSchema> (schema: T): TUnsafe<Static<T>> {
  const id = (schema as { $id?: unknown }).$id
  if (typeof id !== 'string') throw new Error('ref(): the schema has no $id')
  return Type.Unsafe<Static<T>>(Type.Ref(id))
}

export function IdSchema (prefix: string, description: string) {
  return Type.String({ pattern: `^${prefix}_[0-9a-z]{1,64}$`, description, examples: [`${prefix}_0123456789abcdef`] })
}

/** A slug, with what it means where it is used. */
export function slugSchema (description: string) {
  return Type.String({ minLength: 1, maxLength: MAX_SLUG_LENGTH, pattern: SLUG_PATTERN, description })
}

export const SlugSchema = slugSchema('Lower-case letters (with their combining marks, so that Indic scripts stay legible) and digits of any script, in words joined by single hyphens; unique per resource type.')

/** Text with no bidi embedding, override or isolate anywhere (see `BIDI_CONTROL_RANGES`). */
export const NO_BIDI_CONTROLS_PATTERN = `^[^${BIDI_CONTROL_RANGES}]*$`
// And at least one visible character: not a space, nor a control or invisible format character (zero-width, bidi marks).
const VISIBLE_WITHOUT_BIDI_CONTROLS_PATTERN = `^(?=[\\s\\S]*[^\\s\\p{Cc}\\p{Cf}])[^${BIDI_CONTROL_RANGES}]*$`

/**
 * A title or a name: something a reader can see, with no bidi control that
 * could make it display as another. Those are refused (400) rather than
 * dropped, so that what is stored is what was sent; the description says so.
 */
export function DisplayTextSchema ({ description, ...bounds }: { minLength: number, maxLength: number, description: string }) {
  return Type.String({
    ...bounds,
    pattern: VISIBLE_WITHOUT_BIDI_CONTROLS_PATTERN,
    description: `${description} Must hold a visible character (not only spaces, zero-width or bidi marks) and no bidi embedding, override or isolate (U+202A–U+202E, U+2066–U+2069).`
  })
}

export const IdOrSlugSchema = Type.String({ minLength: 1, maxLength: 300, description: 'The id, or the current slug.' })

/**
 * The path parameter of a write that takes only an id, at the place where reads
 * take an id or a slug: OpenAPI allows one name per place in a path, so it is
 * named `idOrSlug` there too, and its schema says that only an id is accepted.
 */
export function idOnly<T extends TSchema> (id: T) {
  return Type.Object({ idOrSlug: described(id, `${String((id as { description?: string }).description)} Only the id: a slug is not accepted here.`) })
}

/** The same schema, described for where it is used. */
export function described<T extends TSchema> (schema: T, description: string): TUnsafe<Static<T>> {
  return Type.Unsafe<Static<T>>({ ...schema, description })
}

export const TimestampSchema = Type.String({ format: 'date-time', description: 'An RFC 3339 time, in UTC.' })

/**
 * A bound of a filter on dates, as people type it: an RFC 3339 time, or a day (`2026-12-01`), which means its first
 * instant, 00:00 UTC.
 */
export function DateBoundSchema (description: string) {
  return Type.Union([
    Type.String({ format: 'date-time', description: 'An RFC 3339 time.' }),
    Type.String({ format: 'date', description: 'A day, meaning 00:00 UTC on it.' })
  ], { description })
}

export const HttpUrlSchema = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'An `http` or `https` URL.' })

export function toIso (ms: number): string {
  return new Date(ms).toISOString()
}

/** The instant of a validated RFC 3339 time or day (a day is read as UTC, as ECMAScript reads date-only forms). */
export function fromIso (value: string): number {
  return Date.parse(value)
}
