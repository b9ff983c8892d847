CREATE TABLE `report_categories` (
	`code` text PRIMARY KEY NOT NULL,
	`parent_code` text,
	`name_ja` text NOT NULL,
	`name_en` text NOT NULL,
	`department_id` text,
	`emergency_phone` text,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `report_categories_parent_idx` ON `report_categories` (`parent_code`,`sort_order`);--> statement-breakpoint
CREATE TABLE `report_counters` (
	`year` integer PRIMARY KEY NOT NULL,
	`last` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `report_departments` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`email` text NOT NULL,
	`phone` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `report_notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`report_id` text NOT NULL,
	`history_id` integer NOT NULL,
	`line_user_id` text NOT NULL,
	`messages` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `report_notifications_status_idx` ON `report_notifications` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `report_notifications_report_idx` ON `report_notifications` (`report_id`);--> statement-breakpoint
CREATE TABLE `report_photos` (
	`id` text PRIMARY KEY NOT NULL,
	`report_id` text,
	`uploader_line_user_id` text NOT NULL,
	`r2_key` text NOT NULL,
	`content_type` text NOT NULL,
	`bytes` integer NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`hidden_at` integer,
	`hidden_reason` text,
	`hidden_by` text
);
--> statement-breakpoint
CREATE INDEX `report_photos_report_idx` ON `report_photos` (`report_id`,`sort_order`);--> statement-breakpoint
CREATE INDEX `report_photos_unclaimed_idx` ON `report_photos` (`report_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `report_status_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`report_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`public_note` text,
	`internal_note` text,
	`department_id` text
);
--> statement-breakpoint
CREATE INDEX `report_status_history_report_idx` ON `report_status_history` (`report_id`,`at`);--> statement-breakpoint
CREATE TABLE `report_supporters` (
	`report_id` text NOT NULL,
	`line_user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`report_id`, `line_user_id`)
);
--> statement-breakpoint
CREATE INDEX `report_supporters_user_idx` ON `report_supporters` (`line_user_id`);--> statement-breakpoint
CREATE TABLE `reports` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`category_code` text NOT NULL,
	`subtype_code` text NOT NULL,
	`department_id` text,
	`status` text NOT NULL,
	`duplicate_of` text,
	`lat` real NOT NULL,
	`lng` real NOT NULL,
	`address` text,
	`description` text DEFAULT '' NOT NULL,
	`reporter_line_user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`closed_at` integer,
	`hidden_at` integer,
	`hidden_reason` text,
	`hidden_by` text,
	`mail_status` text DEFAULT 'pending' NOT NULL,
	`mail_attempts` integer DEFAULT 0 NOT NULL,
	`mail_last_error` text,
	`mail_next_at` integer,
	`mail_sent_at` integer,
	`mail_message_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reports_number_unique` ON `reports` (`number`);--> statement-breakpoint
CREATE INDEX `reports_status_cat_created_idx` ON `reports` (`status`,`category_code`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `reports_status_created_idx` ON `reports` (`status`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `reports_created_idx` ON `reports` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `reports_cat_created_idx` ON `reports` (`category_code`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `reports_dept_created_idx` ON `reports` (`department_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `reports_reporter_created_idx` ON `reports` (`reporter_line_user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `reports_mail_idx` ON `reports` (`mail_status`,`mail_next_at`);