import { inArray } from 'drizzle-orm';
import type { Audience } from '../../broadcasts/audience';
import { composeMessages, speakerOf } from '../../broadcasts/compose';
import type { BroadcastMessageInput } from '../../broadcasts/messages';
import { T as BROADCAST_TEXTS } from '../../broadcasts/texts';
import type { Db } from '../../db/client';
import { staff, type BroadcastStatus } from '../../db/schema';
import { lineLength, LINE_LIMITS } from '../../line/limits';
import { DONE_JA, placeKey, STATUS_JA, TEST_FAILED_JA } from './texts';

/** Pieces the 配信 pages share: the status badge, the chat-bubble preview, names for ids. */

export const StatusBadge = ({ status }: { status: BroadcastStatus }) => (
  <span class={`badge s-${status}`}>{STATUS_JA[status]}</span>
);

/** A text as LINE counts it against its 5,000 (the one rule of src/line/limits.ts). */
export const countText = (text: string) =>
  `${lineLength('text', text).toLocaleString('ja-JP')} / ${LINE_LIMITS.textChars.toLocaleString('ja-JP')} 文字`;

/** One message as a bubble: text as it is, other kinds by what a resident sees of them. */
function Bubble({ m }: { m: BroadcastMessageInput }) {
  switch (m.type) {
    case 'text':
      return <div class="bubble">{m.text}</div>;
    case 'template': {
      const t = m.template;
      return (
        <div class="bubble">
          {'title' in t && t.title ? <strong class="bubble-title">{t.title}</strong> : null}
          {t.text}
          <span class="bubble-buttons">
            {t.actions.map((a) => (
              <span class="bubble-button">{a.label}</span>
            ))}
          </span>
        </div>
      );
    }
    case 'image':
      return <div class="bubble muted">（画像）</div>;
    case 'video':
      return <div class="bubble muted">（動画）</div>;
    case 'audio':
      return <div class="bubble muted">（音声）</div>;
    case 'sticker':
      return <div class="bubble muted">（スタンプ）</div>;
    case 'location':
      return (
        <div class="bubble">
          （位置情報）{m.title} {m.address}
        </div>
      );
    case 'flex':
      return <div class="bubble">{m.altText}</div>;
  }
}

/**
 * What residents will get, drawn like LINE's chat: the messages framed as they go out (the
 * sender line of a school or an association, the 「確認しました」 button), by compose.ts itself.
 */
export function Bubbles({
  messages,
  speaker,
  requestAck,
  label = '配信内容のプレビュー',
}: {
  messages: BroadcastMessageInput[];
  speaker: string | null;
  requestAck: boolean;
  label?: string;
}) {
  const framed = composeMessages(messages, { speaker, ackFor: requestAck ? 'preview' : null });
  return (
    // A figure, not a landmark (<section>): the queue shows many, and landmarks should be few and unique.
    <figure class="bubbles" aria-label={label} data-preview="">
      {framed.map((m) => (
        <Bubble m={m} />
      ))}
    </figure>
  );
}

/** The 「確認しました」 prompt, for the composer's script (the same words compose.ts sends). */
export const ACK_TEXTS = { prompt: BROADCAST_TEXTS.ackPrompt('ja'), label: BROADCAST_TEXTS.ackLabel('ja') };

/** Staff names by id, for 作成者/承認者 (the bootstrap token is 「管理者（初期トークン）」). */
export async function staffNames(d: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((i): i is string => i !== null && i !== 'system'))].slice(0, 90);
  const names = new Map<string, string>([
    ['bootstrap', '管理者（初期トークン）'],
    ['system', 'システム'],
  ]);
  if (wanted.length === 0) return names;
  const rows = await d.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, wanted)).all();
  for (const r of rows) names.set(r.id, r.name);
  return names;
}

/** The names of the schools and associations these audiences name, keyed `school:<id>` / `community:<id>`. */
export async function audienceNames(d: Db, audiences: Audience[]): Promise<Map<string, string>> {
  const keyed = new Map<string, Audience>();
  for (const a of audiences) {
    const key = placeKey(a);
    if (key) keyed.set(key, a);
  }
  const names = new Map<string, string>();
  await Promise.all(
    [...keyed].map(async ([key, a]) => {
      const name = await speakerOf(d, a);
      if (name) names.set(key, name);
    }),
  );
  return names;
}

/** The name residents see first for this audience (its school's or association's), from `audienceNames`. */
export const speakerIn = (names: ReadonlyMap<string, string>, a: Audience) => names.get(placeKey(a) ?? '') ?? null;

/** The notice or alert after a post/redirect/get: `?done=` or `?failed=` with a known key. */
export function Outcome({ done, failed }: { done?: string; failed?: string }) {
  const ok = done ? DONE_JA[done] : undefined;
  const bad = failed ? TEST_FAILED_JA[failed] : undefined;
  return (
    <>
      {ok ? (
        <p class="notice" role="status">
          {ok}
        </p>
      ) : null}
      {bad ? <p role="alert">{bad}</p> : null}
    </>
  );
}
