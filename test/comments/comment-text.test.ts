import t from 'tap'
import { linksIn, renderComment } from '../../src/text/comment.js'

t.test('linksIn counts http and https links only', async (t) => {
  t.strictSame(linksIn('voir https://a.example/x et http://b.example'), ['https://a.example/x', 'http://b.example'])
  t.strictSame(linksIn('HTTPS://UP.example/Page'), ['HTTPS://UP.example/Page'], 'the scheme in any case')
  t.strictSame(linksIn('javascript:alert(1) //evil.example mailto:a@b.example ftp://files.example'), [], 'other schemes are no links')
  t.strictSame(linksIn('www.example.com, example.com, a@b.example'), [], 'no fuzzy links: what is not linked is not counted')
  t.strictSame(linksIn('pas de lien ici'), [])
  t.strictSame(linksIn('https://a.example\nhttps://a.example'), ['https://a.example', 'https://a.example'], 'a link given twice counts twice')
})

t.test('renderComment escapes everything a reader types', async (t) => {
  t.equal(renderComment('<script>alert("x")</script> & \'q\''), '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>')
  t.equal(renderComment('<img src=x onerror=alert(1)>'), '<p>&lt;img src=x onerror=alert(1)&gt;</p>')
  const html = renderComment('<a href="javascript:alert(1)">clic</a> <b onclick="x()">gras</b>')
  t.notMatch(html, /<(?!\/?(?:p|br|a)[\s>])/, 'no tag but p, br and the links it makes')
  t.notMatch(html, /<a href="javascript:/i, 'no javascript: link')
  t.notMatch(html, /<b /, 'markup is shown, not run')
})

t.test('renderComment makes http(s) links clickable with rel="nofollow ugc"', async (t) => {
  t.equal(
    renderComment('voir https://a.example/x?a=1&b=2 ici'),
    '<p>voir <a href="https://a.example/x?a=1&amp;b=2" rel="nofollow ugc noopener">https://a.example/x?a=1&amp;b=2</a> ici</p>'
  )
  const links = renderComment('http://a.example https://b.example').match(/<a [^>]*>/g) ?? []
  t.equal(links.length, 2)
  for (const link of links) t.match(link, /rel="[^"]*\bnofollow\b[^"]*\bugc\b[^"]*"/, link)
  t.equal(renderComment('javascript:alert(1) //evil.example'), '<p>javascript:alert(1) //evil.example</p>', 'other schemes stay text')
  t.equal(renderComment('www.example.com'), '<p>www.example.com</p>', 'no fuzzy links')
})

t.test('a link cannot break out of its attribute', async (t) => {
  const html = renderComment('https://a.example/"onmouseover="alert(1)')
  t.notMatch(html, /href="[^"]*"onmouseover/, 'the quote is escaped inside href')
  t.match(html, /&quot;onmouseover=&quot;/)
  t.equal(renderComment('https://a.example/<img>'), '<p><a href="https://a.example/" rel="nofollow ugc noopener">https://a.example/</a>&lt;img&gt;</p>')
})

t.test('renderComment keeps paragraphs and line breaks', async (t) => {
  t.equal(renderComment('un\ndeux\n\ntrois'), '<p>un<br>deux</p>\n<p>trois</p>')
  t.equal(renderComment('a\r\nb\r\n\r\nc\r\rd'), '<p>a<br>b</p>\n<p>c</p>\n<p>d</p>', 'CRLF and CR are newlines')
  t.equal(renderComment('\n\n  bonjour  \n\n\n\n'), '<p>bonjour</p>', 'blank paragraphs vanish, paragraphs are trimmed')
  t.equal(renderComment('   '), '', 'nothing to show')
})
