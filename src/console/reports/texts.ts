import type { HTTPException } from 'hono/http-exception';
import { REPORT_STATUSES, type ReportStatus } from '../../db/schema';

/**
 * Words of the 通報 pages. Staff read short status names (the contract's 受付済, 対応中 …);
 * residents get the longer ones of src/reports/texts.ts in their pushes.
 */
export const STATUS_LABEL: Record<ReportStatus, string> = {
  received: '受付済',
  accepted: '受理',
  in_progress: '対応中',
  resolved: '対応完了',
  not_city_managed: '市の管理外',
  duplicate: '重複',
  rejected: '対応不可',
};

export const STATUSES: readonly ReportStatus[] = REPORT_STATUSES;

export const isStatus = (s: string): s is ReportStatus => (REPORT_STATUSES as readonly string[]).includes(s);

/** The moderation filter as the API names it, in words. */
export const HIDDEN_LABEL = { include: '含める', exclude: '除く', only: '非公開のみ' } as const;

export const MAIL_LABEL = { pending: '送信待ち', sent: '送信済み', failed: '送信失敗' } as const;

/** What a POST did, shown after the redirect (`?done=…`). */
export const DONE: Record<string, string> = {
  status: '更新しました。',
  department: '担当課を変更しました。',
  hide: '通報を非公開にしました。',
  unhide: '通報の非公開を解除しました。',
  'photo-hide': '写真を非公開にしました。',
  'photo-unhide': '写真の非公開を解除しました。',
  'mail-sent': '担当課へメールを再送しました。',
  'mail-pending': 'メールを送れませんでした。自動で再送を続けます。',
  'mail-failed': 'メールを送れませんでした（再送の上限に達しました）。',
};

/**
 * A service's problem (English, for the API) in the words a clerk needs; the ones not known
 * here keep the API's text under a Japanese lead.
 */
export function problemText(err: HTTPException): string {
  const m = err.message;
  if (m === 'Nothing to change.') return '変更する内容がありません。状態を変えるか、お知らせかメモを書いてください。';
  if (m.startsWith('A report cannot move from')) return 'この状態には変更できません。';
  if (m.startsWith('The report changed meanwhile'))
    return '他の職員が先にこの通報を更新しました。ページを開き直してから、もう一度お試しください。';
  if (m.startsWith('duplicateOf: the original')) return '重複の場合は、元の通報の受付番号を入力してください。';
  if (m.startsWith('duplicateOf: a report cannot')) return '自分自身を重複元にはできません。';
  if (m.startsWith('duplicateOf: no such')) return '重複元の受付番号の通報が見つかりません。';
  if (m.startsWith('department: no such')) return 'その担当課はありません。';
  return `操作できませんでした（${m}）`;
}
