import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { badRequest } from '../http/problem.js'

// RFC 9110's Host: an IP literal in brackets, or a name or IPv4 address of the characters a URI's host may hold, then
// an optional port. (Empty is allowed: a request for a target without an authority sends it so.)
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::(\d{1,5}))?$/

/**
 * A malformed `Host` is a 400, before any route: no answer is built from the Host (links come from the `API_URL` and
 * `SITE_URL` settings), but one that no server could be named by is a broken or hostile request all the same.
 */
async function hostCheck (app: FastifyInstance) {
  app.addHook('onRequest', async (request) => {
    const host = request.headers.host
    if (host === undefined || host === '') return
    const port = HOST.exec(host)?.[1]
    if (port === undefined ? !HOST.test(host) : Number(port) > 65535) {
      badRequest([{ path: '/headers/host', message: 'is not a host name or address with an optional port (0 to 65535)' }])
    }
  })
}

export default fp(hostCheck, { name: 'host-check' })
