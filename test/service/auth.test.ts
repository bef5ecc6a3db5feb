import t from 'tap'
import { build } from '../helper.js'

t.test('a bad key never falls back to the public', async (t) => {
  const { app } = await build(t)
  const headers = [
    { authorization: 'Bearer cms_notakey' },
    { authorization: 'Basic dXNlcjpwYXNz' },
    { authorization: 'Bearer' },
    { authorization: 'Bearer two words' },
    { authorization: '' }
  ]
  for (const header of headers) {
    for (const url of ['/v1/articles', '/v1/authors', '/v1/tags']) {
      const response = await app.inject({ method: 'GET', url, headers: header })
      t.equal(response.statusCode, 401, `${JSON.stringify(header)} on ${url}`)
      t.match(response.headers['content-type'], /^application\/problem\+json/)
      t.equal(response.headers['www-authenticate'], 'Bearer')
      t.match(response.json(), { status: 401, title: 'Unauthorized' })
    }
  }
})

t.test('no key is the public, which reads but does not write', async (t) => {
  const { app } = await build(t)
  t.equal((await app.inject({ method: 'GET', url: '/v1/articles' })).statusCode, 200)
  const write = await app.inject({ method: 'POST', url: '/v1/tags', payload: { name: 'Maroc' } })
  t.equal(write.statusCode, 401)
  t.match(write.json().detail, /API key/)
})

t.test('the scheme is case-insensitive, as HTTP says', async (t) => {
  const context = await build(t)
  const secret = context.admin.authorization.slice('Bearer '.length)
  t.equal((await context.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { authorization: `bearer ${secret}` } })).statusCode, 200)
})
