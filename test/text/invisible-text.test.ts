import t from 'tap'
import { expectFieldError, newsroom } from '../comments/fixtures/support.js'
import { createAuthor } from '../helper.js'

// Text that displays otherwise than it is stored: titles and names of invisible characters only, bidi controls
// that reorder what is around them, blocked words split by zero-width characters.

const ZERO_WIDTH_ONLY = ['\u200B', '\u200B\u200C\u200D', '\u2060\uFEFF', '\u200E\u200F', '\u00AD', ' \u200B ']
const BIDI_CONTROLS = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069']
const codePoints = (text: string) => [...text].map((character) => `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ')

t.test('a title or a name made only of zero-width or bidi marks is a 400 naming it', async (t) => {
  const context = await newsroom(t)
  for (const invisible of ZERO_WIDTH_ONLY) {
    const label = codePoints(invisible)
    expectFieldError(t, await context.post('/v1/articles', { title: invisible, body: 'Texte.', authorId: context.author.id }, context.admin), '/body/title', `article title ${label}`)
    expectFieldError(t, await context.patch(`/v1/articles/${context.articles[0].id}`, { title: invisible }, context.admin), '/body/title', `new title ${label}`)
    expectFieldError(t, await context.post('/v1/authors', { name: invisible }, context.admin), '/body/name', `author name ${label}`)
    expectFieldError(t, await context.post('/v1/tags', { name: invisible }, context.admin), '/body/name', `tag name ${label}`)
    expectFieldError(t, await context.submit(context.articles[0].id, { authorName: invisible, authorEmail: 'amina@example.org', body: 'Bonjour.' }), '/body/authorName', `commenter's name ${label}`)
  }
})

t.test('bidi embeddings, overrides and isolates never reach a title, a name or an excerpt', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  for (const control of BIDI_CONTROLS) {
    const label = codePoints(control)
    const spoofed = `Le ${control}gpj.exe${control === '\u202C' || control === '\u2069' ? '' : '\u202C'} du jour`
    expectFieldError(t, await context.post('/v1/articles', { title: spoofed, body: 'Texte.', authorId: context.author.id }, context.admin), '/body/title', `title with ${label}`)
    expectFieldError(t, await context.patch(`/v1/articles/${article.id}`, { title: spoofed }, context.admin), '/body/title', `new title with ${label}`)
    expectFieldError(t, await context.patch(`/v1/articles/${article.id}`, { excerpt: spoofed }, context.admin), '/body/excerpt', `excerpt with ${label}`)
    expectFieldError(t, await context.post('/v1/authors', { name: `Amina ${control}Idrissi` }, context.admin), '/body/name', `author name with ${label}`)
    expectFieldError(t, await context.patch(`/v1/authors/${context.author.id}`, { name: `Amina ${control}Idrissi` }, context.admin), '/body/name', `new author name with ${label}`)
    expectFieldError(t, await context.post('/v1/tags', { name: `Monde ${control}arabe` }, context.admin), '/body/name', `tag name with ${label}`)
    expectFieldError(t, await context.submit(article.id, { authorName: `Amina ${control}`, authorEmail: 'amina@example.org', body: 'Bonjour.' }), '/body/authorName', `commenter's name with ${label}`)
  }
  const unchanged = (await context.get(`/v1/articles/${article.id}`)).json<{ title: string }>()
  t.equal(unchanged.title, article.title as string, 'nothing refused was stored')

  const arabic = await context.post('/v1/articles', { title: 'مرحبا بالعالم \u200F!', body: 'Texte.', authorId: context.author.id }, context.admin)
  t.equal(arabic.statusCode, 201, 'a right-to-left mark, which reorders nothing around it, is still allowed')
})

