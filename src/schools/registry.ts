/** The reasons a guardian chooses from when the school has not set its own (`schools.reasons` null). */
export const DEFAULT_REASONS: readonly string[] = ['体調不良', '通院', '家庭の事情', '忌引', 'その他'];
