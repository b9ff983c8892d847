/**
 * A resident's LINE chat, driven the way `npm run simulate` drives it: signed webhook events
 * as LINE would send them, and the bot's answers read back from the fake LINE platform.
 * Buttons are tapped by their label, looked up in what the bot last sent, so a scenario
 * follows the flow as it is instead of hard-coding postback data.
 */
import { absenceTourSteps } from '../../scripts/lib/absence-tour.ts';
import { signBody } from '../../src/line/signature.ts';
import { CHANNEL_SECRET, type Sent, sent, WORKER } from './harness.ts';

interface Action {
  type: string;
  label?: string;
  data?: string;
  text?: string;
}

/** A LINE user ID as LINE makes them: U + 32 hex. */
const newUserId = () => `U${crypto.randomUUID().replace(/-/g, '')}`;

export class Resident {
  readonly userId = newUserId();
  private last: Sent[] = [];
  private seq = 0;

  /** Sends one event and answers what the bot sent back once it has gone quiet. */
  async send(event: Record<string, unknown>): Promise<Sent[]> {
    const before = (await sent({ to: this.userId })).length;
    const body = JSON.stringify({ destination: 'Udeadbeefdeadbeefdeadbeefdeadbeef', events: [event] });
    const res = await fetch(`${WORKER}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-line-signature': await signBody(CHANNEL_SECRET, body) },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`the webhook answered ${res.status}`);
    this.last = await this.answerAfter(before);
    return this.last;
  }

  follow() {
    return this.send({ ...this.base('follow'), follow: { isUnblocked: false } });
  }

  text(text: string) {
    return this.send({ ...this.base('message'), message: { id: this.messageId(), type: 'text', text } });
  }

  location(latitude: number, longitude: number, address: string) {
    return this.send({
      ...this.base('message'),
      message: { id: this.messageId(), type: 'location', latitude, longitude, address },
    });
  }

  /** Taps the button labelled `label` in the bot's last answer (quick reply or template). */
  tap(label: string) {
    const action = this.offered(label);
    if (action?.type === 'postback' && action.data)
      return this.send({ ...this.base('postback'), postback: { data: action.data } });
    if (action?.type === 'message' && action.text) return this.text(action.text);
    throw new Error(`The bot offered no button "${label}"; it last said: ${this.lastWords()}`);
  }

  offered(label: string): Action | undefined {
    for (const r of [...this.last].reverse()) {
      for (const m of [...(r.body.messages ?? [])].reverse()) {
        const quick = ((m.quickReply as { items?: { action: Action }[] } | undefined)?.items ?? []).map(
          (i) => i.action,
        );
        const template = (m.template as { actions?: Action[] } | undefined)?.actions ?? [];
        const action = [...quick, ...template].find((a) => a.label === label);
        if (action) return action;
      }
    }
    return undefined;
  }

  /** Every text the bot last sent, joined (for matching a receipt and for failure messages). */
  lastWords(): string {
    return this.last
      .flatMap((r) => r.body.messages ?? [])
      .map((m) => String(m.text ?? (m.template as { text?: string } | undefined)?.text ?? m.altText ?? ''))
      .join(' / ');
  }

  /** follow, then 同意する on the prompt the bot sent. */
  async join(): Promise<void> {
    await this.follow();
    await this.tap('同意する');
  }

  /** A whole road damage report at Okayama City Hall (the steps of `simulate -- report-tour`); answers its number. */
  async report(description: string): Promise<string> {
    await this.join();
    await this.text('通報');
    await this.tap('LINEで通報する');
    await this.tap('道路');
    await this.tap('穴・陥没');
    await this.location(34.6551, 133.9195, '岡山県岡山市北区大供1丁目1-1');
    // An earlier report nearby makes the bot ask whether it is the same damage.
    if (this.offered('別の損傷として通報する')) await this.tap('別の損傷として通報する');
    await this.tap('写真なしで進む');
    await this.text(description);
    await this.tap('送信');
    const number = this.lastWords().match(/受付番号：(R-\d{4}-\d+)/)?.[1];
    if (!number) throw new Error(`The report ended without a receipt: ${this.lastWords()}`);
    return number;
  }

  /** Links a child with a registration code and sends an absence notice for today; answers its receipt. */
  async absenceToday(code: string): Promise<string> {
    await this.join();
    for (const step of absenceTourSteps(code)) {
      if ('tap' in step) await this.tap(step.tap === '明日' ? '今日' : step.tap);
      else if (!step.whenOffered || this.offered(step.whenOffered)) await this.text(step.text);
    }
    const receipt = this.lastWords().match(/受付番号：(A-\d{4}-\d{6})/)?.[1];
    if (!receipt) throw new Error(`The notice ended without a receipt: ${this.lastWords()}`);
    return receipt;
  }

  private base(type: string): Record<string, unknown> {
    this.seq += 1;
    return {
      type,
      mode: 'active',
      timestamp: Date.now(),
      source: { type: 'user', userId: this.userId },
      webhookEventId: `01E2E${Date.now().toString(36).toUpperCase()}${crypto.randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`,
      deliveryContext: { isRedelivery: false },
      // The fake LINE files a reply under the user named in its token.
      replyToken: `reply:${this.userId}:${Date.now()}${this.seq}`,
    };
  }

  private messageId(): string {
    return `${Date.now()}${String(this.seq).padStart(3, '0')}`;
  }

  /** What arrived after the first `before` requests: once something came and nothing more for a moment. */
  private async answerAfter(before: number): Promise<Sent[]> {
    const deadline = Date.now() + 20_000;
    let seen = before;
    let quietSince = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const all = await sent({ to: this.userId });
      if (all.length > seen) {
        seen = all.length;
        quietSince = Date.now();
      }
      if (all.length > before && Date.now() - quietSince > 400) return all.slice(before);
      if (Date.now() > deadline) throw new Error('The bot answered nothing within 20 s.');
    }
  }
}
