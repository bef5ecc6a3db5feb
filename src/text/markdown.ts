import MarkdownIt from 'markdown-it'
import sanitizeHtml from 'sanitize-html'
import { withoutBidiControls } from './invisible.js'

// Built once: both run on every article write.
// The default preset is CommonMark plus tables and strikethrough; raw HTML is on so editors can embed it,
// which is why the output always goes through the sanitizer below.
const markdownParser = new MarkdownIt({ html: true, linkify: true, typographer: false })

/** What an article body may contain: text formatting, links, images, tables; no scripts, frames, forms, styles or handlers. */
const ARTICLE_HTML: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li',
    'strong', 'b', 'em', 'i', 's', 'del', 'code', 'pre', 'a', 'img', 'figure', 'figcaption',
    'table', 'thead', 'tbody', 'tr', 'th', 'td', 'sup', 'sub', 'span'
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['colspan', 'rowspan'],
    td: ['colspan', 'rowspan']
  },
  // Fenced code blocks carry their language for client-side highlighting.
  allowedClasses: { code: ['language-*'] },
  // Relative URLs are always kept; only these schemes are allowed in href and src.
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  disallowedTagsMode: 'discard',
  transformTags: { a: linkRel }
}

// A link with an authority (`https://host`, `//host`) leaves the site: a protocol-relative one is no relative path.
const TO_ANOTHER_HOST = /^(?:[a-z][a-z0-9+.-]*:)?\/\//i

/**
 * The `rel` of a link: what the body gave, without `opener` (which would hand the site's window to the page opened),
 * and with `noopener` on links that leave the site, whatever a front end does with them (`target="_blank"`).
 */
function linkRel (tagName: string, attributes: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const given = (attributes.rel ?? '').split(/\s+/).filter((token) => token !== '' && token.toLowerCase() !== 'opener')
  const leaves = TO_ANOTHER_HOST.test((attributes.href ?? '').trim())
  const tokens = [...new Set(leaves && !given.some((token) => token.toLowerCase() === 'noopener') ? [...given, 'noopener'] : given)]
  const { rel: _rel, ...others } = attributes
  return { tagName, attribs: tokens.length === 0 ? others : { ...others, rel: tokens.join(' ') } }
}

// Elements whose content HTML parsers read as raw text up to their end tag; opened and never closed, one would swallow
// the rest of the article (`<math><mtext><table><mglyph><style>…`). Such an opening tag is dropped, so what follows
// stays text, still sanitised.
const RAW_TEXT_ELEMENTS = ['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']
const RAW_TEXT_START = new RegExp(`<(${RAW_TEXT_ELEMENTS.join('|')})(?=[\\s/>])[^>]*>`, 'gi')

function withoutUnclosedRawText (html: string): string {
  return html.replace(RAW_TEXT_START, (tag, name: string, offset: number) =>
    new RegExp(`</${name}[\\s>]`, 'i').test(html.slice(offset + tag.length)) ? tag : '')
}

const NO_HTML: sanitizeHtml.IOptions = { allowedTags: [], allowedAttributes: {} }

// Tags after which the text of the next block starts; a space keeps "</p><p>" from gluing two words together.
const BLOCK_BOUNDARY = /<(?=\/?(?:p|br|hr|h[1-6]|div|li|ul|ol|dt|dd|blockquote|pre|figure|figcaption|table|tr|th|td|section|article|header|footer|aside)\b)/gi
const ENTITY = /&(?:#(\d+)|#x([\da-f]+)|(amp|lt|gt|quot|apos|nbsp));/gi
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' '
}
const WHITESPACE_RUN = /\s+/g

/**
 * Renders an article body from Markdown (HTML allowed) to sanitized HTML, safe to embed in a page. Bidi
 * embeddings, overrides and isolates, typed or as entities, are left out: they could reorder the page or the
 * feed around the body (an unclosed one runs on past it), and in HTML direction is markup's to set.
 */
export function renderMarkdown (markdown: string): string {
  return withoutBidiControls(sanitizeHtml(withoutUnclosedRawText(markdownParser.render(markdown)), ARTICLE_HTML))
}

/** The visible text of an HTML fragment, with entities decoded and whitespace collapsed to single spaces. */
export function htmlToText (html: string): string {
  const escapedText = sanitizeHtml(html.replace(BLOCK_BOUNDARY, ' <'), NO_HTML)
  return decodeEntities(escapedText).replace(WHITESPACE_RUN, ' ').trim()
}

// One pass, so "&amp;lt;" becomes "&lt;" and not "<".
function decodeEntities (text: string): string {
  return text.replace(ENTITY, (entity, decimal?: string, hexadecimal?: string, name?: string) => {
    if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? entity
    const codePoint = decimal !== undefined ? Number.parseInt(decimal, 10) : Number.parseInt(hexadecimal ?? '', 16)
    return codePoint > 0 && codePoint <= 0x10FFFF ? String.fromCodePoint(codePoint) : entity
  })
}
