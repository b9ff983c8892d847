import { HTTPException } from 'hono/http-exception';
import type { Audience } from '../../broadcasts/audience';
import type { BroadcastMessageInput } from '../../broadcasts/messages';
import { CreateBody, requireConfiguredSegment } from '../../broadcasts/routes';
import { may as mayForAudience } from '../../broadcasts/senders';
import { describeZodError } from '../../admin/errors';
import { jst, jstLocalInput } from '../../calendar/jst';
import { listCommunities } from '../../communities/registry';
import { config } from '../../config';
import { LINE_LIMITS } from '../../line/limits';
import { listSchools } from '../../schools/registry';
import type { ConsoleContext } from '../kit';

/**
 * The composer's form: which audiences this staff member may choose (those the API would let
 * them write, asked of senders.ts), and the form read into the API's own CreateBody, so a
 * page and a JSON call are refused for the same reasons and in the same words.
 */

export interface AudienceOption {
  value: string;
  label: string;
  group: '全体' | '地区' | '関心' | '学校' | '町内会';
  audience: Audience;
  /** The 【name】 line residents see first (school, association); null for the city. */
  speaker: string | null;
}

export async function audienceOptions(c: ConsoleContext): Promise<AudienceOption[]> {
  const { wards, interests } = config(c.env);
  const [schools, communities] = await Promise.all([
    listSchools(c.var.db, c.var.staff),
    listCommunities(c.var.db, c.var.staff),
  ]);
  const candidates: AudienceOption[] = [
    { value: 'all', label: '友だち全員', group: '全体', audience: { type: 'all' }, speaker: null },
    ...wards.map((w) => ({
      value: `ward:${w.name}`,
      label: `地区: ${w.name}`,
      group: '地区' as const,
      audience: { type: 'segment' as const, wards: [w.name] },
      speaker: null,
    })),
    ...interests.map((i) => ({
      value: `interest:${i.name}`,
      label: `関心: ${i.name}`,
      group: '関心' as const,
      audience: { type: 'segment' as const, interests: [i.name] },
      speaker: null,
    })),
    ...schools.map((s) => ({
      value: `school:${s.id}`,
      label: s.name,
      group: '学校' as const,
      audience: { type: 'school' as const, schoolId: s.id },
      speaker: s.name,
    })),
    ...communities.map((m) => ({
      value: `community:${m.id}`,
      label: m.name,
      group: '町内会' as const,
      audience: { type: 'community' as const, communityId: m.id },
      speaker: m.name,
    })),
  ];
  const allowed = await Promise.all(candidates.map((o) => mayForAudience(c.var.db, c.var.staff, o.audience, 'write')));
  return candidates.filter((_, i) => allowed[i]);
}

/** The option an existing broadcast's audience is (only the composer's own shapes; others are not editable here). */
export function optionValueOf(a: Audience): string | null {
  if (a.type === 'all') return 'all';
  if (a.type === 'school' && !a.grades && !a.classes && !a.groups) return `school:${a.schoolId}`;
  if (a.type === 'community' && !a.includeChildren) return `community:${a.communityId}`;
  if (a.type === 'segment' && !a.language) {
    if (a.wards?.length === 1 && !a.interests) return `ward:${a.wards[0]}`;
    if (a.interests?.length === 1 && !a.wards) return `interest:${a.interests[0]}`;
  }
  return null;
}

/** The composer's fields as typed (kept when the page is shown again). */
export interface ComposerForm {
  title: string;
  texts: string[];
  audience: string;
  /** `datetime-local` in JST, or ''. */
  scheduledAt: string;
  urgent: boolean;
  requestAck: boolean;
}

export const MAX_TEXTS = LINE_LIMITS.messagesPerRequest;

export const emptyForm = (): ComposerForm => ({
  title: '',
  texts: [''],
  audience: '',
  scheduledAt: '',
  urgent: false,
  requestAck: false,
});

/**
 * A browser sends a textarea's line breaks as CRLF while its script (and the person typing)
 * sees one LF: LINE would count the CR too, so the text is stored as it was typed.
 */
const asTyped = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n?/g, '\n') : '');

export function readForm(body: Record<string, unknown>): ComposerForm {
  const texts: string[] = [];
  for (let i = 0; i < MAX_TEXTS; i++) {
    const key = `text_${i}`;
    if (key in body) texts.push(asTyped(body[key]));
  }
  return {
    title: asTyped(body.title).trim(),
    texts: texts.length > 0 ? texts : [''],
    audience: asTyped(body.audience),
    scheduledAt: asTyped(body.scheduledAt).trim(),
    urgent: body.urgent === 'on',
    requestAck: body.requestAck === 'on',
  };
}

export function formOf(b: {
  title: string;
  messages: BroadcastMessageInput[];
  audience: Audience;
  scheduledAt: number | null;
  urgent: boolean;
  requestAck: boolean;
}): ComposerForm {
  return {
    title: b.title,
    texts: b.messages.map((m) => (m.type === 'text' ? m.text : '')),
    audience: optionValueOf(b.audience) ?? '',
    scheduledAt: b.scheduledAt === null ? '' : jstLocalInput(b.scheduledAt),
    urgent: b.urgent,
    requestAck: b.requestAck,
  };
}

const bad = (message: string) => new HTTPException(400, { message });

/** The `datetime-local` value as UTC ms (read in JST), null when empty; 400 when it is no time. */
export function scheduledMs(local: string): number | null {
  if (local === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local))
    throw bad('scheduledAt: 配信日時は「2026-12-04T09:00」の形で入力してください。');
  try {
    return jst(local);
  } catch {
    throw bad('scheduledAt: 配信日時が正しくありません。');
  }
}

export interface ComposerInput {
  title: string;
  messages: BroadcastMessageInput[];
  audience: Audience;
  scheduledAt: number | null;
  urgent?: boolean;
  requestAck: boolean;
}

/**
 * The form as the API's CreateBody reads it: empty extra 本文 are dropped (the first one
 * stays, so an empty broadcast is refused as the API refuses it). Throws a 400 with the API's words.
 */
export function toInput(c: ConsoleContext, form: ComposerForm, options: AudienceOption[]): ComposerInput {
  const option = options.find((o) => o.value === form.audience);
  if (!option) throw bad('audience: 配信対象を選んでください。');
  const texts = form.texts.filter((t, i) => i === 0 || t.trim() !== '');
  const at = scheduledMs(form.scheduledAt);
  const parsed = CreateBody.safeParse({
    title: form.title,
    messages: texts.map((text) => ({ type: 'text', text })),
    audience: option.audience,
    scheduledAt: at === null ? null : new Date(at).toISOString(),
    ...(form.urgent ? { urgent: true } : {}),
    requestAck: form.requestAck,
  });
  if (!parsed.success) throw bad(describeZodError(parsed.error).detail);
  requireConfiguredSegment(c.env, parsed.data.audience);
  return {
    title: parsed.data.title,
    messages: parsed.data.messages,
    audience: parsed.data.audience,
    scheduledAt: at,
    ...(form.urgent ? { urgent: true } : {}),
    requestAck: form.requestAck,
  };
}
