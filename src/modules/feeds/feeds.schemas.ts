import { Type } from 'typebox'

/** How many articles a feed carries when `limit` is not given. */
export const FEED_LIMIT = 20

export const FeedQuerySchema = Type.Object({
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only articles with the tag of this slug.' })),
  author: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only articles by the author of this slug.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: FEED_LIMIT, description: `How many of the latest articles, 1 to 100 (${FEED_LIMIT} when not given).` }))
}, { additionalProperties: false })

const JsonFeedAuthorSchema = Type.Object({
  name: Type.String({ description: 'The author\'s name.' }),
  url: Type.Optional(Type.String({ description: 'The author\'s page.' }))
}, { additionalProperties: false, description: 'An author, as JSON Feed 1.1 has it.' })

export const JsonFeedSchema = Type.Object({
  version: Type.Literal('https://jsonfeed.org/version/1.1', { description: 'The JSON Feed version.' }),
  title: Type.String({ description: 'The site\'s name, with the tag or author when filtered.' }),
  home_page_url: Type.String({ description: 'The web site.' }),
  feed_url: Type.String({ description: 'This feed.' }),
  language: Type.String({ description: 'The site\'s language.' }),
  items: Type.Array(Type.Object({
    id: Type.String({ description: 'The article\'s id.' }),
    url: Type.String({ description: 'The article\'s public page.' }),
    title: Type.String({ description: 'The headline.' }),
    content_html: Type.String({ description: 'The full article, sanitised HTML.' }),
    summary: Type.String({ description: 'The excerpt.' }),
    image: Type.Optional(Type.String({ description: 'The featured image.' })),
    date_published: Type.String({ description: 'When it was published, RFC 3339.' }),
    date_modified: Type.String({ description: 'When it last changed, RFC 3339.' }),
    authors: Type.Array(JsonFeedAuthorSchema, { description: 'Who signs it.' }),
    tags: Type.Array(Type.String(), { description: 'Its tags\' names.' })
  }, { additionalProperties: false, description: 'An article.' }), { description: 'The latest published articles, newest first.' })
}, { $id: 'JsonFeed', additionalProperties: false, description: 'A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1).' })
