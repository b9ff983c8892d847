import type { ActiveFlow, ConversationState, Flow, HandleContext, HandleResult } from '../conversation/types';
import type { Msg } from '../line/messages';
import { departmentIdFor, getCategory, getDepartment, subtypes, topCategories, type Category } from './catalog';
import { ContentUnavailableError, fetchMessageContent } from './content';
import { ImageFormatError } from './image';
import { deliverReportMail } from './mail';
import {
  contentRetryWorthIt,
  descriptionLength,
  inArea,
  MAX_DESCRIPTION_CHARS,
  MAX_PHOTOS,
  parseArea,
  personalDataHints,
  underDailyLimit,
} from './rules';
import {
  addSupporter,
  discardDraftPhotos,
  findDuplicate,
  getReport,
  sentToday,
  storeDraftPhoto,
  submitReport,
} from './service';
import { categoryName, T, text } from './texts';
import { answer, inputOf, isCancel, pickCategory, typedChoice } from './flow-input';
import { question, type Draft, type Step } from './questions';

/**
 * The resident's damage report, one step at a time, inside their ConversationDO:
 * safety → category → subtype → location (→ nearby duplicate) → photos → description → confirm → send.
 * Every step answers a wrong input with a short hint and the same question; 中止 ends it
 * anywhere. Effects are idempotent, because the inbox may run an event twice.
 * This file decides the next step; flow-input.ts reads what the resident sent, questions.ts asks.
 */

type FlowState = ConversationState & { flow: ActiveFlow };

function draftOf(state: FlowState): Draft {
  return state.flow.data as unknown as Draft;
}

function go(ctx: HandleContext, state: ConversationState, step: Step, draft: Draft, messages: Msg[]): HandleResult {
  return {
    state: {
      ...state,
      flow: { name: 'report', step, data: draft as unknown as Record<string, unknown>, updatedAt: ctx.now },
    },
    messages,
  };
}

function end(state: ConversationState, messages: Msg[]): HandleResult {
  return { state: { ...state, flow: undefined }, messages };
}

async function moveTo(
  ctx: HandleContext,
  state: ConversationState,
  step: Step,
  draft: Draft,
  before: Msg[] = [],
): Promise<HandleResult> {
  return go(ctx, state, step, draft, [...before, await question(ctx, step, draft)]);
}

/** After a step: the next one, or back to the summary when the resident came from 修正. */
function after(draft: Draft, next: Step): Step {
  return draft.editing ? 'confirm' : next;
}

async function again(ctx: HandleContext, state: FlowState, hint: string): Promise<HandleResult> {
  const step = state.flow.step as Step;
  return go(ctx, state, step, draftOf(state), [text(hint), await question(ctx, step, draftOf(state))]);
}

/* ───────── the flow ───────── */

