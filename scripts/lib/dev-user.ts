/**
 * The LINE user `npm run simulate` acts as unless `--user` is given, so single scenarios
 * chain across runs. Shaped like a real LINE user ID (`U` + 32 lowercase hex), so it can
 * be linked to a staff account and receive test sends, as LINE would accept it.
 */
export const DEV_USER_ID = 'U0000000000000000000000000000de01';

/** A LINE user ID as the Messaging API accepts it in `to`. */
export const LINE_USER_ID = /^U[0-9a-f]{32}$/;
