/**
 * `npm run simulate -- <scenario> [--user Uxxx] [--text "..."] [--code XXXXXXXX]`: sends signed sample
 * webhook events to the worker started by `npm start`, then prints what the bot sent to
 * that user (as recorded by the fake LINE platform).
 *
 * Scenarios: follow, consent, text, sticker, report, unfollow, tour (follow → consent → text),
 * report-tour (a whole damage report, tapping the buttons the bot offers), link (「職員 <code>」),
 * community-tour (joins the demo unit with an invite code, then a leader's post arrives).
 */
import { signBody } from '../src/line/signature.ts';
import { leaderPost } from './lib/community-post.ts';
import { demoCommunities, demoInvite } from './lib/demo-communities.ts';
import { DEV_USER_ID, LINE_USER_ID } from './lib/dev-user.ts';
import { print, type RecordedRequest } from './lib/print-sent.ts';
import { FAKE_LINE_URL, localConfig, WORKER_URL } from './start.ts';

const SCENARIOS = [
  'follow',
  'consent',
  'text',
  'sticker',
  'report',
  'unfollow',
  'tour',
  'report-tour',
  'link',
  'community-tour',
] as const;
type Scenario = (typeof SCENARIOS)[number];

/** The user single steps are sent as, so `follow`, then `consent`, then `report` act on one resident. */
const DEFAULT_USER = DEV_USER_ID;
const DEFAULT_TEXT = 'こんにちは。ごみの収集日を教えてください。';
/** The report flow's button for "not the nearby report: go on with mine". */
const CONTINUE_OWN = '別の損傷として通報する';

const USAGE = `Usage: npm run simulate -- <scenario> [--user Uxxx] [--text "..."] [--code XXXXXXXX]

Scenarios:
  follow     the resident adds the account as a friend (greeting + consent prompt)
  consent    the resident taps 同意する (postback action=consent&v=<TERMS_VERSION>)
  text       a free-text message (the policy §6 answer; --text to choose the words)
  sticker    a sticker
  report     taps the road/park damage report menu (postback action=start&service=report)
  unfollow   the resident blocks the account (the bot sends nothing)
  tour       follow → consent → text, as a new resident unless --user is given
  report-tour  follow → consent → a whole road damage report (safety → 道路 → 穴・陥没 →
             location at Okayama City Hall → no photo → description → 送信), as a new resident
  link --code <code>  sends 「職員 <code>」: links this LINE user to the staff account that got the
             code from POST /api/v1/staff/me/link-code, so test sends of broadcasts reach it
  community-tour [--code <code>]  follow → consent → 町内会 → the invite code (a new one for the
             demo unit unless given) → はい → a display name; then a leader of the unit posts and
             a cron tick delivers it

Single scenarios use the user ${DEFAULT_USER} unless --user is given.
Needs \`npm start\` running in another terminal.`;

function parseArgs(argv: string[]): { scenario: Scenario; user?: string; text?: string; code?: string } {
  let scenario: string | undefined;
  let user: string | undefined;
  let text: string | undefined;
  let code: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a === '--user' || a === '--text' || a === '--code') {
      const value = argv[++i];
      if (value === undefined) fail(`${a} needs a value.\n\n${USAGE}`);
      if (a === '--user') user = value;
      else if (a === '--code') code = value;
      else text = value;
    } else if (a.startsWith('--user=')) user = a.slice('--user='.length);
    else if (a.startsWith('--text=')) text = a.slice('--text='.length);
    else if (a.startsWith('--code=')) code = a.slice('--code='.length);
    else if (!scenario) scenario = a;
    else fail(`Unexpected argument: ${a}\n\n${USAGE}`);
  }
  if (!scenario) fail(USAGE);
  if (!(SCENARIOS as readonly string[]).includes(scenario)) fail(`Unknown scenario "${scenario}".\n\n${USAGE}`);
  // LINE refuses any other shape in a push or multicast, so the fake LINE does too.
  if (user !== undefined && !LINE_USER_ID.test(user))
    fail('--user must look like a LINE user ID: "U" followed by 32 lowercase hex digits.');
  if (scenario === 'link' && !code) fail(`link needs --code (from POST /api/v1/staff/me/link-code).\n\n${USAGE}`);
  return { scenario: scenario as Scenario, user, text, code };
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

