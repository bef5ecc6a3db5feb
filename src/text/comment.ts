import LinkifyIt from 'linkify-it'

const linkify = new LinkifyIt({}, { fuzzyLink: false, fuzzyEmail: false })

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!)
}

/** The http(s) links a reader's comment holds, as the moderation rule counts them. */
export function linksIn (text: string): string[] {
  return (linkify.match(text) ?? []).filter((match) => /^https?:$/i.test(match.schema)).map((match) => match.url)
}

function renderLine (line: string): string {
  let html = ''
  let last = 0
  for (const match of linkify.match(line) ?? []) {
    if (!/^https?:$/i.test(match.schema)) continue
    html += escapeHtml(line.slice(last, match.index))
    html += `<a href="${escapeHtml(match.url)}" rel="nofollow ugc noopener">${escapeHtml(match.text)}</a>`
    last = match.lastIndex
  }
  return html + escapeHtml(line.slice(last))
}

/**
 * A reader's comment is plain text. For display it is escaped, split into
 * paragraphs, and its http(s) links made clickable with `rel="nofollow ugc"`,
 * so nothing a reader types can run or lend the site's reputation to spam.
 */
export function renderComment (body: string): string {
  return body.replace(/\r\n?/g, '\n').split(/\n{2,}/).map((paragraph) => paragraph.trim()).filter((paragraph) => paragraph !== '')
    .map((paragraph) => `<p>${paragraph.split('\n').map(renderLine).join('<br>')}</p>`).join('\n')
}
