import type { InviteState } from '../../communities/rules';

/** Japanese words for the 町内会 pages. */

export const KIND_JA = { federation: '連合町内会', unit: '単位町内会' } as const;

export const INVITE_STATE_JA: Record<InviteState, string> = {
  usable: '使用可',
  revoked: '無効化済',
  expired: '期限切れ',
  used_up: '上限到達',
};
