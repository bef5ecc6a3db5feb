import { LRUCache } from 'lru-cache'
import type { Db } from './client.js'

/** What a cached value holds besides itself: its cost in memory, roughly, and how long the clock leaves it right. */
export interface Cached<T> {
  value: T
  /** Bytes, roughly: what the cache's budget is counted in. */
  bytes: number
  /** The clock time it was read at: a clock set back before it makes it unusable. */
  readAt: number
  /** Until when the clock alone cannot change it (a future-dated article going live); Infinity when never. */
  validUntil: number
}

/**
 * Values read from the database, kept between requests for exactly as long as
 * the database has not changed: any commit, by this process or by another one
 * on the same file (another worker, the CLI), empties the cache before the next
 * read from it. A value from the cache is therefore what reading SQLite again
 * would give; a busy news site's hot articles and lists cost one check instead
 * of several queries, a serialisation and a hash.
 *
 * The check is one statement: `total_changes()` moves with this connection's
 * own writes, `data_version` with every other connection's commits.
 */
export function readCache (db: Db, maxBytes: number) {
  const state = db.$client.prepare('SELECT total_changes(), data_version FROM pragma_data_version').raw()
  const entries = maxBytes > 0 ? new LRUCache<string, Cached<unknown>>({ maxSize: maxBytes, sizeCalculation: (entry) => Math.max(1, entry.bytes) }) : undefined
  let seen = ''

  /** Where the database is now: it moves with every commit. */
  function stampNow (): string {
    const [changes, version] = state.get() as [number, number]
    return `${changes}:${version}`
  }

  function dropIfChanged (stamp: string): void {
    if (stamp === seen) return
    seen = stamp
    entries?.clear()
  }

  return {
    enabled: entries !== undefined,

    /** Where the database is now: take it before reading a value, give it to `set` with that value. */
    stamp (): string {
      return entries === undefined ? '' : stampNow()
    },

    /** The value kept under `key`, if the database has not changed since and the clock `now` still leaves it right. */
    get<T> (key: string, now: number): T | undefined {
      if (entries === undefined) return undefined
      dropIfChanged(stampNow())
      const entry = entries.get(key)
      if (entry === undefined || now < entry.readAt || now >= entry.validUntil) return undefined
      return entry.value as T
    },

    /**
     * Keeps a value read after `stamp` was taken, unless a commit came in
     * between (from another process, or from this one while the reader
     * awaited): then the value may already be stale, and is not kept.
     */
    set<T> (key: string, entry: Cached<T>, stamp: string): void {
      if (entries === undefined || entry.bytes > maxBytes) return
      const now = stampNow()
      dropIfChanged(now)
      if (now === stamp) entries.set(key, entry)
    }
  }
}

export type ReadCache = ReturnType<typeof readCache>
