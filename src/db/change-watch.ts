import type { Db } from './client.js'

/**
 * Tells when the database has changed, by this process or any other on the
 * same file (another worker, the CLI). It is asked once at the start of every
 * request (`poll`), and what depends on an unchanged database (the read cache,
 * the next scheduled publication) compares `version` with the one it last saw:
 * the check costs one statement per request, whoever needs it.
 *
 * `total_changes()` moves with this connection's own writes, `data_version`
 * with every other connection's commits.
 */
export function changeWatch (db: Db) {
  const state = db.$client.prepare('SELECT total_changes(), data_version FROM pragma_data_version').raw()
  let seen = ''
  let version = 0

  return {
    /** Looks where the database is now; the version moves if it changed since the last look. */
    poll (): number {
      const [changes, dataVersion] = state.get() as [number, number]
      const now = `${changes}:${dataVersion}`
      if (now !== seen) {
        seen = now
        version++
      }
      return version
    },

    /** The version as of the last `poll`, without asking the database. */
    get version (): number {
      return version
    }
  }
}

export type ChangeWatch = ReturnType<typeof changeWatch>
