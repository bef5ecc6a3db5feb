import t, { type Test } from 'tap'
import { aComment, anotherArticle, expectProblem, HOUR, MINUTE, newsroom, type Newsroom } from './fixtures/support.js'

/** Submits, asserts the answer reads `pending`, and returns what the rules stored: status and the rule that decided. */
async function decided (t: Test, context: Newsroom, payload: Record<string, unknown>, options: { ip?: string, article?: string } = {}) {
  const answer = await context.submitted(t, options.article ?? context.articles[0].id, payload, { ip: options.ip ?? '203.0.113.7' })
  t.equal(answer.status, 'pending', 'the answer reads pending, whatever was decided')
  const stored = await context.moderated(t, answer.id)
  t.equal(stored.history.length, 1, 'one decision on submission')
  t.equal(stored.history[0]?.by, null, 'made by a rule, not a key')
  t.equal(stored.history[0]?.previousStatus, null)
  t.equal(stored.moderatedBy, null)
  return { id: answer.id, status: stored.status, rule: stored.history[0]?.rule }
}

/** An approved comment from this email, approved by hand. */
async function approvedFrom (t: Test, context: Newsroom, email: string) {
  const answer = await context.submitted(t, context.articles[1].id, aComment({ authorEmail: email }), { ip: '198.51.100.200' })
  await context.setStatus(t, answer.id, 'approved')
  return answer.id
}

const links = (n: number) => Array.from({ length: n }, (_, index) => `https://source${index}.example/page`).join(' et ')

t.test('a new comment is pending by default', async (t) => {
  const context = await newsroom(t)
  t.match(await decided(t, context, aComment()), { status: 'pending', rule: 'default' })
})

t.test('links: more than COMMENT_MAX_LINKS (default 2) keeps a comment pending, even from a returning commenter', async (t) => {
  const context = await newsroom(t, { COMMENT_APPROVE_RETURNING: 'true' })
  await approvedFrom(t, context, 'fidele@example.org')
  const two = await decided(t, context, aComment({ authorEmail: 'fidele@example.org', body: `Sources : ${links(2)}` }))
  t.match(two, { status: 'approved', rule: 'returning-commenter' }, 'two links: the next rule decides')
  const three = await decided(t, context, aComment({ authorEmail: 'fidele@example.org', body: `Sources : ${links(3)}` }))
  t.match(three, { status: 'pending', rule: 'links' }, 'three links: held for a moderator')
  const newcomer = await decided(t, context, aComment({ authorEmail: 'nouveau@example.org', body: `Mes sources : ${links(3)}` }))
  t.match(newcomer, { status: 'pending', rule: 'links' })
  const fuzzy = await decided(t, context, aComment({ authorEmail: 'fidele@example.org', body: 'www.a.example www.b.example www.c.example a.example' }))
  t.match(fuzzy, { status: 'approved', rule: 'returning-commenter' }, 'what is not rendered as a link is not counted')
})

t.test('links: COMMENT_MAX_LINKS is a setting', async (t) => {
  const strict = await newsroom(t, { COMMENT_MAX_LINKS: '0' })
  t.match(await decided(t, strict, aComment({ body: 'Rien à signaler.' })), { status: 'pending', rule: 'default' })
  t.match(await decided(t, strict, aComment({ body: `Voir ${links(1)}` })), { status: 'pending', rule: 'links' }, 'one link is too many at 0')

  const lenient = await newsroom(t, { COMMENT_MAX_LINKS: '5' })
  t.match(await decided(t, lenient, aComment({ body: links(5) })), { rule: 'default' }, 'five links pass at 5')
  t.match(await decided(t, lenient, aComment({ body: links(6) })), { status: 'pending', rule: 'links' }, 'six do not')
})

t.test('blocklist: a listed word makes a comment spam, in any case or accent, as a whole word, in the name, body or URL', async (t) => {
  const context = await newsroom(t, { COMMENT_BLOCKLIST: 'casino, viagra,crédit rapide' })
  t.match(await decided(t, context, aComment({ body: 'Le meilleur CASINO en ligne !' })), { status: 'spam', rule: 'blocklist' }, 'upper case')
  t.match(await decided(t, context, aComment({ body: 'Du Viägra pas cher' })), { status: 'spam', rule: 'blocklist' }, 'with an accent added')
  t.match(await decided(t, context, aComment({ body: 'Un credit rapide pour vous' })), { status: 'spam', rule: 'blocklist' }, 'a listed phrase, accent dropped')
  t.match(await decided(t, context, aComment({ authorName: 'Casino Royal' })), { status: 'spam', rule: 'blocklist' }, 'in the name')
  t.match(await decided(t, context, aComment({ authorUrl: 'https://viagra.example/' })), { status: 'spam', rule: 'blocklist' }, 'in the URL')
  t.match(await decided(t, context, aComment({ body: 'Les casinos de Monte-Carlo' })), { status: 'pending', rule: 'default' }, 'not at the start of another word')
  t.match(await decided(t, context, aComment({ body: 'Une campagne anticasino' })), { status: 'pending', rule: 'default' }, 'not at the end of another word')
  t.match(await decided(t, context, aComment({ body: 'Fermez ce casino2025' })), { status: 'pending', rule: 'default' }, 'digits make another word too')
  t.match(await decided(t, context, aComment({ body: 'Au «casino»!' })), { status: 'spam', rule: 'blocklist' }, 'punctuation ends a word')
  t.match(await decided(t, context, aComment({ body: 'Un crédit immobilier' })), { status: 'pending', rule: 'default' }, 'a phrase only as a whole')
  t.equal(await context.commentCount(t, context.articles[0].id), 0)
})

