/**
 * At most `limit` events in any `windowMs`: whether one more is allowed now and, if not,
 * how long until the oldest counted one leaves the window. Used for wrong codes per LINE
 * account (staff link, pupil registration, association invite) and for test sends per staff member.
 */
export function windowLimit(
  times: readonly number[],
  now: number,
  limit: number,
  windowMs: number,
): { allowed: boolean; retryAfterMs: number } {
  const recent = times.filter((t) => now - t < windowMs).sort((a, b) => a - b);
  if (recent.length < limit) return { allowed: true, retryAfterMs: 0 };
  return { allowed: false, retryAfterMs: recent[recent.length - limit]! + windowMs - now };
}

/** The times that still count, so a stored list never grows past what the rule reads. */
export function recentTimes(times: readonly number[], now: number, windowMs: number): number[] {
  return times.filter((t) => now - t < windowMs);
}
