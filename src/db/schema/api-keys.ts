import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { authors } from './authors.js'

export const ROLES = ['author', 'moderator', 'editor', 'admin'] as const
export type KeyRole = typeof ROLES[number]

export const apiKeys = sqliteTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  authorId: text('author_id').references(() => authors.id, { onDelete: 'cascade' }),
  // SHA-256 of the secret: the secret has 256 random bits, so a fast hash is enough and lookups stay cheap.
  secretHash: text('secret_hash').notNull().unique(),
  // The first characters of the secret, so an admin can tell keys apart without seeing them.
  prefix: text('prefix').notNull(),
  createdAt: integer('created_at').notNull(),
  revokedAt: integer('revoked_at')
}, (table) => [
  index('api_keys_created_idx').on(table.createdAt)
])
