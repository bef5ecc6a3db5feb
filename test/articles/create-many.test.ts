import t, { type Test } from 'tap'
import { loadConfig } from '../../src/config.js'
import { articlesRepository, deriveArticle, type ArticleWrite } from '../../src/modules/articles/articles.repository.js'
import { type ArticleJson, expectArticle, newsroom, type Newsroom } from './fixtures/support.js'

const BODY = [
  'Le Parlement a **adopté** le budget après une [longue séance](https://www.example.org/seance).',
  '',
  '## Les mesures',
  '',
  '- une hausse des crédits de l’éducation ;',
  '- une baisse de 3 % des dépenses de fonctionnement.',
  '',
  '<script>alert(1)</script><p onclick="x()">Un paragraphe en HTML.</p>'
].join('\n')

/** The batch import the seeder uses, over the same database and clock as the app. */
function importer (context: Newsroom) {
  return articlesRepository(context.db, context.clock, loadConfig({ SITE_URL: 'https://lequotidien.example' }))
}

function writeOf (context: Newsroom, title: string, extra: Partial<ArticleWrite> = {}): ArticleWrite {
  return {
    title,
    body: BODY,
    authorId: context.author.id,
    publication: { status: 'published', publishedAt: context.clock.now() },
    tagIds: [context.tags[2].id, context.tags[0].id],
    commentsOpen: true,
    featuredImage: { url: 'https://images.example/budget.jpg', alt: 'L’hémicycle' },
    ...extra
  }
}

/** An article as the admin reads it (a draft too). */
async function read (t: Test, context: Newsroom, id: string): Promise<ArticleJson> {
  return expectArticle(t, await context.api.get(`/v1/articles/${id}`, context.admin))
}

/** What two articles of the same title and body must share, whichever way they were created. */
function derivedFields (article: ArticleJson) {
  const { id: _id, slug: _slug, url: _url, ...rest } = article
  return rest
}

t.test('createMany stores each article as POST does, derived here or beforehand by deriveArticle', async (t) => {
  const context = await newsroom(t)
  const posted = expectArticle(t, await context.api.post('/v1/articles', {
    title: 'Le budget adopté',
    body: BODY,
    authorId: context.author.id,
    status: 'published',
    tagIds: [context.tags[2].id, context.tags[0].id],
    featuredImage: { url: 'https://images.example/budget.jpg', alt: 'L’hémicycle' }
  }), 201)

  const ids = await importer(context).createMany([
    writeOf(context, 'Le budget adopté'),
    deriveArticle(writeOf(context, 'Le budget adopté'))
  ])
  t.equal(ids.length, 2)
  const [imported, derived] = [await read(t, context, ids[0]!), await read(t, context, ids[1]!)]
  t.strictSame(derivedFields(imported), derivedFields(posted), 'derived in createMany: the same fields as POST')
  t.strictSame(derivedFields(derived), derivedFields(posted), 'derived beforehand: the same fields as POST')
  t.strictSame([posted.slug, imported.slug, derived.slug], ['le-budget-adopte', 'le-budget-adopte-2', 'le-budget-adopte-3'], 'each its own slug')
  t.notMatch(imported.bodyHtml, /script|onclick/, 'sanitised')

  const found = await context.api.get('/v1/articles?q=fonctionnement&fields=id')
  t.strictSame(found.json<{ data: Array<{ id: string }> }>().data.map((article) => article.id).sort(), [posted.id, ...ids].sort(), 'all three in the search index')
  const tag = await context.api.get(`/v1/articles?tag=${context.tags[0].slug}&fields=id`)
  t.equal(tag.json<{ meta: { total: number } }>().meta.total, 3, 'all three counted for their tags')
})

t.test('createMany keeps a given excerpt and slug, and counts only published articles', async (t) => {
  const context = await newsroom(t)
  const [draft, published] = await importer(context).createMany([
    deriveArticle(writeOf(context, 'Brouillon', { excerpt: 'Résumé choisi.', slug: 'mon-brouillon', publication: { status: 'draft', publishedAt: null } })),
    writeOf(context, 'Publié', { excerpt: null })
  ])
  const first = await read(t, context, draft!)
  t.match(first, { slug: 'mon-brouillon', excerpt: 'Résumé choisi.', status: 'draft' })
  t.match(await read(t, context, published!), { slug: 'publie', excerpt: /^Le Parlement a adopté le budget/ })
  const author = await context.api.get(`/v1/articles?author=${context.author.slug}&fields=id`)
  t.equal(author.json<{ meta: { total: number } }>().meta.total, 1, 'the draft is not counted')
})

t.test('a batch with a taken slug fails whole', async (t) => {
  const context = await newsroom(t)
  const repository = importer(context)
  await repository.createMany([writeOf(context, 'Premier', { slug: 'pris' })])
  const failure = await repository.createMany([writeOf(context, 'Second'), writeOf(context, 'Troisième', { slug: 'pris' })]).catch((error: unknown) => error)
  t.match(failure, { status: 409 }, 'a 409')
  const list = await context.api.get('/v1/articles?fields=id')
  t.equal(list.json<{ meta: { total: number } }>().meta.total, 1, 'nothing of the failed batch stored')
})
