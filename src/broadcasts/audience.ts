import { z } from '@hono/zod-openapi';

/**
 * Who a broadcast goes to: everyone, a segment of residents, the linked guardians of a
 * school's pupils, or an association's members. Each kind has its resolver in `RESOLVERS`
 * (recipients.ts) and its sender policy in senders.ts.
 */
const id = z.string().trim().min(1).max(100);
const ward = z.string().trim().min(1).max(50);
const interest = z.string().trim().min(1).max(50);
const unique = <T>(xs: T[]) => new Set(xs).size === xs.length;

export const AllAudience = z.strictObject({ type: z.literal('all') });
export const SegmentAudience = z
  .strictObject({
    type: z.literal('segment'),
    wards: z.array(ward).min(1).max(50).refine(unique, 'must not repeat').optional(),
    interests: z.array(interest).min(1).max(50).refine(unique, 'must not repeat').optional(),
    /** A BCP 47 tag as LINE reports it (`ja`, `en`, `zh-Hant`, `ko`). */
    language: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as ja, en or zh-Hant')
      .optional(),
  })
  // A segment without a criterion is everybody: that is `{type:"all"}`, one LINE call instead of hundreds.
  .refine(
    (s) => s.wards || s.interests || s.language,
    'a segment needs wards, interests or language; use {"type":"all"} for everyone',
  );
export const CommunityAudience = z.strictObject({
  type: z.literal('community'),
  communityId: id,
  includeChildren: z.boolean().optional(),
});
export const SchoolAudience = z.strictObject({
  type: z.literal('school'),
  schoolId: id,
  grades: z.array(z.number().int().min(1).max(9)).min(1).max(9).refine(unique, 'must not repeat').optional(),
  /** `"3-2"`: grade 3, class 2 (a class name may be a word: `"1-ひまわり"`). */
  classes: z
    .array(
      z
        .string()
        .trim()
        .regex(/^[1-9]-\S.{0,19}$/, 'must be grade-class, e.g. "3-2"'),
    )
    .min(1)
    .max(50)
    .refine(unique, 'must not repeat')
    .optional(),
  /** The roster's groups (部活動, PTA, 委員会 …): a pupil in any of them. */
  groups: z.array(z.string().trim().min(1).max(50)).min(1).max(50).refine(unique, 'must not repeat').optional(),
});

export const Audience = z
  .discriminatedUnion('type', [AllAudience, SegmentAudience, CommunityAudience, SchoolAudience])
  .openapi('BroadcastAudience');
export type Audience = z.infer<typeof Audience>;
export type SegmentAudience = z.infer<typeof SegmentAudience>;
export type SchoolAudience = z.infer<typeof SchoolAudience>;
export type CommunityAudience = z.infer<typeof CommunityAudience>;

/** Which operating-hours window applies: the city's, a school's, or an association's. */
export type AudienceKind = 'city' | 'school' | 'community';
export function audienceKind(a: Audience): AudienceKind {
  return a.type === 'school' ? 'school' : a.type === 'community' ? 'community' : 'city';
}

/** What a resident has chosen in 設定, as stored on `users`. */
export interface ResidentPrefs {
  status: 'following' | 'blocked';
  ward: string | null;
  interests: readonly string[];
  language: string | null;
}

/** LINE's default for residents whose profile gave no language: they see Japanese. */
const DEFAULT_LANGUAGE = 'ja';

/**
 * Does a segment reach this resident? Blocked residents never. A ward segment reaches
 * only residents who chose one of its wards (a ward notice is about a place; not having
 * said where you live is not "everywhere"). An interest segment reaches residents whose
 * interests meet it, and residents who have narrowed nothing (no interests chosen means
 * "tell me everything"). A language segment matches the tag or a more specific one
 * (`zh` reaches `zh-Hant`); no language counts as Japanese. All criteria must hold.
 */
export function matchesSegment(r: ResidentPrefs, s: SegmentAudience): boolean {
  if (r.status !== 'following') return false;
  if (s.wards && (r.ward === null || !s.wards.includes(r.ward))) return false;
  if (s.interests && r.interests.length > 0 && !r.interests.some((i) => s.interests!.includes(i))) return false;
  if (s.language) {
    const lang = (r.language ?? DEFAULT_LANGUAGE).toLowerCase();
    const want = s.language.toLowerCase();
    if (lang !== want && !lang.startsWith(`${want}-`)) return false;
  }
  return true;
}

/**
 * The first ward or interest of a segment that the city has not configured (`WARDS`,
 * `INTERESTS`): no resident can have chosen it, so the broadcast would silently reach nobody.
 */
export function unconfiguredChoice(
  a: Audience,
  configured: { wards: readonly { name: string }[]; interests: readonly { name: string }[] },
): { field: 'audience.wards' | 'audience.interests'; value: string; known: string[] } | null {
  if (a.type !== 'segment') return null;
  for (const key of ['wards', 'interests'] as const) {
    const known = configured[key].map((c) => c.name);
    const value = a[key]?.find((v) => !known.includes(v));
    if (value !== undefined) return { field: `audience.${key}`, value, known };
  }
  return null;
}

/** What a school audience looks at of a pupil on the roster (never health data). */
export interface RosterPupil {
  grade: number;
  class: string;
  groups: readonly string[];
}

/**
 * Does a school audience reach this pupil's guardians? Every criterion given must hold:
 * one of the grades, one of the classes (`"3-2"`), one of the groups. No criterion is the
 * whole school. Graduated and removed pupils are left out before this is asked.
 */
export function matchesSchoolAudience(p: RosterPupil, a: SchoolAudience): boolean {
  if (a.grades && !a.grades.includes(p.grade)) return false;
  if (a.classes && !a.classes.includes(`${p.grade}-${p.class}`)) return false;
  if (a.groups && !p.groups.some((g) => a.groups!.includes(g))) return false;
  return true;
}
