import t from 'tap'
import { htmlToText, renderMarkdown } from '../../src/text/markdown.js'

t.test('renders the Markdown of a news article', async (t) => {
  const html = renderMarkdown([
    '## Les faits',
    '',
    'Un texte avec *emphase*, **gras**, ~~rayé~~ et un [lien](https://example.com/a "Titre").',
    '',
    '- premier',
    '- second',
    '',
    '1. un',
    '2. deux',
    '',
    '> Une citation.',
    '',
    '![Une photo](/media/photo.jpg "Légende")',
    '',
    '| Pays | Voix |',
    '|------|-----:|',
    '| Maroc | 12 |',
    '',
    '```js',
    'const x = 1 < 2',
    '```',
    '',
    'Voir https://example.org et [écrire](mailto:redaction@example.com).'
  ].join('\n'))

  t.match(html, '<h2>Les faits</h2>')
  t.match(html, '<em>emphase</em>')
  t.match(html, '<strong>gras</strong>')
  t.match(html, '<s>rayé</s>')
  t.match(html, '<a href="https://example.com/a" title="Titre" rel="noopener">lien</a>')
  t.match(html, /<ul>\s*<li>premier<\/li>\s*<li>second<\/li>\s*<\/ul>/)
  t.match(html, /<ol>\s*<li>un<\/li>/)
  t.match(html, /<blockquote>\s*<p>Une citation.<\/p>\s*<\/blockquote>/)
  t.match(html, '<img src="/media/photo.jpg" alt="Une photo" title="Légende" />')
  t.match(html, /<table>\s*<thead>\s*<tr>\s*<th>Pays<\/th>\s*<th>Voix<\/th>/)
  t.match(html, '<td>Maroc</td>')
  t.match(html, '<pre><code class="language-js">const x = 1 &lt; 2')
  t.match(html, '<a href="https://example.org" rel="noopener">https://example.org</a>', 'bare URLs become links')
  t.match(html, '<a href="mailto:redaction@example.com">écrire</a>')
  t.notMatch(html, 'style=', 'table alignment styles are dropped')
})

t.test('keeps the allowed embedded HTML', async (t) => {
  const html = renderMarkdown([
    '<figure><img src="https://cdn.example.com/a.jpg" alt="A" width="600" height="400"><figcaption>Légende</figcaption></figure>',
    '',
    'E = mc<sup>2</sup>, H<sub>2</sub>O, <span>texte</span>, <del>retiré</del>, <a href="../autre" rel="nofollow">relatif</a>'
  ].join('\n'))
  t.match(html, '<figure><img src="https://cdn.example.com/a.jpg" alt="A" width="600" height="400" /><figcaption>Légende</figcaption></figure>')
  t.match(html, 'mc<sup>2</sup>')
  t.match(html, 'H<sub>2</sub>O')
  t.match(html, '<span>texte</span>')
  t.match(html, '<del>retiré</del>')
  t.match(html, '<a href="../autre" rel="nofollow">relatif</a>')
})

t.test('neutralises XSS vectors', async (t) => {
  const vectors: Array<[name: string, markdown: string, forbidden: RegExp]> = [
    ['script tag', '<script>alert(1)</script>', /<script|alert/i],
    ['inline script tag', 'Texte <script>alert(1)</script> suite', /<script|alert/i],
    ['event handler', '<img src=x onerror=alert(1)>', /onerror|alert/i],
    ['markdown javascript: link', '[x](javascript:alert(1))', /href|<a/i],
    ['mixed-case javascript: href', '<a href="JaVaScRiPt:alert(1)">x</a>', /javascript|href/i],
    ['entity-encoded javascript: href', '<a href="&#106;avascript:alert(1)">x</a>', /javascript|href/i],
    ['javascript: href with whitespace', '<a href=" java\tscript:alert(1)">x</a>', /script|href/i],
    ['vbscript: href', '<a href="vbscript:msgbox(1)">x</a>', /vbscript|href/i],
    ['iframe', '<iframe src="https://evil.example"></iframe>', /<iframe|evil/i],
    ['style attribute', '<p style="background:url(javascript:alert(1))">x</p>', /style|javascript/i],
    ['style tag', '<style>body{display:none}</style>', /<style|display/i],
    ['data: image in markdown', '![x](data:image/png;base64,iVBORw0KGgo=)', /data:|src=/i],
    ['data: href', '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', /data:|href/i],
    ['object and embed', '<object data="x.swf"></object><embed src="x.swf">', /<object|<embed|swf/i],
    ['form', '<form action="https://evil.example"><input name="q"></form>', /<form|<input|evil/i],
    ['svg', '<svg onload="alert(1)"><circle r="1"/></svg>', /<svg|onload|alert|circle/i],
    ['class on a paragraph', '<p class="hidden" id="x">texte</p>', /class|id=/i]
  ]
  for (const [name, markdown, forbidden] of vectors) {
    t.notMatch(renderMarkdown(markdown), forbidden, name)
  }
  t.match(renderMarkdown('<p style="color:red">visible</p>'), '<p>visible</p>', 'the element itself is kept without its style')
  t.match(renderMarkdown('<img src=x onerror=alert(1)>'), '<img src="x" />', 'the image is kept without its handler')
})

