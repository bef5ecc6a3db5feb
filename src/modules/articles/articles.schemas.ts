import { Type, type Static } from 'typebox'
import { ARTICLE_STATUSES } from '../../db/schema/index.js'
import { DateBoundSchema, described, DisplayTextSchema, HttpUrlSchema, IdSchema, NO_BIDI_CONTROLS_PATTERN, ref, SlugSchema, slugSchema, TimestampSchema } from '../../http/common.js'
import { fieldsSchemas, FieldsQuerySchema } from '../../http/fields.js'
import { listSchema, pageQuery } from '../../http/pagination.js'
import { MAX_COMMON_WORDS, MAX_TERMS, MIN_PREFIX_LENGTH, RANKED_WORD_LIMIT, SEARCH_WINDOW } from './articles.search.js'
import { AuthorIdSchema } from '../authors/authors.schemas.js'
import { TagIdSchema } from '../tags/tags.schemas.js'

export const ArticleIdSchema = IdSchema('art', 'The article\'s id.')

export const ArticleStatusSchema = Type.Enum(ARTICLE_STATUSES, {
  description: '`draft` is seen by the newsroom only; `scheduled` goes live by itself at `publishedAt`; `published` is public once `publishedAt` has passed.'
})

export const AuthorRefSchema = Type.Object({
  id: AuthorIdSchema,
  slug: SlugSchema,
  name: Type.String({ description: 'The name the article is signed with.' })
}, { $id: 'AuthorRef', additionalProperties: false, description: 'The author, embedded in an article.' })

export const TagRefSchema = Type.Object({
  id: TagIdSchema,
  slug: SlugSchema,
  name: Type.String({ description: 'The tag as readers see it.' })
}, { $id: 'TagRef', additionalProperties: false, description: 'A tag, embedded in an article.' })

export const FeaturedImageSchema = Type.Object({
  url: HttpUrlSchema,
  alt: Type.String({ maxLength: 500, description: 'The image described for readers who cannot see it.' })
}, { $id: 'FeaturedImage', additionalProperties: false, description: 'The image shown with the article in lists and shares.' })

const title = DisplayTextSchema({ minLength: 1, maxLength: 300, description: 'The headline.' })
const excerpt = Type.String({
  maxLength: 1000,
  pattern: NO_BIDI_CONTROLS_PATTERN,
  description: 'A short summary, plain text, with no bidi embedding, override or isolate (U+202A–U+202E, U+2066–U+2069). When not given, the first ~160 characters of the body\'s text, cut at a word, without those.'
})
const body = Type.String({ maxLength: 500_000, description: 'The article in Markdown; HTML blocks are allowed and sanitised.' })
const publishedAt = Type.Union([TimestampSchema, Type.Null()], { description: 'When the article went or goes live; null for a draft never published.' })

const summaryProperties = {
  id: ArticleIdSchema,
  slug: SlugSchema,
  title,
  excerpt,
  url: Type.String({ format: 'uri', description: 'The article\'s public page, from the `SITE_URL` and `ARTICLE_URL_TEMPLATE` settings: for share, copy and print links.' }),
  status: ArticleStatusSchema,
  publishedAt,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  author: ref(AuthorRefSchema),
  tags: Type.Array(ref(TagRefSchema), { description: 'The article\'s tags, in the order the newsroom gave them.' }),
  wordCount: Type.Integer({ minimum: 0, description: 'Words in the body\'s text.' }),
  readingTimeMinutes: Type.Integer({ minimum: 1, description: 'ceil(wordCount / 200), at least 1: the "2 minutes Read" of the page.' }),
  commentCount: Type.Integer({ minimum: 0, description: 'Approved comments.' }),
  commentsOpen: Type.Boolean({ description: 'Whether readers may comment.' }),
  featuredImage: Type.Union([ref(FeaturedImageSchema), Type.Null()], { description: 'The image shown with the article, or null.' })
}

export const ArticleSchema = Type.Object({
  ...summaryProperties,
  body,
  bodyHtml: Type.String({ description: 'The body rendered to HTML and sanitised: no scripts, no `on*` handlers, no `javascript:` URLs.' })
}, { $id: 'Article', additionalProperties: false, description: 'A news article.' })

export const ArticleSummarySchema = Type.Object(summaryProperties, {
  $id: 'ArticleSummary',
  additionalProperties: false,
  description: 'An article as lists show it: without `body` and `bodyHtml` unless `fields` names them.'
})

export const { item: ArticleFieldsSchema, list: ArticleFieldsListSchema } = fieldsSchemas(ArticleSchema, 'Article')

export type Article = Static<typeof ArticleSchema>
export type ArticleSummary = Static<typeof ArticleSummarySchema>

export const ArticleCreateSchema = Type.Object({
  title,
  body,
  // Required or not depends on the caller's key, which a schema cannot see: the route says so with a 400.
  authorId: Type.Optional(described(AuthorIdSchema, 'The author who signs the article. Required, except with an `author` key, which writes as its own author (and may leave it out).')),
  slug: Type.Optional(slugSchema('The slug to publish under, instead of one made from the title. Editors and admins only (an author key that sends one gets a 403): an author key\'s draft gets a provisional slug, made from the title and six random characters, so that it tells nothing of articles it cannot see.')),
  excerpt: Type.Optional(excerpt),
  status: Type.Optional(ArticleStatusSchema),
  publishedAt: Type.Optional(publishedAt),
  tagIds: Type.Optional(Type.Array(TagIdSchema, { maxItems: 50, uniqueItems: true, description: 'The article\'s tags, in order.' })),
  commentsOpen: Type.Optional(Type.Boolean({ description: 'Whether readers may comment; true when left out.' })),
  featuredImage: Type.Optional(Type.Union([ref(FeaturedImageSchema), Type.Null()]))
}, {
  $id: 'ArticleCreate',
  additionalProperties: false,
  description: 'A new article. `authorId` is required except for an author key, which writes as its own author. `status` defaults to `draft`; `published` without `publishedAt` is published now; `scheduled` needs a future `publishedAt`. The slug is made from the title when not given.'
})

