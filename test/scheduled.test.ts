import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, expect, it } from 'vitest';
import { scheduled, TASKS, type ScheduledTask } from '../src/scheduled';

const registered = [...TASKS];
afterEach(() => {
  TASKS.splice(0, TASKS.length, ...registered);
});

it('runs every task with the controller’s scheduledTime as now, and one failure does not stop the rest', async () => {
  const seen: [string, number][] = [];
  const record = (name: string): ScheduledTask => ({ name, run: async (_env, now) => void seen.push([name, now]) });
  TASKS.splice(
    0,
    TASKS.length,
    record('first'),
    { name: 'broken', run: async () => Promise.reject(new Error('boom')) },
    record('last'),
  );
  const scheduledTime = Date.UTC(2027, 0, 4, 0, 30); // Monday 09:30 JST
  await scheduled(createScheduledController({ scheduledTime, cron: '* * * * *' }), env);
  expect(seen).toEqual([
    ['first', scheduledTime],
    ['last', scheduledTime],
  ]);
});

it('registers the periodic work of the capabilities', () => {
  expect(registered.map((t) => t.name)).toEqual([
    'report-mail',
    'report-notifications',
    'report-photo-cleanup',
    'school-pushes',
    'absence-retention',
    'broadcasts.release',
  ]);
});
