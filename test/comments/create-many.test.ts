import t from 'tap'
import { type BatchComment, commentsRepository, type NewComment } from '../../src/modules/comments/comments.repository.js'
import { aComment, MINUTE, newsroom, type Newsroom } from './fixtures/support.js'

/** The batch import the seeder uses, over the same database and clock as the app. */
async function importer (context: Newsroom) {
  const comments = commentsRepository(context.db, context.clock)
  const article = (await comments.findArticle(context.articles[0].id))!
  const comment = (overrides: Partial<NewComment> = {}): NewComment => ({
    articlePk: article.pk,
    parentId: null,
    authorName: 'Amina Lecteur',
    authorEmail: 'amina@example.org',
    authorUrl: null,
    body: String(aComment().body),
    ip: '203.0.113.7',
    userAgent: 'LeQuotidien/3.2 (iPhone)',
    ...overrides
  })
  return { comments, comment }
}

const pending = { status: 'pending', rule: 'default' } as const

t.test('createMany stores each comment as a submission is stored, at its own time, and counts the approved', async (t) => {
  const context = await newsroom(t)
  const { comments, comment } = await importer(context)
  const moderator = await context.keyWithId('moderator')
  const start = context.clock.now()
  const iso = (offset: number) => new Date(start + offset).toISOString()
  const batch: BatchComment[] = [
    { comment: comment(), decision: pending, byKeyId: null, at: start },
    { comment: comment({ authorEmail: 'omar@example.org' }), decision: pending, byKeyId: null, at: start + MINUTE, replyTo: 0 },
    { comment: comment({ body: 'La rédaction vous répond.' }), decision: { status: 'approved', rule: 'trusted-key' }, byKeyId: moderator.id, at: start + 2 * MINUTE }
  ]
  const ids = await comments.createMany(batch)
  t.equal(ids.length, 3)

  const [first, reply, answer] = await Promise.all(ids.map((id) => context.moderated(t, id)))
  t.match(first, { status: 'pending', parentId: null, createdAt: iso(0), moderatedAt: null, moderatedBy: null, ip: '203.0.113.7', authorEmail: 'amina@example.org' })
  t.strictSame(first!.history, [{ status: 'pending', previousStatus: null, by: null, rule: 'default', at: iso(0) }])
  t.match(reply, { parentId: ids[0], createdAt: iso(MINUTE), authorEmail: 'omar@example.org' }, 'a reply to an earlier comment of the batch')
  t.match(answer, { status: 'approved', createdAt: iso(2 * MINUTE), moderatedAt: iso(2 * MINUTE), moderatedBy: moderator.id })
  t.strictSame(answer!.history, [{ status: 'approved', previousStatus: null, by: moderator.id, rule: 'trusted-key', at: iso(2 * MINUTE) }])

  t.equal(await context.commentCount(t, context.articles[0].id), 1, 'only the approved one counted')
  const shown = await context.publicComments(t, context.articles[0].id)
  t.strictSame(shown.data.map((shownComment) => shownComment.id), [ids[2]])
  t.equal(shown.data[0]!.bodyHtml, '<p>La rédaction vous répond.</p>')
})

t.test('a double submission fails the whole batch, as a 409', async (t) => {
  const context = await newsroom(t)
  const { comments, comment } = await importer(context)
  const start = context.clock.now()
  const twice = comment()
  const failure = await comments.createMany([
    { comment: comment(), decision: pending, byKeyId: null, at: start },
    { comment: twice, decision: pending, byKeyId: null, at: start },
    { comment: twice, decision: pending, byKeyId: null, at: start + 10 * MINUTE }
  ]).catch((error: unknown) => error)
  t.match(failure, { status: 409 }, 'a 409')
  t.equal((await context.queue(t)).meta.total, 0, 'nothing stored')

  await comments.createMany([
    { comment: twice, decision: pending, byKeyId: null, at: start },
    { comment: twice, decision: pending, byKeyId: null, at: start + 61 * MINUTE }
  ])
  t.equal((await context.queue(t)).meta.total, 2, 'the same body again after the hour is no double submission')
})

t.test('a reply names an earlier comment of the batch, and only that', async (t) => {
  const context = await newsroom(t)
  const { comments, comment } = await importer(context)
  const at = context.clock.now()
  const first = { comment: comment(), decision: pending, byKeyId: null, at }
  await t.rejects(comments.createMany([first, { comment: comment(), decision: pending, byKeyId: null, at, replyTo: 1 }]), RangeError, 'not itself')
  await t.rejects(comments.createMany([first, { comment: comment(), decision: pending, byKeyId: null, at, replyTo: 2 }]), RangeError, 'not a later one')
  const [stored] = await comments.createMany([first])
  const another = { comment: comment(), decision: pending, byKeyId: null, at }
  await t.rejects(comments.createMany([another, { comment: comment({ parentId: stored! }), decision: pending, byKeyId: null, at, replyTo: 0 }]), RangeError, 'not with a parentId as well')
  t.equal((await context.queue(t)).meta.total, 1)
})
