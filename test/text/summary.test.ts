import t from 'tap'
import { newsFr } from '../fixtures/news-fr.js'
import { htmlToText, renderMarkdown } from '../../src/text/markdown.js'
import { countWords, makeExcerpt, readingTimeMinutes } from '../../src/text/summary.js'

const [firstArticle] = newsFr.articles
if (firstArticle === undefined) throw new Error('the fixture has no article')
const firstArticleText = htmlToText(renderMarkdown(firstArticle.body))

t.test('the first fixture article reads in its expected time', async (t) => {
  const wordCount = countWords(firstArticleText)
  t.ok(wordCount >= 220 && wordCount <= 240, `about 230 words, got ${wordCount}`)
  t.equal(firstArticle.expected.readingTimeMinutes, 2)
  t.equal(readingTimeMinutes(wordCount), firstArticle.expected.readingTimeMinutes)
})

t.test('countWords joins words on inner apostrophes and hyphens', async (t) => {
  t.equal(countWords('d’Etat'), 1)
  t.equal(countWords("l'accord de cessez-le-feu"), 3)
  t.equal(countWords('maroco-américain'), 1)
  t.equal(countWords('le « cessez - le - feu »'), 4, 'a free-standing hyphen is not part of a word')
  t.equal(countWords("les Etats-Unis' et l’ONU"), 4, 'a trailing apostrophe is not part of a word')
  t.equal(countWords('Au cours de cet entretien, MM. Rubio et M. Bourita ont, en 2025, insisté.'), 14)
})

t.test('countWords handles other scripts', async (t) => {
  t.equal(countWords('مرحبا بالعالم'), 2)
  t.equal(countWords('مَرْحَبًا بِالْعَالَمِ'), 2, 'Arabic vowel marks do not split words')
  t.equal(countWords('Вести из Москвы'), 3)
  t.equal(countWords('東京で会議'), 5, 'each Chinese or Japanese character counts as a word')
  t.equal(countWords('Le sommet 東京 a eu lieu'), 7)
  t.equal(countWords('서울 뉴스'), 2, 'Korean is written with spaces')
})

t.test('countWords ignores punctuation, symbols and emoji', async (t) => {
  t.equal(countWords(''), 0)
  t.equal(countWords('  — , ; … 🎉 '), 0)
  t.equal(countWords('Fête 🎉 nationale !'), 2)
})

t.test('readingTimeMinutes is at least one minute at 200 words a minute', async (t) => {
  t.equal(readingTimeMinutes(0), 1)
  t.equal(readingTimeMinutes(1), 1)
  t.equal(readingTimeMinutes(200), 1)
  t.equal(readingTimeMinutes(201), 2)
  t.equal(readingTimeMinutes(400), 2)
  t.equal(readingTimeMinutes(401), 3)
})

t.test('makeExcerpt cuts long text between words with an ellipsis', async (t) => {
  const excerpt = makeExcerpt(firstArticleText)
  t.ok(excerpt.endsWith('…'))
  t.ok([...excerpt].length <= 160)
  t.ok([...excerpt].length > 140, 'uses most of the room')
  const kept = excerpt.slice(0, -1)
  t.ok(firstArticleText.startsWith(kept))
  t.match(firstArticleText.slice(kept.length), /^[\s,;:.]/, 'the cut falls between two words')
  t.equal(excerpt, 'Le secrétaire d’Etat américain, Marco Rubio a salué le leadership de Sa Majesté le Roi Mohammed VI en faveur de la promotion de la paix et de la sécurité…')
})

t.test('makeExcerpt returns short text whole, with whitespace collapsed', async (t) => {
  t.equal(makeExcerpt('  Une   phrase\n\ncourte.  '), 'Une phrase courte.')
  const exactly160 = 'a'.repeat(160)
  t.equal(makeExcerpt(exactly160), exactly160)
  t.equal(makeExcerpt(''), '')
})

t.test('makeExcerpt edge cases', async (t) => {
  t.equal(makeExcerpt(`${'a'.repeat(159)} b`), `${'a'.repeat(159)}…`, 'a space right at the limit is a word boundary')
  t.equal(makeExcerpt(`${'a'.repeat(158)} bc`), `${'a'.repeat(158)}…`)
  t.equal(makeExcerpt('Bonjour, le monde', 10), 'Bonjour…', 'no punctuation left before the ellipsis')
  t.equal(makeExcerpt('un deux trois quatre', 12), 'un deux…')
  t.equal(makeExcerpt('x'.repeat(300)), `${'x'.repeat(159)}…`, 'a single overlong word is cut inside')
  t.equal(makeExcerpt('😀'.repeat(10), 5), '😀😀😀😀…', 'no surrogate pair is split')
})
