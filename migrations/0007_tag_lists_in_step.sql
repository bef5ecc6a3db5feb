-- article_tags holds a copy of its article's status and publication date, for the tag lists' index (0006):
-- filled here for the articles already there, then kept in step whenever an article's status or date changes.
UPDATE `article_tags` SET
  `status` = (SELECT `status` FROM `articles` WHERE `articles`.`pk` = `article_tags`.`article_pk`),
  `published_at` = (SELECT `published_at` FROM `articles` WHERE `articles`.`pk` = `article_tags`.`article_pk`);
--> statement-breakpoint
CREATE TRIGGER `article_tags_follow_article` AFTER UPDATE OF `status`, `published_at` ON `articles`
BEGIN
  UPDATE `article_tags` SET `status` = NEW.`status`, `published_at` = NEW.`published_at` WHERE `article_pk` = NEW.`pk`;
END;
