import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../src/line/signature';

const enc = new TextEncoder();

describe('LINE webhook signature', () => {
  it.each([
    // The vector from TOOLCHAIN.md (computed independently of this code).
    { secret: 'test_secret', body: '{"hello":"world"}', sig: 't7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=' },
  ])('signs $body with $secret as $sig', async ({ secret, body, sig }) => {
    expect(await signBody(secret, body)).toBe(sig);
    expect(await verifySignature(secret, enc.encode(body), sig)).toBe(true);
  });

  it.each([
    { name: 'missing', sig: null },
    { name: 'empty', sig: '' },
    { name: 'not base64', sig: '!!!not-base64!!!' },
    { name: 'too short', sig: 't7Hn4ZDHqs6e+wdvI5TyQ' },
    { name: 'one character off', sig: 't7Hn4ZDHqs6f+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=' },
    { name: 'another secret', sig: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
  ])('refuses a $name signature', async ({ sig }) => {
    expect(await verifySignature('test_secret', enc.encode('{"hello":"world"}'), sig)).toBe(false);
  });

  it('refuses a body changed after signing', async () => {
    expect(
      await verifySignature(
        'test_secret',
        enc.encode('{"hello":"world!"}'),
        't7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=',
      ),
    ).toBe(false);
  });

  it('checks the raw bytes, not a re-serialisation', async () => {
    const raw = '{ "hello" : "world" }';
    const sig = await signBody('test_secret', raw);
    expect(await verifySignature('test_secret', enc.encode(raw), sig)).toBe(true);
    expect(await verifySignature('test_secret', enc.encode(JSON.stringify(JSON.parse(raw))), sig)).toBe(false);
  });
});
