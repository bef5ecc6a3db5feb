import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { authors } from './authors.js'
import { tags } from './tags.js'

export const ARTICLE_STATUSES = ['draft', 'scheduled', 'published'] as const
export type ArticleStatus = typeof ARTICLE_STATUSES[number]

export const articles = sqliteTable('articles', {
  // An integer key of our own, not SQLite's implicit rowid: VACUUM may renumber the latter,
  // and the full-text index and link tables need a key that never moves.
  pk: integer('pk').primaryKey(),
  id: text('id').notNull().unique(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  // The title lower-cased and without accents, so `sort=title` orders "Été" beside "ete".
  sortTitle: text('sort_title').notNull(),
  excerpt: text('excerpt').notNull(),
  // True while the excerpt is made from the body, so that editing the body remakes it.
  excerptGenerated: integer('excerpt_generated', { mode: 'boolean' }).notNull(),
  body: text('body').notNull(),
  // Rendered and sanitised once at write time, never per read.
  bodyHtml: text('body_html').notNull(),
  status: text('status', { enum: ARTICLE_STATUSES }).notNull(),
  publishedAt: integer('published_at'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  authorId: text('author_id').notNull().references(() => authors.id, { onDelete: 'restrict' }),
  wordCount: integer('word_count').notNull(),
  readingTimeMinutes: integer('reading_time_minutes').notNull(),
  commentCount: integer('comment_count').notNull().default(0),
  commentsOpen: integer('comments_open', { mode: 'boolean' }).notNull().default(true),
  featuredImageUrl: text('featured_image_url'),
  featuredImageAlt: text('featured_image_alt')
}, (table) => [
  index('articles_status_published_idx').on(table.status, table.publishedAt, table.pk),
  index('articles_status_updated_idx').on(table.status, table.updatedAt, table.pk),
  index('articles_status_title_idx').on(table.status, table.sortTitle, table.pk),
  index('articles_author_status_published_idx').on(table.authorId, table.status, table.publishedAt, table.pk),
  index('articles_updated_idx').on(table.updatedAt, table.pk),
  index('articles_published_idx').on(table.publishedAt, table.pk),
  index('articles_title_idx').on(table.sortTitle, table.pk),
  // A search checks each match's status and date: read from here, not from rows whose body comes first.
  index('articles_visibility_idx').on(table.pk, table.status, table.publishedAt)
])

export const articleTags = sqliteTable('article_tags', {
  articlePk: integer('article_pk').notNull().references(() => articles.pk, { onDelete: 'cascade' }),
  tagId: text('tag_id').notNull().references(() => tags.id, { onDelete: 'cascade' }),
  // Tags keep the order the editor gave them in.
  position: integer('position').notNull(),
  // Copies of the article's own, so that a tag's list reads its newest articles from one index, however large the
  // archive: written with the row, and kept in step by the trigger of migration 0007 when the article changes.
  status: text('status', { enum: ARTICLE_STATUSES }),
  publishedAt: integer('published_at')
}, (table) => [
  primaryKey({ columns: [table.articlePk, table.tagId] }),
  index('article_tags_tag_idx').on(table.tagId, table.articlePk),
  index('article_tags_tag_status_published_idx').on(table.tagId, table.status, table.publishedAt, table.articlePk)
])

/** Slugs an article answered at before a rename: a GET there is a 301 to the current slug. */
export const articleOldSlugs = sqliteTable('article_old_slugs', {
  slug: text('slug').primaryKey(),
  articlePk: integer('article_pk').notNull().references(() => articles.pk, { onDelete: 'cascade' })
}, (table) => [
  index('article_old_slugs_article_idx').on(table.articlePk)
])

/** Articles deleted or taken out of the public's sight, so offline apps can drop them. */
export const articleTombstones = sqliteTable('article_tombstones', {
  articleId: text('article_id').primaryKey(),
  slug: text('slug').notNull(),
  removedAt: integer('removed_at').notNull()
}, (table) => [
  index('article_tombstones_removed_idx').on(table.removedAt, table.articleId)
])
