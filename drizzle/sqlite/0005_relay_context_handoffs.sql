CREATE TABLE `context_events` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text,
	`project_id` text,
	`user_id` text NOT NULL,
	`source` text NOT NULL,
	`event_type` text NOT NULL,
	`title` text NOT NULL,
	`content` text NOT NULL,
	`resource` text,
	`branch` text,
	`priority` text,
	`url` text,
	`author` text,
	`external_id` text,
	`run_id` text,
	`created_at` text NOT NULL,
	`ingested_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `context_events_project_created_idx` ON `context_events` (`project_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `context_events_project_source_created_idx` ON `context_events` (`project_id`,`source`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `context_events_user_created_idx` ON `context_events` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `context_events_user_source_created_idx` ON `context_events` (`user_id`,`source`,`created_at`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `context_events_external_uq` ON `context_events` (`project_id`,`source`,`external_id`) WHERE external_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX `context_events_personal_external_uq` ON `context_events` (`user_id`,`source`,`external_id`) WHERE project_id is null and external_id is not null;--> statement-breakpoint
CREATE TABLE `handoffs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`project_id` text NOT NULL,
	`title` text NOT NULL,
	`summary` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`sources` text NOT NULL,
	`key_changes` text NOT NULL,
	`decisions` text NOT NULL,
	`open_questions` text NOT NULL,
	`next_steps` text NOT NULL,
	`related_event_ids` text NOT NULL,
	`scope_type` text DEFAULT 'project' NOT NULL,
	`created_by` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `handoffs_org_created_idx` ON `handoffs` (`org_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `handoffs_org_status_created_idx` ON `handoffs` (`org_id`,`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `handoffs_project_created_idx` ON `handoffs` (`project_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `handoffs_project_status_created_idx` ON `handoffs` (`project_id`,`status`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `relay_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`project_id` text NOT NULL,
	`user_id` text,
	`kind` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`input` text NOT NULL,
	`result_kind` text,
	`result_id` text,
	`error` text,
	`error_code` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `relay_jobs_project_created_idx` ON `relay_jobs` (`project_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `context_facets` (
	`project_id` text NOT NULL,
	`source` text NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`last_seen_at` text NOT NULL,
	PRIMARY KEY(`project_id`, `source`, `kind`, `value`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
