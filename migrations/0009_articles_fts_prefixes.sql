-- The full-text index again, with prefix indexes: a search word of 3 to 6 letters is a prefix that reads one
-- list of the index, instead of merging the lists of every word that starts with it (all of "inter…").
-- Filled in one pass from `articles`, with the same text the articles repository indexes: `search_text` and
-- `search_body_text` are registered by `runMigrations` (src/db/migrate.ts) before this runs.
DROP TABLE `articles_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `articles_fts` USING fts5(
  title, excerpt, body,
  content='', contentless_delete=1,
  tokenize='unicode61 remove_diacritics 2',
  prefix='3 4 5 6'
);
--> statement-breakpoint
INSERT INTO articles_fts(rowid, title, excerpt, body)
  SELECT pk, search_text(title), search_text(excerpt), search_body_text(body_html) FROM articles;
--> statement-breakpoint
INSERT INTO articles_fts(articles_fts) VALUES ('optimize');
