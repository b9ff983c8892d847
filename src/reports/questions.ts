import type { messagingApi } from '@line/bot-sdk';
import type { HandleContext } from '../conversation/types';
import type { Msg } from '../line/messages';
import { getCategory, subtypes, topCategories, type Category } from './catalog';
import { distanceM, personalDataHints, SUMMARY_DESCRIPTION_CHARS, clipResidentText } from './rules';
import { getReport } from './service';
import { ask, cancelItem, categoryName, choice, pb, statusName, T } from './texts';

/**
 * The report flow's steps, its draft, and the question each step asks (with its buttons),
 * in the resident's language. flow.ts decides which step comes next; this file only asks.
 */

export type Step =
  | 'safety'
  | 'emergency'
  | 'category'
  | 'subtype'
  | 'location'
  | 'duplicate'
  | 'photos'
  | 'description'
  | 'description_check'
  | 'confirm'
  | 'edit';

export interface Draft {
  /** Fixed when the draft starts: the report's id, so a retried 送信 stores one report. */
  reportId: string;
  category?: string;
  subtype?: string;
  lat?: number;
  lng?: number;
  address?: string | null;
  /** The place's name LINE sends with a location (a shop, a park); shown when there is no address. */
  title?: string | null;
  photoIds: string[];
  description?: string;
  duplicate?: { id: string; number: string };
  /** Came here from 修正: go back to the summary once this step is done. */
  editing?: boolean;
}

export async function question(ctx: HandleContext, step: Step, draft: Draft): Promise<Msg> {
  const l = ctx.lang;
  const name = (c: Category) => categoryName(l, c);
  switch (step) {
    case 'safety':
      return ask(T.intro(l), [
        choice(T.viaLine(l), pb('safety', 'line')),
        choice(T.viaPhone(l), pb('safety', 'phone')),
        cancelItem(l),
      ]);
    case 'emergency':
    case 'category': {
      const cats = (await topCategories(ctx.db)).slice(0, 12);
      return ask(step === 'emergency' ? T.emergencyWhich(l) : T.category(l), [
        ...cats.map((c) => choice(name(c), pb(step, c.code))),
        cancelItem(l),
      ]);
    }
    case 'subtype': {
      const cat = await getCategory(ctx.db, draft.category!);
      const subs = (await subtypes(ctx.db, draft.category!)).slice(0, 12);
      return ask(T.subtype(l, cat ? name(cat) : ''), [
        ...subs.map((c) => choice(name(c), pb('subtype', c.code))),
        cancelItem(l),
      ]);
    }
    case 'location':
      return ask(T.location(l), [
        { type: 'action', action: { type: 'location', label: T.sendLocation(l) } },
        cancelItem(l),
      ]);
    case 'duplicate': {
      const dup = draft.duplicate ? await getReport(ctx.db, draft.duplicate.id) : undefined;
      const sub = dup ? await getCategory(ctx.db, dup.subtypeCode) : undefined;
      const meters =
        dup && draft.lat !== undefined && draft.lng !== undefined
          ? Math.round(distanceM(draft.lat, draft.lng, dup.lat, dup.lng))
          : 0;
      return ask(
        T.duplicate(
          l,
          draft.duplicate?.number ?? '',
          sub ? name(sub) : '',
          dup ? statusName(l, dup.status) : '',
          meters,
        ),
        [
          choice(T.support(l), pb('duplicate', 'support')),
          choice(T.continueOwn(l), pb('duplicate', 'continue')),
          cancelItem(l),
        ],
      );
    }
    case 'photos': {
      const n = draft.photoIds.length;
      const items = [
        { type: 'action', action: { type: 'camera', label: T.camera(l) } },
        { type: 'action', action: { type: 'cameraRoll', label: T.cameraRoll(l) } },
        n === 0 ? choice(T.noPhoto(l), pb('photos', 'next')) : choice(T.next(l), pb('photos', 'next')),
        cancelItem(l),
      ] as messagingApi.QuickReplyItem[];
      return ask(n === 0 ? T.photos(l) : T.photoReceived(l, n), items);
    }
    case 'description':
      return ask(T.description(l), [choice(T.noDescription(l), pb('description', 'skip')), cancelItem(l)]);
    case 'description_check': {
      const h = personalDataHints(draft.description ?? '');
      const what = [h.phone ? T.phoneWord(l) : null, h.email ? T.emailWord(l) : null].filter(Boolean).join(T.and(l));
      return ask(T.personalData(l, what), [choice(T.keep(l), pb('description_check', 'keep')), cancelItem(l)]);
    }
    case 'confirm': {
      const cat = await getCategory(ctx.db, draft.category!);
      const sub = await getCategory(ctx.db, draft.subtype!);
      const place =
        draft.address?.trim() || draft.title?.trim() || `${draft.lat!.toFixed(5)}, ${draft.lng!.toFixed(5)}`;
      const short = clipResidentText(draft.description ?? '', SUMMARY_DESCRIPTION_CHARS) ?? '';
      return ask(
        T.confirm(l, {
          category: cat ? name(cat) : '',
          subtype: sub ? name(sub) : '',
          place,
          photos: draft.photoIds.length,
          description: short,
        }),
        [choice(T.send(l), pb('confirm', 'send')), choice(T.edit(l), pb('confirm', 'edit')), cancelItem(l)],
      );
    }
    case 'edit':
      return ask(T.editWhat(l), [
        choice(T.editCategory(l), pb('edit', 'category')),
        choice(T.editLocation(l), pb('edit', 'location')),
        choice(T.editPhotos(l), pb('edit', 'photos')),
        choice(T.editDescription(l), pb('edit', 'description')),
        choice(T.back(l), pb('edit', 'back')),
        cancelItem(l),
      ]);
  }
}
