import type { BroadcastDispatcherDO } from './broadcasts/dispatcher-do';
import type { ConversationDO } from './conversation/conversation-do';

/** Bindings and configuration of the worker. Names match wrangler.toml and .dev.vars.example. */
export interface Env {
  DB: D1Database;
  PHOTOS: R2Bucket;
  CONVERSATION: DurableObjectNamespace<ConversationDO>;
  /** Cloudflare Email (send_email binding): each new damage report goes to its department. */
  REPORT_MAIL?: SendEmail;
  BROADCAST_DISPATCHER: DurableObjectNamespace<BroadcastDispatcherDO>;

  /** Secrets: absent until `wrangler secret put`; each door answers 503 without the one it needs. */
  LINE_CHANNEL_SECRET?: string;
  LINE_CHANNEL_ACCESS_TOKEN?: string;
  ADMIN_BOOTSTRAP_TOKEN?: string;

  LINE_API_BASE_URL?: string;
  LINE_DATA_API_BASE_URL?: string;
  CONTACT_EMAIL?: string;
  TERMS_VERSION?: string;
  /** Sender of department report e-mails (must be on the zone with Email Routing). */
  REPORT_MAIL_FROM?: string;
  /** JSON: `{"box":[minLng,minLat,maxLng,maxLat]}` or `{"polygon":[[lng,lat],…]}`; default Okayama City. */
  REPORT_AREA?: string;
  /** The worker's public origin, for links in mails the cron sends (no request to take it from). */
  PUBLIC_ORIGIN?: string;
  /** Broadcast windows in JST, `HH:MM-HH:MM` (policy §5 for the city; schools and associations have their own). */
  BROADCAST_HOURS_CITY?: string;
  BROADCAST_HOURS_SCHOOL?: string;
  BROADCAST_HOURS_COMMUNITY?: string;
  /** How long one LINE call of a broadcast may take before it counts as a timeout and is retried with its key. */
  BROADCAST_CALL_TIMEOUT_MS?: string;
  /** Comma lists of what residents may choose in 設定; `日本語名|English name` gives the English label. */
  WARDS?: string;
  INTERESTS?: string;
}

export const DEFAULTS = {
  LINE_API_BASE_URL: 'https://api.line.me',
  LINE_DATA_API_BASE_URL: 'https://api-data.line.me',
  CONTACT_EMAIL: 'dx@city.okayama.jp',
  TERMS_VERSION: '2026-11-01',
  REPORT_MAIL_FROM: 'line-reports@city.okayama.jp',
  BROADCAST_HOURS_CITY: '08:30-18:00',
  BROADCAST_HOURS_SCHOOL: '07:00-20:00',
  BROADCAST_HOURS_COMMUNITY: '07:00-21:00',
  BROADCAST_CALL_TIMEOUT_MS: 10_000,
  WARDS: '北区|Kita Ward,中区|Naka Ward,東区|Higashi Ward,南区|Minami Ward',
  INTERESTS:
    '防災|Disaster preparedness,子育て|Child-rearing,イベント|Events,健康・福祉|Health & welfare,ごみ・環境|Waste & environment,観光|Tourism',
} as const;

/** One choice of a configured list: `name` is what is stored (and what broadcasts segment on). */
export interface Choice {
  name: string;
  en: string;
}

/** Parses `北区|Kita Ward,中区` into choices; blanks and repeats are dropped, a missing English name falls back to the Japanese. */
export function parseChoices(list: string): Choice[] {
  const seen = new Set<string>();
  const out: Choice[] = [];
  for (const item of list.split(',')) {
    const [name = '', en = ''] = item.split('|').map((s) => s.trim());
    if (!name || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, en: en || name });
  }
  return out;
}

export function config(env: Env) {
  return {
    lineApiBaseUrl: env.LINE_API_BASE_URL || DEFAULTS.LINE_API_BASE_URL,
    lineDataApiBaseUrl: env.LINE_DATA_API_BASE_URL || DEFAULTS.LINE_DATA_API_BASE_URL,
    contactEmail: env.CONTACT_EMAIL || DEFAULTS.CONTACT_EMAIL,
    termsVersion: env.TERMS_VERSION || DEFAULTS.TERMS_VERSION,
    reportMailFrom: env.REPORT_MAIL_FROM || DEFAULTS.REPORT_MAIL_FROM,
    broadcastHours: {
      city: env.BROADCAST_HOURS_CITY || DEFAULTS.BROADCAST_HOURS_CITY,
      school: env.BROADCAST_HOURS_SCHOOL || DEFAULTS.BROADCAST_HOURS_SCHOOL,
      community: env.BROADCAST_HOURS_COMMUNITY || DEFAULTS.BROADCAST_HOURS_COMMUNITY,
    },
    broadcastCallTimeoutMs: Number(env.BROADCAST_CALL_TIMEOUT_MS) || DEFAULTS.BROADCAST_CALL_TIMEOUT_MS,
    wards: parseChoices(env.WARDS || DEFAULTS.WARDS),
    interests: parseChoices(env.INTERESTS || DEFAULTS.INTERESTS),
  };
}
