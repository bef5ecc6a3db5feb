CREATE TABLE `article_old_slugs` (
	`slug` text PRIMARY KEY NOT NULL,
	`article_pk` integer NOT NULL,
	FOREIGN KEY (`article_pk`) REFERENCES `articles`(`pk`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `article_old_slugs_article_idx` ON `article_old_slugs` (`article_pk`);--> statement-breakpoint
CREATE TABLE `article_tombstones` (
	`article_id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`removed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `article_tombstones_removed_idx` ON `article_tombstones` (`removed_at`,`article_id`);