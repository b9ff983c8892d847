/**
 * What a city configures in `wrangler.toml` [vars] (or `.dev.vars`), with the defaults that
 * apply when a var is unset. Parsed once per env object: the runtime hands every request and
 * event of an isolate the same `env`, so `config(env)` is a lookup after the first call.
 */

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
  LINE_CALL_TIMEOUT_MS: 10_000,
  ABSENCE_RETENTION_DAYS: 400,
  REGISTRATION_CODE_DAYS: 60,
  ANONYMISE_AFTER_UNFOLLOW_DAYS: 90,
  REPORT_PHOTO_RETENTION_DAYS: 730,
  AUDIT_RETENTION_DAYS: 1095,
  DELIVERY_RETENTION_DAYS: 90,
  RETENTION_BATCH_LIMIT: 500,
  ADMIN_SESSION_IDLE_MINUTES: 480,
  ADMIN_SESSION_MAX_HOURS: 24,
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

export type Config = ReturnType<typeof parseConfig>;

/** A whole number above zero, else the default: a typo must never make a retention period 0 (delete at once). */
function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The configuration of one env, defaults filled in; pure, so tests can call it with any vars. */
export function parseConfig(env: Env) {
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
    lineCallTimeoutMs: Number(env.LINE_CALL_TIMEOUT_MS) || DEFAULTS.LINE_CALL_TIMEOUT_MS,
    registrationCodeDays: Number(env.REGISTRATION_CODE_DAYS) || DEFAULTS.REGISTRATION_CODE_DAYS,
    retention: {
      anonymiseAfterUnfollowDays: positive(env.ANONYMISE_AFTER_UNFOLLOW_DAYS, DEFAULTS.ANONYMISE_AFTER_UNFOLLOW_DAYS),
      reportPhotoDays: positive(env.REPORT_PHOTO_RETENTION_DAYS, DEFAULTS.REPORT_PHOTO_RETENTION_DAYS),
      auditDays: positive(env.AUDIT_RETENTION_DAYS, DEFAULTS.AUDIT_RETENTION_DAYS),
      deliveryDays: positive(env.DELIVERY_RETENTION_DAYS, DEFAULTS.DELIVERY_RETENTION_DAYS),
      batchLimit: positive(env.RETENTION_BATCH_LIMIT, DEFAULTS.RETENTION_BATCH_LIMIT),
      absenceDays: positive(env.ABSENCE_RETENTION_DAYS, DEFAULTS.ABSENCE_RETENTION_DAYS),
    },
    adminSession: {
      idleMinutes: positive(env.ADMIN_SESSION_IDLE_MINUTES, DEFAULTS.ADMIN_SESSION_IDLE_MINUTES),
      maxHours: positive(env.ADMIN_SESSION_MAX_HOURS, DEFAULTS.ADMIN_SESSION_MAX_HOURS),
    },
    wards: parseChoices(env.WARDS || DEFAULTS.WARDS),
    interests: parseChoices(env.INTERESTS || DEFAULTS.INTERESTS),
  };
}

// Keyed by the env object itself: an env built for a test ({ ...env, X }) is a new key.
const parsed = new WeakMap<Env, Config>();

/** The configuration of `env`, parsed on first use and kept for as long as that env lives. */
export function config(env: Env): Config {
  let c = parsed.get(env);
  if (!c) {
    c = parseConfig(env);
    parsed.set(env, c);
  }
  return c;
}
