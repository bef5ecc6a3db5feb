import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Feed } from 'feed'
import type { Clock } from '../../clock.js'
import type { Config } from '../../config.js'
import { ref } from '../../http/common.js'
import { problemResponses } from '../../http/problem.js'
import { PUBLIC_OR_KEY } from '../../plugins/auth.js'
import type { ArticlesRepository } from '../articles/articles.repository.js'
import { FeedQuerySchema, JsonFeedSchema } from './feeds.schemas.js'

interface Options {
  articles: ArticlesRepository
  clock: Clock
  config: Pick<Config, 'SITE_URL' | 'SITE_NAME' | 'SITE_LANGUAGE'>
}

type FeedQuery = { tag?: string | undefined, author?: string | undefined, limit?: number | undefined }

function xmlResponse (mediaType: string, description: string) {
  return { 200: { description, content: { [mediaType]: { schema: { type: 'string' } } } }, ...problemResponses }
}

const DUBLIN_CORE = 'http://purl.org/dc/elements/1.1/'

/** Plain text made HTML, for the elements RSS and Atom read as HTML: an item's description, an Atom title. */
function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

/** The address this request came in on, for a feed's link to itself (behind a proxy, per TRUST_PROXY). */
function selfUrl (request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${request.url}`
}

/** RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the latest published articles, with their full sanitised HTML. */
const routes: FastifyPluginAsyncTypebox<Options> = async (app, { articles, clock, config }) => {
  async function latest (query: FeedQuery) {
    const { data } = await articles.list({
      publicAt: clock.now(),
      ...(query.tag === undefined ? {} : { tagSlug: query.tag }),
      ...(query.author === undefined ? {} : { authorSlug: query.author })
    }, '-publishedAt', { limit: query.limit ?? 20, offset: 0 }, { withBody: true })
    return data as Array<(typeof data)[number] & { bodyHtml: string }>
  }

  function titleOf (query: FeedQuery): string {
    const filters = [query.tag === undefined ? '' : `#${query.tag}`, query.author === undefined ? '' : `@${query.author}`].filter((part) => part !== '')
    return filters.length === 0 ? config.SITE_NAME : `${config.SITE_NAME} (${filters.join(' ')})`
  }

  async function xmlFeed (query: FeedQuery, self: string, format: 'rss' | 'atom') {
    const items = await latest(query)
    const feed = new Feed({
      title: titleOf(query),
      id: config.SITE_URL,
      link: config.SITE_URL,
      description: `The latest articles of ${config.SITE_NAME}.`,
      language: config.SITE_LANGUAGE,
      updated: new Date(items[0]?.updatedAt ?? clock.now()),
      generator: 'Newsroom CMS',
      feed: self
    })
    for (const article of items) {
      feed.addItem({
        // Atom's title is `type="html"`; RSS readers take a title as text.
        title: format === 'atom' ? escapeHtml(article.title) : article.title,
        id: article.url,
        link: article.url,
        description: escapeHtml(article.excerpt),
        content: article.bodyHtml,
        // RSS 2.0's <author> is an email address, which is not public: the name goes in <dc:creator>,
        // declaring its namespace itself (the feed package declares it only when some item has content).
        ...(format === 'atom'
          ? { author: [{ name: article.author.name }] }
          : { extensions: [{ name: 'dc:creator', objects: { _attributes: { 'xmlns:dc': DUBLIN_CORE }, _text: article.author.name } }] }),
        date: new Date(article.updatedAt),
        published: new Date(article.publishedAt!),
        category: article.tags.map((tag) => ({ name: tag.name, term: tag.slug })),
        ...(article.featuredImage === null ? {} : { image: article.featuredImage.url })
      })
    }
    return feed
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
  }, async (request, reply) => reply.type('application/rss+xml; charset=utf-8').send((await xmlFeed(request.query, selfUrl(request), 'rss')).rss2()))

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
  }, async (request, reply) => reply.type('application/atom+xml; charset=utf-8').send((await xmlFeed(request.query, selfUrl(request), 'atom')).atom1()))

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
      feed_url: selfUrl(request),
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
