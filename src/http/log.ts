/**
 * The worker log: one JSON object a line, through `log.info/warn/error` and nothing else.
 *
 * Much of what a log line would echo is chosen by whoever sent the request (an event's
 * type, a LINE error message, a path), and the log is read by operators and kept by
 * Cloudflare. So every string is clipped to LOG_STRING_MAX characters, and anything shaped
 * like a LINE user ID is blanked first: where a line must say which resident it is about,
 * the caller logs `userRef()` (src/line/user-ref.ts) instead.
 */
export const LOG_STRING_MAX = 500;

const LINE_USER_ID = /U[0-9a-f]{32}/g;

export type LogFields = Record<string, unknown>;

function clip(s: string): string {
  const blanked = s.replace(LINE_USER_ID, 'U…');
  return blanked.length <= LOG_STRING_MAX ? blanked : `${blanked.slice(0, LOG_STRING_MAX)}…`;
}

function clean(value: unknown): unknown {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return clip(value);
  if (value instanceof Error) return clip(value.message);
  try {
    return clip(JSON.stringify(value) ?? String(value));
  } catch {
    return clip(String(value));
  }
}

function line(msg: string, fields: LogFields): string {
  const out: LogFields = { msg: clip(msg) };
  for (const [key, value] of Object.entries(fields)) out[clip(key)] = clean(value);
  return JSON.stringify(out);
}

export const log = {
  info: (msg: string, fields: LogFields = {}) => console.log(line(msg, fields)),
  warn: (msg: string, fields: LogFields = {}) => console.warn(line(msg, fields)),
  error: (msg: string, fields: LogFields = {}) => console.error(line(msg, fields)),
};
