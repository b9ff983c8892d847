import type { BroadcastDispatcherDO } from './broadcasts/dispatcher-do';
import type { ConversationDO } from './conversation/conversation-do';

/** Bindings and configuration of the worker. Names match wrangler.toml and .dev.vars.example. */
export interface Env {
  DB: D1Database;
  PHOTOS: R2Bucket;
  CONVERSATION: DurableObjectNamespace<ConversationDO>;
  BROADCAST_DISPATCHER: DurableObjectNamespace<BroadcastDispatcherDO>;

  /** Secrets: absent until `wrangler secret put`; each door answers 503 without the one it needs. */
  LINE_CHANNEL_SECRET?: string;
  LINE_CHANNEL_ACCESS_TOKEN?: string;
  ADMIN_BOOTSTRAP_TOKEN?: string;

  LINE_API_BASE_URL?: string;
  LINE_DATA_API_BASE_URL?: string;
  CONTACT_EMAIL?: string;
  TERMS_VERSION?: string;
  /** Broadcast windows in JST, `HH:MM-HH:MM` (policy §5 for the city; schools and associations have their own). */
  BROADCAST_HOURS_CITY?: string;
  BROADCAST_HOURS_SCHOOL?: string;
  BROADCAST_HOURS_COMMUNITY?: string;
  /** How long one LINE call of a broadcast may take before it counts as a timeout and is retried with its key. */
  BROADCAST_CALL_TIMEOUT_MS?: string;
}

export const DEFAULTS = {
  LINE_API_BASE_URL: 'https://api.line.me',
  LINE_DATA_API_BASE_URL: 'https://api-data.line.me',
  CONTACT_EMAIL: 'dx@city.okayama.jp',
  TERMS_VERSION: '2026-11-01',
  BROADCAST_HOURS_CITY: '08:30-18:00',
  BROADCAST_HOURS_SCHOOL: '07:00-20:00',
  BROADCAST_HOURS_COMMUNITY: '07:00-21:00',
  BROADCAST_CALL_TIMEOUT_MS: 10_000,
} as const;

export function config(env: Env) {
  return {
    lineApiBaseUrl: env.LINE_API_BASE_URL || DEFAULTS.LINE_API_BASE_URL,
    lineDataApiBaseUrl: env.LINE_DATA_API_BASE_URL || DEFAULTS.LINE_DATA_API_BASE_URL,
    contactEmail: env.CONTACT_EMAIL || DEFAULTS.CONTACT_EMAIL,
    termsVersion: env.TERMS_VERSION || DEFAULTS.TERMS_VERSION,
    broadcastHours: {
      city: env.BROADCAST_HOURS_CITY || DEFAULTS.BROADCAST_HOURS_CITY,
      school: env.BROADCAST_HOURS_SCHOOL || DEFAULTS.BROADCAST_HOURS_SCHOOL,
      community: env.BROADCAST_HOURS_COMMUNITY || DEFAULTS.BROADCAST_HOURS_COMMUNITY,
    },
    broadcastCallTimeoutMs: Number(env.BROADCAST_CALL_TIMEOUT_MS) || DEFAULTS.BROADCAST_CALL_TIMEOUT_MS,
  };
}
