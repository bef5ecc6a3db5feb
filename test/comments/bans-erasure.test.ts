import t from 'tap'
import { aComment, expectFieldError, expectProblem, MINUTE, newsroom } from './fixtures/support.js'

const BAN_KEYS = ['createdAt', 'createdBy', 'email', 'id', 'ip', 'reason']

t.test('bans: create, list newest first, lift', async (t) => {
  const context = await newsroom(t)
  const moderator = await context.keyWithId('moderator')
  const byEmail = await context.post('/v1/comment-bans', { email: 'Troll@Example.ORG', reason: 'insultes répétées' }, moderator.headers)
  t.equal(byEmail.statusCode, 201, byEmail.body)
  const first = byEmail.json()
  t.strictSame(Object.keys(first).sort(), BAN_KEYS)
  t.match(first.id, /^ban_[0-9a-z]+$/)
  t.equal(byEmail.headers.location, `/v1/comment-bans/${first.id}`)
  t.strictSame({ ...first, id: undefined }, {
    id: undefined,
    email: 'troll@example.org',
    ip: null,
    reason: 'insultes répétées',
    createdAt: new Date(context.clock.now()).toISOString(),
    createdBy: moderator.id
  }, 'the email is kept lower-cased')

  context.clock.advance(MINUTE)
  const byIp = (await context.post('/v1/comment-bans', { ip: '2001:DB8:1:2::99', reason: 'spam' }, context.admin)).json()
  t.equal(byIp.ip, '2001:db8:1:2::/64', 'an IPv6 ban is on its /64')
  t.equal(byIp.email, null)
  context.clock.advance(MINUTE)
  const both = (await context.post('/v1/comment-bans', { email: 'spam@example.org', ip: '192.0.2.1', reason: 'robot' }, context.admin)).json()
  t.match(both, { email: 'spam@example.org', ip: '192.0.2.1' })

  const list = await context.get('/v1/comment-bans', moderator.headers)
  t.equal(list.statusCode, 200)
  t.strictSame(list.json().data.map((ban: { id: string }) => ban.id), [both.id, byIp.id, first.id], 'newest first')
  t.strictSame(list.json().meta, { total: 3, limit: 20, offset: 0, nextCursor: null })
  const page = await context.get('/v1/comment-bans?limit=1&offset=1', moderator.headers)
  t.strictSame(page.json().data.map((ban: { id: string }) => ban.id), [byIp.id], 'paged')

  t.equal((await context.del(`/v1/comment-bans/${byIp.id}`, moderator.headers)).statusCode, 204)
  expectProblem(t, await context.del(`/v1/comment-bans/${byIp.id}`, moderator.headers), 404, 'lifted twice')
  expectProblem(t, await context.del('/v1/comment-bans/ban_doesnotexist', moderator.headers), 404, 'unknown ban')
  expectFieldError(t, await context.del('/v1/comment-bans/com_abc', moderator.headers), '/params/id', 'not a ban id')
  t.strictSame((await context.get('/v1/comment-bans', moderator.headers)).json().data.map((ban: { id: string }) => ban.id), [both.id, first.id])
})

t.test('bans: every bad field is a 400 naming it', async (t) => {
  const context = await newsroom(t)
  const bad: [unknown, string, string][] = [
    [{ reason: 'rien' }, '/body/email', 'neither email nor ip'],
    [{ email: 'pas-une-adresse', reason: 'x' }, '/body/email', 'a bad email'],
    [{ email: null, reason: 'x' }, '/body/email', 'a null email'],
    [{ ip: '999.1.1.1', reason: 'x' }, '/body/ip', 'a bad IPv4 address'],
    [{ ip: 'bonjour', reason: 'x' }, '/body/ip', 'not an address'],
    [{ ip: '2001:db8::/64', reason: 'x' }, '/body/ip', 'a range is not an address'],
    [{ email: 'troll@example.org' }, '/body/reason', 'no reason'],
    [{ email: 'troll@example.org', reason: '' }, '/body/reason', 'an empty reason'],
    [{ email: 'troll@example.org', reason: 'x'.repeat(501) }, '/body/reason', 'a reason too long'],
    [{ email: 'troll@example.org', reason: 'x', until: '2030-01-01' }, '/body/until', 'an unknown property'],
    [{ email: 'troll@example.org', reason: 'x', id: 'ban_mine' }, '/body/id', 'the id is the server\'s']
  ]
  for (const [payload, path, name] of bad) expectFieldError(t, await context.post('/v1/comment-bans', payload, context.admin), path, name)
  expectFieldError(t, await context.get('/v1/comment-bans?limit=500', context.admin), '/querystring/limit')
  expectFieldError(t, await context.get('/v1/comment-bans?email=troll@example.org', context.admin), '/querystring/email', 'bans have no filters')
  t.equal((await context.get('/v1/comment-bans', context.admin)).json().meta.total, 0, 'nothing was banned')
})

