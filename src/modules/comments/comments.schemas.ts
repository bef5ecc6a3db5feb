import { Type, type Static } from 'typebox'
import { COMMENT_STATUSES } from '../../db/schema/index.js'
import { DisplayTextSchema, HttpUrlSchema, IdSchema, ref, TimestampSchema } from '../../http/common.js'
import { fieldsSchemas, FieldsQuerySchema } from '../../http/fields.js'
import { listSchema, pageQuery, PageMetaSchema } from '../../http/pagination.js'
import { KeyIdSchema } from '../api-keys/api-keys.schemas.js'
import { ArticleIdSchema } from '../articles/articles.schemas.js'

export const CommentIdSchema = IdSchema('com', 'The comment\'s id.')
export const BanIdSchema = IdSchema('ban', 'The ban\'s id.')

export const CommentStatusSchema = Type.Enum(COMMENT_STATUSES, {
  description: '`pending` waits for a moderator; `approved` is public; `spam` and `trash` are hidden.'
})

const authorName = DisplayTextSchema({ minLength: 1, maxLength: 100, description: 'The name the commenter signs with, shown publicly.' })
const authorUrl = Type.Union([HttpUrlSchema, Type.Null()], { description: 'The commenter\'s web site, shown publicly, or null.' })
const body = Type.String({ minLength: 1, maxLength: 5000, description: 'The comment, plain text: markup is shown as typed, never run.' })
const email = Type.String({ format: 'email', minLength: 3, maxLength: 254, description: 'The commenter\'s address, seen by moderators and staff only.' })
const ip = Type.String({ description: 'The client\'s address: IPv4 whole, IPv6 as its /64 network. Seen by moderators and staff only.' })

const publicProperties = {
  id: CommentIdSchema,
  articleId: ArticleIdSchema,
  parentId: Type.Union([CommentIdSchema, Type.Null()], { description: 'The comment this one replies to, or null. Replies may nest; the front end builds the tree.' }),
  authorName,
  authorUrl,
  body,
  bodyHtml: Type.String({ description: 'The body escaped for display: paragraphs, line breaks, and http(s) links with `rel="nofollow ugc"`.' }),
  createdAt: TimestampSchema
}

export const PublicCommentSchema = Type.Object(publicProperties, {
  $id: 'PublicComment',
  additionalProperties: false,
  description: 'A comment as the public sees it: never the commenter\'s email or address.'
})

export const SubmittedCommentSchema = Type.Object({
  ...publicProperties,
  status: Type.Enum(['pending', 'approved'], {
    description: '`approved` when a staff or moderator key posted it; otherwise `pending`, whatever the moderation rules decided, so that no answer tells whether an address has commented before or is banned.'
  })
}, { $id: 'SubmittedComment', additionalProperties: false, description: 'The comment just submitted, once committed.' })

export const CommentSubmitSchema = Type.Object({
  authorName,
  authorEmail: email,
  body,
  authorUrl: Type.Optional(authorUrl),
  parentId: Type.Optional(Type.Union([CommentIdSchema, Type.Null()], { description: 'An approved comment of the same article to reply to.' }))
}, { $id: 'CommentSubmit', additionalProperties: false, description: 'A reader\'s comment. The email is required but never published.' })

export const CommentHistoryEntrySchema = Type.Object({
  status: CommentStatusSchema,
  previousStatus: Type.Union([CommentStatusSchema, Type.Null()], { description: 'The status before; null for the decision on submission.' }),
  by: Type.Union([KeyIdSchema, Type.Null()], { description: 'The API key that made the change; null when a moderation rule decided.' }),
  rule: Type.Union([Type.String(), Type.Null()], { description: 'The rule that decided, when no one did: `default`, `links`, `blocklist`, `ban`, `returning-commenter` or `trusted-key`.' }),
  at: TimestampSchema
}, { $id: 'CommentHistoryEntry', additionalProperties: false, description: 'One status change.' })

export const ModeratedCommentSchema = Type.Object({
  ...publicProperties,
  authorEmail: email,
  status: CommentStatusSchema,
  ip,
  userAgent: Type.Union([Type.String(), Type.Null()], { description: 'The browser or app that submitted it.' }),
  article: Type.Object({
    id: ArticleIdSchema,
    slug: Type.String({ description: 'The article\'s current slug.' }),
    title: Type.String({ description: 'The article\'s headline.' })
  }, { additionalProperties: false, description: 'The article the comment is on.' }),
  moderatedAt: Type.Union([TimestampSchema, Type.Null()], { description: 'When a moderator last changed its status; null if no one has.' }),
  moderatedBy: Type.Union([KeyIdSchema, Type.Null()], { description: 'The key that last changed its status.' }),
  history: Type.Array(ref(CommentHistoryEntrySchema), { description: 'Every status change, oldest first. Present when reading one comment; empty in lists.' })
}, { $id: 'ModeratedComment', additionalProperties: false, description: 'A comment in full, for moderators and staff.' })

