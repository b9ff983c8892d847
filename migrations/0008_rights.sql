CREATE TABLE `consent_withdrawals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`line_user_id` text NOT NULL,
	`terms_version` text NOT NULL,
	`withdrawn_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `consent_withdrawals_user_idx` ON `consent_withdrawals` (`line_user_id`);--> statement-breakpoint
CREATE TABLE `resident_restrictions` (
	`id` text PRIMARY KEY NOT NULL,
	`line_user_id` text NOT NULL,
	`scope` text NOT NULL,
	`until` integer,
	`reason` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`lifted_at` integer,
	`lifted_by` text
);
--> statement-breakpoint
CREATE INDEX `resident_restrictions_user_idx` ON `resident_restrictions` (`line_user_id`,`lifted_at`);--> statement-breakpoint
CREATE TABLE `retention_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`removed` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `retention_runs_at_idx` ON `retention_runs` (`at`);--> statement-breakpoint
ALTER TABLE `users` ADD `handle` text;--> statement-breakpoint
CREATE UNIQUE INDEX `users_handle_idx` ON `users` (`handle`);--> statement-breakpoint
CREATE INDEX `users_blocked_idx` ON `users` (`status`,`blocked_at`);--> statement-breakpoint
CREATE INDEX `reports_closed_idx` ON `reports` (`closed_at`);--> statement-breakpoint
-- Residents already on record get their handle now; new ones get it when their row is made.
UPDATE `users` SET `handle` = 'res_' || lower(hex(randomblob(12))) WHERE `handle` IS NULL;
