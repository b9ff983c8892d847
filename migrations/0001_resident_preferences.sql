ALTER TABLE `users` ADD `ward` text;--> statement-breakpoint
ALTER TABLE `users` ADD `interests` text DEFAULT '[]' NOT NULL;