ALTER TABLE `article_tags` ADD `status` text;--> statement-breakpoint
ALTER TABLE `article_tags` ADD `published_at` integer;--> statement-breakpoint
CREATE INDEX `article_tags_tag_status_published_idx` ON `article_tags` (`tag_id`,`status`,`published_at`,`article_pk`);