// ── events, shaped like LINE's (and like test/helpers/line.ts builds them) ──────────────

let seq = 0;

function baseEvent(userId: string, type: string): Record<string, unknown> {
  seq += 1;
  const ev: Record<string, unknown> = {
    type,
    mode: 'active',
    timestamp: Date.now(),
    source: { type: 'user', userId },
    webhookEventId: `01SIM${Date.now().toString(36).toUpperCase()}${crypto.randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`,
    deliveryContext: { isRedelivery: false },
  };
  // The fake LINE files a reply under the user named in its token.
  if (type !== 'unfollow') ev.replyToken = `reply:${userId}:${Date.now()}${seq}`;
  return ev;
}

function messageId(): string {
  return `${Date.now()}${String(seq).padStart(3, '0')}`;
}

const build = {
  follow: (u: string) => ({ ...baseEvent(u, 'follow'), follow: { isUnblocked: false } }),
  unfollow: (u: string) => baseEvent(u, 'unfollow'),
  text: (u: string, text: string) => {
    const ev = baseEvent(u, 'message');
    return { ...ev, message: { id: messageId(), type: 'text', text, quoteToken: `q${messageId()}` } };
  },
  sticker: (u: string) => {
    const ev = baseEvent(u, 'message');
    return {
      ...ev,
      message: {
        id: messageId(),
        type: 'sticker',
        packageId: '446',
        stickerId: '1988',
        stickerResourceType: 'STATIC',
        quoteToken: `q${messageId()}`,
      },
    };
  },
  postback: (u: string, data: string) => ({ ...baseEvent(u, 'postback'), postback: { data } }),
  location: (u: string, latitude: number, longitude: number, address: string) => ({
    ...baseEvent(u, 'message'),
    message: { id: messageId(), type: 'location', latitude, longitude, address },
  }),
};

/**
 * The event a resident's tap on the button labelled `label` produces, looked up in what
 * the bot last sent (quick reply items and template actions), so the tour follows the
 * flow as it is rather than hard-coding its postback data.
 */
function tap(u: string, previous: RecordedRequest[], label: string): Record<string, unknown> {
  const action = offered(previous, label);
  if (action?.type === 'postback' && action.data) return build.postback(u, action.data);
  if (action?.type === 'message' && action.text) return build.text(u, action.text);
  fail(`The bot offered no button labelled "${label}" (see its last answer above).`);
}

/** The button labelled `label` in what the bot last sent, if it offered one. */
function offered(previous: RecordedRequest[], label: string): Action | undefined {
  for (const r of [...previous].reverse()) {
    for (const m of [...(r.body.messages ?? [])].reverse()) {
      const quick = ((m.quickReply as { items?: { action: Action }[] } | undefined)?.items ?? []).map((i) => i.action);
      const template = (m.template as { actions?: Action[] } | undefined)?.actions ?? [];
      const action = [...quick, ...template].find((a) => a.label === label);
      if (action) return action;
    }
  }
  return undefined;
}

interface Action {
  type: string;
  label?: string;
  data?: string;
  text?: string;
}

// ── talking to the worker and the fake ───────────────────────────────────────────────

const cfg = localConfig();

async function postEvent(event: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify({ destination: 'Udeadbeefdeadbeefdeadbeefdeadbeef', events: [event] });
  const signature = await signBody(cfg.effective.LINE_CHANNEL_SECRET!, body);
  let res: Response;
  try {
    res = await fetch(`${WORKER_URL}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-line-signature': signature },
      body,
    });
  } catch {
    fail(`The worker is not running at ${WORKER_URL}: run \`npm start\` first (in another terminal).`);
  }
  if (res.status !== 200) {
    const detail = await res.text();
    const hint =
      res.status === 401
        ? ' The worker runs with another LINE_CHANNEL_SECRET than this script: was .dev.vars changed after `npm start`? Restart it.'
        : res.status === 503
          ? ' A secret is missing in the worker.'
          : '';
    fail(`The webhook answered ${res.status}: ${detail}${hint}`);
  }
}

