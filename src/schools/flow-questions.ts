import type { messagingApi } from '@line/bot-sdk';
import { startData } from '../conversation/rules';
import type { Lang } from '../i18n';
import type { Msg } from '../line/messages';
import {
  ask,
  cancelItem,
  choice,
  classText,
  dayText,
  daysText,
  labelName,
  pb,
  picker,
  T,
  typeName,
  type SummaryParts,
} from './chat-texts';
import type { Option } from './flow-input';
import type { Child } from './link';
import { DEFAULT_REASONS } from './registry';
import { dateBounds, SYMPTOMS, type Draft, type NoticeStep } from './rules';

/**
 * The notice's questions with their buttons, in the guardian's language, and the options
 * each step accepts (tapped or typed). flow-notice.ts decides which step comes next.
 */

type Item = messagingApi.QuickReplyItem;

export interface Asking {
  lang: Lang;
  now: number;
  children: Child[];
  /** The child the draft is for (every step after `child`). */
  child?: Child;
  /** The first question of a notice also offers 連絡履歴 and 子どもを追加. */
  first?: boolean;
}

export function reasonsOf(child: Child): readonly string[] {
  return child.reasons?.length ? child.reasons : DEFAULT_REASONS;
}

/** The options a step accepts, as button value and label (what a guardian may also type). */
export function optionsOf(a: Asking, step: NoticeStep): Option[] {
  const l = a.lang;
  switch (step) {
    case 'child':
      return a.children.map((c) => ({ label: c.name, v: c.pupilId }));
    case 'date':
      return [
        { label: T.today(l), v: 'today' },
        { label: T.tomorrow(l), v: 'tomorrow' },
        { label: T.otherDay(l), v: 'other' },
        { label: T.period(l), v: 'period' },
      ];
    case 'type':
      return (['absence', 'late', 'early_leave'] as const).map((t) => ({ label: typeName(l, t), v: t }));
    case 'reason':
      return a.child ? reasonsOf(a.child).map((r) => ({ label: labelName(l, r), v: r })) : [];
    case 'symptoms':
      return [...SYMPTOMS.map((s) => ({ label: labelName(l, s), v: s })), { label: T.next(l), v: 'next' }];
    case 'temperature':
    case 'note':
      return [{ label: T.skip(l), v: 'skip' }];
    case 'confirm':
      return [
        { label: T.send(l), v: 'send' },
        { label: T.edit(l), v: 'edit' },
      ];
    case 'edit':
      return [
        { label: T.editDate(l), v: 'date' },
        { label: T.editType(l), v: 'type' },
        { label: T.editReason(l), v: 'reason' },
        ...(a.child?.noteEnabled ? [{ label: T.editNote(l), v: 'note' }] : []),
        { label: T.back(l), v: 'confirm' },
      ];
    default:
      return [];
  }
}

const buttons = (a: Asking, step: NoticeStep): Item[] => optionsOf(a, step).map((o) => choice(o.label, pb(step, o.v)));

const startItem = (labelText: string, entry: string) => choice(labelText, startData({ service: 'absence', entry }));

export function question(a: Asking, step: NoticeStep, d: Draft): Msg {
  const l = a.lang;
  const c = a.child;
  const bounds = dateBounds(a.now);
  const extra = a.first ? [startItem(T.history(l), 'history'), startItem(T.addChild(l), 'add_child')] : [];
  switch (step) {
    case 'child':
      return ask(T.whichChild(l), [...buttons(a, step).slice(0, 10), ...extra, cancelItem(l)]);
    case 'date':
      return ask(T.date(l, c?.name ?? '', c?.cutoff ?? '', c?.afterCutoff !== 'accept_late'), [
        ...buttons(a, step).slice(0, 2),
        picker(T.otherDay(l), 'date', 'date', { ...bounds, initial: bounds.min }),
        choice(T.period(l), pb('date', 'period')),
        ...extra,
        cancelItem(l),
      ]);
    case 'range_from':
      return ask(T.rangeFrom(l), [
        picker(T.pickDate(l), 'range_from', 'date', { ...bounds, initial: bounds.min }),
        cancelItem(l),
      ]);
    case 'range_to': {
      const from = d.date ?? bounds.min;
      return ask(T.rangeTo(l, dayText(l, from)), [
        picker(T.pickDate(l), 'range_to', 'date', { min: from, max: bounds.max, initial: from }),
        cancelItem(l),
      ]);
    }
    case 'type':
      return ask(T.type(l), [...buttons(a, step), cancelItem(l)]);
    case 'reason':
      return ask(T.reason(l), [...buttons(a, step).slice(0, 12), cancelItem(l)]);
    case 'symptoms': {
      const chosen = new Set(d.symptoms ?? []);
      const items = optionsOf(a, step).map((o) => choice(chosen.has(o.v) ? `✓${o.label}` : o.label, pb(step, o.v)));
      return ask(T.symptoms(l, (d.symptoms ?? []).map((s) => labelName(l, s)).join('、')), [...items, cancelItem(l)]);
    }
    case 'temperature':
      return ask(T.temperature(l), [...buttons(a, step), cancelItem(l)]);
    case 'time':
      return ask(d.type === 'late' ? T.arrival(l) : T.leaving(l), [
        picker(T.pickTime(l), 'time', 'time', { initial: d.type === 'late' ? '09:00' : '12:00' }),
        cancelItem(l),
      ]);
    case 'note':
      return ask(T.note(l), [...buttons(a, step), cancelItem(l)]);
    case 'confirm':
      return ask(T.confirm(l, summary(a, d)), [...buttons(a, step), cancelItem(l)]);
    case 'edit':
      return ask(T.editWhat(l), [...buttons(a, step), cancelItem(l)]);
  }
}

export function summary(a: Asking, d: Draft): SummaryParts {
  const l = a.lang;
  const c = a.child;
  return {
    child: c
      ? l === 'ja'
        ? `${c.name}（${c.schoolName} ${classText(l, c.grade, c.class)}）`
        : `${c.name} (${c.schoolName}, ${classText(l, c.grade, c.class)})`
      : '',
    days: d.date ? daysText(l, d.date, d.dateTo) : '',
    type: d.type ? typeName(l, d.type) : '',
    reason: d.reason ? labelName(l, d.reason) : '',
    symptoms: (d.symptoms ?? []).map((s) => labelName(l, s)).join(l === 'ja' ? '、' : ', '),
    temperature: typeof d.temperature === 'number' ? d.temperature.toFixed(1) : '',
    time: d.time ?? '',
    note: d.note ?? '',
  };
}
