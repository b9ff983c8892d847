import { clip } from '../line/limits';

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

/** LOG_STRING_MAX characters and an ellipsis at most, cut between graphemes (no half emoji in the log). */
function clipped(s: string): string {
  return clip(s.replace(LINE_USER_ID, 'U…'), LOG_STRING_MAX + 1, 'utf16');
}

function clean(value: unknown): unknown {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return clipped(value);
  if (value instanceof Error) return clipped(value.message);
  try {
    return clipped(JSON.stringify(value) ?? String(value));
  } catch {
    return clipped(String(value));
  }
}

function line(msg: string, fields: LogFields): string {
  const out: LogFields = { msg: clipped(msg) };
  for (const [key, value] of Object.entries(fields)) out[clipped(key)] = clean(value);
  return JSON.stringify(out);
}

export const log = {
  info: (msg: string, fields: LogFields = {}) => console.log(line(msg, fields)),
  warn: (msg: string, fields: LogFields = {}) => console.warn(line(msg, fields)),
  error: (msg: string, fields: LogFields = {}) => console.error(line(msg, fields)),
};
