CREATE TABLE `comment_bans` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text,
	`ip` text,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text,
	FOREIGN KEY (`created_by`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `comment_bans_email_idx` ON `comment_bans` (`email`);--> statement-breakpoint
CREATE INDEX `comment_bans_ip_idx` ON `comment_bans` (`ip`);--> statement-breakpoint
CREATE INDEX `comment_bans_created_idx` ON `comment_bans` (`created_at`);--> statement-breakpoint
CREATE TABLE `comment_history` (
	`pk` integer PRIMARY KEY NOT NULL,
	`comment_id` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`by_key_id` text,
	`rule` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`comment_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`by_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `comment_history_comment_idx` ON `comment_history` (`comment_id`,`at`);--> statement-breakpoint
CREATE TABLE `comment_rate_windows` (
	`client` text NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`client`, `window_start`)
);
--> statement-breakpoint
CREATE INDEX `comment_rate_windows_start_idx` ON `comment_rate_windows` (`window_start`);--> statement-breakpoint
CREATE TABLE `comments` (
	`id` text PRIMARY KEY NOT NULL,
	`article_pk` integer NOT NULL,
	`parent_id` text,
	`author_name` text NOT NULL,
	`author_email` text NOT NULL,
	`author_url` text,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`ip` text NOT NULL,
	`user_agent` text,
	`created_at` integer NOT NULL,
	`moderated_at` integer,
	`moderated_by` text,
	FOREIGN KEY (`article_pk`) REFERENCES `articles`(`pk`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`parent_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`moderated_by`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `comments_article_status_created_idx` ON `comments` (`article_pk`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `comments_status_created_idx` ON `comments` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `comments_queue_idx` ON `comments` (("status" <> 'pending'),`created_at`);--> statement-breakpoint
CREATE INDEX `comments_email_idx` ON `comments` (`author_email`,`created_at`);--> statement-breakpoint
CREATE INDEX `comments_ip_idx` ON `comments` (`ip`,`created_at`);--> statement-breakpoint
CREATE INDEX `comments_parent_idx` ON `comments` (`parent_id`);