import { Type, type Static } from 'typebox'
import { DisplayTextSchema, IdSchema, ref, SlugSchema, TimestampSchema } from '../../http/common.js'
import { fieldsSchemas, FieldsQuerySchema } from '../../http/fields.js'
import { listSchema, pageQuery } from '../../http/pagination.js'

export const TagIdSchema = IdSchema('tag', 'The tag\'s id.')

const name = DisplayTextSchema({ minLength: 1, maxLength: 100, description: 'The tag as readers see it, e.g. "Diplomatie".' })
const description = Type.String({ maxLength: 5000, description: 'What the tag covers, plain text.' })

export const TagSchema = Type.Object({
  id: TagIdSchema,
  slug: SlugSchema,
  name,
  description: Type.Union([description, Type.Null()], { description: 'What the tag covers, plain text, or null.' }),
  articleCount: Type.Integer({ minimum: 0, description: 'How many published articles carry the tag.' }),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema
}, { $id: 'Tag', additionalProperties: false, description: 'A topic that groups articles.' })

export type Tag = Static<typeof TagSchema>

export const TagCreateSchema = Type.Object({
  name,
  slug: Type.Optional(SlugSchema),
  description: Type.Optional(Type.Union([description, Type.Null()]))
}, { $id: 'TagCreate', additionalProperties: false, description: 'A new tag; the slug is made from the name when not given.' })

export const TagUpdateSchema = Type.Partial(TagCreateSchema, {
  $id: 'TagUpdate',
  additionalProperties: false,
  minProperties: 1,
  description: 'The fields to change; `null` clears the description.'
})

export type TagCreate = Static<typeof TagCreateSchema>
export type TagUpdate = Static<typeof TagUpdateSchema>

export const TagListSchema = listSchema('TagList', ref(TagSchema), 'A page of tags.')

export const { item: TagFieldsSchema, list: TagFieldsListSchema } = fieldsSchemas(TagSchema, 'Tag')

export const TAG_SORTS = ['name', '-articleCount', '-createdAt'] as const

export const TagListQuerySchema = Type.Object({
  ...pageQuery,
  sort: Type.Optional(Type.Enum(TAG_SORTS, { default: 'name', description: 'Order: by name (default), most articles first, or newest first.' })),
  fields: Type.Optional(FieldsQuerySchema)
}, { additionalProperties: false })

export const TagGetQuerySchema = Type.Object({
  fields: Type.Optional(FieldsQuerySchema)
}, { additionalProperties: false })
