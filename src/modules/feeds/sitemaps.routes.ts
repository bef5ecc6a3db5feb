import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SitemapIndexStream, SitemapStream, streamToPromise, type IndexItem, type SitemapItemLoose } from 'sitemap'
import { Type } from 'typebox'
import type { Config } from '../../config.js'
import { notFound, problemResponses } from '../../http/problem.js'
import { PUBLIC_OR_KEY } from '../../plugins/auth.js'
import type { ArticlesRepository } from '../articles/articles.repository.js'

// The limits the sitemaps protocol and Google News set.
const URLS_PER_SITEMAP = 50_000
const NEWS_LIMIT = 1_000

interface Options {
  articles: ArticlesRepository
  config: Pick<Config, 'SITE_NAME' | 'SITE_LANGUAGE' | 'API_URL'>
}

const xml = (description: string) => ({ 200: { description, content: { 'application/xml': { schema: { type: 'string' } } } }, ...problemResponses })

// What an empty site, or 48 quiet hours, answers: the sitemap package refuses to write a sitemap with no URL in it.
const EMPTY_URLSET = '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'

async function render (stream: SitemapStream | SitemapIndexStream, items: Array<SitemapItemLoose | IndexItem>): Promise<string> {
  if (items.length === 0) return EMPTY_URLSET
  return (await streamToPromise(Readable.from(items).pipe(stream))).toString('utf8')
}

// A sitemap declares the namespaces its entries use and no other (the package declares four by default).
const PLAIN = { news: false, xhtml: false, image: false, video: false }
const NEWS = { ...PLAIN, news: true }

/** Sitemaps for search engines: an index over pages of published articles, and the Google News sitemap. */
const routes: FastifyPluginAsyncTypebox<Options> = async (app, { articles, config }) => {
  app.get('/sitemap.xml', {
    schema: {
      tags: ['feeds'],
      operationId: 'getSitemapIndex',
      summary: 'Sitemap index',
      description: `A sitemap index over \`/v1/sitemaps/{n}.xml\`, each of at most ${URLS_PER_SITEMAP.toLocaleString('en')} published articles.`,
      security: PUBLIC_OR_KEY,
      response: xml('A sitemap index.')
    }
  }, async (_request, reply) => {
    const pages = Math.max(1, Math.ceil(await articles.countPublished() / URLS_PER_SITEMAP))
    // From the API_URL setting, never from the request's Host, which anyone can set, in an answer shared caches keep.
    const items = Array.from({ length: pages }, (_, index) => ({ url: `${config.API_URL}/v1/sitemaps/${index + 1}.xml` }))
    return reply.type('application/xml; charset=utf-8').send(await render(new SitemapIndexStream(), items))
  })

  app.get('/sitemaps/:page.xml', {
    schema: {
      tags: ['feeds'],
      operationId: 'getSitemap',
      summary: 'A sitemap of articles',
      description: `Page \`n\` of the published articles, at most ${URLS_PER_SITEMAP.toLocaleString('en')}, each with its \`lastmod\`.`,
      security: PUBLIC_OR_KEY,
      params: Type.Object({ page: Type.Integer({ minimum: 1, maximum: 100_000, description: 'The page, from 1.' }) }),
      response: xml('A sitemap.')
    }
  }, async (request, reply) => {
    const { page } = request.params
    const entries = await articles.sitemapEntries((page - 1) * URLS_PER_SITEMAP, URLS_PER_SITEMAP)
    if (entries.length === 0 && page > 1) notFound('sitemap', String(page))
    const items = entries.map((entry) => ({ url: entry.url, lastmod: entry.updatedAt }))
    return reply.type('application/xml; charset=utf-8').send(await render(new SitemapStream({ xmlns: PLAIN }), items))
  })

  app.get('/news-sitemap.xml', {
    schema: {
      tags: ['feeds'],
      operationId: 'getNewsSitemap',
      summary: 'Google News sitemap',
      description: `The articles published in the last 48 hours, at most ${NEWS_LIMIT.toLocaleString('en')}, with the publication's name and language (the \`SITE_NAME\` and \`SITE_LANGUAGE\` settings).`,
      security: PUBLIC_OR_KEY,
      response: xml('A Google News sitemap.')
    }
  }, async (_request, reply) => {
    const items = (await articles.recentForNews(NEWS_LIMIT)).map((article) => ({
      url: article.url,
      news: {
        publication: { name: config.SITE_NAME, language: config.SITE_LANGUAGE },
        publication_date: article.publishedAt,
        title: article.title
      }
    }))
    return reply.type('application/xml; charset=utf-8').send(await render(new SitemapStream({ xmlns: NEWS }), items))
  })
}

export default routes