async function checkWorker(): Promise<void> {
  try {
    await (await fetch(`${WORKER_URL}/`, { signal: AbortSignal.timeout(5_000) })).arrayBuffer();
  } catch {
    fail(`The worker is not running at ${WORKER_URL}: run \`npm start\` first (in another terminal).`);
  }
}

async function sentTo(userId: string): Promise<RecordedRequest[]> {
  try {
    const res = await fetch(`${FAKE_LINE_URL}/__fake/requests?to=${encodeURIComponent(userId)}`);
    return (await res.json()) as RecordedRequest[];
  } catch {
    fail(`The fake LINE platform is not running at ${FAKE_LINE_URL}: run \`npm start\` first (in another terminal).`);
  }
}

/**
 * Waits for what the bot sends after an event: until something new arrives and nothing
 * more has come for a moment, or until the timeout when nothing comes at all.
 */
async function awaitAnswer(userId: string, before: number, { expectNothing = false } = {}): Promise<RecordedRequest[]> {
  const deadline = Date.now() + (expectNothing ? 1_500 : 8_000);
  let seen = before;
  let quietSince = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 150));
    const all = await sentTo(userId);
    if (all.length > seen) {
      seen = all.length;
      quietSince = Date.now();
    }
    const news = all.slice(before);
    if (news.length > 0 && Date.now() - quietSince > 600) return news;
    if (Date.now() > deadline) return news;
  }
}

/** The consent button's data from what the bot last sent, if there was one. */
function consentDataFrom(requests: RecordedRequest[]): string | undefined {
  for (const r of [...requests].reverse()) {
    for (const m of r.body.messages ?? []) {
      const actions = (
        (m.template as { actions?: { type: string; data?: string }[] } | undefined)?.actions ?? []
      ).filter((a) => a.type === 'postback' && a.data?.startsWith('action=consent'));
      if (actions[0]?.data) return actions[0].data;
    }
  }
  return undefined;
}

// ── scenarios ───────────────────────────────────────────────────────────────────────

interface Step {
  title: string;
  event: (userId: string, previous: RecordedRequest[]) => Record<string, unknown>;
  /** A step the bot asks for only sometimes: skipped when this says no. */
  when?: (previous: RecordedRequest[]) => boolean;
  expectNothing?: boolean;
  quietNote?: string;
}

