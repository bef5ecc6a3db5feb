import { Type, type TSchema, type TUnsafe, type Static } from 'typebox'
import { SLUG_PATTERN } from '../text/slug.js'

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

export const SlugSchema = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: SLUG_PATTERN,
  description: 'Lower-case letters and digits of any script, in words joined by single hyphens; unique per resource type.'
})

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

export const HttpUrlSchema = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'An `http` or `https` URL.' })

export function toIso (ms: number): string {
  return new Date(ms).toISOString()
}

export function fromIso (value: string): number {
  return Date.parse(value)
}
