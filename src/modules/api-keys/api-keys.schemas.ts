import { Type, type Static } from 'typebox'
import { ROLES } from '../../db/schema/index.js'
import { described, IdSchema, ref, TimestampSchema } from '../../http/common.js'
import { listSchema } from '../../http/pagination.js'

export const KeyIdSchema = IdSchema('key', 'The API key\'s id.')
export const AuthorIdSchema = IdSchema('aut', 'The author\'s id.')

export const RoleSchema = Type.Enum(ROLES, {
  description: 'What the key may do: `author` writes its own drafts, `moderator` moderates comments, `editor` does everything on content, `admin` also manages keys.'
})

export const ApiKeySchema = Type.Object({
  id: KeyIdSchema,
  name: Type.String({ description: 'What the key is for, e.g. "iOS app" or "Jeanne Dupont".' }),
  role: RoleSchema,
  authorId: Type.Union([AuthorIdSchema, Type.Null()], { description: 'The author an `author` key writes as; null for other roles.' }),
  prefix: Type.String({ description: 'The first characters of the secret, to tell keys apart; the secret itself is never shown again.' }),
  createdAt: TimestampSchema,
  revokedAt: Type.Union([TimestampSchema, Type.Null()], { description: 'When the key was revoked; null while it works.' })
}, { $id: 'ApiKey', additionalProperties: false, description: 'An API key, without its secret.' })

export const ApiKeyCreatedSchema = Type.Object({
  ...ApiKeySchema.properties,
  key: Type.String({ description: 'The secret to send as `Authorization: Bearer <key>`. Shown this once: only a hash is stored.' })
}, { $id: 'ApiKeyCreated', additionalProperties: false, description: 'A new API key, with its secret.' })

export const ApiKeyCreateSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, description: 'What the key is for.' }),
  role: RoleSchema,
  authorId: Type.Optional(described(AuthorIdSchema, 'The author an `author` key writes as: required for that role, refused for the others.'))
}, {
  $id: 'ApiKeyCreate',
  additionalProperties: false,
  description: 'A key to make; `authorId` is required for the `author` role and refused for the others.',
  if: { properties: { role: { const: 'author' } } },
  then: { properties: { authorId: { type: 'string' } }, required: ['authorId'] },
  else: { properties: { authorId: false } }
})

export const ApiKeyListSchema = listSchema('ApiKeyList', ref(ApiKeySchema), 'A page of the newsroom\'s API keys, revoked ones included, newest first.')

export type ApiKeyCreate = Static<typeof ApiKeyCreateSchema>
