import type { StaffRole } from '../../db/schema';

/** The roles as staff read them on the 職員 pages; the codes stay the API's. */
export const ROLE_LABELS: Record<StaffRole, string> = {
  admin: '管理者',
  broadcaster: '配信担当',
  approver: '配信の承認',
  report_manager: '通報担当',
  school_staff: '学校職員',
  community_leader: '町内会役員',
};

/** One line under each role's checkbox: what the role lets its holder do. */
export const ROLE_HINTS: Record<StaffRole, string> = {
  admin: 'すべての操作（職員・種類・閉庁日・リッチメニュー・監査ログ）',
  broadcaster: '配信の作成と承認依頼',
  approver: 'ほかの職員が作った配信の承認・差し戻し',
  report_manager: '通報の確認と対応',
  school_staff: '担当校の欠席連絡と学校からの配信（担当校を選んでください）',
  community_leader: '担当町内会の会員と配信（担当町内会を選んでください）',
};

/** A status in words (never by colour alone): 有効, 利用停止中, 失効. */
export function staffStatus(r: { revokedAt: number | null; suspendedAt: number | null }): {
  key: 'active' | 'suspended' | 'revoked';
  label: string;
} {
  if (r.revokedAt !== null) return { key: 'revoked', label: '失効' };
  if (r.suspendedAt !== null) return { key: 'suspended', label: '利用停止中' };
  return { key: 'active', label: '有効' };
}