export type CommentSubmit = Static<typeof CommentSubmitSchema>
export type PublicComment = Static<typeof PublicCommentSchema>
export type ModeratedComment = Static<typeof ModeratedCommentSchema>

export const PublicCommentListSchema = listSchema('PublicCommentList', ref(PublicCommentSchema), 'A page of an article\'s approved comments, oldest first.')

export const CountsByStatusSchema = Type.Object(
  Object.fromEntries(COMMENT_STATUSES.map((status) => [status, Type.Integer({ minimum: 0, description: `Comments in \`${status}\` matching the other filters.` })])) as Record<typeof COMMENT_STATUSES[number], ReturnType<typeof Type.Integer>>,
  { $id: 'CountsByStatus', additionalProperties: false, description: 'How many comments match the filters other than `status`, in each status.' }
)

export const ModeratedCommentListSchema = Type.Object({
  data: Type.Array(ref(ModeratedCommentSchema), { description: 'This page of comments.' }),
  meta: Type.Object({
    ...PageMetaSchema.properties,
    countsByStatus: ref(CountsByStatusSchema)
  }, { additionalProperties: false, description: 'Where this page stands, and the size of each queue.' })
}, { $id: 'ModeratedCommentList', additionalProperties: false, description: 'A page of the moderation queue.' })

export const { item: PublicCommentFieldsSchema, list: PublicCommentFieldsListSchema } = fieldsSchemas(PublicCommentSchema, 'PublicComment')

export const { item: ModeratedCommentFieldsSchema, list: ModeratedCommentFieldsListSchema } = fieldsSchemas(ModeratedCommentSchema, 'ModeratedComment', ModeratedCommentListSchema.properties.meta)

export const CommentListQuerySchema = Type.Object({ ...pageQuery, fields: Type.Optional(FieldsQuerySchema) }, { additionalProperties: false })

export const CommentGetQuerySchema = Type.Object({ fields: Type.Optional(FieldsQuerySchema) }, { additionalProperties: false })

export const ModerationQuerySchema = Type.Object({
  ...pageQuery,
  fields: Type.Optional(FieldsQuerySchema),
  status: Type.Optional(CommentStatusSchema),
  article: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'Only comments on this article (id or slug).' })),
  email: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Only comments from this address (any case).' })),
  ip: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only comments from this client address (an IPv6 address matches its /64).' }))
}, { additionalProperties: false })

export const StatusChangeSchema = Type.Object({
  status: CommentStatusSchema
}, { $id: 'CommentStatusChange', additionalProperties: false, description: 'The new status.' })

export const BulkStatusChangeSchema = Type.Object({
  ids: Type.Array(CommentIdSchema, { minItems: 1, maxItems: 500, uniqueItems: true, description: 'The comments to change, up to 500.' }),
  status: CommentStatusSchema
}, { $id: 'CommentBulkStatusChange', additionalProperties: false, description: 'A status for many comments at once.' })

export const BulkResultSchema = Type.Object({
  updated: Type.Integer({ minimum: 0, description: 'How many comments changed status (unknown ids and those already in it are not counted).' })
}, { $id: 'CommentBulkResult', additionalProperties: false, description: 'The outcome of a bulk change.' })

export const ErasureSchema = Type.Object({
  email
}, { $id: 'CommentErasure', additionalProperties: false, description: 'The address whose comments must all be deleted.' })

export const ErasureResultSchema = Type.Object({
  erased: Type.Integer({ minimum: 0, description: 'How many comments were deleted.' })
}, { $id: 'CommentErasureResult', additionalProperties: false, description: 'The outcome of an erasure.' })

export const BanSchema = Type.Object({
  id: BanIdSchema,
  email: Type.Union([email, Type.Null()], { description: 'The banned address, or null.' }),
  ip: Type.Union([ip, Type.Null()], { description: 'The banned client address (IPv6 by its /64), or null.' }),
  reason: Type.String({ description: 'Why, for the other moderators.' }),
  createdAt: TimestampSchema,
  createdBy: Type.Union([KeyIdSchema, Type.Null()], { description: 'The key that made the ban.' })
}, { $id: 'CommentBan', additionalProperties: false, description: 'A commenter whose submissions are stored as spam.' })

export const BanCreateSchema = Type.Object({
  email: Type.Optional(email),
  ip: Type.Optional(Type.Union([Type.String({ format: 'ipv4' }), Type.String({ format: 'ipv6', maxLength: 100 })], { description: 'An IPv4 or IPv6 address; an IPv6 address bans its /64.' })),
  reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why, for the other moderators.' })
}, { $id: 'CommentBanCreate', additionalProperties: false, description: 'A ban on an email, a client address, or both; at least one of them.' })

export const BanListSchema = listSchema('CommentBanList', ref(BanSchema), 'A page of bans, newest first.')
