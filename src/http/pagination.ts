import { Type, type TSchema } from 'typebox'
import { ref } from './common.js'

export const PageMetaSchema = Type.Object({
  total: Type.Integer({ minimum: 0, description: 'How many items match the request in all, across every page.' }),
  limit: Type.Integer({ minimum: 1, maximum: 100, description: 'The page size that was applied.' }),
  offset: Type.Integer({ minimum: 0, description: 'How many matching items come before this page.' })
}, { $id: 'PageMeta', additionalProperties: false, description: 'Where this page stands in the whole list.' })

export const pageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Items per page, 1 to 100.' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0, description: 'Items to skip.' }))
}

export interface Page { limit: number, offset: number }

/** Ajv fills the defaults; the fallbacks only satisfy the type checker. */
export function pageOf (query: { limit?: number | undefined, offset?: number | undefined }): Page {
  return { limit: query.limit ?? 20, offset: query.offset ?? 0 }
}

/** The `{ data, meta }` envelope every list answers with, as a named component. */
export function listSchema<T extends TSchema> (id: string, item: T, description: string) {
  return Type.Object({
    data: Type.Array(item, { description: 'This page of items.' }),
    meta: ref(PageMetaSchema)
  }, { $id: id, additionalProperties: false, description })
}
