import { Type, type Static } from 'typebox'
import { DisplayTextSchema, HttpUrlSchema, IdSchema, ref, SlugSchema, TimestampSchema } from '../../http/common.js'
import { fieldsSchemas, FieldsQuerySchema } from '../../http/fields.js'
import { listSchema, pageQuery } from '../../http/pagination.js'

export const AuthorIdSchema = IdSchema('aut', 'The author\'s id.')

const name = DisplayTextSchema({ minLength: 1, maxLength: 100, description: 'The name articles are signed with.' })
const bio = Type.String({ maxLength: 5000, description: 'A short biography, plain text.' })
const email = Type.String({ format: 'email', maxLength: 254, description: 'The author\'s address, shown to editors and admins only.' })

export const AuthorSchema = Type.Object({
  id: AuthorIdSchema,
  slug: SlugSchema,
  name,
  bio: Type.Union([bio, Type.Null()], { description: 'A short biography, plain text, or null.' }),
  avatarUrl: Type.Union([HttpUrlSchema, Type.Null()], { description: 'A portrait, as an `http` or `https` URL.' }),
  articleCount: Type.Integer({ minimum: 0, description: 'How many published articles the author signs.' }),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  email: Type.Optional(Type.Union([email, Type.Null()], { description: 'Present for editor and admin keys only.' }))
}, { $id: 'Author', additionalProperties: false, description: 'Someone who signs articles.' })

export type Author = Static<typeof AuthorSchema>

export const AuthorCreateSchema = Type.Object({
  name,
  slug: Type.Optional(SlugSchema),
  bio: Type.Optional(Type.Union([bio, Type.Null()])),
  avatarUrl: Type.Optional(Type.Union([HttpUrlSchema, Type.Null()])),
  email: Type.Optional(Type.Union([email, Type.Null()]))
}, { $id: 'AuthorCreate', additionalProperties: false, description: 'A new author; the slug is made from the name when not given.' })

export const AuthorUpdateSchema = Type.Partial(AuthorCreateSchema, {
  $id: 'AuthorUpdate',
  additionalProperties: false,
  minProperties: 1,
  description: 'The fields to change; `null` clears an optional one.'
})

export type AuthorCreate = Static<typeof AuthorCreateSchema>
export type AuthorUpdate = Static<typeof AuthorUpdateSchema>

export const AuthorListSchema = listSchema('AuthorList', ref(AuthorSchema), 'A page of authors.')

export const { item: AuthorFieldsSchema, list: AuthorFieldsListSchema } = fieldsSchemas(AuthorSchema, 'Author')

export const AUTHOR_SORTS = ['name', '-articleCount', '-createdAt'] as const

export const AuthorListQuerySchema = Type.Object({
  ...pageQuery,
  sort: Type.Optional(Type.Enum(AUTHOR_SORTS, { default: 'name', description: 'Order: by name (default), most articles first, or newest first.' })),
  fields: Type.Optional(FieldsQuerySchema)
}, { additionalProperties: false })

export const AuthorGetQuerySchema = Type.Object({
  fields: Type.Optional(FieldsQuerySchema)
}, { additionalProperties: false })
