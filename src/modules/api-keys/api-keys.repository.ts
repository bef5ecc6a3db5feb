import { createHash, randomBytes } from 'node:crypto'
import { count, eq, sql } from 'drizzle-orm'
import type { Clock } from '../../clock.js'
import type { Db } from '../../db/client.js'
import { newId } from '../../db/ids.js'
import { afterCursor, decodeCursor, orderBy, pageWithCursor } from '../../db/keyset.js'
import { apiKeys, type KeyRole } from '../../db/schema/index.js'
import { toIso } from '../../http/common.js'
import type { Page } from '../../http/pagination.js'

const SECRET_PREFIX = 'cms_'

function hashSecret (secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

type KeyRow = typeof apiKeys.$inferSelect

function toApiKey (row: KeyRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    authorId: row.authorId,
    prefix: row.prefix,
    createdAt: toIso(row.createdAt),
    revokedAt: row.revokedAt === null ? null : toIso(row.revokedAt)
  }
}

const ORDER = [{ key: apiKeys.createdAt, descending: true }, { key: apiKeys.id, descending: true }]

export function apiKeysRepository (db: Db, clock: Clock) {
  const bySecretHash = db.select({ id: apiKeys.id, role: apiKeys.role, authorId: apiKeys.authorId, revokedAt: apiKeys.revokedAt })
    .from(apiKeys).where(eq(apiKeys.secretHash, sql.placeholder('secretHash'))).prepare()

  return {
    /** The key's secret is returned this once; only its hash is stored. */
    async create (input: { name: string, role: KeyRole, authorId?: string | null | undefined }) {
      const secret = SECRET_PREFIX + randomBytes(32).toString('base64url')
      const row: KeyRow = {
        id: newId('key'),
        name: input.name,
        role: input.role,
        authorId: input.authorId ?? null,
        secretHash: hashSecret(secret),
        prefix: secret.slice(0, SECRET_PREFIX.length + 6),
        createdAt: clock.now(),
        revokedAt: null
      }
      db.insert(apiKeys).values(row).run()
      return { ...toApiKey(row), key: secret }
    },

    async list (page: Page) {
      const after = page.cursor === undefined ? undefined : afterCursor(ORDER, decodeCursor(page.cursor, 'newest', 2))
      const rows = db.select().from(apiKeys).where(after).orderBy(...orderBy(ORDER)).limit(page.limit + 1).offset(page.offset).all()
      const total = db.select({ total: count() }).from(apiKeys).get()?.total ?? 0
      const { rows: pageRows, nextCursor } = pageWithCursor(rows, page.limit, 'newest', (row) => [row.createdAt, row.id])
      return { data: pageRows.map(toApiKey), total, nextCursor }
    },

    /**
     * Revokes at once: the next request with this key is a 401. A key revoked already keeps the time it was
     * first revoked, which is when it stopped working. False when there is no such key.
     */
    async revoke (id: string): Promise<boolean> {
      const result = db.update(apiKeys).set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${clock.now()})` }).where(eq(apiKeys.id, id)).run()
      return result.changes > 0
    },

    async authenticate (secret: string) {
      const row = bySecretHash.get({ secretHash: hashSecret(secret) })
      return row === undefined || row.revokedAt !== null ? undefined : row
    }
  }
}

export type ApiKeysRepository = ReturnType<typeof apiKeysRepository>