function steps(scenario: Scenario, text: string, code: string): Step[] {
  const consentData = `action=consent&v=${encodeURIComponent(cfg.termsVersion)}`;
  const s: Record<Exclude<Scenario, 'tour' | 'report-tour' | 'community-tour'>, Step> = {
    link: { title: `text: 職員 ${code}`, event: (u) => build.text(u, `職員 ${code}`) },
    follow: { title: 'follow (adds the account as a friend)', event: (u) => build.follow(u) },
    consent: {
      title: 'postback: 同意する',
      // In a tour, tap the button the bot actually sent; alone, use the configured version.
      event: (u, prev) => build.postback(u, consentDataFrom(prev) ?? consentData),
    },
    text: {
      title: `text: ${text}`,
      event: (u) => build.text(u, text),
      quietNote: 'the policy answer goes to each resident at most once an hour; try another --user',
    },
    sticker: {
      title: 'sticker',
      event: (u) => build.sticker(u),
      quietNote: 'the policy answer goes to each resident at most once an hour; try another --user',
    },
    report: {
      title: 'postback: action=start&service=report',
      event: (u) => build.postback(u, 'action=start&service=report'),
    },
    unfollow: {
      title: 'unfollow (blocks the account)',
      event: (u) => build.unfollow(u),
      expectNothing: true,
      quietNote: 'nothing is sent on unfollow',
    },
  };
  if (scenario === 'tour') return [s.follow, s.consent, s.text];
  if (scenario === 'community-tour') {
    const press = (label: string): Step => ({ title: `tap: ${label}`, event: (u, prev) => tap(u, prev, label) });
    return [
      s.follow,
      s.consent,
      { title: 'text: 町内会', event: (u) => build.text(u, '町内会') },
      { title: `text: ${code}`, event: (u) => build.text(u, code) },
      press('はい'),
      { title: 'text: 3班 岡山', event: (u) => build.text(u, '3班 岡山') },
    ];
  }
  if (scenario === 'report-tour') {
    const press = (label: string): Step => ({ title: `tap: ${label}`, event: (u, prev) => tap(u, prev, label) });
    return [
      s.follow,
      s.consent,
      { title: 'text: 通報', event: (u) => build.text(u, '通報') },
      press('LINEで通報する'),
      press('道路'),
      press('穴・陥没'),
      {
        title: 'location: 岡山市役所',
        event: (u) => build.location(u, 34.6551, 133.9195, '岡山県岡山市北区大供1丁目1-1'),
      },
      // From the second tour on, the report of an earlier one is open at the same spot and the bot
      // asks whether this is the same damage: this tour's resident goes on with a report of their own.
      { ...press(CONTINUE_OWN), when: (prev) => offered(prev, CONTINUE_OWN) !== undefined },
      press('写真なしで進む'),
      { title: 'text: (description)', event: (u) => build.text(u, '市役所前の歩道に直径30cmほどの穴があります。') },
      press('送信'),
    ];
  }
  return [s[scenario as Exclude<Scenario, 'tour' | 'report-tour' | 'community-tour'>]];
}

async function main(): Promise<void> {
  const { scenario, user, text, code } = parseArgs(process.argv.slice(2));
  const userId = user ?? (scenario.endsWith('tour') ? `U${crypto.randomUUID().replace(/-/g, '')}` : DEFAULT_USER);
  console.log(`Simulating "${scenario}" as ${userId} → ${WORKER_URL}/webhook`);
  await checkWorker();

  const admin = cfg.effective.ADMIN_BOOTSTRAP_TOKEN!;
  const demo = scenario === 'community-tour' ? await demoCommunities(WORKER_URL, admin) : undefined;
  const unit = demo?.units[0];
  const inviteCode = code ?? (unit ? await demoInvite(WORKER_URL, admin, unit.id) : '');
  let previous: RecordedRequest[] = [];
  for (const step of steps(scenario, text ?? DEFAULT_TEXT, inviteCode)) {
    if (step.when && !step.when(previous)) continue;
    const before = (await sentTo(userId)).length;
    console.log(`\n▶ ${step.title}`);
    await postEvent(step.event(userId, previous));
    previous = await awaitAnswer(userId, before, { expectNothing: step.expectNothing });
    print(previous, step.quietNote ?? 'nothing arrived within 8 s; see the `npm start` terminal for errors');
  }
  if (unit) {
    console.log(`\n▶ a leader of ${unit.name} posts to the unit`);
    const before = (await sentTo(userId)).length;
    try {
      await leaderPost(WORKER_URL, admin, unit.id, unit.name, console.log);
    } catch (err) {
      fail(`   ${err instanceof Error ? err.message : String(err)}`);
    }
    previous = await awaitAnswer(userId, before);
    print(previous, 'the post did not arrive within 8 s; see the `npm start` terminal');
    if (previous.length === 0) process.exit(1);
  }
  console.log(`\nEverything sent to this user: ${FAKE_LINE_URL}/__fake/requests?to=${userId}`);
  if (scenario === 'report-tour') {
    const receipt = previous
      .flatMap((r) => r.body.messages ?? [])
      .map((m) => String(m.text ?? '').match(/受付番号：(R-\d{4}-\d+)/)?.[1])
      .find(Boolean);
    if (!receipt) fail('The tour ended without a receipt (see the last answer above).');
    console.log(
      `Receipt: ${receipt}: see it at ${WORKER_URL}/api/v1/reports and ${WORKER_URL}/open311/v2/requests.json`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
