CREATE TABLE `run_counts` (
	`org_id` text NOT NULL,
	`project_key` text NOT NULL,
	`status` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`org_id`, `project_key`, `status`),
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Backfill from existing runs, then keep the counts exact with triggers.
INSERT INTO `run_counts` (`org_id`, `project_key`, `status`, `n`)
  SELECT `org_id`, COALESCE(`project_id`, ''), `status`, count(*) FROM `runs` GROUP BY 1, 2, 3;
--> statement-breakpoint
CREATE TRIGGER `runs_count_insert` AFTER INSERT ON `runs` BEGIN
  INSERT INTO `run_counts` (`org_id`, `project_key`, `status`, `n`)
    VALUES (NEW.`org_id`, COALESCE(NEW.`project_id`, ''), NEW.`status`, 1)
    ON CONFLICT (`org_id`, `project_key`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `runs_count_update` AFTER UPDATE OF `org_id`, `project_id`, `status` ON `runs`
  WHEN OLD.`org_id` IS NOT NEW.`org_id` OR OLD.`project_id` IS NOT NEW.`project_id` OR OLD.`status` IS NOT NEW.`status`
BEGIN
  UPDATE `run_counts` SET `n` = `n` - 1
    WHERE `org_id` = OLD.`org_id` AND `project_key` = COALESCE(OLD.`project_id`, '') AND `status` = OLD.`status`;
  INSERT INTO `run_counts` (`org_id`, `project_key`, `status`, `n`)
    VALUES (NEW.`org_id`, COALESCE(NEW.`project_id`, ''), NEW.`status`, 1)
    ON CONFLICT (`org_id`, `project_key`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `runs_count_delete` AFTER DELETE ON `runs` BEGIN
  UPDATE `run_counts` SET `n` = `n` - 1
    WHERE `org_id` = OLD.`org_id` AND `project_key` = COALESCE(OLD.`project_id`, '') AND `status` = OLD.`status`;
END;
