import { performance } from 'node:perf_hooks'
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

// A timer due every RESOLUTION_MS measures how late it fires; every SAMPLE_MS the mean lateness is judged.
const RESOLUTION_MS = 10
const SAMPLE_MS = 1_000

/** How late the event loop runs, from `start()` on: the mean delay of a timer due every RESOLUTION_MS. */
function eventLoopDelay () {
  let last = 0
  let total = 0
  let ticks = 0
  let timer: NodeJS.Timeout | undefined

  function tick () {
    const now = performance.now()
    total += Math.max(0, now - last - RESOLUTION_MS)
    ticks++
    last = now
  }

  return {
    start () {
      last = performance.now()
      timer = setInterval(tick, RESOLUTION_MS).unref()
    },
    stop () {
      clearInterval(timer)
    },
    /**
     * The mean delay, in ms, since the last sample; 0 before `start()`. The
     * delay building up right now counts too, so that a stall is seen by the
     * first sample after it whichever timer runs first.
     */
    sample (): number {
      if (timer === undefined) return 0
      tick()
      const mean = total / ticks
      total = 0
      ticks = 0
      return mean
    }
  }
}

/**
 * Past `maxEventLoopDelay` ms of mean event-loop delay over the last second,
 * every request is answered 503 with `Retry-After` instead of queueing more
 * work. @fastify/under-pressure sheds the load; the delay is measured here, and
 * only from the moment the app is ready. under-pressure's own measure starts
 * when it is registered, so its first sample counted the start-up (compiling
 * every schema, building the OpenAPI document) as lag, and a fresh process
 * answered 503 for about a second after its readiness probe first said 200.
 */
async function overload (app: FastifyInstance, { maxEventLoopDelay }: { maxEventLoopDelay: number }) {
  const delay = eventLoopDelay()
  app.addHook('onReady', async () => { delay.start() })
  app.addHook('onClose', async () => { delay.stop() })

  await app.register(underPressure, {
    healthCheck: async () => delay.sample() <= maxEventLoopDelay,
    healthCheckInterval: SAMPLE_MS,
    pressureHandler: (_request, reply) => {
      reply.code(503).header('retry-after', '10').type('application/problem+json').send({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'The server is overloaded: retry in a few seconds.'
      })
    }
  })
}

export default fp(overload, { name: 'overload' })
