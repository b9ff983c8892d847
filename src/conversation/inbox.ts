import type { ReplyState } from '../line/deliver';
import type { LineEvent } from '../line/events';

/**
 * A resident's inbox (kept in their ConversationDO): its rows, its tables and the rules for
 * retrying and remembering events. The object that works it is conversation-do.ts.
 */

export interface InboxItem {
  key: string;
  event: LineEvent;
}

export interface InboxRow {
  seq: number;
  event_key: string;
  status: 'pending' | 'sending' | 'done' | 'failed';
  attempts: number;
  received_at: number;
  started_at: number | null;
  finished_at: number | null;
  last_error: string | null;
}

/** After this many failed attempts an event is marked failed and logged; the inbox moves on. */
export const MAX_ATTEMPTS = 6;
/** Processed events are remembered this long so a late redelivery is still recognised. */
export const DEDUPE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The inbox's `reply_tried` column, as it was before a lost reply could be retried: 0 and 1
 * keep their old meaning (not tried; refused, so push), 2 is new (sent, answer lost).
 */
export const REPLY_STATE_CODES: Record<ReplyState, number> = { untried: 0, spent: 1, unanswered: 2 };
export function replyStateOf(code: number): ReplyState {
  return code === 2 ? 'unanswered' : code === 1 ? 'spent' : 'untried';
}

/** The inbox's own clean-up runs at most this often per instance. */
export const PRUNE_EVERY_MS = 60 * 60 * 1000;

export function backoffMs(attempts: number): number {
  return Math.min(2 ** attempts * 1000, 10 * 60 * 1000);
}

/** The object's tables: the inbox, and `kv` for the conversation state. */
export const INBOX_SCHEMA = `
  CREATE TABLE IF NOT EXISTS inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_key TEXT NOT NULL UNIQUE,
    event TEXT,
    origin TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    answer TEXT,
    retry_key TEXT,
    reply_tried INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
  );
  CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;
