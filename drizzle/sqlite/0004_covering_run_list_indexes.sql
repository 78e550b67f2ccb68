DROP INDEX `runs_org_created_idx`;--> statement-breakpoint
DROP INDEX `runs_org_status_created_idx`;--> statement-breakpoint
DROP INDEX `runs_org_project_created_idx`;--> statement-breakpoint
CREATE INDEX `runs_org_created_idx` ON `runs` (`org_id`,`created_at`,`id`,`status`,`project_id`);--> statement-breakpoint
CREATE INDEX `runs_org_status_created_idx` ON `runs` (`org_id`,`status`,`created_at`,`id`,`project_id`);--> statement-breakpoint
CREATE INDEX `runs_org_project_created_idx` ON `runs` (`org_id`,`project_id`,`created_at`,`id`,`status`);