import t from 'tap'
import { newsFr, seedFixture } from '../helper.js'
import { create, expectArticle, newsroom } from './fixtures/support.js'

/** A plain paragraph, so its text is exactly this string. */
const LONG_TEXT = 'Le gouvernement a présenté mercredi un projet de loi qui réforme en profondeur le financement des collectivités locales, ' +
  'une mesure attendue depuis des années par les maires des communes rurales comme des grandes villes du pays.'

t.test('bodyHtml is sanitised: no script, no on* handlers, no javascript: URLs', async (t) => {
  const { api, author } = await newsroom(t)
  const attacks = [
    '<script>alert(1)</script>',
    '<SCRIPT src="https://evil.example/x.js"></SCRIPT>',
    '<img src="x.png" onerror="alert(1)">',
    '<img src=x ONERROR=alert(1)>',
    '<p onclick="alert(1)" onmouseover="alert(2)">texte</p>',
    '<svg onload="alert(1)"><circle /></svg>',
    '<a href="javascript:alert(1)">a</a>',
    '<a href="JaVaScRiPt:alert(1)">b</a>',
    '<a href=" javascript:alert(1)">c</a>',
    '<a href="java&#x09;script:alert(1)">d</a>',
    '<a href="&#106;avascript:alert(1)">e</a>',
    '<img src="javascript:alert(1)">',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<body onload="alert(1)">',
    '<style>body { background: url("javascript:alert(1)") }</style>',
    '<form action="javascript:alert(1)"><input onfocus="alert(1)" autofocus></form>'
  ]
  for (const attack of attacks) {
    const article = await create(t, api, { title: 'Attaque', body: `Avant.\n\n${attack}\n\nAprès.`, authorId: author.id })
    const html = article.bodyHtml ?? ''
    t.notMatch(html, /<script/i, `${attack}: no <script`)
    t.notMatch(html, /onerror/i, `${attack}: no onerror`)
    t.notMatch(html, /\son\w+\s*=/i, `${attack}: no on* handler`)
    t.notMatch(html, /javascript:/i, `${attack}: no javascript:`)
    t.notMatch(html, /<(?:iframe|svg|style|form|input|body)\b/i, `${attack}: no active element`)
    t.match(html, /Avant\./, `${attack}: the text around it stays`)
    t.match(html, /Après\./, `${attack}: the text around it stays`)
  }

  const markdownLink = await create(t, api, { title: 'Lien', body: '[cliquez](javascript:alert(1)) et ![image](javascript:alert(2))', authorId: author.id })
  t.notMatch(markdownLink.bodyHtml, /(?:href|src)\s*=\s*["']?\s*javascript:/i, 'a Markdown javascript: link is no link')
})

t.test('Markdown is rendered to HTML, and safe markup is kept', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, {
    title: 'Markdown',
    body: [
      '## Un intertitre', '',
      'Du **gras**, de l’*italique* et un [lien](https://example.com/page "Titre").', '',
      '- un', '- deux', '',
      '> Une citation.', '',
      '![Une image](https://images.example/a.jpg)', '',
      '```js', 'const x = 1', '```'
    ].join('\n'),
    authorId: author.id
  })
  const html = article.bodyHtml ?? ''
  t.match(html, /<h2>Un intertitre<\/h2>/)
  t.match(html, /<strong>gras<\/strong>/)
  t.match(html, /<em>italique<\/em>/)
  t.match(html, /<a href="https:\/\/example\.com\/page" title="Titre" rel="noopener">lien<\/a>/)
  t.match(html, /<ul>\s*<li>un<\/li>\s*<li>deux<\/li>\s*<\/ul>/)
  t.match(html, /<blockquote>\s*<p>Une citation\.<\/p>\s*<\/blockquote>/)
  t.match(html, /<img src="https:\/\/images\.example\/a\.jpg" alt="Une image"/)
  t.match(html, /<pre><code class="language-js">const x = 1/)
  t.equal(article.body?.startsWith('## Un intertitre'), true, 'body keeps the Markdown source')
  t.equal(article.excerpt.includes('**'), false, 'the excerpt is text, not Markdown')
  t.equal(article.excerpt.includes('<'), false, 'the excerpt is text, not HTML')
  t.match(article.excerpt, /^Un intertitre Du gras, de l’italique et un lien\./)
})

t.test('the fixture\'s first article reads in 2 minutes and has about 230 words', async (t) => {
  const context = await newsroom(t)
  const { articles } = await seedFixture(context)
  const first = expectArticle(t, await context.api.get(`/v1/articles/${articles[0]!.id}`))
  t.equal(first.readingTimeMinutes, 2)
  t.equal(first.readingTimeMinutes, newsFr.articles[0]!.expected.readingTimeMinutes)
  t.ok(first.wordCount >= 201 && first.wordCount <= 260, `about 230 words (got ${first.wordCount})`)
  for (const article of articles) {
    const fetched = expectArticle(t, await context.api.get(`/v1/articles/${article.id}`))
    t.equal(fetched.readingTimeMinutes, Math.max(1, Math.ceil(fetched.wordCount / 200)), `${fetched.slug}: ceil(wordCount / 200)`)
  }
})

