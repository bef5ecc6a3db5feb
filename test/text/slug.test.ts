import t from 'tap'
import { newsFr } from '../fixtures/news-fr.js'
import { isSlug, slugify, SLUG_PATTERN } from '../../src/text/slug.js'

t.test('every fixture title gives its expected slug', async (t) => {
  t.ok(newsFr.articles.length > 0)
  for (const article of newsFr.articles) {
    t.equal(slugify(article.title), article.expected.slug, article.title)
  }
})

t.test('NFD input gives the same slug as NFC input', async (t) => {
  for (const article of newsFr.articles) {
    const decomposed = article.title.normalize('NFD')
    t.not(decomposed, article.title.normalize('NFC'))
    t.equal(slugify(decomposed), article.expected.slug)
  }
  t.equal(slugify('Sécurité'.normalize('NFD')), 'securite')
})

t.test('Latin letters lose their accents, with letters that do not decompose spelled out', async (t) => {
  t.equal(slugify('Élève À Noël, garçon'), 'eleve-a-noel-garcon')
  t.equal(slugify('Œuvre cœur Æther Straße Ødegaard Đorđe Łódź Þór Ðoð ı'), 'oeuvre-coeur-aether-strasse-odegaard-dorde-lodz-thor-dod-i')
  t.equal(slugify('İSTANBUL'), 'istanbul')
  t.equal(slugify('ﬁnale Ｆｕｌｌ'), 'finale-full')
})

t.test('apostrophes are dropped, not turned into hyphens', async (t) => {
  for (const apostrophe of ["'", '’', 'ʼ', '‘', '`', '´']) {
    t.equal(slugify(`d${apostrophe}Etat l${apostrophe}accord`), 'detat-laccord', JSON.stringify(apostrophe))
  }
  t.equal(slugify('Le secrétaire d’Etat américain salue'), 'le-secretaire-detat-americain-salue')
})

t.test('zero-width and bidi characters vanish without splitting the word', async (t) => {
  const invisible = [
    '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF',
    '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E',
    '\u2066', '\u2067', '\u2068', '\u2069', '\u061C'
  ]
  for (const character of invisible) {
    const codePoint = `U+${character.codePointAt(0)?.toString(16).toUpperCase()}`
    t.equal(slugify(`se${character}curité`), 'securite', codePoint)
    t.equal(slugify(`${character}paix ${character} et sécurité${character}`), 'paix-et-securite', codePoint)
  }
})

t.test('other scripts keep their letters', async (t) => {
  t.equal(slugify('مرحبا بالعالم'), 'مرحبا-بالعالم')
  t.equal(slugify('مَرْحَبًا بالعالم!'), 'مرحبا-بالعالم', 'Arabic vowel marks are dropped')
  t.equal(slugify('Вести: Москва'), 'вести-москва')
  t.equal(slugify('東京で会議、ひらがな'), '東京で会議-ひらがな')
  t.equal(slugify('Αθήνα'), 'αθήνα', 'Greek accented letters are kept: only Latin ones lose their accents')
  t.equal(slugify('Αθήνα'.normalize('NFD')), 'αθήνα')
  t.equal(slugify('ガザ'), 'ガザ', 'precomposed kana are not decomposed')
  t.equal(slugify('שָׁלוֹם עולם'), 'שלום-עולם', 'Hebrew vowel points are dropped')
})

t.test('Indic titles keep their vowel signs and viramas, which are marks', async (t) => {
  t.equal(slugify('नमस्ते दुनिया'), 'नमस्ते-दुनिया')
  t.equal(slugify('मंत्रालय ने कहा: बजट पास'), 'मंत्रालय-ने-कहा-बजट-पास')
  t.equal(slugify('தமிழ் செய்தி'), 'தமிழ்-செய்தி')
  t.equal(slugify('বাংলা সংবাদ'), 'বাংলা-সংবাদ')
  t.equal(slugify('Élève q\u0303'), 'eleve-q', 'a Latin letter loses even a mark with no precomposed form')
  t.equal(slugify('a \u0303 b'), 'a-b', 'a mark with no letter to sit on goes')
  t.equal(slugify('\u0947\u0902नमस्ते'), 'नमस्ते', 'so does one at the start')
})

