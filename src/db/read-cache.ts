import { LRUCache } from 'lru-cache'
import type { ChangeWatch } from './change-watch.js'

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
 * would give at some moment during the request; a busy news site's hot
 * articles and lists cost no query, no serialisation and no hash.
 *
 * Whether the database changed is the `watch`'s to say: it is polled once at
 * the start of every request (see `buildApp`), and `get` trusts that poll.
 */
export function readCache (watch: ChangeWatch, maxBytes: number) {
  const entries = maxBytes > 0 ? new LRUCache<string, Cached<unknown>>({ maxSize: maxBytes, sizeCalculation: (entry) => Math.max(1, entry.bytes) }) : undefined
  let filledAt = watch.version

  /** Empties the cache once the database has moved past the version its values were read at. */
  function dropIfChanged (version: number): void {
    if (version === filledAt) return
    filledAt = version
    entries?.clear()
  }

  return {
    enabled: entries !== undefined,

    /** Where the database was at this request's start: take it before reading a value, give it to `set` with that value. */
    stamp (): number {
      return watch.version
    },

    /** The value kept under `key`, if the database has not changed since and the clock `now` still leaves it right. */
    get<T> (key: string, now: number): T | undefined {
      if (entries === undefined) return undefined
      dropIfChanged(watch.version)
      const entry = entries.get(key)
      if (entry === undefined || now < entry.readAt || now >= entry.validUntil) return undefined
      return entry.value as T
    },

    /**
     * Keeps a value read after `stamp` was taken, unless the database changed
     * in between (a commit from another process, or from this one while the
     * reader awaited): then the value may already be stale, and is not kept.
     */
    set<T> (key: string, entry: Cached<T>, stamp: number): void {
      if (entries === undefined || entry.bytes > maxBytes) return
      const now = watch.poll()
      dropIfChanged(now)
      if (now === stamp) entries.set(key, entry)
    }
  }
}

export type ReadCache = ReturnType<typeof readCache>
