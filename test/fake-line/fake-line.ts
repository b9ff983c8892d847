/**
 * A stand-in for the LINE platform, used by the tests (through miniflare's
 * outboundService) and by the local dev server (scripts/start.ts). It behaves like
 * LINE where our code depends on it: bearer auth, message validation with LINE's error
 * shape, single-use reply tokens, X-Line-Retry-Key (409 on a repeat, 400 when not a UUID),
 * at most 500 multicast recipients, profiles, image content on the data API, quota, and
 * failures a test can inject (status codes, 429, slow answers, "accepted but answer lost"),
 * one at a time or, in chaos mode (./chaos.ts, /__fake/chaos), on a seeded share of a test's calls.
 *
 * Control endpoints live under /__fake/ on the same host. Tests run in parallel files
 * against one fake, so they query and inject by their own user IDs.
 */

import { lineLength, type LineProperty } from '../../src/line/limits.ts';
import { Chaos, callIdentity, type ChaosAction, type ChaosConfig } from './chaos.ts';

export interface RecordedRequest {
  id: string;
  at: number;
  method: string;
  path: string;
  retryKey: string | null;
  /** Recipients: push `to`, multicast `to[]`, reply → the user the token was issued for when known. */
  to: string[];
  body: unknown;
}

/** Every attempt at a send (reply, push, multicast, broadcast, narrowcast), with LINE's answer, injected failures included. */
export interface RecordedAttempt {
  at: number;
  path: string;
  retryKey: string | null;
  to: string[];
  /** LINE's answer; 0 while the attempt is still waiting for it. */
  status: number;
}

export interface Injection {
  /** Path prefix the failure applies to, e.g. /v2/bot/message/push */
  path: string;
  /** Only requests addressed to this user (push/multicast recipients or reply token owner). */
  to?: string;
  status: number;
  /** How many matching requests fail; then the fake behaves normally again. */
  times: number;
  /** Wait this long before answering (to exercise timeouts); with acceptFirst, after accepting. */
  delayMs?: number;
  /** Accept and record the request at once, then answer with the failure anyway (a lost answer). */
  acceptFirst?: boolean;
  body?: unknown;
}

export interface FakeLineOptions {
  /** Log every message the bot sends in readable form (the dev server does). */
  log?: (line: string) => void;
  /** Requests per second per endpoint family before 429 (LINE: multicast 200/s, most 2,000/s). 0 = no limit. */
  rateLimits?: Partial<Record<'multicast' | 'push' | 'reply' | 'broadcast' | 'narrowcast', number>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class FakeLine {
  requests: RecordedRequest[] = [];
  attempts: RecordedAttempt[] = [];
  injections: Injection[] = [];
  retryKeys = new Map<string, string>();
  usedReplyTokens = new Set<string>();
  profiles = new Map<string, { displayName: string; language?: string }>();
  contents = new Map<string, { type: string; bytes: Uint8Array }>();
  quota = { type: 'limited' as 'limited' | 'none', value: 1_000_000 };
  /** Chaos modes turned on by tests, by scope (parallel files each have their own). */
  chaos = new Map<string, Chaos>();
  private rateWindows = new Map<string, { second: number; count: number }>();
  private seq = 0;

  constructor(private options: FakeLineOptions = {}) {}

  reset(): void {
    this.requests = [];
    this.attempts = [];
    this.injections = [];
    this.retryKeys.clear();
    this.usedReplyTokens.clear();
    this.profiles.clear();
    this.contents.clear();
    this.rateWindows.clear();
    this.chaos.clear();
  }

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/__fake/')) return this.control(request, url);

    const auth = request.headers.get('authorization') ?? '';
    if (!/^Bearer \S+/.test(auth)) {
      return json(401, {
        message: 'Authentication failed. Confirm that the access token in the authorization header is valid.',
      });
    }

    const isBinary = /^image\//.test(request.headers.get('content-type') ?? '');
    const raw = request.method === 'GET' || request.method === 'DELETE' || isBinary ? '' : await request.text();
    const body = parseJson(raw);
    const path = url.pathname;
    const to = recipients(path, body);
    // Logged on arrival, so a slow attempt shows up even before it is answered (status 0 until then).
    const attempt: RecordedAttempt = {
      at: Date.now(),
      path,
      retryKey: request.headers.get('x-line-retry-key'),
      to,
      status: 0,
    };
    if (request.method === 'POST' && sendFamily(path)) this.attempts.push(attempt);
    const response = await this.answer(request, url, body, raw, to);
    attempt.status = response.status;
    return response;
  }

