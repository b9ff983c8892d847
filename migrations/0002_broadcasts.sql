CREATE TABLE `broadcast_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`broadcast_id` text NOT NULL,
	`seq` integer NOT NULL,
	`kind` text NOT NULL,
	`retry_key` text NOT NULL,
	`recipients` text NOT NULL,
	`recipient_count` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`line_request_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `broadcast_batches_retry_key_unique` ON `broadcast_batches` (`retry_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `broadcast_batches_seq_idx` ON `broadcast_batches` (`broadcast_id`,`seq`);--> statement-breakpoint
CREATE INDEX `broadcast_batches_status_idx` ON `broadcast_batches` (`broadcast_id`,`status`);--> statement-breakpoint
CREATE TABLE `broadcasts` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`messages` text NOT NULL,
	`audience` text NOT NULL,
	`status` text NOT NULL,
	`urgent` integer DEFAULT false NOT NULL,
	`scheduled_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	`approved_by` text,
	`approved_at` integer,
	`released_at` integer,
	`prepared_at` integer,
	`finished_at` integer,
	`cancelled_by` text,
	`cancelled_at` integer,
	`failure_reason` text
);
--> statement-breakpoint
CREATE INDEX `broadcasts_status_idx` ON `broadcasts` (`status`,`scheduled_at`);--> statement-breakpoint
CREATE TABLE `closure_days` (
	`date` text PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `staff_line_users` (
	`staff_id` text NOT NULL,
	`line_user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`staff_id`, `line_user_id`)
);
