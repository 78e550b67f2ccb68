-- The triggers on runs name run_counts: drop them while the table is rebuilt (SQLite checks them on rename).
DROP TRIGGER `runs_count_insert`;--> statement-breakpoint
DROP TRIGGER `runs_count_update`;--> statement-breakpoint
DROP TRIGGER `runs_count_delete`;--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_run_counts` (
	`org_id` text NOT NULL,
	`project_key` text NOT NULL,
	`status` text NOT NULL,
	`shard` integer DEFAULT 0 NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`org_id`, `project_key`, `status`, `shard`),
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_run_counts`("org_id", "project_key", "status", "shard", "n") SELECT "org_id", "project_key", "status", 0, "n" FROM `run_counts`;--> statement-breakpoint
DROP TABLE `run_counts`;--> statement-breakpoint
ALTER TABLE `__new_run_counts` RENAME TO `run_counts`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
-- The triggers again, their conflict target now with the shard (always 0 on SQLite, which writes one unit at a time).
CREATE TRIGGER `runs_count_insert` AFTER INSERT ON `runs` BEGIN
  INSERT INTO `run_counts` (`org_id`, `project_key`, `status`, `shard`, `n`)
    VALUES (NEW.`org_id`, COALESCE(NEW.`project_id`, ''), NEW.`status`, 0, 1)
    ON CONFLICT (`org_id`, `project_key`, `status`, `shard`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `runs_count_update` AFTER UPDATE OF `org_id`, `project_id`, `status` ON `runs`
  WHEN OLD.`org_id` IS NOT NEW.`org_id` OR OLD.`project_id` IS NOT NEW.`project_id` OR OLD.`status` IS NOT NEW.`status`
BEGIN
  UPDATE `run_counts` SET `n` = `n` - 1
    WHERE `org_id` = OLD.`org_id` AND `project_key` = COALESCE(OLD.`project_id`, '') AND `status` = OLD.`status` AND `shard` = 0;
  INSERT INTO `run_counts` (`org_id`, `project_key`, `status`, `shard`, `n`)
    VALUES (NEW.`org_id`, COALESCE(NEW.`project_id`, ''), NEW.`status`, 0, 1)
    ON CONFLICT (`org_id`, `project_key`, `status`, `shard`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `runs_count_delete` AFTER DELETE ON `runs` BEGIN
  UPDATE `run_counts` SET `n` = `n` - 1
    WHERE `org_id` = OLD.`org_id` AND `project_key` = COALESCE(OLD.`project_id`, '') AND `status` = OLD.`status` AND `shard` = 0;
END;
