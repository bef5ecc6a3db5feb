import t from 'tap'
import { build } from '../helper.js'

t.test('a malformed Host is a 400 naming it; a well-formed one changes nothing', async (t) => {
  const { app } = await build(t)
  for (const host of ['x:99999', 'a b', '[::1', 'exa<mple>.com', 'host:80:80', 'x:port']) {
    const response = await app.inject({ method: 'GET', url: '/v1/feed.rss?tag=a', headers: { host } })
    t.equal(response.statusCode, 400, `Host ${JSON.stringify(host)}: 400`)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.strictSame(response.json<{ errors: Array<{ path: string }> }>().errors.map((error) => error.path), ['/headers/host'], 'naming the header')
  }
  for (const host of ['localhost', 'localhost:3000', 'api.lequotidien.example', '127.0.0.1:8080', '[::1]:3000', 'x:65535', 'xn--lequotidien-r9a.example']) {
    t.equal((await app.inject({ method: 'GET', url: '/healthz', headers: { host } })).statusCode, 200, `Host ${JSON.stringify(host)}: answered`)
  }
})