t.test('erasure: every comment from an address is deleted, in any case, on every article', async (t) => {
  const context = await newsroom(t)
  const [first, second] = context.articles
  const moderator = await context.keyFor('moderator')
  const gone = [
    await context.submitted(t, first.id, aComment({ authorEmail: 'oubli@example.org' })),
    await context.submitted(t, second.id, aComment({ authorEmail: 'Oubli@Example.org' })),
    await context.submitted(t, second.id, aComment({ authorEmail: 'oubli@example.org' }))
  ]
  const kept = await context.submitted(t, first.id, aComment({ authorEmail: 'reste@example.org' }))
  await context.setStatus(t, gone[0]!.id, 'approved')
  await context.setStatus(t, gone[1]!.id, 'spam')
  await context.setStatus(t, kept.id, 'approved')
  context.clock.advance(MINUTE)
  const reply = await context.submitted(t, first.id, aComment({ authorEmail: 'reste@example.org', parentId: gone[0]!.id }))
  await context.setStatus(t, reply.id, 'approved')
  t.equal(await context.commentCount(t, first.id), 3)

  const response = await context.post('/v1/comments/erase', { email: 'OUBLI@example.org' }, moderator)
  t.equal(response.statusCode, 200)
  t.strictSame(response.json(), { erased: 3 })
  for (const comment of gone) expectProblem(t, await context.get(`/v1/comments/${comment.id}`, moderator), 404, 'erased')
  t.strictSame((await context.queue(t, '?email=oubli@example.org')).meta.total, 0, 'no trace in the queue')
  t.equal(await context.commentCount(t, first.id), 2, 'the count follows')
  const list = await context.publicComments(t, first.id)
  t.strictSame(list.data.map((comment) => [comment.id, comment.parentId]), [[kept.id, null], [reply.id, null]], 'others stay; a reply to an erased comment becomes top-level')

  t.strictSame((await context.post('/v1/comments/erase', { email: 'oubli@example.org' }, moderator)).json(), { erased: 0 }, 'erasing again finds nothing')
  t.strictSame((await context.post('/v1/comments/erase', { email: 'jamais@example.org' }, moderator)).json(), { erased: 0 }, 'an address that never commented')
  expectFieldError(t, await context.post('/v1/comments/erase', {}, moderator), '/body/email', 'no email')
  expectFieldError(t, await context.post('/v1/comments/erase', { email: 'oubli' }, moderator), '/body/email', 'not an email')
  expectFieldError(t, await context.post('/v1/comments/erase', { email: 'oubli@example.org', ip: '1.2.3.4' }, moderator), '/body/ip', 'an unknown property')
})

t.test('erasure leaves no trace in the moderation history either', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  const comment = await context.submitted(t, article.id, aComment({ authorEmail: 'oubli@example.org' }))
  await context.setStatus(t, comment.id, 'approved')
  await context.setStatus(t, comment.id, 'trash')
  t.strictSame((await context.post('/v1/comments/erase', { email: 'oubli@example.org' }, context.admin)).json(), { erased: 1 })
  const rows = context.db.$client.prepare('SELECT count(*) AS n FROM comment_history WHERE comment_id = ?').get(comment.id) as { n: number }
  t.equal(rows.n, 0, 'the history rows went with the comment')
  const stored = context.db.$client.prepare('SELECT count(*) AS n FROM comments WHERE author_email = ?').get('oubli@example.org') as { n: number }
  t.equal(stored.n, 0)
})
