-- Full-text index of articles: title, excerpt and the body's plain text, accent- and case-insensitive.
-- Contentless (the text lives in `articles` already); the articles repository keeps it in step in each write's transaction.
CREATE VIRTUAL TABLE `articles_fts` USING fts5(
  title, excerpt, body,
  content='', contentless_delete=1,
  tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
-- Articles written before this migration are indexed with their Markdown source; their next edit indexes the plain text.
INSERT INTO articles_fts(rowid, title, excerpt, body) SELECT pk, title, excerpt, body FROM articles;
