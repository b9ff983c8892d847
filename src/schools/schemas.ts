import { z } from '@hono/zod-openapi';
import { isoTime } from '../admin/openapi';
import { isJstDate } from '../calendar/jst';
import { ABSENCE_STATUSES, ABSENCE_TYPES, SCHOOL_KINDS } from '../db/schema';
import { lineLength } from '../line/limits';
import { isHhMm, isKana, isPhone, isWindow } from './staff-rules';

/** What the staff school routes take and give; routes.ts declares them, the OpenAPI document shows them. */

const Cutoff = z.string().refine(isHhMm, 'HH:MM (JST), 00:00–23:59').openapi({ example: '08:00' });
const Window = z
  .string()
  .refine(isWindow, 'HH:MM-HH:MM (JST), the start before the end')
  .openapi({ example: '07:00-19:00' });
// A reason is a quick-reply button in the chat: LINE's label holds 20 characters, and 12 of them
// leave room for 中止 within the 13 items.
const Reason = z
  .string()
  .trim()
  .min(1)
  .refine((s) => lineLength('action.label', s) <= 20, 'at most 20 characters (a LINE button label)');
const Reasons = z
  .array(Reason)
  .min(1)
  .max(12)
  .refine((r) => new Set(r).size === r.length, 'reasons must not repeat');

const schoolFields = {
  code: z.string().trim().min(1).max(20).openapi({ description: "The school's own code, unique", example: '1101' }),
  name: z.string().trim().min(1).max(100).openapi({ example: '岡山市立丸の内小学校' }),
  kind: z.enum(SCHOOL_KINDS),
  phone: z.string().refine(isPhone, 'digits and hyphens').openapi({ example: '086-000-0000' }),
};

export const SchoolInput = z
  .strictObject({
    ...schoolFields,
    cutoff: Cutoff.default('08:00'),
    afterCutoff: z.enum(['refuse', 'accept_late']).default('refuse'),
    noteEnabled: z.boolean().default(true),
    reasons: Reasons.optional().openapi({ description: 'Default: 体調不良, 通院, 家庭の事情, 忌引, その他' }),
    window: Window.optional().openapi({ description: "The school's message window; default BROADCAST_HOURS_SCHOOL" }),
    requireApproval: z.boolean().default(false),
  })
  .openapi('SchoolInput');
export type SchoolInput = z.infer<typeof SchoolInput>;

/** No defaults: what the body leaves out stays as it is. `null` resets reasons and window to the defaults. */
export const SchoolChange = z
  .strictObject({
    ...schoolFields,
    cutoff: Cutoff,
    afterCutoff: z.enum(['refuse', 'accept_late']),
    noteEnabled: z.boolean(),
    reasons: Reasons.nullable(),
    window: Window.nullable(),
    requireApproval: z.boolean(),
  })
  .partial()
  .openapi('SchoolChange');
export type SchoolChange = z.infer<typeof SchoolChange>;

export const School = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    kind: z.enum(SCHOOL_KINDS),
    phone: z.string(),
    cutoff: z.string(),
    afterCutoff: z.enum(['refuse', 'accept_late']),
    noteEnabled: z.boolean(),
    reasons: z.array(z.string()).nullable().openapi({ description: 'null: the default list' }),
    window: z.string().nullable().openapi({ description: 'null: BROADCAST_HOURS_SCHOOL' }),
    requireApproval: z.boolean(),
    createdAt: isoTime(),
    updatedAt: isoTime(),
  })
  .openapi('School');

const Groups = z.array(z.string().trim().min(1).max(50)).max(20);

export const PupilRow = z
  .strictObject({
    grade: z.number().int().min(1).max(9),
    class: z.string().trim().min(1).max(20).openapi({ example: '2' }),
    number: z.number().int().min(1).max(999).optional(),
    name: z.string().trim().min(1).max(100).openapi({ example: '岡山 花子' }),
    kana: z.string().trim().max(100).refine(isKana, 'hiragana or katakana').openapi({ example: 'おかやま はなこ' }),
    groups: Groups.optional().openapi({ example: ['PTA'] }),
  })
  .openapi('PupilRow');
export type PupilRow = z.infer<typeof PupilRow>;

export const PupilChange = z
  .strictObject({
    grade: z.number().int().min(1).max(9),
    class: z.string().trim().min(1).max(20),
    number: z.number().int().min(1).max(999).nullable(),
    name: z.string().trim().min(1).max(100),
    kana: z.string().trim().max(100).refine(isKana, 'hiragana or katakana'),
    groups: Groups,
  })
  .partial()
  .openapi('PupilChange');