  private async answer(request: Request, url: URL, body: unknown, raw: string, to: string[]): Promise<Response> {
    const injection = this.takeInjection(url.pathname, to);
    const wait = () => new Promise((r) => setTimeout(r, injection?.delayMs ?? 0));
    if (!injection) {
      const chaos = this.chaosFor(request.method, url.pathname, raw, body, to);
      return chaos ? this.misbehave(chaos, request, url, body, to) : this.route(request, url, body, to);
    }
    // Accepted at once (a retry key or reply token is spent now), answered late or wrongly: a lost answer.
    if (injection.acceptFirst) await this.route(request, url, body, to);
    await wait();
    return json(injection.status, injection.body ?? errorBody(injection.status));
  }

  private async route(request: Request, url: URL, body: unknown, to: string[]): Promise<Response> {
    const path = url.pathname;
    const method = request.method;
    const retryKey = request.headers.get('x-line-retry-key');

    // The one path segment a route takes (a user, message or rich menu id), or null.
    const param = (m: string, re: RegExp) => (method === m ? (path.match(re)?.[1] ?? null) : null);
    const profileOf = param('GET', /^\/v2\/bot\/profile\/([^/]+)$/);
    if (profileOf !== null) {
      const userId = decodeURIComponent(profileOf);
      const p = this.profiles.get(userId) ?? { displayName: 'テスト 利用者', language: 'ja' };
      return json(200, { userId, displayName: p.displayName, language: p.language });
    }
    const contentOf = param('GET', /^\/v2\/bot\/message\/([^/]+)\/content$/);
    if (contentOf !== null) {
      const content = this.contents.get(decodeURIComponent(contentOf));
      if (!content) return json(404, { message: 'Not found' });
      return new Response(content.bytes, { status: 200, headers: { 'content-type': content.type } });
    }
    if (method === 'GET' && path === '/v2/bot/message/quota') return json(200, this.quota);
    if (method === 'GET' && path === '/v2/bot/message/quota/consumption') {
      return json(200, { totalUsage: this.deliveredCount() });
    }

    const family = sendFamily(path);
    if (method === 'POST' && family) {
      if (this.overRate(family)) return json(429, { message: 'Too Many Requests' });
      const invalid = validateSend(family, body);
      if (invalid) return json(400, invalid);
      if (family === 'reply') {
        const token = (body as { replyToken: string }).replyToken;
        if (this.usedReplyTokens.has(token)) return json(400, { message: 'Invalid reply token' });
        this.usedReplyTokens.add(token);
      } else if (retryKey !== null) {
        if (!UUID.test(retryKey)) return json(400, { message: 'The value for the X-Line-Retry-Key header is invalid' });
        const accepted = this.retryKeys.get(retryKey);
        if (accepted) {
          return json(
            409,
            { message: 'The retry key is already accepted' },
            { 'x-line-accepted-request-id': accepted },
          );
        }
      }
      const id = `req-${++this.seq}`;
      if (retryKey && family !== 'reply') this.retryKeys.set(retryKey, id);
      this.requests.push({ id, at: Date.now(), method, path, retryKey, to, body });
      this.logSend(family, to, body);
      return json(200, family === 'reply' || family === 'push' ? { sentMessages: sentMessages(body) } : {}, {
        'x-line-request-id': id,
      });
    }

    if (method === 'POST' && path === '/v2/bot/richmenu') {
      const id = `richmenu-${++this.seq}`;
      this.requests.push({ id, at: Date.now(), method, path, retryKey, to, body });
      return json(200, { richMenuId: id });
    }
    if (param('POST', /^\/v2\/bot\/richmenu\/([^/]+)\/content$/) !== null) {
      const type = request.headers.get('content-type') ?? '';
      if (type !== 'image/png' && type !== 'image/jpeg') return json(400, { message: 'Unsupported content type' });
      const id = `req-${++this.seq}`;
      this.requests.push({
        id,
        at: Date.now(),
        method,
        path,
        retryKey,
        to,
        body: { contentType: type, bytes: (await request.arrayBuffer()).byteLength },
      });
      return json(200, {});
    }

    // Anything else our code may call is recorded and accepted.
    const id = `req-${++this.seq}`;
    this.requests.push({ id, at: Date.now(), method, path, retryKey, to, body });
    return json(200, {});
  }

  private chaosFor(method: string, path: string, raw: string, body: unknown, to: string[]): ChaosAction | null {
    for (const chaos of this.chaos.values()) {
      if (chaos.matches(path, raw)) return chaos.decide(callIdentity(method, path, to, body));
    }
    return null;
  }

