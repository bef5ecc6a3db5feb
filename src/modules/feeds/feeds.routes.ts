import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import { ref } from '../../http/common.js'
import { problemResponses } from '../../http/problem.js'
import { PUBLIC_OR_KEY } from '../../plugins/auth.js'
import type { ArticlesRepository } from '../articles/articles.repository.js'
import { atomDocument, type FeedChannel, type FeedEntry, permanentIdOf, rssDocument } from './feed-documents.js'
import { FEED_LIMIT, FeedQuerySchema, JsonFeedSchema } from './feeds.schemas.js'

interface Options {
  articles: ArticlesRepository
  clock: Clock
  config: Pick<Config, 'SITE_URL' | 'SITE_NAME' | 'SITE_LANGUAGE' | 'API_URL'>
}

type FeedQuery = { tag?: string | undefined, author?: string | undefined, limit?: number | undefined }

function xmlResponse (mediaType: string, description: string) {
  return { 200: { description, content: { [mediaType]: { schema: { type: 'string' } } } }, ...problemResponses }
}

/**
 * A feed's address on this API, from the `API_URL` setting and the query it was asked with, in a fixed order: never
 * from the request's Host, which anyone can set, in answers that shared caches keep. Without `limit`, it is the
 * feed's permanent identity; the default limit is left out, so each feed has one address.
 */
function feedUrl (apiUrl: string, format: string, query: FeedQuery, withLimit: boolean): string {
  const search = new URLSearchParams()
  if (query.tag !== undefined) search.set('tag', query.tag)
  if (query.author !== undefined) search.set('author', query.author)
  if (withLimit && query.limit !== undefined && query.limit !== FEED_LIMIT) search.set('limit', String(query.limit))
  const text = search.toString()
  return `${apiUrl}/v1/feed.${format}${text === '' ? '' : `?${text}`}`
}

/** RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the latest published articles, with their full sanitised HTML. */
const routes: FastifyPluginAsyncTypebox<Options> = async (app, { articles, clock, config }) => {
  async function latest (query: FeedQuery) {
    const { data } = await articles.list({
      publicAt: clock.now(),
      ...(query.tag === undefined ? {} : { tagSlug: query.tag }),
      ...(query.author === undefined ? {} : { authorSlug: query.author })
    }, '-publishedAt', { limit: query.limit ?? FEED_LIMIT, offset: 0 }, { withBody: true })
    return data as Array<(typeof data)[number] & { bodyHtml: string }>
  }

  function titleOf (query: FeedQuery): string {
    const filters = [query.tag === undefined ? '' : `#${query.tag}`, query.author === undefined ? '' : `@${query.author}`].filter((part) => part !== '')
    return filters.length === 0 ? config.SITE_NAME : `${config.SITE_NAME} (${filters.join(' ')})`
  }

  async function xmlFeed (query: FeedQuery, format: 'rss' | 'atom', write: (channel: FeedChannel, entries: FeedEntry[]) => string) {
    const items = await latest(query)
    const channel: FeedChannel = {
      title: titleOf(query),
      siteUrl: new URL(config.SITE_URL).href,
      id: feedUrl(config.API_URL, format, query, false),
      selfUrl: feedUrl(config.API_URL, format, query, true),
      description: `The latest articles of ${config.SITE_NAME}.`,
      language: config.SITE_LANGUAGE,
      updatedAt: new Date(items[0]?.updatedAt ?? clock.now())
    }
    return write(channel, items.map((article) => ({
      id: permanentIdOf(config.SITE_URL, article),
      url: article.url,
      title: article.title,
      excerpt: article.excerpt,
      html: article.bodyHtml,
      author: article.author.name,
      tags: article.tags,
      publishedAt: new Date(article.publishedAt!),
      updatedAt: new Date(article.updatedAt),
      image: article.featuredImage
    })))
  }

  app.get('/feed.rss', {
    schema: {
      tags: ['feeds'],
      operationId: 'getRssFeed',
      summary: 'RSS 2.0 feed',
      description: 'The latest published articles, with their full sanitised HTML, authors, categories and dates.',
      security: PUBLIC_OR_KEY,
      querystring: FeedQuerySchema,
      response: xmlResponse('application/rss+xml', 'An RSS 2.0 document.')
    }
  }, async (request, reply) => reply.type('application/rss+xml; charset=utf-8').send(await xmlFeed(request.query, 'rss', rssDocument)))

  app.get('/feed.atom', {
    schema: {
      tags: ['feeds'],
      operationId: 'getAtomFeed',
      summary: 'Atom 1.0 feed',
      description: 'The latest published articles, with their full sanitised HTML, authors, categories and dates.',
      security: PUBLIC_OR_KEY,
      querystring: FeedQuerySchema,
      response: xmlResponse('application/atom+xml', 'An Atom 1.0 document.')
    }
  }, async (request, reply) => reply.type('application/atom+xml; charset=utf-8').send(await xmlFeed(request.query, 'atom', atomDocument)))

  app.get('/feed.json', {
    schema: {
      tags: ['feeds'],
      operationId: 'getJsonFeed',
      summary: 'JSON Feed 1.1',
      description: 'The latest published articles, with their full sanitised HTML, authors, tags and dates.',
      security: PUBLIC_OR_KEY,
      querystring: FeedQuerySchema,
      response: { 200: { description: 'A JSON Feed 1.1 document.', content: { 'application/feed+json': { schema: ref(JsonFeedSchema) } } }, ...problemResponses }
    }
  }, async (request, reply) => {
    const items = await latest(request.query)
    reply.type('application/feed+json; charset=utf-8')
    return {
      version: 'https://jsonfeed.org/version/1.1' as const,
      title: titleOf(request.query),
      home_page_url: config.SITE_URL,
      feed_url: feedUrl(config.API_URL, 'json', request.query, true),
      language: config.SITE_LANGUAGE,
      items: items.map((article) => ({
        id: article.id,
        url: article.url,
        title: article.title,
        content_html: article.bodyHtml,
        summary: article.excerpt,
        ...(article.featuredImage === null ? {} : { image: article.featuredImage.url }),
        date_published: article.publishedAt!,
        date_modified: article.updatedAt,
        authors: [{ name: article.author.name }],
        tags: article.tags.map((tag) => tag.name)
      }))
    }
  })
}

export default routes
