import { sha256Hex } from '../http/digest';

/**
 * Link codes: what a staff member types on their phone, 「職員 <code>」, to prove a LINE
 * account is theirs. Crockford's base32 alphabet (no I, L, O, U), 8 characters: 40 bits,
 * so guessing one live code within the chat's rate limit is hopeless.
 */

export const LINK_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const LINK_CODE_LENGTH = 8;
export const LINK_CODE_TTL_MS = 10 * 60 * 1000;

function randomChars(n: number): string {
  // 256 is a multiple of 32, so taking each byte modulo 32 favours no character.
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return [...bytes].map((b) => LINK_CODE_ALPHABET[b % LINK_CODE_ALPHABET.length]).join('');
}

export function newLinkCode(): string {
  return randomChars(LINK_CODE_LENGTH);
}

/** What a code looks like when copied by eye: letters read as the digits they resemble. */
const LOOKALIKES: Record<string, string> = { O: '0', I: '1', L: '1' };

/**
 * Reads 「職員 <code>」 the way a phone types it: full-width or half-width letters, digits
 * and spaces, any case, hyphens or spaces inside the code. `null`: not a link command at
 * all (「職員さんへ…」 is an ordinary message); `{ code: null }`: an attempt whose code
 * cannot be valid, which counts as a wrong guess.
 */
export function readLinkCommand(text: string): { code: string | null } | null {
  const m = /^職員\s*([A-Za-z0-9][A-Za-z0-9 -]*)$/.exec(text.normalize('NFKC').trim());
  if (!m) return null;
  const code = [...m[1]!.replace(/[ -]/g, '').toUpperCase()].map((c) => LOOKALIKES[c] ?? c).join('');
  const valid = code.length === LINK_CODE_LENGTH && [...code].every((c) => LINK_CODE_ALPHABET.includes(c));
  return { code: valid ? code : null };
}

/** What is stored of a code: its SHA-256, hex. */
export async function hashLinkCode(code: string): Promise<string> {
  return sha256Hex(code);
}

/** A linked account's name for staff: random, so it says nothing about the LINE user ID. */
export function newHandle(): string {
  return randomChars(12).toLowerCase();
}
