import type { FastifyReply } from 'fastify'
import { Type, type TObject, type TSchema } from 'typebox'
import { badRequest } from './problem.js'
import { ref } from './common.js'
import { PageMetaSchema } from './pagination.js'

export const FieldsQuerySchema = Type.String({
  maxLength: 1000,
  description: 'Comma-separated top-level fields to return, e.g. `title,url`: the answer then has only the fields named, and `id` (an embedded object comes whole). An unknown name is a 400.'
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
 * A resource as read with `fields`, and a page of it, as named components
 * (`ArticleFields`, `ArticleFieldsList`): the same properties, all optional
 * but `id`. They are also the allow-list the partial answers are serialised with.
 */
export function fieldsSchemas (schema: TObject, name: string, listMeta: TSchema = ref(PageMetaSchema)) {
  const properties = Object.fromEntries(Object.entries(schema.properties).map(([field, property]) => [field, field === 'id' ? property : Type.Optional(property)]))
  const item = Type.Object(properties, {
    $id: `${name}Fields`,
    additionalProperties: false,
    description: `${name}, read with \`fields\`: only the fields named, and \`id\`.`
  })
  const list = Type.Object({
    data: Type.Array(ref(item), { description: 'This page of items, each with only the fields named, and `id`.' }),
    meta: listMeta
  }, { $id: `${name}FieldsList`, additionalProperties: false, description: `A page of ${name}, read with \`fields\`.` })
  return { item, list }
}

/**
 * The 200 of a route that takes `fields`: the whole resource, or only the
 * fields named. Routes serialise with the one that applies (`Shapes`), never
 * with this `anyOf`, which fast-json-stringify would check branch by branch.
 */
export function wholeOrFields (whole: TSchema, fields: TSchema, description: string) {
  return Type.Union([whole, fields], { description })
}

/** The two exact schemas a route answers with, with or without `fields`. */
export interface Shapes {
  whole: TSchema
  fields: TSchema
}

function useSerializer (reply: FastifyReply, schema: TSchema) {
  reply.type('application/json; charset=utf-8').serializer(reply.compileSerializationSchema(schema as unknown as Record<string, unknown>))
}

/** The resource, or only the fields asked for, each with its own serializer. */
export function selectFields<T extends object> (reply: FastifyReply, shapes: Shapes, fields: ReadonlySet<string> | undefined, value: T): T {
  useSerializer(reply, fields === undefined ? shapes.whole : shapes.fields)
  return fields === undefined ? value : pick(value, fields) as T
}

/** The same for a page of a list: each item keeps only the fields asked for. */
export function selectFieldsOfPage<T extends object, M> (reply: FastifyReply, shapes: Shapes, fields: ReadonlySet<string> | undefined, page: { data: T[], meta: M }) {
  useSerializer(reply, fields === undefined ? shapes.whole : shapes.fields)
  return fields === undefined ? page : { data: page.data.map((item) => pick(item, fields) as T), meta: page.meta }
}
