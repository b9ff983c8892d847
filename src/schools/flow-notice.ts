import type { ConversationState, HandleContext, HandleResult } from '../conversation/types';
import type { Msg } from '../line/messages';
import { daysText, T, text, typeName } from './chat-texts';
import { answer, type Input } from './flow-input';
import { optionsOf, question, type Asking } from './flow-questions';
import { end, go, type AbsenceData } from './flow-state';
import { childrenOf, type Child } from './link';
import { storedNotice, submitNotice } from './notice';
import {
  addDays,
  afterCutoff,
  checkRange,
  dateAllowed,
  dateBounds,
  draftComplete,
  ILLNESS,
  MAX_NOTE_CHARS,
  nextStep,
  noteLength,
  parseTemperature,
  parseTime,
  SYMPTOMS,
  today,
  toggleSymptom,
  type Draft,
  type NoticeStep,
} from './rules';

/**
 * The notice, one step at a time: child → date (or a period) → type → reason (→ symptoms
 * → temperature) (→ time) (→ note) → summary → 送信. Every wrong input gets a hint and the
 * same question. The cut-off for today is checked when the day is chosen and again on 送信.
 */

const NOTICE_STEPS: ReadonlySet<string> = new Set<NoticeStep>([
  'child',
  'date',
  'range_from',
  'range_to',
  'type',
  'reason',
  'symptoms',
  'temperature',
  'time',
  'note',
  'confirm',
  'edit',
]);

export const isNoticeStep = (step: string): step is NoticeStep => NOTICE_STEPS.has(step);

function asking(ctx: HandleContext, children: Child[], d: Draft, first?: boolean): Asking {
  return { lang: ctx.lang, now: ctx.now, children, child: children.find((c) => c.pupilId === d.pupilId), first };
}

function moveTo(
  ctx: HandleContext,
  state: ConversationState,
  children: Child[],
  step: NoticeStep,
  d: Draft,
  before: Msg[] = [],
  first = false,
): HandleResult {
  const data: AbsenceData = { draft: d, first };
  return go(ctx, state, step, data, [...before, question(asking(ctx, children, d, first), step, d)]);
}

/** A new notice for one of the guardian's children (asked which when there are several). */
export function startNotice(
  ctx: HandleContext,
  state: ConversationState,
  children: Child[],
  before: Msg[] = [],
  first = true,
): HandleResult {
  const d: Draft = { noticeId: crypto.randomUUID() };
  if (children.length === 1)
    return moveTo(ctx, state, children, 'date', { ...d, pupilId: children[0]!.pupilId }, before, first);
  return moveTo(ctx, state, children, 'child', d, before, first);
}

/** Today's notice after the cut-off at a school that refuses them: phone instead. */
function refusedToday(child: Child, date: string, now: number): boolean {
  return date === today(now) && child.afterCutoff === 'refuse' && afterCutoff(child.cutoff, now);
}

