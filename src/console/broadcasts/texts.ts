import type { Audience } from '../../broadcasts/audience';
import type { BroadcastStatus } from '../../db/schema';

/** The words staff read on the 配信 pages: statuses, audiences and what a button did. */

export const STATUS_JA: Record<BroadcastStatus, string> = {
  draft: '下書き',
  pending_approval: '承認待ち',
  scheduled: '配信予定',
  sending: '配信中',
  sent: '配信済み',
  partially_failed: '一部失敗',
  failed: '配信失敗',
  cancelled: '取り消し',
};

export const BATCH_STATUS_JA: Record<string, string> = {
  pending: '未送信',
  delivered: '送信済み',
  failed: '失敗',
  unknown: '不明（LINEに届いた可能性あり）',
  unanswered: '応答なし',
  cancelled: '取り消し',
};

/** The key of a school's or association's name in a names map (`school:<id>`, `community:<id>`); null for the city's. */
export function placeKey(a: Audience): string | null {
  if (a.type === 'school') return `school:${a.schoolId}`;
  if (a.type === 'community') return `community:${a.communityId}`;
  return null;
}

/** A broadcast's audience in words; `names` gives the school's or association's name when known. */
export function audienceJa(a: Audience, names: ReadonlyMap<string, string> = new Map()): string {
  switch (a.type) {
    case 'all':
      return '友だち全員';
    case 'segment': {
      const parts = [
        a.wards ? `地区: ${a.wards.join('・')}` : null,
        a.interests ? `関心: ${a.interests.join('・')}` : null,
        a.language ? `言語: ${a.language}` : null,
      ].filter((p) => p !== null);
      return `絞り込み（${parts.join('、')}）`;
    }
    case 'school': {
      const narrowed = [
        a.grades ? `${a.grades.join('・')}年` : null,
        a.classes ? `${a.classes.join('・')}組` : null,
        a.groups ? a.groups.join('・') : null,
      ].filter((p) => p !== null);
      const name = names.get(placeKey(a) ?? '') ?? '学校';
      return `学校: ${name}${narrowed.length > 0 ? `（${narrowed.join('、')}）` : ''}`;
    }
    case 'community':
      return `町内会: ${names.get(placeKey(a) ?? '') ?? '町内会'}${a.includeChildren ? '（傘下の町内会を含む）' : ''}`;
  }
}

/** The notice after a post/redirect/get (`?done=`). */
export const DONE_JA: Record<string, string> = {
  draft: '下書きを保存しました。',
  submit: '承認を依頼しました。',
  scheduled: '配信を予定しました（承認は不要です）。',
  approved: '承認しました。配信予定になりました。',
  returned: '差し戻しました。作成者の下書きに戻りました。',
  cancelled: '配信を取り消しました。',
  test: 'テスト送信しました。ご自身のLINEでご確認ください。',
};

/** Why a test send did not go (`?failed=`): what the staff member can do about it. */
export const TEST_FAILED_JA: Record<string, string> = {
  nolink:
    'テスト送信先のLINEアカウントが連携されていません。連携コードを発行し、ご自身のLINEから「職員 コード」を送ってください。',
  limit: 'テスト送信は1時間に10回までです。しばらくしてからお試しください。',
  refused: 'LINEがメッセージを受け付けませんでした。内容を確認してください。',
  unavailable: 'LINEから応答がありませんでした。もう一度お試しください。',
};
