CREATE TABLE `cache_epochs` (
	`name` text PRIMARY KEY NOT NULL,
	`n` integer NOT NULL
);