export async function onNoticeStep(
  ctx: HandleContext,
  state: ConversationState,
  step: NoticeStep,
  data: AbsenceData,
  input: Input,
  userId: string,
): Promise<HandleResult> {
  const l = ctx.lang;
  const children = await childrenOf(ctx.db, userId);
  const d = data.draft!;
  const child = children.find((c) => c.pupilId === d.pupilId);
  // The child was unlinked, graduated or moved away while the draft waited.
  if (step !== 'child' && !child) return end(state, [text(T.startOver(l))]);
  const a = asking(ctx, children, d, data.first);
  const again = (hint: string) => go(ctx, state, step, data, [text(hint), question(a, step, d)]);
  const advance = (next: Draft, from: NoticeStep = step) =>
    moveTo(ctx, state, children, nextStep(from, next, child!.noteEnabled, !!next.editing), next);
  const v = answer(input, optionsOf(a, step));

  switch (step) {
    case 'child': {
      if (!v) return again(T.hintChoose(l));
      return moveTo(ctx, state, children, 'date', { ...d, pupilId: v });
    }

    case 'date': {
      const { max } = dateBounds(ctx.now);
      if (v === 'period') return moveTo(ctx, state, children, 'range_from', d);
      if (v === 'other') return again(T.otherDayAsk(l, daysText(l, max)));
      const picked = input.kind === 'choice' && input.v === 'picked' ? input.date : undefined;
      const date = v === 'today' ? today(ctx.now) : v === 'tomorrow' ? addDays(today(ctx.now), 1) : picked;
      if (date === undefined) return again(T.hintChoose(l));
      if (!dateAllowed(date, ctx.now)) return again(T.outsideDates(l, daysText(l, max)));
      if (refusedToday(child!, date, ctx.now))
        return again(T.refusedToday(l, child!.cutoff, child!.schoolName, child!.phone));
      return advance({ ...d, date, dateTo: undefined });
    }

    case 'range_from':
    case 'range_to': {
      const { max } = dateBounds(ctx.now);
      const date = input.kind === 'choice' && input.v === 'picked' && input.step === step ? input.date : undefined;
      if (date === undefined) return again(T.hintChoose(l));
      if (step === 'range_from') {
        if (!dateAllowed(date, ctx.now)) return again(T.outsideDates(l, daysText(l, max)));
        if (refusedToday(child!, date, ctx.now))
          return again(T.refusedToday(l, child!.cutoff, child!.schoolName, child!.phone));
        return moveTo(ctx, state, children, 'range_to', { ...d, date, dateTo: undefined });
      }
      const check = checkRange(d.date!, date, ctx.now);
      if (check === 'outside') return again(T.outsideDates(l, daysText(l, max)));
      if (check === 'reversed') return again(T.rangeReversed(l));
      if (check === 'too_long') return again(T.rangeTooLong(l));
      return advance({ ...d, dateTo: date === d.date ? undefined : date });
    }

    case 'type': {
      if (v !== 'absence' && v !== 'late' && v !== 'early_leave') return again(T.hintChoose(l));
      // A change of type asks for the time again (or drops it: an absence has none).
      return advance({ ...d, type: v, time: v === d.type ? d.time : undefined });
    }

    case 'reason': {
      if (!v) return again(T.hintChoose(l));
      const illness = v === ILLNESS;
      const keep = illness && d.reason === ILLNESS;
      return advance({
        ...d,
        reason: v,
        symptoms: keep ? d.symptoms : undefined,
        temperature: keep ? d.temperature : undefined,
      });
    }

    case 'symptoms': {
      if (v === 'next') return advance({ ...d, symptoms: d.symptoms ?? [] });
      if (!v || !(SYMPTOMS as readonly string[]).includes(v)) return again(T.hintChoose(l));
      const next = { ...d, symptoms: toggleSymptom(d.symptoms ?? [], v) };
      return go(ctx, state, step, { ...data, draft: next }, [question(a, step, next)]);
    }

    case 'temperature': {
      if (v === 'skip') return advance({ ...d, temperature: null });
      const t = input.kind === 'text' ? parseTemperature(input.text) : null;
      if (t === null) return again(T.badTemperature(l));
      return advance({ ...d, temperature: t });
    }

    case 'time': {
      const raw =
        input.kind === 'text' ? input.text : input.kind === 'choice' && input.step === 'time' ? input.time : undefined;
      const time = raw === undefined ? null : parseTime(raw);
      if (!time) return again(T.badTime(l));
      return advance({ ...d, time });
    }

    case 'note': {
      if (v === 'skip') return advance({ ...d, note: null });
      if (input.kind !== 'text' || input.text === '') return again(T.hintText(l));
      const n = noteLength(input.text);
      if (n > MAX_NOTE_CHARS) return again(T.tooLong(l, n));
      return advance({ ...d, note: input.text });
    }

    case 'confirm': {
      if (v === 'send') return send(ctx, state, children, child!, d, userId);
      if (v === 'edit') return moveTo(ctx, state, children, 'edit', d);
      return again(T.hintChoose(l));
    }

    case 'edit': {
      if (v === 'date' || v === 'type' || v === 'reason' || v === 'note')
        return moveTo(ctx, state, children, v, { ...d, editing: true });
      if (v === 'confirm') return moveTo(ctx, state, children, 'confirm', d);
      return again(T.hintChoose(l));
    }
  }
}

async function send(
  ctx: HandleContext,
  state: ConversationState,
  children: Child[],
  child: Child,
  d: Draft,
  userId: string,
): Promise<HandleResult> {
  const l = ctx.lang;
  const receipt = (number: string, late: boolean) =>
    end(state, [
      text(T.receipt(l, number, child.name, daysText(l, d.date!, d.dateTo), typeName(l, d.type!))),
      ...(late ? [text(T.receiptLate(l, child.cutoff, child.schoolName, child.phone))] : []),
    ]);
  // A retried event finds its notice already stored and answers the same receipt.
  const existing = await storedNotice(ctx.env, d.noticeId);
  if (existing) return receipt(existing.number, existing.late);
  if (!draftComplete(d)) return end(state, [text(T.startOver(l))]);
  // The day may have turned, or the cut-off passed, while the summary waited.
  const { max } = dateBounds(ctx.now);
  const again = (hint: string) => moveTo(ctx, state, children, 'date', { ...d, editing: true }, [text(hint)]);
  if (!dateAllowed(d.date, ctx.now)) return again(T.outsideDates(l, daysText(l, max)));
  if (refusedToday(child, d.date!, ctx.now))
    return again(T.refusedToday(l, child.cutoff, child.schoolName, child.phone));
  const late = d.date === today(ctx.now) && afterCutoff(child.cutoff, ctx.now);
  const { number } = await submitNotice(
    ctx.env,
    {
      id: d.noticeId,
      schoolId: child.schoolId,
      pupilId: child.pupilId,
      guardianLineUserId: userId,
      date: d.date!,
      dateTo: d.dateTo ?? null,
      type: d.type!,
      reason: d.reason!,
      symptoms: d.reason === ILLNESS ? (d.symptoms ?? []) : [],
      temperature: d.reason === ILLNESS ? (d.temperature ?? null) : null,
      time: d.type === 'absence' ? null : (d.time ?? null),
      note: child.noteEnabled ? (d.note ?? null) : null,
      late,
    },
    ctx.now,
  );
  return receipt(number, late);
}