t.test('blocklist: empty by default, so no word makes spam', async (t) => {
  const context = await newsroom(t)
  t.match(await decided(t, context, aComment({ body: 'casino viagra' })), { status: 'pending', rule: 'default' })
})

t.test('blocklist beats a returning commenter; spam is never public', async (t) => {
  const context = await newsroom(t, { COMMENT_BLOCKLIST: 'casino', COMMENT_APPROVE_RETURNING: 'true' })
  await approvedFrom(t, context, 'fidele@example.org')
  const spam = await decided(t, context, aComment({ authorEmail: 'fidele@example.org', body: 'Essayez mon casino' }))
  t.match(spam, { status: 'spam', rule: 'blocklist' })
  t.strictSame((await context.publicComments(t, context.articles[0].id)).data, [])
})

t.test('returning commenters: off by default', async (t) => {
  const context = await newsroom(t)
  await approvedFrom(t, context, 'fidele@example.org')
  t.match(await decided(t, context, aComment({ authorEmail: 'fidele@example.org' })), { status: 'pending', rule: 'default' })
  t.equal(await context.commentCount(t, context.articles[0].id), 0)
})

t.test('returning commenters: with COMMENT_APPROVE_RETURNING, an email with an approved comment is approved at once', async (t) => {
  const context = await newsroom(t, { COMMENT_APPROVE_RETURNING: 'true' })
  const [article] = context.articles
  t.match(await decided(t, context, aComment({ authorEmail: 'fidele@example.org' })), { status: 'pending', rule: 'default' }, 'a first comment waits')
  const pendingOnly = await decided(t, context, aComment({ authorEmail: 'fidele@example.org' }))
  t.match(pendingOnly, { status: 'pending', rule: 'default' }, 'pending or spam comments do not make a commenter returning')

  await approvedFrom(t, context, 'fidele@example.org')
  const returning = await decided(t, context, aComment({ authorEmail: 'Fidele@Example.ORG' }))
  t.match(returning, { status: 'approved', rule: 'returning-commenter' }, 'the email matches in any case')
  t.strictSame((await context.publicComments(t, article.id)).data.map((comment) => comment.id), [returning.id], 'shown at once')
  t.equal(await context.commentCount(t, article.id), 1, 'and counted')
  t.match(await decided(t, context, aComment({ authorEmail: 'autre@example.org' })), { status: 'pending', rule: 'default' }, 'another email waits')
})

t.test('bans: a banned email makes a comment spam, with any case; lifting the ban ends it', async (t) => {
  const context = await newsroom(t, { COMMENT_APPROVE_RETURNING: 'true' })
  await approvedFrom(t, context, 'troll@example.org')
  const moderator = await context.keyFor('moderator')
  const ban = await context.post('/v1/comment-bans', { email: 'TROLL@example.org', reason: 'insultes' }, moderator)
  t.equal(ban.statusCode, 201)
  t.match(await decided(t, context, aComment({ authorEmail: 'troll@example.org' })), { status: 'spam', rule: 'ban' }, 'banned, even though returning')
  t.match(await decided(t, context, aComment({ authorEmail: 'Troll@Example.org' }), { ip: '198.51.100.9' }), { status: 'spam', rule: 'ban' }, 'from anywhere')
  t.match(await decided(t, context, aComment({ authorEmail: 'autre@example.org' })), { status: 'pending', rule: 'default' }, 'others are not')
  t.equal((await context.del(`/v1/comment-bans/${ban.json<{ id: string }>().id}`, moderator)).statusCode, 204)
  t.match(await decided(t, context, aComment({ authorEmail: 'troll@example.org' })), { status: 'approved', rule: 'returning-commenter' }, 'ban lifted')
})

