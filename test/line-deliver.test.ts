import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { lineClients } from '../src/line/client';
import { deliver } from '../src/line/deliver';
import { fitToLine, SHORTENED_NOTE } from '../src/line/fit';
import type { Msg } from '../src/line/messages';
import { fake, newUserId } from './helpers/line';

const STALE = () => Date.now() - 60_000;
const item = (label: string) => ({ type: 'action' as const, action: { type: 'message' as const, label, text: 'x' } });

async function pushOf(userId: string, messages: Msg[]) {
  const result = await deliver(
    lineClients(env),
    { userId, messages, replyState: 'untried', eventTimestamp: STALE(), retryKey: crypto.randomUUID() },
    Date.now(),
  );
  const [req] = await fake.requests({ to: userId, path: '/v2/bot/message/push' });
  return { result, sent: (req?.body as { messages: Record<string, any>[] } | undefined)?.messages };
}

describe('deliver() never sends silence: what breaks LINE’s limits is shortened, not dropped', () => {
  it('a text over 5,000 UTF-16 units is cut with a note and LINE accepts it', async () => {
    const u = newUserId();
    const { result, sent } = await pushOf(u, [{ type: 'text', text: '🍎'.repeat(4000) }]);
    expect(result).toEqual({ outcome: 'sent', via: 'push' });
    expect(sent![0]!.text.length).toBeLessThanOrEqual(5000);
    expect(sent![0]!.text.endsWith(SHORTENED_NOTE)).toBe(true);
    expect(sent![0]!.text.startsWith('🍎'.repeat(2000))).toBe(true);
  });

  it('more than 5 messages: the first four and the last (whose quick reply LINE shows) go out', async () => {
    const u = newUserId();
    const msgs: Msg[] = Array.from({ length: 7 }, (_, i) => ({ type: 'text', text: `m${i}` }));
    msgs[6] = { type: 'text', text: 'question', quickReply: { items: [item('はい')] } };
    const { result, sent } = await pushOf(u, msgs);
    expect(result.outcome).toBe('sent');
    expect(sent!.map((m) => m.text)).toEqual(['m0', 'm1', 'm2', `m3${SHORTENED_NOTE}`, 'question']);
  });

  it('a quick reply over 13 items keeps the first 12 and the last (中止); labels over 20 are cut', async () => {
    const u = newUserId();
    const items = Array.from({ length: 15 }, (_, i) => item(`選択肢${i}`));
    items[14] = item('中止');
    items[0] = item('あ'.repeat(25));
    const { result, sent } = await pushOf(u, [{ type: 'text', text: 'どれですか？', quickReply: { items } }]);
    expect(result.outcome).toBe('sent');
    const labels = sent![0]!.quickReply.items.map((i: { action: { label: string } }) => i.action.label);
    expect(labels).toHaveLength(13);
    expect(labels[0]).toBe(`${'あ'.repeat(19)}…`);
    expect(labels.at(-1)).toBe('中止');
  });

  it('a message within the limits is sent unchanged', () => {
    const msgs: Msg[] = [{ type: 'text', text: 'あ'.repeat(5000), quickReply: { items: [item('あ'.repeat(20))] } }];
    expect(fitToLine(msgs)).toEqual({ messages: msgs, changes: [] });
  });
});