export const reportFlow: Flow = {
  async start(ctx, state) {
    const userId = ctx.resident?.lineUserId;
    if (userId && !underDailyLimit(await sentToday(ctx.db, userId, ctx.now)))
      return end(state, [text(T.dailyLimit(ctx.lang))]);
    const draft: Draft = { reportId: crypto.randomUUID(), photoIds: [] };
    return moveTo(ctx, state, 'safety', draft);
  },

  async onEvent(ctx, state, event) {
    const userId = event.source!.userId!;
    const input = inputOf(event);
    const draft = draftOf(state);
    const step = state.flow.step as Step;
    const l = ctx.lang;

    // A draft saved by an older version (or damaged) starts over rather than failing the event forever.
    if (!wellFormed(step, draft)) return end(state, [text(T.startOver(l))]);

    if (isCancel(input)) {
      await discardDraftPhotos(ctx.env, ctx.db, userId, draft.photoIds);
      return end(state, [text(T.cancelled(l))]);
    }
    // A button from an earlier question (or an earlier draft) is not an answer to this one.
    if (input.kind === 'choice' && input.step !== step) return again(ctx, state, T.hintChoose(l));

    switch (step) {
      case 'safety': {
        const v = answer(input, [
          { label: T.viaLine(l), v: 'line' },
          { label: T.viaPhone(l), v: 'phone' },
        ]);
        if (v === 'line') return moveTo(ctx, state, 'category', draft);
        if (v === 'phone') return moveTo(ctx, state, 'emergency', draft);
        return again(ctx, state, T.hintChoose(l));
      }

      case 'emergency':
      case 'category': {
        const { code, picked: cat } = pickCategory(input, l, await topCategories(ctx.db));
        if (!cat) return again(ctx, state, code ? T.unavailable(l) : T.hintChoose(l));
        if (step === 'emergency') {
          const dept = await getDepartment(ctx.db, cat.departmentId);
          const phone = cat.emergencyPhone ?? dept?.phone ?? '086-803-1000';
          return end(state, [text(T.emergencyPhone(l, categoryName(l, cat), dept?.name ?? '岡山市役所', phone))]);
        }
        const next: Draft = { ...draft, category: cat.code, subtype: undefined, duplicate: undefined };
        const subs = await subtypes(ctx.db, cat.code);
        // A category with a single subtype (その他) needs no second question; one whose
        // subtypes were all retired is its own subtype rather than a dead end.
        if (subs.length === 1) return chosenSubtype(ctx, state, next, subs[0]!);
        if (subs.length === 0) return chosenSubtype(ctx, state, next, cat);
        return moveTo(ctx, state, 'subtype', next);
      }

      case 'subtype': {
        const { code, picked: sub } = pickCategory(input, l, await subtypes(ctx.db, draft.category!));
        if (!sub) return again(ctx, state, code ? T.unavailable(l) : T.hintChoose(l));
        return chosenSubtype(ctx, state, draft, sub);
      }

      case 'location': {
        if (input.kind !== 'location') return again(ctx, state, T.hintLocation(l));
        if (!inArea(parseArea(ctx.env.REPORT_AREA), input.lat, input.lng)) {
          return go(ctx, state, 'location', draft, [text(T.outsideArea(l)), await question(ctx, 'location', draft)]);
        }
        const next: Draft = {
          ...draft,
          lat: input.lat,
          lng: input.lng,
          address: input.address,
          title: input.title,
          duplicate: undefined,
        };
        return checkDuplicate(ctx, state, next);
      }

      case 'duplicate': {
        const v = answer(input, [
          { label: T.support(l), v: 'support' },
          { label: T.continueOwn(l), v: 'continue' },
        ]);
        if (v === 'support' && draft.duplicate) {
          await addSupporter(ctx.db, draft.duplicate.id, userId, ctx.now);
          await discardDraftPhotos(ctx.env, ctx.db, userId, draft.photoIds);
          return end(state, [text(T.supported(l, draft.duplicate.number))]);
        }
        if (v === 'continue') return moveTo(ctx, state, after(draft, 'photos'), draft);
        return again(ctx, state, T.hintChoose(l));
      }

      case 'photos': {
        if (input.kind === 'image') return photo(ctx, state, draft, input, userId, event.timestamp);
        const v = answer(input, [
          { label: T.next(l), v: 'next' },
          { label: T.noPhoto(l), v: 'next' },
        ]);
        if (v === 'next') return moveTo(ctx, state, after(draft, 'description'), draft);
        return again(ctx, state, T.hintPhoto(l));
      }

      case 'description':
      case 'description_check': {
        if (input.kind === 'choice' && input.v === 'skip')
          return moveTo(ctx, state, 'confirm', { ...draft, description: '' });
        if (input.kind === 'choice' && input.v === 'keep') return moveTo(ctx, state, 'confirm', draft);
        if (step === 'description_check' && typedChoice(input, [{ label: T.keep(l), v: 'keep' }]))
          return moveTo(ctx, state, 'confirm', draft);
        if (step === 'description' && typedChoice(input, [{ label: T.noDescription(l), v: 'skip' }])) {
          return moveTo(ctx, state, 'confirm', { ...draft, description: '' });
        }
        if (input.kind !== 'text' || input.text === '') return again(ctx, state, T.hintText(l));
        const n = descriptionLength(input.text);
        if (n > MAX_DESCRIPTION_CHARS)
          return go(ctx, state, 'description', draft, [
            text(T.tooLong(l, n)),
            await question(ctx, 'description', draft),
          ]);
        const next: Draft = { ...draft, description: input.text };
        const h = personalDataHints(input.text);
        if (h.phone || h.email) return moveTo(ctx, state, 'description_check', next);
        return moveTo(ctx, state, 'confirm', next);
      }

      case 'confirm': {
        const v = answer(input, [
          { label: T.send(l), v: 'send' },
          { label: T.edit(l), v: 'edit' },
        ]);
        if (v === 'send') return send(ctx, state, draft, userId);
        if (v === 'edit') return moveTo(ctx, state, 'edit', { ...draft, editing: true });
        return again(ctx, state, T.hintChoose(l));
      }

      case 'edit': {
        const v = answer(input, [
          { label: T.editCategory(l), v: 'category' },
          { label: T.editLocation(l), v: 'location' },
          { label: T.editPhotos(l), v: 'photos' },
          { label: T.editDescription(l), v: 'description' },
          { label: T.back(l), v: 'back' },
        ]);
        const editing = { ...draft, editing: true };
        if (v === 'category') return moveTo(ctx, state, 'category', editing);
        if (v === 'location') return moveTo(ctx, state, 'location', editing);
        if (v === 'description') return moveTo(ctx, state, 'description', editing);
        if (v === 'photos') {
          // Retaking starts from none: the resident cannot see which of the earlier ones we hold.
          await discardDraftPhotos(ctx.env, ctx.db, userId, draft.photoIds);
          return moveTo(ctx, state, 'photos', { ...editing, photoIds: [] });
        }
        if (v === 'back') return moveTo(ctx, state, 'confirm', editing);
        return again(ctx, state, T.hintChoose(l));
      }
    }
    return end(state, []);
  },
};

