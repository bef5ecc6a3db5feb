import type { FastifyReply } from 'fastify'
import { Type, type TObject, type TSchema } from 'typebox'
import { badRequest } from './problem.js'
import { ref } from './common.js'
import { PageMetaSchema } from './pagination.js'

export const FieldsQuerySchema = Type.String({
  maxLength: 1000,
  description: 'Comma-separated top-level fields to return, e.g. `title,url`; `id` always comes too, an embedded object comes whole. An unknown name is a 400.'
})

/** Reads `fields=a,b,c` against the names the resource has; unknown names are a 400 naming them. */
export function parseFields (raw: string | undefined, schema: TObject): ReadonlySet<string> | undefined {
  if (raw === undefined) return undefined
  const known = Object.keys(schema.properties)
  const names = raw.split(',').map((name) => name.trim())
  const unknown = names.filter((name) => !known.includes(name))
  if (unknown.length > 0) {
    badRequest([{ path: '/querystring/fields', message: `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => JSON.stringify(name)).join(', ')}; known: ${known.join(', ')}` }])
  }
  return new Set(['id', ...names])
}

function pick<T extends object> (value: T, fields: ReadonlySet<string>): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([name]) => fields.has(name))) as Partial<T>
}

/**
 * The schemas a resource is serialised with once `fields` left some properties
 * out: the same properties, none of them required. They stay the allow-list.
 */
export function partialSchemas (schema: TObject, listMeta: TSchema = ref(PageMetaSchema)) {
  const { $id: _id, ...item } = Type.Partial(schema) as TSchema & { $id?: string }
  const list = Type.Object({ data: Type.Array(item), meta: listMeta })
  return { item, list }
}

type Partials = ReturnType<typeof partialSchemas>

/** The resource, or only the fields asked for, switching the reply to the partial serializer. */
export function selectFields<T extends object> (reply: FastifyReply, partials: Partials, fields: ReadonlySet<string> | undefined, value: T): T {
  if (fields === undefined) return value
  reply.type('application/json; charset=utf-8').serializer(reply.compileSerializationSchema(partials.item as Record<string, unknown>))
  return pick(value, fields) as T
}

/** The same for a page of a list: each item keeps only the fields asked for. */
export function selectFieldsOfPage<T extends object, M> (reply: FastifyReply, partials: Partials, fields: ReadonlySet<string> | undefined, page: { data: T[], meta: M }) {
  if (fields === undefined) return page
  reply.type('application/json; charset=utf-8').serializer(reply.compileSerializationSchema(partials.list as unknown as Record<string, unknown>))
  return { data: page.data.map((item) => pick(item, fields) as T), meta: page.meta }
}