t.test('readingTimeMinutes is ceil(wordCount / 200), at least 1', async (t) => {
  const { api, author } = await newsroom(t)
  const words = (n: number) => Array.from({ length: n }, (_, i) => `mot${i}`).join(' ')
  const cases: [string, number, number][] = [['', 0, 1], ['un deux trois', 3, 1], [words(200), 200, 1], [words(201), 201, 2], [words(401), 401, 3]]
  for (const [body, wordCount, minutes] of cases) {
    const article = await create(t, api, { title: `${wordCount} mots`, body, authorId: author.id })
    t.equal(article.wordCount, wordCount, `${wordCount} words`)
    t.equal(article.readingTimeMinutes, minutes, `${wordCount} words read in ${minutes} minute(s)`)
  }
})

t.test('an excerpt not given is the body\'s text cut at a word, at most 160 characters, ending with …', async (t) => {
  const { api, author } = await newsroom(t)
  t.ok(LONG_TEXT.length > 160)
  const article = await create(t, api, { title: 'Long', body: LONG_TEXT, authorId: author.id })
  const excerpt = article.excerpt
  t.ok([...excerpt].length <= 160, `at most 160 characters (got ${[...excerpt].length})`)
  t.ok([...excerpt].length >= 120, 'about 160 characters, not much less')
  t.ok(excerpt.endsWith('…'), 'ends with …')
  const kept = excerpt.slice(0, -1)
  t.ok(LONG_TEXT.startsWith(kept), 'is the start of the text')
  t.match(LONG_TEXT.slice(kept.length), /^[\s,;:.]/, 'is cut between words')

  const fixtureContext = await newsroom(t)
  const { articles } = await seedFixture(fixtureContext)
  for (const created of articles) {
    const fixtureExcerpt = String(created.excerpt)
    t.ok([...fixtureExcerpt].length <= 160 && fixtureExcerpt.endsWith('…'), `${created.slug}: a cut excerpt`)
  }
})

t.test('a short body is its own excerpt, without …', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, { title: 'Court', body: 'Une *brève* de **deux** lignes.\n\nFin.', authorId: author.id })
  t.equal(article.excerpt, 'Une brève de deux lignes. Fin.')
})

t.test('a given excerpt is kept as given', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, { title: 'Chapeau', body: LONG_TEXT, excerpt: 'Notre résumé.', authorId: author.id })
  t.equal(article.excerpt, 'Notre résumé.')
})

t.test('PATCHing the body remakes a generated excerpt and the derived fields', async (t) => {
  const { api, author, admin } = await newsroom(t)
  const article = await create(t, api, { title: 'Évolutif', body: 'Première version.', authorId: author.id })
  t.equal(article.excerpt, 'Première version.')
  const patched = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { body: 'Seconde **version**, plus longue que la première.' }))
  t.equal(patched.excerpt, 'Seconde version, plus longue que la première.')
  t.match(patched.bodyHtml, /<strong>version<\/strong>/)
  t.equal(patched.wordCount, 7)
  const again = expectArticle(t, await api.get(`/v1/articles/${article.id}`, admin))
  t.equal(again.excerpt, patched.excerpt, 'the new excerpt is stored')
})

t.test('PATCHing the body keeps a given excerpt', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, { title: 'Fixe', body: 'Première version.', excerpt: 'Notre résumé.', authorId: author.id })
  const patched = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { body: 'Seconde version.' }))
  t.equal(patched.excerpt, 'Notre résumé.')
  t.equal(patched.body, 'Seconde version.')
})

t.test('PATCH excerpt sets a given one; excerpt null goes back to a generated one that follows the body', async (t) => {
  const { api, author } = await newsroom(t)
  const article = await create(t, api, { title: 'Aller-retour', body: 'Le texte du corps.', authorId: author.id })
  const given = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { excerpt: 'Un résumé choisi.' }))
  t.equal(given.excerpt, 'Un résumé choisi.')
  const afterBody = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { body: 'Un autre corps.' }))
  t.equal(afterBody.excerpt, 'Un résumé choisi.', 'a given excerpt survives a body change')
  const reset = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { excerpt: null }))
  t.equal(reset.excerpt, 'Un autre corps.', 'null makes it from the current body')
  const followed = expectArticle(t, await api.patch(`/v1/articles/${article.id}`, { body: 'Un troisième corps.' }))
  t.equal(followed.excerpt, 'Un troisième corps.', 'and it follows the body again')
})
