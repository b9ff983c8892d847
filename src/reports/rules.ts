import type { ReportStatus } from '../db/schema';
import { log } from '../http/log';
import { clip, countIn } from '../line/limits';

/**
 * Pure rules of damage reports: where the city is, how near is "the same place", how many
 * reports a day, which status may follow which, how numbers read. Table-tested in
 * test/report-rules.test.ts.
 */

export type LngLat = [lng: number, lat: number];

/** The area reports are accepted from: a box `[minLng, minLat, maxLng, maxLat]` or a polygon of `[lng, lat]`. */
export type Area = { box: [number, number, number, number] } | { polygon: LngLat[] };

/**
 * Okayama City, coarsely (a dozen vertices traced around the city's boundary). It keeps out
 * Kurashiki, Tamano, Soja and Akaiwa city centres; a city that needs the exact boundary sets
 * REPORT_AREA to a finer polygon.
 */
export const OKAYAMA_CITY_AREA: Area = {
  polygon: [
    [133.78, 34.68],
    [133.8, 34.8],
    [133.88, 34.93],
    [134.0, 34.93],
    [134.05, 34.8],
    [134.12, 34.72],
    [134.08, 34.6],
    [133.98, 34.52],
    [133.86, 34.52],
    [133.82, 34.6],
  ],
};

/** REPORT_AREA from the configuration; anything unreadable falls back to the city, loudly. */
export function parseArea(raw: string | undefined): Area {
  if (!raw) return OKAYAMA_CITY_AREA;
  try {
    const v = JSON.parse(raw) as Partial<{ box: unknown; polygon: unknown }>;
    const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
    if (Array.isArray(v.box) && v.box.length === 4 && v.box.every(num))
      return { box: v.box as [number, number, number, number] };
    if (
      Array.isArray(v.polygon) &&
      v.polygon.length >= 3 &&
      v.polygon.every((p) => Array.isArray(p) && p.length === 2 && p.every(num))
    ) {
      return { polygon: v.polygon as LngLat[] };
    }
  } catch {
    /* fall through */
  }
  log.error('REPORT_AREA unreadable; using Okayama City', { raw });
  return OKAYAMA_CITY_AREA;
}

