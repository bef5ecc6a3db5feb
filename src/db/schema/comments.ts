import { sql } from 'drizzle-orm'
import { type AnySQLiteColumn, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { apiKeys } from './api-keys.js'
import { articles } from './articles.js'

export const COMMENT_STATUSES = ['pending', 'approved', 'spam', 'trash'] as const
export type CommentStatus = typeof COMMENT_STATUSES[number]

export const comments = sqliteTable('comments', {
  id: text('id').primaryKey(),
  articlePk: integer('article_pk').notNull().references(() => articles.pk, { onDelete: 'cascade' }),
  // A reply outlives a deleted parent, as a top-level comment.
  parentId: text('parent_id').references((): AnySQLiteColumn => comments.id, { onDelete: 'set null' }),
  authorName: text('author_name').notNull(),
  // Lower-cased on the way in, so that bans, filters and erasure match however it was typed.
  authorEmail: text('author_email').notNull(),
  authorUrl: text('author_url'),
  body: text('body').notNull(),
  status: text('status', { enum: COMMENT_STATUSES }).notNull(),
  // The client's address as the rate limit and bans see it: IPv4 whole, IPv6 by its /64.
  ip: text('ip').notNull(),
  userAgent: text('user_agent'),
  createdAt: integer('created_at').notNull(),
  moderatedAt: integer('moderated_at'),
  moderatedBy: text('moderated_by').references(() => apiKeys.id, { onDelete: 'set null' })
}, (table) => [
  index('comments_article_status_created_idx').on(table.articlePk, table.status, table.createdAt),
  index('comments_status_created_idx').on(table.status, table.createdAt),
  // The moderation queue's default order: pending first, then oldest first.
  index('comments_queue_idx').on(sql`(${table.status} <> 'pending')`, table.createdAt),
  index('comments_email_idx').on(table.authorEmail, table.createdAt),
  index('comments_ip_idx').on(table.ip, table.createdAt),
  // A double submission is looked for among this client's comments on this article only, not all of its last hour.
  index('comments_article_ip_created_idx').on(table.articlePk, table.ip, table.createdAt),
  index('comments_parent_idx').on(table.parentId)
])

export const commentHistory = sqliteTable('comment_history', {
  pk: integer('pk').primaryKey(),
  commentId: text('comment_id').notNull().references(() => comments.id, { onDelete: 'cascade' }),
  fromStatus: text('from_status', { enum: COMMENT_STATUSES }),
  toStatus: text('to_status', { enum: COMMENT_STATUSES }).notNull(),
  // The key that changed it; null when a moderation rule decided on submission.
  byKeyId: text('by_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
  // Which rule decided, for decisions no one made by hand.
  rule: text('rule'),
  at: integer('at').notNull()
}, (table) => [
  index('comment_history_comment_idx').on(table.commentId, table.at)
])

export const commentBans = sqliteTable('comment_bans', {
  id: text('id').primaryKey(),
  email: text('email'),
  ip: text('ip'),
  reason: text('reason').notNull(),
  createdAt: integer('created_at').notNull(),
  createdBy: text('created_by').references(() => apiKeys.id, { onDelete: 'set null' })
}, (table) => [
  index('comment_bans_email_idx').on(table.email),
  index('comment_bans_ip_idx').on(table.ip),
  index('comment_bans_created_idx').on(table.createdAt)
])
