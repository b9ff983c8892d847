import { describe, expect, it } from 'vitest';
import { cronUrl, MINUTE_MS, nextMinute } from '../scripts/lib/local-cron';

// `npm start`'s stand-in for the Cron Trigger (issue 8, finding 22): it fires on the minute,
// as Cloudflare does, and hands wrangler dev that minute as the scheduled time.
describe('the local cron of npm start', () => {
  const at = (iso: string) => Date.parse(iso);
  it.each([
    ['2026-12-01T00:00:00.000Z', '2026-12-01T00:01:00.000Z'],
    ['2026-12-01T00:00:00.001Z', '2026-12-01T00:01:00.000Z'],
    ['2026-12-01T00:00:59.999Z', '2026-12-01T00:01:00.000Z'],
    ['2026-12-31T23:59:30.000Z', '2027-01-01T00:00:00.000Z'],
  ])('after %s the next tick is %s', (now, next) => {
    expect(nextMinute(at(now))).toBe(at(next));
    expect(nextMinute(at(now)) % MINUTE_MS).toBe(0);
  });

  it("calls wrangler dev's scheduled door with the minute as time", () => {
    const url = new URL(cronUrl('http://localhost:8787', 1796083200000));
    expect(url.pathname).toBe('/cdn-cgi/handler/scheduled');
    expect(url.searchParams.get('cron')).toBe('* * * * *');
    expect(url.searchParams.get('time')).toBe('1796083200000');
  });
});
