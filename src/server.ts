import cluster from 'node:cluster'
import closeWithGrace from 'close-with-grace'
import { pino } from 'pino'
import { buildApp, type Lifecycle } from './app.js'
import { loadConfig, type Config } from './config.js'
import { BACKSTOP_AUTOCHECKPOINT_PAGES, startCheckpointer } from './db/checkpointer.js'
import { openDatabase } from './db/client.js'
import { runMigrations } from './db/migrate.js'
import { loggerOptions } from './logging.js'
import { OperatorError } from './operator-error.js'

const SHUTDOWN_GRACE_MS = 10_000
// More worker deaths than this within the window is a crash loop: stop instead of forking forever.
const MAX_CRASHES = 5
const CRASH_WINDOW_MS = 60_000

// 3.51.3 fixed a bug that could corrupt a WAL database when a checkpoint and a reset of the WAL raced.
const OLDEST_SAFE_SQLITE = [3, 51, 3]

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
  const db = openDatabase(config.DATABASE_PATH, config.DURABILITY)
  const version = db.$client.prepare('SELECT sqlite_version() AS version').pluck().get() as string
  if (isOlder(sqliteVersionOf(version), OLDEST_SAFE_SQLITE)) {
    db.$client.close()
    throw new OperatorError(`SQLite ${version} is older than ${OLDEST_SAFE_SQLITE.join('.')}, which fixed a WAL corruption bug: refusing to start.`)
  }
  runMigrations(db)
  return { db, version }
}

async function serve (config: Config) {
  const { db, version } = openMigratedDatabase(config)
  // Checkpoints are the checkpointer's work (in this process alone, or in the primary of a cluster).
  db.$client.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`)
  const lifecycle: Lifecycle = { shuttingDown: false }
  const app = await buildApp({ config, db, lifecycle, logger: loggerOptions(config) })
  app.log.info({ sqlite: version, database: config.DATABASE_PATH, durability: config.DURABILITY }, 'database ready')

  // A worker leaves signals to the primary, which may also send them to the whole process group: it closes when told to.
  const isWorker = !cluster.isPrimary
  const checkpointer = isWorker ? undefined : startCheckpointer(config.DATABASE_PATH, (message) => app.log.error({ message }, 'checkpoint failed'))
  const closer = closeWithGrace({ delay: SHUTDOWN_GRACE_MS, logger: app.log, skip: isWorker ? ['SIGTERM', 'SIGINT'] : [] }, async ({ err }) => {
    if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
    lifecycle.shuttingDown = true
    await app.close()
    await checkpointer?.stop()
  })
  if (isWorker) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => {})
    process.on('message', (message) => { if (message === 'shutdown') closer.close() })
    process.on('disconnect', () => closer.close())
  }

  await app.listen({ host: config.HOST, port: config.PORT })
}

/**
 * With several workers the primary migrates once, then each worker serves the
 * same port over the same file. The primary replaces a worker that dies, stops
 * them all on SIGTERM or SIGINT (a second signal stops them at once), and exits
 * non-zero when any of them failed.
 */
function supervise (config: Config) {
  const log = pino(loggerOptions(config))
  const { db, version } = openMigratedDatabase(config)
  db.$client.close()
  log.info({ sqlite: version, database: config.DATABASE_PATH, workers: config.WORKERS }, 'starting workers')
  // The primary has nothing else to do: its thread checkpoints for every worker.
  startCheckpointer(config.DATABASE_PATH, (message) => log.error({ message }, 'checkpoint failed'))
  let stopping = false
  let failed = false
  const recentCrashes: number[] = []

  const live = () => Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined && !worker.isDead())
  const stopAll = () => {
    stopping = true
    for (const worker of live()) worker!.send('shutdown')
    setTimeout(() => {
      for (const worker of live()) worker!.process.kill('SIGKILL')
      process.exit(1)
    }, SHUTDOWN_GRACE_MS + 5_000).unref()
  }

  for (let index = 0; index < config.WORKERS; index++) cluster.fork()
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!stopping) return stopAll()
      for (const worker of live()) worker!.process.kill('SIGKILL')
      process.exit(1)
    })
  }
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      const now = Date.now()
      recentCrashes.push(now)
      while (recentCrashes[0]! < now - CRASH_WINDOW_MS) recentCrashes.shift()
      log.error({ worker: worker.process.pid, code, signal }, 'worker died')
      if (recentCrashes.length <= MAX_CRASHES) {
        cluster.fork()
        return
      }
      log.fatal({ crashes: recentCrashes.length }, 'workers keep dying: stopping')
      failed = true
      stopAll()
    } else if (code !== 0) {
      failed = true
    }
    if (live().length === 0) process.exit(failed ? 1 : 0)
  })
}

async function main () {
  const config = loadConfig(process.env)
  if (config.WORKERS === 1 || !cluster.isPrimary) return serve(config)
  supervise(config)
}

try {
  await main()
} catch (error) {
  // A bad setting or an unusable database file: the one line that says what to fix, not a stack trace.
  if (!(error instanceof OperatorError)) throw error
  process.stderr.write(`${error.message}\n`)
  process.exitCode = 1
}
