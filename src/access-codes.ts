import { sha256Hex } from './http/digest';

/**
 * Codes a resident copies from paper into the chat: a pupil's registration code (from the
 * school) and an association's invite code (from its leader). 8 characters from an
 * alphabet without the look-alikes 0/O and 1/I: 32^8 ≈ 1.1 × 10^12, so guessing a live
 * code within the chat's limit of wrong tries is hopeless. Only the SHA-256 is stored.
 */
export const ACCESS_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const ACCESS_CODE_LENGTH = 8;

export function newAccessCode(): string {
  // 256 is a multiple of 32, so taking each byte modulo 32 favours no character.
  const bytes = crypto.getRandomValues(new Uint8Array(ACCESS_CODE_LENGTH));
  return [...bytes].map((b) => ACCESS_CODE_ALPHABET[b % ACCESS_CODE_ALPHABET.length]).join('');
}

/** How a code is printed for people: `XXXX-XXXX`. */
export function formatAccessCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * Reads a code as a phone types it: any case, full-width forms, spaces (also full-width)
 * and hyphens (also ー and other dashes) anywhere. `null` when the text cannot be a code
 * at all (wrong length, a character outside the alphabet).
 */
export function readAccessCode(text: string): string | null {
  const code = text
    .normalize('NFKC')
    .replace(/[\s\-‐‑‒–—―ー−]/g, '')
    .toUpperCase();
  if (code.length !== ACCESS_CODE_LENGTH) return null;
  return [...code].every((c) => ACCESS_CODE_ALPHABET.includes(c)) ? code : null;
}

/** What is stored of a code: its SHA-256, hex. */
export function hashAccessCode(code: string): Promise<string> {
  return sha256Hex(code);
}