t.test('a body keeps its bidi controls as written, but its HTML, excerpt and feed item do not', async (t) => {
  const context = await newsroom(t)
  const body = 'Le fichier \u202Egpj.exe\u202C circule. Puis \u2067عربي\u2069 et la suite &#x202E;ici.'
  const created = await context.post('/v1/articles', { title: 'Un fichier', body, authorId: context.author.id, status: 'published' }, context.admin)
  t.equal(created.statusCode, 201)
  const { excerpt, body: stored, bodyHtml } = created.json<{ excerpt: string, body: string, bodyHtml: string }>()
  t.equal(excerpt, 'Le fichier gpj.exe circule. Puis عربي et la suite ici.')
  t.equal(bodyHtml, '<p>Le fichier gpj.exe circule. Puis عربي et la suite ici.</p>\n', 'typed or as an entity')
  t.equal(stored, body, 'the body itself is kept as written')
  const feed = await context.get('/v1/feed.json')
  t.equal(feed.statusCode, 200)
  t.notMatch(feed.body, /[\u202A-\u202E\u2066-\u2069]|\\u202[a-e]|\\u206[6-9]/i, 'nor does the feed')
})

t.test('the comment blocklist matches through zero-width characters', async (t) => {
  const context = await newsroom(t, { COMMENT_BLOCKLIST: 'casino' })
  const queued = async (body: string) => {
    const answer = await context.submitted(t, context.articles[0].id, { authorName: 'Lecteur', authorEmail: 'lecteur@example.org', body })
    return (await context.moderated(t, answer.id)).status
  }
  for (const hidden of ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u202E']) {
    t.equal(await queued(`Le meilleur c${hidden}as${hidden}ino en ligne ${codePoints(hidden)}`), 'spam', `split by ${codePoints(hidden)}`)
  }
  t.equal(await queued('Rien à voir, des casinos-royale.'), 'pending', 'still whole words only')
})

t.test('a Hindi title keeps its vowel signs in its slug; a French one still loses its accents', async (t) => {
  const context = await newsroom(t)
  const author = await createAuthor(context, { name: 'राहुल शर्मा' })
  t.equal(author.slug, 'राहुल-शर्मा')
  const hindi = await context.post('/v1/articles', { title: 'नमस्ते दुनिया', body: 'पाठ।', authorId: author.id, status: 'published' }, context.admin)
  t.equal(hindi.json<{ slug: string }>().slug, 'नमस्ते-दुनिया')
  t.equal((await context.get(`/v1/articles/${encodeURIComponent('नमस्ते-दुनिया')}`)).statusCode, 200, 'and answers at it')
  const given = await context.post('/v1/articles', { title: 'Autre', slug: 'मंत्रालय-ने-कहा', body: 'Texte.', authorId: author.id }, context.admin)
  t.equal(given.statusCode, 201, 'a given slug with marks is valid')
  const french = await context.post('/v1/articles', { title: 'Élection à Noël', body: 'Texte.', authorId: author.id }, context.admin)
  t.equal(french.json<{ slug: string }>().slug, 'election-a-noel')
})

t.test('revoking a revoked key again answers 204 and keeps when it was revoked', async (t) => {
  const context = await newsroom(t)
  const { id, headers } = await context.keyWithId('editor')
  t.equal((await context.del(`/v1/api-keys/${id}`, context.admin)).statusCode, 204)
  const revokedAt = async () => (await context.get('/v1/api-keys', context.admin)).json<{ data: Array<{ id: string, revokedAt: string | null }> }>().data.find((key) => key.id === id)!.revokedAt
  const first = await revokedAt()
  t.ok(first, 'revoked')
  context.clock.advance(3_600_000)
  t.equal((await context.del(`/v1/api-keys/${id}`, context.admin)).statusCode, 204, 'again')
  t.equal(await revokedAt(), first, 'revokedAt did not move')
  t.equal((await context.get('/v1/articles', headers)).statusCode, 401, 'the key still does not work')
  t.equal((await context.del('/v1/api-keys/key_nothere', context.admin)).statusCode, 404, 'an unknown key is still a 404')
})
