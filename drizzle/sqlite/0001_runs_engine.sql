CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`project_id` text,
	`user_id` text NOT NULL,
	`status` text DEFAULT 'intake' NOT NULL,
	`stage_started_at` text,
	`stage_history` text DEFAULT '[]' NOT NULL,
	`request_text` text NOT NULL,
	`scope_artifact` text,
	`plan_artifact` text,
	`total_credits_used` integer DEFAULT 0 NOT NULL,
	`total_tokens_input` integer DEFAULT 0 NOT NULL,
	`total_tokens_output` integer DEFAULT 0 NOT NULL,
	`parent_run_id` text,
	`model_used` text,
	`error_message` text,
	`driver` text DEFAULT 'local' NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`engine_state` text DEFAULT '{}' NOT NULL,
	`created_at` text NOT NULL,
	`completed_at` text,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `runs_org_created_idx` ON `runs` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `runs_org_status_created_idx` ON `runs` (`org_id`,`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `runs_org_project_created_idx` ON `runs` (`org_id`,`project_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `run_events` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`sequence_number` integer NOT NULL,
	`event_type` text NOT NULL,
	`data` text NOT NULL,
	`model_used` text,
	`tokens_used` integer,
	`replay_visible` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `run_events_run_seq_uq` ON `run_events` (`run_id`,`sequence_number`);--> statement-breakpoint
CREATE TABLE `approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`event_id` text,
	`action_summary` text NOT NULL,
	`reason` text NOT NULL,
	`risk_description` text,
	`cost_estimate` text,
	`undo_plan` text,
	`evidence` text,
	`status` text NOT NULL,
	`decided_by` text,
	`policy_rule_id` text,
	`decision_note` text,
	`decided_at` text,
	`expires_at` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `approvals_run_idx` ON `approvals` (`run_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `approvals_pending_expiry_idx` ON `approvals` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `policy_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`tool` text,
	`risk` text,
	`decision` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `policy_rules_org_idx` ON `policy_rules` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`key` text,
	`payload` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`run_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer DEFAULT 5 NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `jobs_due_idx` ON `jobs` (`status`,`run_at`);--> statement-breakpoint
CREATE INDEX `jobs_lease_idx` ON `jobs` (`status`,`lease_until`);--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_active_key_uq` ON `jobs` (`key`) WHERE status in ('queued', 'leased');--> statement-breakpoint
CREATE TABLE `credit_ledger` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`run_id` text,
	`event_id` text,
	`event_type` text,
	`model_used` text,
	`tokens_input` integer,
	`tokens_output` integer,
	`description` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `credit_ledger_org_created_idx` ON `credit_ledger` (`org_id`,`created_at`);