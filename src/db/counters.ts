import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { Clock } from '../clock.js'

/**
 * Where the short-lived counters of a database file live: beside it, `cms.db`
 * giving `cms.counters.db`, so that every process on that file shares them;
 * in memory when the database is.
 */
export function countersPathFor (databasePath: string): string {
  if (databasePath === ':memory:' || databasePath === '') return ':memory:'
  return /\.db$/.test(databasePath) ? databasePath.replace(/\.db$/, '.counters.db') : `${databasePath}.counters`
}

/**
 * A database file of its own for counters that only matter for a minute (the
 * comment rate limit), shared by every process as the main one is. Not in the
 * main file: each count is a commit, and any commit there empties every
 * process's read cache, so a flood of refused requests would slow everyone's
 * reads. Not ATTACHed either: a write to an attached file still moves the main
 * connection's `total_changes()`.
 *
 * Its table is created here if missing rather than by a migration: what it
 * holds is worth a minute, so the file may be deleted at any time, and a
 * change of shape would be a new table, not a migration of rows.
 */
export function openCounters (path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  // First: every worker opens the file at start, and the first to switch it to WAL holds the others waiting.
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('journal_mode = WAL')
  // A count lost to a power cut costs a client a few extra submissions at most.
  sqlite.pragma('synchronous = NORMAL')
  sqlite.exec(`CREATE TABLE IF NOT EXISTS rate_windows (
    client TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (client, window_start)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS rate_windows_start_idx ON rate_windows (window_start)`)
  return sqlite
}

/**
 * Fixed windows of `windowMs` per client, counted in the counters database so
 * that every server process shares them.
 */
export function rateWindows (counters: Database.Database, clock: Clock) {
  const dropPast = counters.prepare('DELETE FROM rate_windows WHERE window_start < ?')
  const countOne = counters.prepare(`INSERT INTO rate_windows (client, window_start, count) VALUES (?, ?, 1)
    ON CONFLICT (client, window_start) DO UPDATE SET count = count + 1 RETURNING count`).pluck()
  const count = counters.transaction((client: string, windowStart: number) => {
    dropPast.run(windowStart)
    return countOne.get(client, windowStart) as number
  }).immediate

  return {
    /** Counts one more for `client` in the current window: the count so far in it, and when it ends. */
    count (client: string, windowMs: number): { count: number, resetAt: number } {
      const now = clock.now()
      const windowStart = now - (now % windowMs)
      return { count: count(client, windowStart), resetAt: windowStart + windowMs }
    }
  }
}

export type RateWindows = ReturnType<typeof rateWindows>
