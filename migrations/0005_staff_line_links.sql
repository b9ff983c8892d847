-- staff_line_users held LINE user IDs typed in by staff, never proven theirs: it is dropped, not
-- migrated, so none of its rows becomes a linked account (staff link again with a code).
CREATE TABLE `broadcast_test_sends` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`staff_id` text NOT NULL,
	`broadcast_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `broadcast_test_sends_staff_idx` ON `broadcast_test_sends` (`staff_id`,`at`);--> statement-breakpoint
CREATE TABLE `staff_line_accounts` (
	`handle` text PRIMARY KEY NOT NULL,
	`staff_id` text NOT NULL,
	`line_user_id` text NOT NULL,
	`linked_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_line_accounts_staff_user_idx` ON `staff_line_accounts` (`staff_id`,`line_user_id`);--> statement-breakpoint
CREATE TABLE `staff_link_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`staff_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`handle` text
);
--> statement-breakpoint
CREATE INDEX `staff_link_codes_staff_idx` ON `staff_link_codes` (`staff_id`,`used_at`);--> statement-breakpoint
DROP TABLE `staff_line_users`;