  private async misbehave(action: ChaosAction, request: Request, url: URL, body: unknown, to: string[]) {
    const wait = () => new Promise((r) => setTimeout(r, action.delayMs));
    if (action.kind === 'slow') {
      await wait();
      return this.route(request, url, body, to);
    }
    if (action.acceptFirst) await this.route(request, url, body, to);
    await wait();
    return json(action.status, errorBody(action.status));
  }

  private takeInjection(path: string, to: string[]): Injection | undefined {
    const i = this.injections.findIndex((inj) => path.startsWith(inj.path) && (!inj.to || to.includes(inj.to)));
    if (i < 0) return undefined;
    const inj = this.injections[i]!;
    inj.times -= 1;
    if (inj.times <= 0) this.injections.splice(i, 1);
    return inj;
  }

  private overRate(family: string): boolean {
    const limit = this.options.rateLimits?.[family as keyof NonNullable<FakeLineOptions['rateLimits']>];
    if (!limit) return false;
    const second = Math.floor(Date.now() / 1000);
    const w = this.rateWindows.get(family);
    if (!w || w.second !== second) {
      this.rateWindows.set(family, { second, count: 1 });
      return false;
    }
    w.count += 1;
    return w.count > limit;
  }

  private deliveredCount(): number {
    return this.requests.filter((r) => sendFamily(r.path)).reduce((n, r) => n + Math.max(1, r.to.length), 0);
  }

  private logSend(family: string, to: string[], body: unknown): void {
    if (!this.options.log) return;
    const messages = ((body as { messages?: unknown[] })?.messages ?? []) as Record<string, unknown>[];
    const who = family === 'broadcast' ? 'all friends' : to.length ? to.join(', ') : 'reply token';
    this.options.log(`── LINE ${family} → ${who}`);
    for (const msg of messages) this.options.log(describe(msg));
  }

  private async control(request: Request, url: URL): Promise<Response> {
    const path = url.pathname.slice('/__fake/'.length);
    if (path === 'reset' && request.method === 'POST') {
      this.reset();
      return json(200, {});
    }
    if (path === 'requests' && request.method === 'GET') {
      const to = url.searchParams.get('to');
      const prefix = url.searchParams.get('path');
      const replyToken = url.searchParams.get('replyToken');
      return json(
        200,
        this.requests.filter(
          (r) =>
            (!to || r.to.includes(to)) &&
            (!prefix || r.path.startsWith(prefix)) &&
            (!replyToken || (r.body as { replyToken?: string })?.replyToken === replyToken),
        ),
      );
    }
    if (path === 'attempts' && request.method === 'GET') {
      const to = url.searchParams.get('to');
      const prefix = url.searchParams.get('path');
      return json(
        200,
        this.attempts.filter((a) => (!to || a.to.includes(to)) && (!prefix || a.path.startsWith(prefix))),
      );
    }
    if (path === 'inject' && request.method === 'POST') {
      this.injections.push((await request.json()) as Injection);
      return json(200, {});
    }
    if (path === 'chaos') return this.chaosControl(request, url);
    if (path === 'profile' && request.method === 'POST') {
      const p = (await request.json()) as { userId: string; displayName?: string; language?: string };
      this.profiles.set(p.userId, { displayName: p.displayName ?? 'テスト 利用者', language: p.language });
      return json(200, {});
    }
    if (path === 'content' && request.method === 'POST') {
      const messageId = url.searchParams.get('messageId');
      if (!messageId) return json(400, { message: 'messageId is required' });
      this.contents.set(messageId, {
        type: request.headers.get('content-type') ?? 'application/octet-stream',
        bytes: new Uint8Array(await request.arrayBuffer()),
      });
      return json(200, {});
    }
    if (path === 'quota' && request.method === 'POST') {
      Object.assign(this.quota, await request.json());
      return json(200, {});
    }
    return json(404, { message: `unknown fake control ${path}` });
  }

  /**
   * POST a ChaosConfig to turn chaos on for its scope; GET ?scope= for its stats; DELETE ?scope=
   * turns it off and answers the stats. GET without a scope answers the seeds the run was asked
   * to replay (CHAOS_SEED, FUZZ_SEED and FUZZ_RUNS in the environment of the process running
   * the fake: tests inside workerd cannot read it), or null.
   */
  private async chaosControl(request: Request, url: URL): Promise<Response> {
    const scope = url.searchParams.get('scope');
    if (request.method === 'POST') {
      const config = (await request.json()) as ChaosConfig;
      if (!config.scope || config.scope.length < 6) return json(400, { message: 'scope of 6 characters or more' });
      this.chaos.set(config.scope, new Chaos(config));
      return json(200, {});
    }
    if (!scope && request.method === 'GET') {
      const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
      const seed = (name: string) => (env[name] ? Number(env[name]) : null);
      return json(200, { seed: seed('CHAOS_SEED'), fuzzSeed: seed('FUZZ_SEED'), fuzzRuns: seed('FUZZ_RUNS') });
    }
    const chaos = scope ? this.chaos.get(scope) : undefined;
    if (!chaos) return json(404, { message: `no chaos for scope ${scope}` });
    if (request.method === 'DELETE') this.chaos.delete(scope!);
    return json(200, chaos.stats);
  }
}

