import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, BOOTSTRAP } from './helpers/api';

const MiB = 1024 * 1024;

/** A JSON body of `bytes` bytes: a valid-looking staff account with a long name. */
function bigBody(bytes: number): string {
  const head = '{"roles":["admin"],"name":"';
  return `${head}${'a'.repeat(bytes - head.length - 2)}"}`;
}

async function expectTooLarge(res: Response) {
  expect(res.status).toBe(413);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const p = await res.json<{ status: number; detail: string }>();
  expect(p.status).toBe(413);
  expect(p.detail).toContain(String(MiB));
}

describe('the staff API caps request bodies at 1 MiB', () => {
  it('refuses a larger body by its Content-Length with 413 problem+json', async () => {
    await expectTooLarge(
      await api('/staff', {
        method: 'POST',
        rawBody: bigBody(MiB + 1),
        headers: { 'content-type': 'application/json' },
      }),
    );
  });

  it('refuses a larger chunked body (no Content-Length) while reading it', async () => {
    const chunk = new TextEncoder().encode('a'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"roles":["admin"],"name":"'));
      },
      pull(c) {
        // Far more than the cap: the reader must stop, not buffer it all.
        if (sent++ < 64) c.enqueue(chunk);
        else c.close();
      },
    });
    const res = await exports.default.fetch(
      new Request('https://bot.example.jp/api/v1/staff', {
        method: 'POST',
        headers: { authorization: `Bearer ${BOOTSTRAP}`, 'content-type': 'application/json' },
        body,
        // @ts-expect-error: workerd's RequestInit knows duplex, the DOM types here do not
        duplex: 'half',
      }),
    );
    await expectTooLarge(res);
    expect(sent).toBeLessThan(64);
  });

  it('takes a body just under the cap to the route (which then judges it)', async () => {
    const res = await api('/staff', {
      method: 'POST',
      rawBody: bigBody(MiB - 10),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect((await res.json<{ detail: string }>()).detail).toMatch(/^name:/);
  });

  it('documents the 413 on every operation that takes a body', async () => {
    const doc = await (await exports.default.fetch('https://bot.example.jp/api/v1/openapi.json')).json<any>();
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths))
      for (const [method, op] of Object.entries<any>(item))
        if (op.requestBody) expect(op.responses['413'], `${method} ${path}`).toBeDefined();
  });
});