export const ArticleUpdateSchema = Type.Object({
  title: Type.Optional(title),
  body: Type.Optional(body),
  authorId: Type.Optional(AuthorIdSchema),
  slug: Type.Optional(slugSchema('A new slug; the old one then answers 301 to it. Editors and admins only.')),
  excerpt: Type.Optional(Type.Union([excerpt, Type.Null()], { description: 'A new summary; null goes back to one made from the body.' })),
  status: Type.Optional(ArticleStatusSchema),
  publishedAt: Type.Optional(publishedAt),
  tagIds: Type.Optional(Type.Array(TagIdSchema, { maxItems: 50, uniqueItems: true, description: 'The article\'s tags, replacing the old ones.' })),
  commentsOpen: Type.Optional(Type.Boolean()),
  featuredImage: Type.Optional(Type.Union([ref(FeaturedImageSchema), Type.Null()]))
}, { $id: 'ArticleUpdate', additionalProperties: false, minProperties: 1, description: 'The fields to change; the others stay as they are.' })

export type ArticleCreate = Static<typeof ArticleCreateSchema>
export type ArticleUpdate = Static<typeof ArticleUpdateSchema>

export const ArticleListSchema = listSchema('ArticleList', ref(ArticleSummarySchema), 'A page of articles.')

export const ARTICLE_SORTS = ['-publishedAt', 'publishedAt', '-updatedAt', 'title'] as const
export type ArticleSort = typeof ARTICLE_SORTS[number]

export const ArticleListQuerySchema = Type.Object({
  ...pageQuery,
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only articles with the tag of this slug.' })),
  author: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only articles by the author of this slug.' })),
  status: Type.Optional(Type.Enum(ARTICLE_STATUSES, { description: 'Editors and admins: any status (all of them when left out). An author key: `draft` lists its own drafts. The public and other keys: `published` only (another status is a 401 without a key, a 403 with one).' })),
  publishedAfter: Type.Optional(DateBoundSchema('Only articles published at or after this time, or from this day on (`2026-12-01`: from 00:00 UTC).')),
  publishedBefore: Type.Optional(DateBoundSchema('Only articles published before this time, or before this day (`2026-12-01`: before 00:00 UTC).')),
  updatedAfter: Type.Optional(DateBoundSchema('Only articles changed after this time (or day, from 00:00 UTC): what an offline app must refresh.')),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: `Full-text search over title, excerpt and body, case- and accent-insensitive, every word required; each word of ${MIN_PREFIX_LENGTH} letters or more also matches as a prefix (\`palestinien\` finds "Palestiniens"), a shorter one only whole; a word typed twice counts once, and the first ${MAX_TERMS} words are searched; of the words found in more than ${SEARCH_WINDOW.toLocaleString('en')} articles, only the first ${MAX_COMMON_WORDS} are required. Whatever is typed is searched as text. Orders by relevance (the title weighs most; a word found in more than ${RANKED_WORD_LIMIT} articles does not count in it) unless \`sort\` is given; paging by relevance is by \`offset\`. A search ranks, sorts and counts its ${SEARCH_WINDOW.toLocaleString('en')} newest matches at most: past that, it lists those only, and \`meta.total\` is an estimate, with \`meta.totalIsEstimate\`.` })),
  sort: Type.Optional(Type.Enum(ARTICLE_SORTS, { description: 'Order: newest first (the default without `q`), oldest first, last changed first, or by title as if accents were absent.' })),
  fields: Type.Optional(FieldsQuerySchema)
}, { additionalProperties: false })

export type ArticleListQuery = Static<typeof ArticleListQuerySchema>

export const RelatedQuerySchema = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 3, description: 'How many related articles, 1 to 20.' }))
}, { additionalProperties: false })

export const RelatedArticlesSchema = Type.Object({
  data: Type.Array(ref(ArticleSummarySchema), { description: 'Published articles sharing the most tags with this one, the newest first among equals.' })
}, { $id: 'RelatedArticles', additionalProperties: false, description: 'The "related posts" box.' })

export const TombstoneQuerySchema = Type.Object({
  since: DateBoundSchema('Only what was removed after this time (or day, from 00:00 UTC): the time of the app\'s last sync.'),
  ...pageQuery
}, { additionalProperties: false })

export const TombstoneListSchema = listSchema('TombstoneList', Type.Object({
  id: ArticleIdSchema,
  slug: Type.String({ description: 'The slug the article had.' }),
  removedAt: TimestampSchema
}, { additionalProperties: false, description: 'An article deleted or taken out of the public\'s sight.' }), 'Articles an offline app should drop, oldest removal first.')

export const ArticleGetQuerySchema = Type.Object({
  fields: Type.Optional(FieldsQuerySchema)
}, { additionalProperties: false })
