import { XMLBuilder } from 'fast-xml-parser'

/** What a feed says about itself. */
export interface FeedChannel {
  title: string
  /** The web site the feed is of. */
  siteUrl: string
  /** The feed's permanent identity: its address without the page size, built from settings, never from the request. */
  id: string
  /** Where this feed is fetched from, as asked (with its limit), built from settings too. */
  selfUrl: string
  description: string
  language: string
  updatedAt: Date
}

/** One article, as every feed format carries it. */
export interface FeedEntry {
  /** Permanent: it stays the same when the article's slug, and so its URL, changes (see `permanentIdOf`). */
  id: string
  url: string
  title: string
  excerpt: string
  html: string
  author: string
  tags: ReadonlyArray<{ slug: string, name: string }>
  publishedAt: Date
  updatedAt: Date
  image: { url: string, alt: string } | null
}

const NAMESPACES = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/'
}

const GENERATOR = 'Newsroom CMS'

// The registered types (RFC 2046 and IANA's registry) of the image formats a newsroom publishes; `jpg` is no type.
const IMAGE_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif'
}

/** The registered media type of an image, from its URL's extension; undefined when the URL does not say. */
export function imageTypeOf (url: string): string | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase()
  return extension === undefined ? undefined : IMAGE_TYPES[extension]
}

/**
 * An article's id as feeds give it (RSS `guid`, Atom `id`): a `tag:` URI (RFC 4151) made of the site's host, the day
 * the article was created and its id, none of which ever changes, so a reader never sees an article twice because its
 * slug was corrected.
 */
export function permanentIdOf (siteUrl: string, article: { id: string, createdAt: string }): string {
  return `tag:${new URL(siteUrl).hostname},${article.createdAt.slice(0, 10)}:articles/${article.id}`
}

/** Plain text made HTML, for the elements RSS and Atom read as HTML: an item's description, an Atom title. */
function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)
}

type XmlNode = Record<string, unknown>

// Escapes every text and attribute value (`&`, `<`, `>`, quotes): HTML content goes in as escaped text, which XML
// readers decode the same as CDATA, and which no `]]>` inside it can break.
const builder = new XMLBuilder({ ignoreAttributes: false, attributesGroupName: '@', attributeNamePrefix: '', textNodeName: '#text', suppressEmptyNode: true })

function toXml (document: XmlNode): string {
  return builder.build({ '?xml': { '@': { version: '1.0', encoding: 'utf-8' } }, ...document }) as string
}

/**
 * RSS 2.0. The author's name goes in `dc:creator` (RSS's `author` is an email address, which is not public); the
 * featured image in Media RSS's `media:content`, which needs no byte length (an `enclosure` does, and a made-up one
 * misleads podcast clients). A namespace is declared only when an element uses it.
 */
export function rssDocument (channel: FeedChannel, entries: readonly FeedEntry[]): string {
  const withImage = entries.some((entry) => entry.image !== null)
  const attributes: Record<string, string> = { version: '2.0', 'xmlns:atom': NAMESPACES.atom }
  if (entries.length > 0) Object.assign(attributes, { 'xmlns:content': NAMESPACES.content, 'xmlns:dc': NAMESPACES.dc })
  if (withImage) attributes['xmlns:media'] = NAMESPACES.media
  return toXml({
    rss: {
      '@': attributes,
      channel: {
        title: channel.title,
        link: channel.siteUrl,
        description: channel.description,
        language: channel.language,
        lastBuildDate: channel.updatedAt.toUTCString(),
        docs: 'https://www.rssboard.org/rss-specification',
        generator: GENERATOR,
        'atom:link': { '@': { href: channel.selfUrl, rel: 'self', type: 'application/rss+xml' } },
        item: entries.map((entry) => ({
          title: entry.title,
          link: entry.url,
          guid: { '@': { isPermaLink: 'false' }, '#text': entry.id },
          pubDate: entry.publishedAt.toUTCString(),
          description: { '#text': escapeHtml(entry.excerpt) },
          'content:encoded': { '#text': entry.html },
          'dc:creator': entry.author,
          category: entry.tags.map((tag) => (tag.name)),
          ...(entry.image === null ? {} : { 'media:content': mediaContent(entry.image) })
        }))
      }
    }
  })
}

function mediaContent (image: { url: string, alt: string }): XmlNode {
  const type = imageTypeOf(image.url)
  return {
    '@': { url: image.url, medium: 'image', ...(type === undefined ? {} : { type }) },
    ...(image.alt === '' ? {} : { 'media:description': { '@': { type: 'plain' }, '#text': image.alt } })
  }
}

/** Atom 1.0 (RFC 4287), in the site's language (`xml:lang`); the featured image as an `enclosure` link with its type. */
export function atomDocument (channel: FeedChannel, entries: readonly FeedEntry[]): string {
  return toXml({
    feed: {
      '@': { xmlns: NAMESPACES.atom, 'xml:lang': channel.language },
      id: channel.selfUrl,
      title: channel.title,
      subtitle: channel.description,
      updated: channel.updatedAt.toISOString(),
      generator: GENERATOR,
      link: [
        { '@': { rel: 'alternate', type: 'text/html', href: channel.siteUrl } },
        { '@': { rel: 'self', type: 'application/atom+xml', href: channel.selfUrl } }
      ],
      entry: entries.map((entry) => {
        const type = entry.image === null ? undefined : imageTypeOf(entry.image.url)
        return {
          title: { '@': { type: 'html' }, '#text': escapeHtml(entry.title) },
          id: entry.id,
          link: [
            { '@': { rel: 'alternate', type: 'text/html', href: entry.url } },
            ...(entry.image === null ? [] : [{ '@': { rel: 'enclosure', href: entry.image.url, ...(type === undefined ? {} : { type }) } }])
          ],
          published: entry.publishedAt.toISOString(),
          updated: entry.updatedAt.toISOString(),
          author: { name: entry.author },
          category: entry.tags.map((tag) => ({ '@': { term: tag.slug, label: tag.name } })),
          summary: { '@': { type: 'html' }, '#text': escapeHtml(entry.excerpt) },
          content: { '@': { type: 'html' }, '#text': entry.html }
        }
      })
    }
  })
}
