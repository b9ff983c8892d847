import { db } from './db/client';
import { releaseDue } from './broadcasts/service';
import { retryDueMail } from './reports/mail';
import { retryPendingNotifications } from './reports/notify';
import { cleanUnclaimedPhotos } from './reports/service';
import { log } from './http/log';
import { config } from './config';
import { retrySchoolPushes } from './schools/notify';
import { purgeOldAbsences } from './schools/retention';

/** Absence notices deleted at most per tick: a backlog drains over a few minutes without a long tick. */
const ABSENCE_PURGE_PER_TICK = 500;

export interface ScheduledTask {
  name: string;
  run(env: Env, now: number): Promise<unknown>;
}

/**
 * Periodic work, in the order it runs each minute. Capabilities add theirs here
 * (broadcast release, retries of department e-mails, retention clean-up).
 */
export const TASKS: ScheduledTask[] = [
  { name: 'report-mail', run: (env, now) => retryDueMail(env, now, env.PUBLIC_ORIGIN) },
  { name: 'report-notifications', run: (env, now) => retryPendingNotifications(env, now) },
  { name: 'report-photo-cleanup', run: (env, now) => cleanUnclaimedPhotos(env, db(env.DB), now) },
  { name: 'school-pushes', run: (env, now) => retrySchoolPushes(env, now) },
  {
    name: 'absence-retention',
    run: async (env, now) => {
      const deleted = await purgeOldAbsences(db(env.DB), now, config(env).absenceRetentionDays, ABSENCE_PURGE_PER_TICK);
      // Counts only: a notice is personal (and health) data.
      if (deleted > 0) log.info('absence notices deleted after retention', { deleted });
      return deleted;
    },
  },
  // Releases due broadcasts inside their operating hours and nudges those sending.
  { name: 'broadcasts.release', run: (env, now) => releaseDue(env, now) },
];

/**
 * The clock door, run every minute by the Cron Trigger. "Now" is the controller's
 * scheduledTime, never the wall clock, so any day and hour can be tested. One failing
 * task is logged and does not stop the others.
 */
export async function scheduled(controller: ScheduledController, env: Env): Promise<void> {
  const now = controller.scheduledTime;
  for (const task of TASKS) {
    try {
      await task.run(env, now);
    } catch (err) {
      log.error('scheduled task failed', { task: task.name, now, error: err });
    }
  }
}