type Family = 'reply' | 'push' | 'multicast' | 'broadcast' | 'narrowcast';

function sendFamily(path: string): Family | null {
  const m = path.match(/^\/v2\/bot\/message\/(reply|push|multicast|broadcast|narrowcast)$/);
  return m ? (m[1] as Family) : null;
}

function recipients(path: string, body: unknown): string[] {
  const b = body as { to?: unknown; replyToken?: string } | undefined;
  if (!b) return [];
  if (typeof b.to === 'string') return [b.to];
  if (Array.isArray(b.to)) return b.to.filter((x): x is string => typeof x === 'string');
  // Tests name reply tokens after their user (`reply:<userId>:<n>`), so replies can be found by user too.
  if (path.endsWith('/reply') && typeof b.replyToken === 'string') {
    const m = b.replyToken.match(/^reply:([^:]+):/);
    if (m) return [m[1]!];
  }
  return [];
}

/** LINE's validation, as far as our messages go. Returns LINE's error body, or null when valid. */
/** LINE's answer to a malformed recipient ID (line-platform-feedback#32, line-bot-sdk-java#54). */
const INVALID_TO = { message: "The property, 'to', in the request body is invalid (line: -, column: -)" };

export function validateSend(
  family: Family,
  body: unknown,
): { message: string; details?: { message: string; property: string }[] } | null {
  const b = body as Record<string, unknown> | undefined;
  const details: { message: string; property: string }[] = [];
  if (!b || typeof b !== 'object')
    return { message: 'The request body has 1 error(s)', details: [{ message: 'must be specified', property: '' }] };
  if (family === 'reply' && typeof b.replyToken !== 'string')
    details.push({ message: 'must be specified', property: 'replyToken' });
  if (family === 'push' && typeof b.to !== 'string') details.push({ message: 'must be specified', property: 'to' });
  // LINE refuses a `to` that is not a user (group, room) ID before looking at anything else.
  if (family === 'push' && typeof b.to === 'string' && !/^[UCR][0-9a-f]{32}$/.test(b.to)) return INVALID_TO;
  if (family === 'multicast') {
    if (!Array.isArray(b.to) || b.to.length === 0) details.push({ message: 'must be specified', property: 'to' });
    else if (b.to.length > 500) details.push({ message: 'Size must be between 1 and 500', property: 'to' });
    else if (b.to.some((id) => typeof id !== 'string' || !/^U[0-9a-f]{32}$/.test(id))) return INVALID_TO;
  }
  const messages = b.messages;
  if (!Array.isArray(messages) || messages.length === 0 || messages.length > 5) {
    details.push({ message: 'Size must be between 1 and 5', property: 'messages' });
  } else {
    for (const [i, msg] of messages.entries())
      details.push(...validateMessage(msg as Record<string, unknown>, `messages[${i}]`));
  }
  return details.length ? { message: `The request body has ${details.length} error(s)`, details } : null;
}

