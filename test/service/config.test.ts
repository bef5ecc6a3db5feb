import { availableParallelism } from 'node:os'
import t from 'tap'
import { loadConfig } from '../../src/config.js'

t.test('defaults, as the README says', async (t) => {
  const config = loadConfig({})
  t.match(config, {
    HOST: '0.0.0.0',
    PORT: 3000,
    DATABASE_PATH: './data/cms.db',
    LOG_LEVEL: 'info',
    SITE_URL: 'http://localhost:3000',
    ARTICLE_URL_TEMPLATE: '{siteUrl}/{slug}',
    WORKERS: availableParallelism()
  })
  t.ok(Object.isFrozen(config))
})

t.test('settings come as strings and are converted; unrelated variables are ignored', async (t) => {
  const config = loadConfig({ PORT: '8080', WORKERS: '2', SITE_URL: 'https://lequotidien.example/', LOG_LEVEL: 'debug', PATH: '/usr/bin', PORT_UNUSED: 'x' })
  t.equal(config.PORT, 8080)
  t.equal(config.WORKERS, 2)
  t.equal(config.SITE_URL, 'https://lequotidien.example', 'a trailing slash is dropped')
  t.equal(config.LOG_LEVEL, 'debug')
  t.notOk('PATH' in config)
})

t.test('bad settings are refused, naming each', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/)
  t.throws(() => loadConfig({ PORT: '70000' }), /PORT/)
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/)
  t.throws(() => loadConfig({ SITE_URL: 'ftp://x' }), /SITE_URL/)
  t.throws(() => loadConfig({ WORKERS: '0' }), /WORKERS/)
})
