CREATE TABLE `absence_counters` (
	`year` integer PRIMARY KEY NOT NULL,
	`last` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `absence_notices` (
	`id` text PRIMARY KEY NOT NULL,
	`number` text NOT NULL,
	`school_id` text NOT NULL,
	`pupil_id` text NOT NULL,
	`guardian_line_user_id` text,
	`date` text NOT NULL,
	`date_to` text,
	`type` text NOT NULL,
	`reason` text NOT NULL,
	`symptoms` text DEFAULT '[]' NOT NULL,
	`temperature` real,
	`time` text,
	`note` text,
	`late` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`submitted_at` integer NOT NULL,
	`confirmed_at` integer,
	`confirmed_by` text,
	`confirm_comment` text,
	`withdrawn_at` integer,
	`withdrawn_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `absence_notices_number_unique` ON `absence_notices` (`number`);--> statement-breakpoint
CREATE INDEX `absence_notices_school_date_idx` ON `absence_notices` (`school_id`,`date`);--> statement-breakpoint
CREATE INDEX `absence_notices_guardian_idx` ON `absence_notices` (`guardian_line_user_id`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `absence_notices_pupil_idx` ON `absence_notices` (`pupil_id`,`date`);--> statement-breakpoint
CREATE TABLE `broadcast_acks` (
	`broadcast_id` text NOT NULL,
	`line_user_id` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`broadcast_id`, `line_user_id`)
);
--> statement-breakpoint
CREATE INDEX `broadcast_acks_user_idx` ON `broadcast_acks` (`line_user_id`);--> statement-breakpoint
CREATE TABLE `communities` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`parent_id` text,
	`district` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `communities_parent_idx` ON `communities` (`parent_id`);--> statement-breakpoint
CREATE TABLE `community_invites` (
	`id` text PRIMARY KEY NOT NULL,
	`community_id` text NOT NULL,
	`code_hash` text NOT NULL,
	`expires_at` integer,
	`max_uses` integer,
	`uses` integer DEFAULT 0 NOT NULL,
	`revoked_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `community_invites_code_hash_unique` ON `community_invites` (`code_hash`);--> statement-breakpoint
CREATE INDEX `community_invites_community_idx` ON `community_invites` (`community_id`);--> statement-breakpoint
CREATE TABLE `community_members` (
	`community_id` text NOT NULL,
	`line_user_id` text NOT NULL,
	`display_name` text,
	`invite_id` text,
	`joined_at` integer NOT NULL,
	PRIMARY KEY(`community_id`, `line_user_id`)
);
--> statement-breakpoint
CREATE INDEX `community_members_user_idx` ON `community_members` (`line_user_id`);--> statement-breakpoint
CREATE TABLE `guardian_links` (
	`pupil_id` text NOT NULL,
	`line_user_id` text NOT NULL,
	`linked_at` integer NOT NULL,
	PRIMARY KEY(`pupil_id`, `line_user_id`)
);
--> statement-breakpoint
CREATE INDEX `guardian_links_user_idx` ON `guardian_links` (`line_user_id`);--> statement-breakpoint
CREATE TABLE `pupils` (
	`id` text PRIMARY KEY NOT NULL,
	`school_id` text NOT NULL,
	`grade` integer NOT NULL,
	`class` text NOT NULL,
	`number` integer,
	`name` text NOT NULL,
	`kana` text NOT NULL,
	`groups` text DEFAULT '[]' NOT NULL,
	`code_hash` text,
	`code_expires_at` integer,
	`graduated_at` integer,
	`removed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pupils_code_hash_unique` ON `pupils` (`code_hash`);--> statement-breakpoint
CREATE INDEX `pupils_school_idx` ON `pupils` (`school_id`,`grade`,`class`,`number`);--> statement-breakpoint
CREATE TABLE `school_pushes` (
	`id` text PRIMARY KEY NOT NULL,
	`school_id` text NOT NULL,
	`kind` text NOT NULL,
	`ref_id` text NOT NULL,
	`line_user_id` text NOT NULL,
	`messages` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `school_pushes_status_idx` ON `school_pushes` (`status`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `school_pushes_once_idx` ON `school_pushes` (`kind`,`ref_id`,`line_user_id`);--> statement-breakpoint
CREATE TABLE `school_rollovers` (
	`school_id` text NOT NULL,
	`year` integer NOT NULL,
	`at` integer NOT NULL,
	`by` text NOT NULL,
	PRIMARY KEY(`school_id`, `year`)
);
--> statement-breakpoint
CREATE TABLE `schools` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`phone` text NOT NULL,
	`cutoff` text DEFAULT '08:00' NOT NULL,
	`after_cutoff` text DEFAULT 'refuse' NOT NULL,
	`note_enabled` integer DEFAULT true NOT NULL,
	`reasons` text,
	`window` text,
	`require_approval` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `schools_code_unique` ON `schools` (`code`);--> statement-breakpoint
ALTER TABLE `broadcasts` ADD `request_ack` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `staff` ADD `suspended_at` integer;