/** Ray casting; points exactly on an edge may fall either way, which is fine at this scale. */
export function inArea(area: Area, lat: number, lng: number): boolean {
  if (!Number.isFinite(lat) || !Number.isFinite(lng)) return false;
  if ('box' in area) {
    const [minLng, minLat, maxLng, maxLat] = area.box;
    return lng >= minLng && lng <= maxLng && lat >= minLat && lat <= maxLat;
  }
  const poly = area.polygon;
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (d: number) => (d * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function distanceM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLng = rad(lng2 - lng1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export const DUPLICATE_RADIUS_M = 30;
export const DUPLICATE_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** A box around a point, a little larger than `radiusM`, so an index range can narrow the search before `distanceM`. */
export function boxAround(lat: number, lng: number, radiusM: number) {
  const dLat = (radiusM / EARTH_RADIUS_M) * (180 / Math.PI) * 1.01;
  const dLng = dLat / Math.max(0.01, Math.cos(rad(lat)));
  return { minLat: lat - dLat, maxLat: lat + dLat, minLng: lng - dLng, maxLng: lng + dLng };
}

/** Statuses in which a report is still being dealt with; only these attract duplicates. */
export const OPEN_STATUSES: readonly ReportStatus[] = ['received', 'accepted', 'in_progress'];
export const CLOSED_STATUSES: readonly ReportStatus[] = ['resolved', 'not_city_managed', 'duplicate', 'rejected'];

export function isOpen(status: ReportStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

export interface DuplicateCandidate {
  id: string;
  categoryCode: string;
  status: ReportStatus;
  lat: number;
  lng: number;
  createdAt: number;
  hidden: boolean;
}

/** The nearest open, visible report of the same category within 30 m and 30 days, if any. */
export function nearestDuplicate<T extends DuplicateCandidate>(
  candidates: T[],
  at: { categoryCode: string; lat: number; lng: number },
  now: number,
): (T & { distanceM: number }) | null {
  let best: (T & { distanceM: number }) | null = null;
  for (const c of candidates) {
    if (c.hidden || c.categoryCode !== at.categoryCode || !isOpen(c.status)) continue;
    if (now - c.createdAt > DUPLICATE_WINDOW_MS || c.createdAt > now) continue;
    const d = distanceM(at.lat, at.lng, c.lat, c.lng);
    if (d <= DUPLICATE_RADIUS_M && (!best || d < best.distanceM)) best = { ...c, distanceM: d };
  }
  return best;
}

/**
 * How long a photo that LINE fails to hand over (5xx, 429, timeout) is left to the inbox's
 * retries. The inbox tries an event six times over about a minute (backoff 2+4+8+16+32 s):
 * past this age the flow asks for the photo again instead, so the last tries end in an
 * answer with the draft kept, not in silence.
 */
export const CONTENT_RETRY_WINDOW_MS = 40_000;
export function contentRetryWorthIt(eventTimestamp: number, now: number): boolean {
  return now - eventTimestamp < CONTENT_RETRY_WINDOW_MS;
}

export const DAILY_REPORT_LIMIT = 10;
export function underDailyLimit(sentToday: number, limit = DAILY_REPORT_LIMIT): boolean {
  return sentToday < limit;
}

/** `R-2026-000123`: the year (JST) and a per-year sequence, six digits and more when needed. */
export function formatReportNumber(year: number, seq: number): string {
  return `R-${year}-${String(seq).padStart(6, '0')}`;
}

export const REPORT_NUMBER = /^R-(\d{4})-(\d{6,})$/;

/**
 * Which status may follow which. Closed reports may be reopened to `accepted` (a fix that
 * did not hold, a wrong rejection), never skipped back to `received`, which only the
 * resident's submission sets.
 */
const TRANSITIONS: Record<ReportStatus, readonly ReportStatus[]> = {
  received: ['accepted', 'in_progress', 'resolved', 'not_city_managed', 'duplicate', 'rejected'],
  accepted: ['in_progress', 'resolved', 'not_city_managed', 'duplicate', 'rejected'],
  in_progress: ['accepted', 'resolved', 'not_city_managed', 'duplicate', 'rejected'],
  resolved: ['accepted', 'in_progress'],
  not_city_managed: ['accepted'],
  duplicate: ['accepted'],
  rejected: ['accepted'],
};

export function canTransition(from: ReportStatus, to: ReportStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A closed report moved back to an open status: the fix did not hold, or the closing was wrong. */
export function isReopening(from: ReportStatus, to: ReportStatus): boolean {
  return CLOSED_STATUSES.includes(from) && isOpen(to);
}

/**
 * Moves the reporter always hears of (closing, and reopening, since they were told it was
 * closed); other changes only when staff write a public note.
 */
export function notifiesReporter(from: ReportStatus, to: ReportStatus, publicNote: string | null | undefined): boolean {
  return CLOSED_STATUSES.includes(to) || isReopening(from, to) || !!publicNote?.trim();
}

export const MAX_DESCRIPTION_CHARS = 1000;
/**
 * What a resident's LINE sends with a location is theirs to fill (an app can send any text),
 * so it is clipped before it is stored or repeated in a summary that must fit LINE's 5,000.
 */
export const MAX_ADDRESS_CHARS = 200;
export const MAX_LOCATION_TITLE_CHARS = 100;
/** The summary before 送信 repeats this much of the description. */
export const SUMMARY_DESCRIPTION_CHARS = 200;

/** A resident's text cut to `max` characters as they see them (graphemes), with 「…」; null when absent. */
export function clipResidentText(text: string | undefined | null, max: number): string | null {
  if (text === undefined || text === null) return null;
  return clip(text, max, 'graphemes');
}
export const MAX_PHOTOS = 3;
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/**
 * What may stand between the digit groups of a phone number once NFKC has folded full-width
 * forms: every dash-like character a keyboard or an IME produces (ー U+30FC is what a Japanese
 * phone keyboard types for "-", ｰ folds to it; − ‐ ‑ ‒ – — ― ﹣ － fold to themselves or "-"),
 * dots, middle dots, brackets and spaces (NFKC turns the ideographic space into " ").
 */
const PHONE_SEP = String.raw`[\s\-ー‐‑‒–—―−﹣.・()\[\]]`;
/** Up to three separators between digits ("086 - 803"), so "-", ") " and " - " all join groups. */
const GAP = `${PHONE_SEP}{0,3}`;
/**
 * A Japanese phone number: 0 and 9–10 more digits (landline 10, mobile and 0800 11), or
 * +81 and the national number (an optional "(0)" included), whatever separates the groups.
 * The bracket before an area code is part of the match, so the whole number is blanked.
 * Not preceded or followed by another digit, so a date (2026-12-01), a lot number (3-2-1),
 * a pole number (12-345) or a measure never counts: they have too few digits or no leading 0.
 */
const PHONE_SOURCE = String.raw`(?<!\d)(?:\(${GAP})?(?:0(?:${GAP}\d){9,10}|\+${GAP}8${GAP}1(?:${GAP}\(0\))?(?:${GAP}\d){9,10})(?!\d)`;
const PHONE = new RegExp(PHONE_SOURCE);
const PHONE_G = new RegExp(PHONE_SOURCE, 'g');
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+/;
const EMAIL_G = new RegExp(EMAIL.source, 'g');

/**
 * The one form both the chat's warning and the public blanking look at: NFKC (full-width
 * digits, letters and punctuation become ASCII, ｰ becomes ー). Separators stay, so the public
 * text still reads as the resident wrote it; the pattern above skips over them.
 */
export function normaliseForMatching(text: string): string {
  return text.normalize('NFKC');
}

/** Terms §1(6): a description should not carry someone's phone number or e-mail address. */
export function personalDataHints(text: string): { phone: boolean; email: boolean } {
  const t = normaliseForMatching(text);
  return { phone: PHONE.test(t), email: EMAIL.test(t) };
}

/**
 * The public (Open311) text of a description or note: each phone number and e-mail address
 * replaced as a whole (brackets and separators included, no digit of it left), in case a
 * resident kept one after the warning.
 */
export function redactPersonalData(text: string): string {
  return normaliseForMatching(text).replace(EMAIL_G, '［削除］').replace(PHONE_G, '［削除］');
}

/** A resident's own limit counts what they see: graphemes (👍🏽 is one character, not two). */
export function descriptionLength(text: string): number {
  return countIn(text, 'graphemes');
}

/** Open311 knows only open and closed. */
export function open311Status(status: ReportStatus): 'open' | 'closed' {
  return isOpen(status) ? 'open' : 'closed';
}

/** Department e-mail retry: 1, 2, 4 … minutes, at most an hour apart; gives up (failed) after this many. */
export const MAIL_MAX_ATTEMPTS = 8;
export function mailBackoffMs(attempts: number): number {
  return Math.min(2 ** Math.max(0, attempts - 1) * 60_000, 60 * 60_000);
}
