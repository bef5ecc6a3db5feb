import cluster from 'node:cluster'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadConfig, type Config } from './config.js'
import { openDatabase } from './db/client.js'
import { runMigrations } from './db/migrate.js'
import type { Lifecycle } from './modules/health/health.routes.js'

// 3.51.3 fixed a bug that could corrupt a WAL database when a checkpoint and a reset of the WAL raced.
const OLDEST_SAFE_SQLITE = [3, 51, 3]

function loggerOptions (config: Config) {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    serializers: {
      // The query string can hold what must not be logged (a filter on a commenter's address), and the client address is personal data.
      req: (request: { id: string, method: string, url: string }) => ({ id: request.id, method: request.method, path: request.url.split('?')[0] })
    }
  }
}

function sqliteVersionOf (version: string): number[] {
  return version.split('.').map(Number)
}

function isOlder (version: number[], than: number[]): boolean {
  for (let index = 0; index < than.length; index++) {
    const part = version[index] ?? 0
    const other = than[index] ?? 0
    if (part !== other) return part < other
  }
  return false
}

/** Opens and migrates the database, refusing a SQLite build with the WAL-reset bug. */
function openMigratedDatabase (config: Config) {
  const db = openDatabase(config.DATABASE_PATH)
  const version = db.$client.prepare('SELECT sqlite_version() AS version').pluck().get() as string
  if (isOlder(sqliteVersionOf(version), OLDEST_SAFE_SQLITE)) {
    db.$client.close()
    throw new Error(`SQLite ${version} is older than ${OLDEST_SAFE_SQLITE.join('.')}, which fixed a WAL corruption bug: refusing to start.`)
  }
  runMigrations(db)
  return { db, version }
}

async function serve (config: Config) {
  const { db, version } = openMigratedDatabase(config)
  const lifecycle: Lifecycle = { shuttingDown: false }
  const app = await buildApp({ config, db, lifecycle, logger: loggerOptions(config) })
  app.log.info({ sqlite: version, database: config.DATABASE_PATH }, 'database ready')

  closeWithGrace({ delay: 10_000, logger: app.log }, async ({ err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
    lifecycle.shuttingDown = true
    await app.close()
  })

  await app.listen({ host: config.HOST, port: config.PORT })
}

/** With several workers the primary migrates once, then each worker serves the same port over the same file. */
async function main () {
  const config = loadConfig(process.env)
  if (config.WORKERS === 1 || !cluster.isPrimary) return serve(config)

  openMigratedDatabase(config).db.$client.close()
  for (let index = 0; index < config.WORKERS; index++) cluster.fork()
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal)
    })
  }
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
  })
}

await main()
