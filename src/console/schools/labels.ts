import type { AbsenceType } from '../../db/schema';

/** Japanese words for what the school pages show (a badge always carries its word, never colour alone). */

export const TYPE_JA: Record<AbsenceType, string> = { absence: '欠席', late: '遅刻', early_leave: '早退' };

export const NOTICE_STATUS_JA = { submitted: '未確認', confirmed: '確認済', withdrawn: '取消' } as const;

export const KIND_JA = { elementary: '小学校', junior_high: '中学校', compulsory: '義務教育学校', high: '高等学校' };

/** `2026-12-02` → `2026年12月2日`. */
export function dayJa(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** A class as staff say it: grade 3, class "2" → 3年2組; a named class (ひまわり) keeps its name. */
export function classJa(grade: number, cls: string): string {
  return /^\d+$/.test(cls) ? `${grade}年${cls}組` : `${grade}年 ${cls}`;
}
