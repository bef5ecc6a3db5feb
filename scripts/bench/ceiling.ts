// The ceiling: bare Fastify answering a fixed JSON body as large as one article response, on as many processes as the
// CMS runs. What the framework, Node and the load generator can do on this machine; no run of the CMS can beat it.
// Started by run.ts as its own process: PORT, WORKERS and BODY_BYTES come from the environment.
import cluster from 'node:cluster'
import Fastify from 'fastify'

const port = Number(process.env.PORT ?? 3999)
const workers = Number(process.env.WORKERS ?? 1)
const bodyBytes = Number(process.env.BODY_BYTES ?? 4096)

/** `{"data":"xxx…"}`, exactly `bytes` long, serialised once: the ceiling does no work per request beyond HTTP itself. */
function fixedBody (bytes: number): string {
  const envelope = '{"data":""}'
  return `{"data":"${'x'.repeat(Math.max(0, bytes - envelope.length))}"}`
}

async function serve () {
  const body = fixedBody(bodyBytes)
  const app = Fastify({ logger: false })
  app.get('/', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body))
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => { app.close().finally(() => process.exit(0)) })
  await app.listen({ host: '127.0.0.1', port })
}

if (workers > 1 && cluster.isPrimary) {
  for (let index = 0; index < workers; index++) cluster.fork()
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
    })
  }
  cluster.on('exit', () => { if (Object.values(cluster.workers ?? {}).every((worker) => worker === undefined || worker.isDead())) process.exit(0) })
} else {
  await serve()
}