export type PupilChange = z.infer<typeof PupilChange>;

export const IssuedCode = z
  .object({
    id: z.string(),
    grade: z.number().int(),
    class: z.string(),
    name: z.string(),
    registrationCode: z.string().openapi({ description: 'Shown only in this answer', example: 'ABCD-EFGH' }),
    codeExpiresAt: isoTime(),
  })
  .openapi('IssuedCode');

export const Pupil = z
  .object({
    id: z.string(),
    grade: z.number().int(),
    class: z.string(),
    number: z.number().int().nullable(),
    name: z.string(),
    kana: z.string(),
    groups: z.array(z.string()),
    guardianCount: z.number().int().openapi({ description: 'Linked guardians (at most 2); never who they are' }),
    codeExpiresAt: isoTime().nullable().openapi({ description: 'null: no code is valid (graduated, transferred)' }),
    graduatedAt: isoTime().nullable(),
    createdAt: isoTime(),
    updatedAt: isoTime(),
  })
  .openapi('Pupil');

export const SchoolParam = z.object({ id: z.string().min(1).max(100) });
export const PupilParam = SchoolParam.extend({ pupilId: z.string().min(1).max(100) });
export const AbsenceParam = SchoolParam.extend({ absenceId: z.string().min(1).max(100) });

export const PupilQuery = z.object({
  grade: z.coerce.number().int().min(1).max(9).optional(),
  class: z.string().min(1).max(20).optional(),
  graduated: z.enum(['exclude', 'include', 'only']).default('exclude'),
});

const Day = z.string().refine(isJstDate, 'a day YYYY-MM-DD').openapi({ example: '2026-12-02' });
export const AbsenceQuery = z.object({
  date: Day.optional().openapi({ description: 'Default: today (JST)' }),
  grade: z.coerce.number().int().min(1).max(9).optional(),
  class: z.string().min(1).max(20).optional(),
  type: z.enum(ABSENCE_TYPES).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
export const SummaryQuery = z.object({ date: Day.optional().openapi({ description: 'Default: today (JST)' }) });

const TypeCounts = z.object({
  absence: z.number().int(),
  late: z.number().int(),
  early_leave: z.number().int(),
  total: z.number().int(),
});

export const Absence = z
  .object({
    id: z.string(),
    number: z.string().openapi({ example: 'A-2026-000123' }),
    pupil: z.object({ id: z.string(), grade: z.number().int(), class: z.string(), name: z.string() }),
    date: z.string(),
    dateTo: z.string().nullable().openapi({ description: 'The last day of a range; null for one day' }),
    type: z.enum(ABSENCE_TYPES),
    reason: z.string(),
    symptoms: z.array(z.string()),
    temperature: z.number().nullable(),
    time: z.string().nullable().openapi({ description: 'HH:MM: arrival (late) or leaving (early_leave)' }),
    note: z.string().nullable(),
    late: z.boolean().openapi({ description: "Sent for today at or after the school's cut-off" }),
    status: z.enum(ABSENCE_STATUSES),
    submittedAt: isoTime(),
    confirmedAt: isoTime().nullable(),
    confirmedBy: z.string().nullable().openapi({ description: 'The staff account that confirmed it' }),
    withdrawnAt: isoTime().nullable(),
  })
  .openapi('Absence');

export const AbsenceList = z.object({
  date: z.string(),
  items: z.array(Absence),
  counts: TypeCounts.extend({
    withdrawn: z.number().int().openapi({ description: 'Withdrawn notices, not in the type counts' }),
    unconfirmed: z.number().int(),
  }),
});

export const AbsenceSummary = z
  .object({
    date: z.string(),
    totals: TypeCounts,
    byGrade: z.array(TypeCounts.extend({ grade: z.number().int() })),
    byClass: z.array(TypeCounts.extend({ grade: z.number().int(), class: z.string() })),
  })
  .openapi('AbsenceSummary');

export const ConfirmBody = z.strictObject({ comment: z.string().trim().min(1).max(200).optional() });

export const RolloverBody = z.strictObject({ year: z.number().int().min(2000).max(2100) });
export const RolloverResult = z.object({
  year: z.number().int(),
  promoted: z.number().int(),
  graduated: z.number().int(),
  alreadyDone: z.boolean().openapi({ description: 'This year was rolled over before; nothing changed now' }),
});