function validateMessage(msg: Record<string, unknown>, at: string): { message: string; property: string }[] {
  const errs: { message: string; property: string }[] = [];
  // LINE counts most text in UTF-16 code units and labels and template texts in graphemes.
  const len = (property: LineProperty, s: unknown) => (typeof s === 'string' ? lineLength(property, s) : -1);
  switch (msg?.type) {
    case 'text':
      if (len('text', msg.text) < 1 || len('text', msg.text) > 5000)
        errs.push({ message: 'Length must be between 1 and 5000', property: `${at}.text` });
      break;
    case 'template': {
      if (len('altText', msg.altText) < 1 || len('altText', msg.altText) > 400)
        errs.push({ message: 'Length must be between 1 and 400', property: `${at}.altText` });
      const t = msg.template as Record<string, unknown> | undefined;
      const actions = (t?.actions ?? []) as Record<string, unknown>[];
      if (t?.type === 'buttons') {
        const max = t.thumbnailImageUrl || t.title ? 60 : 160;
        if (len('template.text', t.text) < 1 || len('template.text', t.text) > max)
          errs.push({ message: `Length must be between 1 and ${max}`, property: `${at}.template.text` });
        if (actions.length < 1 || actions.length > 4)
          errs.push({ message: 'Size must be between 1 and 4', property: `${at}.template.actions` });
      }
      if (
        t?.type === 'buttons' &&
        t.title !== undefined &&
        (len('template.title', t.title) < 1 || len('template.title', t.title) > 40)
      )
        errs.push({ message: 'Length must be between 1 and 40', property: `${at}.template.title` });
      if (t?.type === 'confirm') {
        if (actions.length !== 2) errs.push({ message: 'Size must be 2', property: `${at}.template.actions` });
        if (len('template.text', t.text) < 1 || len('template.text', t.text) > 240)
          errs.push({ message: 'Length must be between 1 and 240', property: `${at}.template.text` });
      }
      actions.forEach((a, i) => {
        if (len('action.label', a.label) > 20)
          errs.push({ message: 'Length must be between 0 and 20', property: `${at}.template.actions[${i}].label` });
      });
      break;
    }
    case 'image':
      for (const k of ['originalContentUrl', 'previewImageUrl']) {
        if (typeof msg[k] !== 'string' || !(msg[k] as string).startsWith('https://'))
          errs.push({ message: 'must be a valid HTTPS URL', property: `${at}.${k}` });
      }
      break;
    case 'flex':
    case 'sticker':
    case 'location':
    case 'imagemap':
    case 'video':
    case 'audio':
      break;
    default:
      errs.push({ message: 'invalid message type', property: `${at}.type` });
  }
  const items = (msg?.quickReply as { items?: Record<string, unknown>[] } | undefined)?.items;
  if (items) {
    if (items.length < 1 || items.length > 13)
      errs.push({ message: 'Size must be between 1 and 13', property: `${at}.quickReply.items` });
    items.forEach((it, i) => {
      errs.push(
        ...validatePicker(it.action as Record<string, unknown> | undefined, `${at}.quickReply.items[${i}].action`),
      );
      const label = (it.action as Record<string, unknown> | undefined)?.label;
      if (len('action.label', label) > 20)
        errs.push({
          message: 'Length must be between 0 and 20',
          property: `${at}.quickReply.items[${i}].action.label`,
        });
    });
  }
  return errs;
}

/** The formats LINE's datetime picker action takes, by mode (Messaging API reference). */
const PICKER_FORMATS: Record<string, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}$/,
  datetime: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/,
};

function validatePicker(a: Record<string, unknown> | undefined, at: string): { message: string; property: string }[] {
  if (a?.type !== 'datetimepicker') return [];
  const format = PICKER_FORMATS[String(a.mode)];
  if (!format) return [{ message: 'must be one of date, time, datetime', property: `${at}.mode` }];
  const errs: { message: string; property: string }[] = [];
  for (const k of ['initial', 'min', 'max'] as const) {
    if (a[k] !== undefined && (typeof a[k] !== 'string' || !format.test(a[k] as string)))
      errs.push({ message: 'invalid format', property: `${at}.${k}` });
  }
  if (typeof a.min === 'string' && typeof a.max === 'string' && a.min > a.max)
    errs.push({ message: 'min must be before max', property: `${at}.min` });
  return errs;
}

function sentMessages(body: unknown) {
  const n = ((body as { messages?: unknown[] })?.messages ?? []).length;
  return Array.from({ length: n }, (_, i) => ({ id: `${Date.now()}${i}`, quoteToken: `q${Date.now()}${i}` }));
}

function describe(msg: Record<string, unknown>): string {
  const quick = (msg.quickReply as { items?: { action: { label?: string } }[] } | undefined)?.items
    ?.map((i) => `[${i.action.label}]`)
    .join(' ');
  let out: string;
  if (msg.type === 'text') out = String(msg.text);
  else if (msg.type === 'template') {
    const t = msg.template as { text?: string; actions?: { label?: string }[] };
    out = `${t.text ?? msg.altText}\n${(t.actions ?? []).map((a) => `[${a.label}]`).join(' ')}`;
  } else out = `(${msg.type}) ${String(msg.altText ?? '')}`;
  const body = out
    .split('\n')
    .map((l) => `   │ ${l}`)
    .join('\n');
  return quick ? `${body}\n   │ quick reply: ${quick}` : body;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorBody(status: number) {
  if (status === 429) return { message: 'Too Many Requests' };
  if (status >= 500) return { message: 'Internal Server Error' };
  return { message: `Error ${status}` };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
