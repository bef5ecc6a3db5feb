import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Db } from '../../db/client.js'
import { migrationsApplied } from '../../db/migrate.js'
import { ref } from '../../http/common.js'
import { problemResponses } from '../../http/problem.js'
import { noStore } from '../../plugins/caching.js'

export const HealthSchema = Type.Object({
  status: Type.Literal('ok', { description: 'Always `ok` when the answer comes at all.' })
}, { $id: 'Health', additionalProperties: false, description: 'The service is able to answer.' })

function isDatabaseReady (db: Db): boolean {
  try {
    return migrationsApplied(db)
  } catch {
    // No migrations table yet, or the database is closed or unreadable: not ready, which is what the probe asks.
    return false
  }
}

const routes: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  // A probe must reach the process itself: a kept answer would say it is alive, or ready, when it may not be.
  app.addHook('onRequest', noStore)

  app.get('/healthz', {
    schema: {
      tags: ['service'],
      operationId: 'getHealth',
      summary: 'Liveness',
      description: 'The process is up and answering.',
      security: [],
      response: { 200: ref(HealthSchema), ...problemResponses }
    }
  }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', {
    schema: {
      tags: ['service'],
      operationId: 'getReadiness',
      summary: 'Readiness',
      description: 'The database answers and every migration is applied. 503, with `Retry-After`, while not ready or once shutting down.',
      security: [],
      response: { 200: ref(HealthSchema), ...problemResponses }
    }
  }, async (_request, reply) => {
    // Once shutting down, the app answers 503 before any route: load balancers stop sending traffic at once.
    if (isDatabaseReady(db)) return { status: 'ok' as const }
    return reply.code(503).header('retry-after', '5').type('application/problem+json').send({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'The database does not answer, or its migrations are not applied yet.'
    } as never)
  })
}

export default routes
