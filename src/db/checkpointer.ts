import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * How many WAL pages a serving connection lets pile up before it checkpoints
 * by itself: a backstop, should the checkpointer fall behind or stop. SQLite's
 * default is 1,000.
 */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 20_000

const EVERY_MS = 100

/**
 * The thread's whole program, run as CommonJS so that it starts the same from
 * the build and under tsx. Its own connection copies committed pages from the
 * WAL into the database file, without waiting for readers or writers.
 */
const LOOP = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 5000')
let timer
// Again at once while writers are ahead: the WAL starts over only once every page in it has been copied.
function checkpoint () {
  let behind = false
  try {
    const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)')
    behind = checkpointed < log
  } catch (error) {
    parentPort.postMessage(String(error && error.message || error))
  }
  timer = behind ? setImmediate(checkpoint) : setTimeout(checkpoint, workerData.everyMs)
}
timer = setTimeout(checkpoint, workerData.everyMs)
parentPort.on('message', () => {
  clearTimeout(timer)
  clearImmediate(timer)
  db.close()
  parentPort.close()
})
`

export interface Checkpointer {
  /** Stops the thread once its current checkpoint is done. */
  stop (): Promise<void>
}

/**
 * Moves committed pages from the WAL into the database file from a thread of
 * its own. Left to SQLite, the commit that crosses `wal_autocheckpoint` pages
 * copies them itself, on the request's time: about 40% of the CPU a comment
 * submission cost at 100,000 articles (`npm run bench`). Serving connections
 * then keep `BACKSTOP_AUTOCHECKPOINT_PAGES` only as a backstop. A failure is
 * reported through `onError`; the backstop keeps the WAL bounded meanwhile.
 */
export function startCheckpointer (path: string, onError: (message: string) => void): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(LOOP, { eval: true, workerData: { path, driver, everyMs: EVERY_MS } })
  worker.on('message', (message: string) => onError(message))
  worker.on('error', (error) => onError(error.message))
  // Never what keeps the process alive: a checkpoint cut short by exiting is safe, SQLite finishes it later.
  worker.unref()
  const stopped = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  return {
    async stop () {
      // Waited for now: the process stays up until the thread has closed its connection.
      worker.ref()
      worker.postMessage('stop')
      await stopped
    }
  }
}
