import { describe, it } from 'vitest';
import { chaosDay } from './helpers/chaos-day-script';

// The first half of the day under chaos; the second is chaos-day-2.test.ts (see the script's header).
describe('a scripted day under chaos (issue 12, section 3), the first half of the city', () => {
  it(
    'every resident gets each answer, broadcast, association post and push exactly once; every report and absence notice is stored once; nothing is left pending',
    { timeout: 300_000 },
    () => chaosDay(1),
  );
});