t.test('bans: a banned client address makes a comment spam; an IPv6 ban covers its /64', async (t) => {
  const context = await newsroom(t)
  const moderator = await context.keyFor('moderator')
  t.equal((await context.post('/v1/comment-bans', { ip: '192.0.2.66', reason: 'spam en rafale' }, moderator)).statusCode, 201)
  t.equal((await context.post('/v1/comment-bans', { ip: '2001:db8:aa:bb::1', reason: 'spam en rafale' }, moderator)).statusCode, 201)
  t.match(await decided(t, context, aComment({ authorEmail: 'nouveau@example.org' }), { ip: '192.0.2.66' }), { status: 'spam', rule: 'ban' }, 'the banned IPv4 address')
  t.match(await decided(t, context, aComment(), { ip: '::ffff:192.0.2.66' }), { status: 'spam', rule: 'ban' }, 'the same address, IPv4-mapped')
  t.match(await decided(t, context, aComment(), { ip: '192.0.2.67' }), { status: 'pending', rule: 'default' }, 'its neighbour')
  t.match(await decided(t, context, aComment(), { ip: '2001:db8:aa:bb:1234:5678:9abc:def0' }), { status: 'spam', rule: 'ban' }, 'elsewhere in the banned /64')
  t.match(await decided(t, context, aComment(), { ip: '2001:db8:aa:bc::1' }), { status: 'pending', rule: 'default' }, 'the next /64')
})

t.test('duplicates: the same body on the same article from the same address within an hour is a 409', async (t) => {
  const context = await newsroom(t)
  const [article, other] = context.articles
  const body = 'Article remarquable, merci.'
  const first = await context.submitted(t, article.id, aComment({ body }))
  const again = expectProblem(t, await context.submit(article.id, aComment({ body })), 409, 'the same again')
  t.notMatch(again.detail, /amina/i, 'the problem does not echo the email')
  expectProblem(t, await context.submit(article.slug, aComment({ body, authorEmail: 'autre@example.org', authorName: 'Autre' })), 409, 'under another name and email, by slug')
  await context.setStatus(t, first.id, 'spam')
  expectProblem(t, await context.submit(article.id, aComment({ body })), 409, 'whatever became of the first')

  await context.submitted(t, other.id, aComment({ body }))
  await context.submitted(t, article.id, aComment({ body }), { ip: '198.51.100.3' })
  await context.submitted(t, article.id, aComment({ body: `${body} ` }))

  context.clock.advance(HOUR - MINUTE)
  expectProblem(t, await context.submit(article.id, aComment({ body })), 409, 'fifty-nine minutes later')
  context.clock.advance(MINUTE)
  await context.submitted(t, article.id, aComment({ body }))
  expectProblem(t, await context.submit(article.id, aComment({ body })), 409, 'the new one counts from now')
  t.equal((await context.queue(t, `?article=${article.id}`)).meta.total, 4, 'the refused ones were not stored')
})

t.test('duplicates: an IPv6 client is the same client anywhere in its /64', async (t) => {
  const context = await newsroom(t)
  const [article] = context.articles
  await context.submitted(t, article.id, aComment({ body: 'Bravo.' }), { ip: '2001:db8:5:6::1' })
  expectProblem(t, await context.submit(article.id, aComment({ body: 'Bravo.' }), { ip: '2001:db8:5:6:a:b:c:d' }), 409)
})

t.test('the first rule that speaks wins: ban, then blocklist, then links, then returning commenter', async (t) => {
  const context = await newsroom(t, { COMMENT_BLOCKLIST: 'casino', COMMENT_APPROVE_RETURNING: 'true' })
  await approvedFrom(t, context, 'fidele@example.org')
  const admin = context.admin
  t.equal((await context.post('/v1/comment-bans', { email: 'banni@example.org', reason: 'x' }, admin)).statusCode, 201)
  t.match(await decided(t, context, aComment({ authorEmail: 'banni@example.org', body: `casino ${links(3)}` })), { status: 'spam', rule: 'ban' })
  t.match(await decided(t, context, aComment({ authorEmail: 'fidele@example.org', body: `au casino ${links(3)}` })), { status: 'spam', rule: 'blocklist' })
  t.match(await decided(t, context, aComment({ authorEmail: 'fidele@example.org', body: links(3) })), { status: 'pending', rule: 'links' })
  t.match(await decided(t, context, aComment({ authorEmail: 'fidele@example.org', body: 'Merci.' })), { status: 'approved', rule: 'returning-commenter' })
})

t.test('a trusted key\'s comment is approved whatever the rules say', async (t) => {
  const context = await newsroom(t, { COMMENT_BLOCKLIST: 'casino' })
  const moderator = await context.keyWithId('moderator')
  const answer = await context.submitted(t, context.articles[0].id, aComment({ body: `Le casino ferme : ${links(4)}` }), { headers: moderator.headers })
  t.equal(answer.status, 'approved')
  t.match(await context.moderated(t, answer.id), { status: 'approved', moderatedBy: moderator.id, history: [{ rule: 'trusted-key', by: moderator.id }] })
})

t.test('the rules run before the comment is stored: no moment where a spam comment is public or counted', async (t) => {
  const context = await newsroom(t, { COMMENT_BLOCKLIST: 'casino' })
  const article = await anotherArticle(context, { status: 'published' })
  const spam = await decided(t, context, aComment({ body: 'casino' }), { article: article.id })
  t.equal(spam.status, 'spam')
  const [entry] = (await context.moderated(t, spam.id)).history
  t.match(entry, { status: 'spam', previousStatus: null }, 'stored as spam from the start, never pending or approved first')
  t.equal(await context.commentCount(t, article.id), 0)
})
