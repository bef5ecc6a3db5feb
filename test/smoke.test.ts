import t from 'tap'
import { build, seedFixture, newsFr } from './helper.js'

t.test('the fixture articles are created and readable by the public', async (t) => {
  const context = await build(t)
  const { articles } = await seedFixture(context)
  t.equal(articles.length, newsFr.articles.length)
  const response = await context.app.inject({ method: 'GET', url: `/v1/articles/${newsFr.articles[0]!.expected.slug}` })
  t.equal(response.statusCode, 200)
  t.equal(response.json().readingTimeMinutes, 2)
})