const STEPS_AFTER_LOCATION: ReadonlySet<string> = new Set([
  'duplicate',
  'photos',
  'description',
  'description_check',
  'confirm',
  'edit',
]);

function wellFormed(step: string, d: Draft): boolean {
  if (typeof d !== 'object' || d === null || typeof d.reportId !== 'string' || !Array.isArray(d.photoIds)) return false;
  if (!['safety', 'emergency', 'category', 'subtype', 'location', ...STEPS_AFTER_LOCATION].includes(step)) return false;
  if ((step === 'subtype' || step === 'location') && typeof d.category !== 'string') return false;
  if (STEPS_AFTER_LOCATION.has(step)) {
    return (
      typeof d.category === 'string' &&
      typeof d.subtype === 'string' &&
      Number.isFinite(d.lat) &&
      Number.isFinite(d.lng)
    );
  }
  return true;
}

async function chosenSubtype(
  ctx: HandleContext,
  state: ConversationState,
  draft: Draft,
  sub: Category,
): Promise<HandleResult> {
  const next: Draft = { ...draft, subtype: sub.code };
  // A new category may have a report nearby that the old one did not.
  if (draft.editing && next.lat !== undefined) return checkDuplicate(ctx, state, next);
  return moveTo(ctx, state, 'location', next);
}

async function checkDuplicate(ctx: HandleContext, state: ConversationState, draft: Draft): Promise<HandleResult> {
  // One's own report nearby is not a duplicate to follow; they already hear about it.
  const dup = await findDuplicate(
    ctx.db,
    { categoryCode: draft.category!, lat: draft.lat!, lng: draft.lng! },
    ctx.now,
    ctx.resident?.lineUserId,
  );
  if (dup) return moveTo(ctx, state, 'duplicate', { ...draft, duplicate: { id: dup.id, number: dup.number } });
  return moveTo(ctx, state, after(draft, 'photos'), draft);
}

async function photo(
  ctx: HandleContext,
  state: FlowState,
  draft: Draft,
  input: { id: string; provider: string },
  userId: string,
  eventAt: number,
): Promise<HandleResult> {
  const l = ctx.lang;
  if (draft.photoIds.length >= MAX_PHOTOS)
    return moveTo(ctx, state, after(draft, 'description'), draft, [text(T.photoTooMany(l))]);
  if (input.provider !== 'line') return again(ctx, state, T.photoExternal(l));
  let got: Awaited<ReturnType<typeof fetchMessageContent>>;
  try {
    got = await fetchMessageContent(ctx.env, input.id);
  } catch (err) {
    // A 5xx or network failure: the inbox retries this event while LINE may still hand the photo over.
    if (err instanceof ContentUnavailableError && !contentRetryWorthIt(eventAt, ctx.now))
      return again(ctx, state, T.photoNotFound(l));
    throw err;
  }
  if (!got.ok) {
    const hint = got.reason === 'too_large' ? T.photoTooLarge(l) : T.photoNotFound(l);
    return again(ctx, state, hint);
  }
  let id: string;
  try {
    id = await storeDraftPhoto(ctx.env, ctx.db, userId, got.bytes, draft.photoIds.length, ctx.now);
  } catch (err) {
    if (err instanceof ImageFormatError) return again(ctx, state, T.photoNotImage(l));
    throw err;
  }
  const next: Draft = { ...draft, photoIds: [...draft.photoIds, id] };
  if (next.photoIds.length >= MAX_PHOTOS)
    return moveTo(ctx, state, after(next, 'description'), next, [text(T.photosFull(l))]);
  return moveTo(ctx, state, 'photos', next);
}

async function send(ctx: HandleContext, state: ConversationState, draft: Draft, userId: string): Promise<HandleResult> {
  const l = ctx.lang;
  // A retried event finds its report already stored and answers the same receipt.
  const existing = await getReport(ctx.db, draft.reportId);
  if (!existing && !underDailyLimit(await sentToday(ctx.db, userId, ctx.now))) {
    await discardDraftPhotos(ctx.env, ctx.db, userId, draft.photoIds);
    return end(state, [text(T.dailyLimit(l))]);
  }
  const category = await getCategory(ctx.db, draft.category!);
  const subtype = await getCategory(ctx.db, draft.subtype!);
  const departmentId = departmentIdFor(category, subtype);
  const { number } =
    existing ??
    (await submitReport(
      ctx.env,
      {
        id: draft.reportId,
        categoryCode: draft.category!,
        subtypeCode: draft.subtype!,
        departmentId,
        lat: draft.lat!,
        lng: draft.lng!,
        address: draft.address ?? null,
        description: draft.description ?? '',
        reporterLineUserId: userId,
        photoIds: draft.photoIds,
      },
      ctx.now,
    ));
  // The department hears at once when it can; otherwise the cron keeps trying.
  await deliverReportMail(ctx.env, ctx.db, draft.reportId, ctx.now, ctx.origin);
  const dept = await getDepartment(ctx.db, departmentId);
  return end(state, [text(T.receipt(l, number, dept?.name ?? '担当課'))]);
}
