CREATE INDEX `approvals_run_status_idx` ON `approvals` (`run_id`,`status`);--> statement-breakpoint
CREATE INDEX `jobs_key_idx` ON `jobs` (`key`,`status`);