t.test('emoji and symbols vanish', async (t) => {
  t.equal(slugify('🎉 Fête 🎉'), 'fete')
  t.equal(slugify('Covid 😷 vaccins'), 'covid-vaccins')
  t.equal(slugify('👨‍👩‍👧 famille 🇫🇷'), 'famille')
  t.equal(slugify('ℹ️ Info © 2025 ™'), 'info-2025')
  t.equal(slugify('1️⃣ Un ✌︎ deux'), '1-un-deux', 'the marks that dress emoji go with them')
  t.equal(slugify('prix: 10€ + 5$ = ?'), 'prix-10-5')
})

t.test('control characters and punctuation runs become one hyphen, never at the edges', async (t) => {
  t.equal(slugify('  --Hello,   World!--  '), 'hello-world')
  t.equal(slugify('a\u0000b\tc\nd'), 'a-b-c-d')
  t.equal(slugify('Poutine-Trump (Kremlin)'), 'poutine-trump-kremlin')
})

t.test('returns an empty string when nothing is left', async (t) => {
  for (const input of ['', '   ', '!!!', '🎉🎉', '\u200B\u200F', '’']) {
    t.equal(slugify(input), '', JSON.stringify(input))
  }
})

t.test('cuts at a hyphen to at most maxLength code points', async (t) => {
  const longTitle = newsFr.articles.map((article) => article.title).join(' ')
  const full = slugify(longTitle, Number.POSITIVE_INFINITY)
  t.ok([...full].length > 200)

  const cut = slugify(longTitle)
  t.ok([...cut].length <= 200)
  t.ok([...cut].length > 180, 'keeps as many whole words as fit')
  t.ok(full.startsWith(cut))
  t.equal(full[cut.length], '-', 'the cut falls between two words')
  t.ok(isSlug(cut))

  t.equal(slugify('un deux trois', 13), 'un-deux-trois')
  t.equal(slugify('un deux trois', 12), 'un-deux')
  t.equal(slugify('un deux trois', 7), 'un-deux')
  t.equal(slugify('un deux trois', 6), 'un')
})

t.test('a first word longer than maxLength is cut inside, counting code points', async (t) => {
  t.equal(slugify('a'.repeat(250)), 'a'.repeat(200))
  t.equal(slugify(`${'a'.repeat(250)} suite`), 'a'.repeat(200))
  const astral = '𠀀'.repeat(250)
  t.equal(slugify(astral), '𠀀'.repeat(200), 'no surrogate pair is split')
  t.equal(slugify('bonjour', 3), 'bon')
})

t.test('every slug matches the slug pattern', async (t) => {
  const inputs = [
    ...newsFr.articles.map((article) => article.title),
    'مرحبا بالعالم', '  --x--  ', 'se\u200Bcurité', '🎉 Fête 🎉', 'हिन्दी समाचार', 'नमस्ते दुनिया', 'ǅemal ǈubljana', 'a \u0303 b',
    newsFr.articles.map((article) => article.title).join(' — ')
  ]
  for (const input of inputs) {
    for (const maxLength of [200, 50, 10, 1]) {
      const slug = slugify(input, maxLength)
      t.ok(isSlug(slug), `${JSON.stringify(slug)} from ${JSON.stringify(input)}, max ${maxLength}`)
      t.ok([...slug].length <= maxLength)
    }
  }
})

t.test('isSlug and SLUG_PATTERN', async (t) => {
  t.equal(SLUG_PATTERN, '^[\\p{L}\\p{M}\\p{N}]+(-[\\p{L}\\p{M}\\p{N}]+)*$')
  t.ok(isSlug('le-secretaire-detat'))
  t.ok(isSlug('مرحبا-بالعالم'))
  t.ok(isSlug('2025'))
  t.ok(isSlug('नमस्ते-दुनिया'), 'letters with their marks')
  for (const notASlug of ['', '-a', 'a-', 'a--b', 'a b', 'a_b', 'a\u200Bb', 'a\u202Eb']) {
    t.notOk(isSlug(notASlug), JSON.stringify(notASlug))
  }
})
