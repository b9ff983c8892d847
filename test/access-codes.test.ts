import { describe, expect, it } from 'vitest';
import {
  ACCESS_CODE_ALPHABET,
  formatAccessCode,
  hashAccessCode,
  newAccessCode,
  readAccessCode,
} from '../src/access-codes';

describe('access codes', () => {
  it('are 8 characters from the alphabet without look-alikes', () => {
    for (let i = 0; i < 200; i++) {
      const code = newAccessCode();
      expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    }
    // The alphabet exactly: it leaves out 0, 1, O and I (L stays, as the alphabet spells it).
    expect(ACCESS_CODE_ALPHABET).toBe('ABCDEFGHJKLMNPQRSTUVWXYZ23456789');
    expect(ACCESS_CODE_ALPHABET).toHaveLength(32);
  });

  it('print as XXXX-XXXX', () => {
    expect(formatAccessCode('ABCD2345')).toBe('ABCD-2345');
  });

  it.each([
    ['ABCD2345', 'ABCD2345'],
    ['abcd2345', 'ABCD2345'],
    ['ABCD-2345', 'ABCD2345'],
    ['ＡＢＣＤ－２３４５', 'ABCD2345'],
    ['ａｂｃｄ　２３４５', 'ABCD2345'],
    [' ab cd 23 45 ', 'ABCD2345'],
    ['ABCDー2345', 'ABCD2345'],
    ['ABCD234', null],
    ['ABCD23456', null],
    ['ABCD2340', null],
    ['ABCDO345', null],
    ['ABCDI345', null],
    ['ABCD1345', null],
    ['こんにちは', null],
    ['', null],
  ])('read %j as %j', (text, code) => {
    expect(readAccessCode(text)).toBe(code);
  });

  it('are stored as their SHA-256', async () => {
    const hash = await hashAccessCode('ABCD2345');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain('ABCD2345');
    expect(await hashAccessCode('ABCD2345')).toBe(hash);
  });
});
