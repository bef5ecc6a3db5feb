import t from 'tap'
import { commentsRepository, type NewComment } from '../../src/modules/comments/comments.repository.js'
import { aComment, expectProblem, newsroom } from './fixtures/support.js'

// Submissions that arrive together are stored in one transaction (a group commit): each must still be judged as
// if it came alone, one after the other, and answered only with its own outcome.

t.test('submissions arriving together count against the rate limit one by one', async (t) => {
  const context = await newsroom(t, { COMMENT_RATE_LIMIT: '5' })
  const answers = await Promise.all(Array.from({ length: 12 }, () => context.submit(context.articles[0].id, aComment())))
  t.equal(answers.filter((answer) => answer.statusCode === 201).length, 5, 'five are stored')
  const refused = answers.filter((answer) => answer.statusCode !== 201)
  t.equal(refused.length, 7)
  for (const answer of refused) expectProblem(t, answer, 429, 'the others are over the limit')
  t.equal((await context.queue(t)).meta.total, 5, 'and only five are in the moderation queue')
})

t.test('of two identical submissions arriving together, the second is a double submission', async (t) => {
  const context = await newsroom(t)
  const same = aComment()
  const answers = await Promise.all([
    context.submit(context.articles[0].id, aComment()),
    context.submit(context.articles[0].id, same),
    context.submit(context.articles[1].id, aComment()),
    context.submit(context.articles[0].id, same),
    context.submit(context.articles[2].id, aComment())
  ])
  t.same(answers.map((answer) => answer.statusCode), [201, 201, 201, 409, 201], 'each answered with its own outcome, in order')
  t.equal((await context.queue(t)).meta.total, 4, 'four stored')
  const ids = answers.filter((answer) => answer.statusCode === 201).map((answer) => answer.json<{ id: string }>().id)
  t.equal(new Set(ids).size, 4, 'each acknowledged with its own comment')
})

t.test('one submission failing in the store undoes its own writes only', async (t) => {
  const context = await newsroom(t)
  const comments = commentsRepository(context.db, context.clock)
  const article = (await comments.findArticle(context.articles[0].id))!
  const comment = (body: string, articlePk = article.pk): NewComment => ({
    articlePk, parentId: null, authorName: 'Amina', authorEmail: 'amina@example.org', authorUrl: null, body, ip: '203.0.113.7', userAgent: null
  })
  const pending = { status: 'pending', rule: 'default' } as const
  const [first, broken, last] = await Promise.allSettled([
    comments.submit(comment('Avant.'), article.id, pending, null),
    // An article deleted since it was looked up: its foreign key fails.
    comments.submit(comment('Perdu.', 987_654), article.id, pending, null),
    comments.submit(comment('Après.'), article.id, pending, null)
  ])
  t.match(first, { status: 'fulfilled', value: { outcome: 'stored', comment: { body: 'Avant.' } } }, 'the one before is stored')
  t.match(broken, { status: 'rejected', reason: { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' } }, 'the broken one fails')
  t.match(last, { status: 'fulfilled', value: { outcome: 'stored', comment: { body: 'Après.' } } }, 'the one after is stored')
  t.same((await context.queue(t)).data.map((stored) => stored.body).sort(), ['Après.', 'Avant.'], 'both are in the queue, and nothing of the broken one')
})
