import { syncBuiltinESMExports } from 'node:module'
import os, { availableParallelism } from 'node:os'
import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'

t.test('defaults, as the README says', async (t) => {
  const config = loadConfig({})
  t.match(config, {
    HOST: '0.0.0.0',
    PORT: 3000,
    DATABASE_PATH: './data/cms.db',
    LOG_LEVEL: 'info',
    SITE_URL: 'http://localhost:3000',
    ARTICLE_URL_TEMPLATE: '{siteUrl}/{slug}',
    WORKERS: Math.min(availableParallelism(), 64)
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

t.test('WORKERS defaults to the number of cores, up to its maximum, so a 96-core host starts', async (t) => {
  const real = os.availableParallelism
  t.teardown(() => {
    os.availableParallelism = real
    syncBuiltinESMExports()
  })
  for (const [cores, workers] of [[96, 64], [64, 64], [3, 3], [1, 1]] as const) {
    os.availableParallelism = () => cores
    syncBuiltinESMExports()
    t.equal(loadConfig({}).WORKERS, workers, `${cores} cores: ${workers} workers`)
  }
})

t.test('each bad setting is one line naming it and what it accepts, without its value', async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: 'abc' }, 'PORT must be a whole number from 0 to 65535'],
    [{ PORT: '65536' }, 'PORT must be a whole number from 0 to 65535'],
    [{ WORKERS: '0' }, 'WORKERS must be a whole number from 1 to 64'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ CORS_ORIGINS: 'www.example.com' }, 'CORS_ORIGINS must be * or a comma-separated list of origins such as https://www.example.com'],
    [{ CORS_ORIGINS: 'https://www.example.com/news' }, 'CORS_ORIGINS must be * or a comma-separated list of origins such as https://www.example.com'],
    [{ CORS_ORIGINS: '*, https://www.example.com' }, 'CORS_ORIGINS must be * or a comma-separated list of origins such as https://www.example.com'],
    [{ COMMENT_APPROVE_RETURNING: 'yes' }, 'COMMENT_APPROVE_RETURNING must be true or false'],
    [{ REQUEST_TIMEOUT_MS: '10' }, 'REQUEST_TIMEOUT_MS must be a whole number of at least 1000'],
    [{ SITE_URL: 'ftp://x' }, 'SITE_URL must be an http:// or https:// URL such as https://www.example.com'],
    [{ DURABILITY: 'off' }, 'DURABILITY must be one of normal, full']
  ]
  for (const [env, line] of cases) {
    const error = t.throws(() => loadConfig(env)) as Error
    t.type(error, ConfigError, `${JSON.stringify(env)}: a ConfigError`)
    t.equal(error.message, line, `${JSON.stringify(env)}: ${line}`)
  }
  const several = t.throws(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', WORKERS: '0' })) as Error
  t.same(several.message.split('\n').map((line) => line.split(' ')[0]).sort(), ['LOG_LEVEL', 'PORT', 'WORKERS'], 'several mistakes: a line for each')
})

t.test('CORS_ORIGINS takes * or origins, with blanks around the commas, of any scheme', async (t) => {
  for (const value of ['*', 'https://www.example.com', 'https://www.example.com, http://localhost:5173,capacitor://localhost']) {
    t.equal(loadConfig({ CORS_ORIGINS: value }).CORS_ORIGINS, value, value)
  }
})
