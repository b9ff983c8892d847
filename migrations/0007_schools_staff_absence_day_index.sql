DROP INDEX `absence_notices_school_date_idx`;--> statement-breakpoint
CREATE INDEX `absence_notices_school_date_idx` ON `absence_notices` (`school_id`,`date`,`date_to`);