t.test('htmlToText gives the visible text', async (t) => {
  t.equal(htmlToText('<p>Premier <strong>paragraphe</strong>.</p><p>Second\n\n   paragraphe.</p>'), 'Premier paragraphe. Second paragraphe.')
  t.equal(htmlToText('<ul><li>un</li><li>deux</li></ul>ligne<br>suivante'), 'un deux ligne suivante')
  t.equal(htmlToText('mo<em>t</em> entier'), 'mot entier', 'inline tags do not split words')
  t.equal(htmlToText('<script>alert(1)</script><style>p{}</style>texte'), 'texte', 'script and style contents are not text')
  t.equal(htmlToText('&lt;b&gt; &amp; &quot;guillemets&quot; l&#39;accord &#233;t&#xE9; a&nbsp;b'), '<b> & "guillemets" l\'accord été a b')
  t.equal(htmlToText('&amp;lt;'), '&lt;', 'entities are decoded once')
  t.equal(htmlToText(renderMarkdown('# Titre\n\nUn *texte* & du `code`.')), 'Titre Un texte & du code.')
  t.equal(htmlToText(''), '')
})

t.test('links that leave the site get noopener, protocol-relative ones included; a body never gives opener', async (t) => {
  const html = renderMarkdown('[a](//evil.example/x) [b](https://ailleurs.example) [c](/rubrique/maroc) [d](mailto:redaction@lequotidien.example) <a href="https://x.example" rel="opener nofollow">e</a> <a href="/local" rel="OPENER">f</a>')
  t.match(html, '<a href="//evil.example/x" rel="noopener">a</a>', 'a protocol-relative link is external')
  t.match(html, '<a href="https://ailleurs.example" rel="noopener">b</a>', 'an absolute one too')
  t.match(html, '<a href="/rubrique/maroc">c</a>', 'a path on the site is left as it is')
  t.match(html, '<a href="mailto:redaction@lequotidien.example">d</a>', 'an address is no page')
  t.match(html, '<a href="https://x.example" rel="nofollow noopener">e</a>', 'opener taken out, the rest kept')
  t.match(html, '<a href="/local">f</a>', 'in any case')
  t.notMatch(html, /rel="[^"]*\bopener\b/i, 'opener nowhere')
})

t.test('an element opened as raw text and never closed swallows nothing: the text after it stays, inert', async (t) => {
  const html = renderMarkdown('Avant <math><mtext><table><mglyph><style><img src=x onerror=alert(1)> Après le texte.\n\nDeuxième paragraphe.')
  t.match(html, 'Après le texte.', 'the text after the unclosed <style>')
  t.match(html, '<p>Deuxième paragraphe.</p>', 'and the next paragraph')
  t.notMatch(html, /<style|<math|<mglyph|onerror/i, 'nothing active')
  t.match(renderMarkdown('x <script>alert(1) et la suite'), /et la suite/, 'an unclosed <script> too, as text')
  t.notMatch(renderMarkdown('x <script>alert(1) et la suite'), /<script/i)
  t.equal(renderMarkdown('Texte <style>p { color: red }</style> suite'), '<p>Texte  suite</p>\n', 'a closed <style> still goes whole, its CSS being no text')
})
