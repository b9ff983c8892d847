import type { messagingApi } from '@line/bot-sdk';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { isService, parsePostback } from '../src/conversation/rules';
import { CITY_WEBSITE, gridAreas, RICH_MENU, TILES } from '../src/richmenu/menu';
import { richMenuImage } from '../src/richmenu/publish';
import { contrastRatio, imageProblems, LIMITS, pngSize, richMenuProblems } from '../src/richmenu/rules';
import { api, newStaff } from './helpers/api';
import { fake } from './helpers/line';

const BASE = 'https://bot.example.jp/api/v1';

type Menu = messagingApi.RichMenuRequest;
type Area = messagingApi.RichMenuArea;

const postback = (data = 'action=start&service=report'): messagingApi.Action => ({
  type: 'postback',
  label: '通報',
  data,
  displayText: '通報',
});
const area = (x: number, y: number, width: number, height: number, action: messagingApi.Action = postback()): Area => ({
  bounds: { x, y, width, height },
  action,
});
const menu = (over: Partial<Menu> = {}): Menu => ({
  size: { width: 2500, height: 1686 },
  selected: false,
  name: 'test',
  chatBarText: 'メニュー',
  areas: [area(0, 0, 1250, 1686), area(1250, 0, 1250, 1686)],
  ...over,
});

describe('rich menu rules', () => {
  it('the shipped menu meets them', () => {
    expect(richMenuProblems(RICH_MENU)).toEqual([]);
  });

  it.each<[string, Partial<Menu>, string | null]>([
    ['a valid two-area menu', {}, null],
    ['the half-height size 2500×843', { size: { width: 2500, height: 843 }, areas: [area(0, 0, 2500, 843)] }, null],
    ['the small size 800×270', { size: { width: 800, height: 270 }, areas: [area(0, 0, 800, 270)] }, null],
    [
      'an area past the right edge',
      { areas: [area(1300, 0, 1201, 100)] },
      'areas[0]: bounds reach outside the 2500×1686 image',
    ],
    ['an area past the bottom edge', { areas: [area(0, 1600, 100, 87)] }, 'areas[0]: bounds reach outside'],
    [
      'an area at a negative position',
      { areas: [area(-1, 0, 100, 100)] },
      'areas[0]: bounds must start at or after 0,0',
    ],
    ['an empty area', { areas: [area(0, 0, 0, 100)] }, 'at least 1×1'],
    ['fractional bounds', { areas: [area(0, 0, 100.5, 100)] }, 'areas[0]: bounds must be integers'],
    [
      'overlapping areas',
      { areas: [area(0, 0, 1300, 1686), area(1250, 0, 1250, 1686)] },
      'areas[1]: overlaps areas[0]',
    ],
    ['no areas', { areas: [] }, 'areas: must be 1–20, got 0'],
    [
      '21 areas',
      { areas: Array.from({ length: 21 }, (_, i) => area(i * 100, 0, 100, 100)) },
      'areas: must be 1–20, got 21',
    ],
    ['a chat bar text of 15 characters', { chatBarText: 'あ'.repeat(15) }, 'chatBarText must be 1–14 characters'],
    ['no chat bar text', { chatBarText: '' }, 'chatBarText must be 1–14 characters'],
    ['a chat bar text of 14 family emoji (graphemes, as LINE counts it)', { chatBarText: '👨‍👩‍👧'.repeat(14) }, null],
    ['a chat bar text of 15 emoji', { chatBarText: '🍎'.repeat(15) }, 'chatBarText must be 1–14 characters'],
    ['a label of 20 family emoji', { areas: [area(0, 0, 100, 100, { ...postback(), label: '👨‍👩‍👧'.repeat(20) })] }, null],
    [
      'postback data of 151 emoji (302 UTF-16 units)',
      { areas: [area(0, 0, 100, 100, postback('🍎'.repeat(151)))] },
      'areas[0]: postback data must be 1–300',
    ],
    ['a width over 2500', { size: { width: 2600, height: 1686 } }, 'size.width must be an integer from 800 to 2500'],
    ['a width under 800', { size: { width: 799, height: 250 } }, 'size.width'],
    ['a height under 250', { size: { width: 800, height: 249 } }, 'size.height must be an integer of at least 250'],
    ['too tall for its width', { size: { width: 2500, height: 1800 } }, 'width / height must be at least 1.45'],
    ['a name over 300 characters', { name: 'x'.repeat(301) }, 'name must be 1–300 characters'],
    ['no selected flag', { selected: undefined }, 'selected must be true or false'],
    [
      'a label over 20 characters',
      { areas: [area(0, 0, 100, 100, { ...postback(), label: 'x'.repeat(21) })] },
      'areas[0]: label is longer than 20',
    ],
    [
      'postback data over 300 characters',
      { areas: [area(0, 0, 100, 100, postback('x'.repeat(301)))] },
      'areas[0]: postback data must be 1–300',
    ],
    ['empty postback data', { areas: [area(0, 0, 100, 100, postback(''))] }, 'areas[0]: postback data must be 1–300'],
    [
      'an ftp link',
      { areas: [area(0, 0, 100, 100, { type: 'uri', label: 'x', uri: 'ftp://city.okayama.jp/' })] },
      'areas[0]: uri must start with',
    ],
    [
      'a uri over 1000 characters',
      { areas: [area(0, 0, 100, 100, { type: 'uri', label: 'x', uri: `https://a.jp/${'x'.repeat(1000)}` })] },
      'uri must be 1–1000',
    ],
    [
      'a camera action (quick replies only)',
      { areas: [area(0, 0, 100, 100, { type: 'camera', label: 'x' })] },
      'action type camera is not allowed',
    ],
    [
      'an area without action',
      { areas: [{ bounds: { x: 0, y: 0, width: 100, height: 100 } }] },
      'areas[0]: has no action',
    ],
  ])('%s', (_label, over, problem) => {
    const problems = richMenuProblems(menu(over));
    if (problem === null) expect(problems).toEqual([]);
    else expect(problems.join('\n')).toContain(problem);
  });

  it('lays the grid out edge to edge with no gaps or overlaps', () => {
    const areas = gridAreas({ width: 2500, height: 1686, columns: 3, rows: 2 }, TILES);
    expect(areas.map((a) => a.bounds)).toEqual([
      { x: 0, y: 0, width: 833, height: 843 },
      { x: 833, y: 0, width: 833, height: 843 },
      { x: 1666, y: 0, width: 834, height: 843 },
      { x: 0, y: 843, width: 833, height: 843 },
      { x: 833, y: 843, width: 833, height: 843 },
      { x: 1666, y: 843, width: 834, height: 843 },
    ]);
    const covered = areas.reduce((n, a) => n + a.bounds!.width! * a.bounds!.height!, 0);
    expect(covered).toBe(2500 * 1686);
  });

  it('starts 通報, 欠席連絡, 町内会 and 設定 by postback with display text, and links the city website', () => {
    const actions = RICH_MENU.areas!.map(
      (a) => a.action as { type: string; label?: string; data?: string; displayText?: string; uri?: string },
    );
    const started = actions.filter((a) => a.type === 'postback').map((a) => parsePostback(a.data!));
    expect(started.map((d) => d.service)).toEqual(['report', 'absence', 'community', 'settings']);
    for (const d of started) {
      expect(d.action).toBe('start');
      expect(isService(d.service)).toBe(true);
    }
    for (const a of actions.filter((a) => a.type === 'postback')) expect(a.displayText).toBe(a.label);
    expect(actions.some((a) => a.type === 'uri' && a.uri === CITY_WEBSITE)).toBe(true);
    expect(actions.filter((a) => a.type === 'uri')).toHaveLength(2);
  });
});

describe('the shipped image', () => {
  it.each([
    ['#ffffff', '#000000', 21],
    ['#ffffff', '#ffffff', 1],
    ['#ffffff', '#767676', 4.54],
  ])('contrastRatio(%s, %s) ≈ %d', (a, b, expected) => {
    expect(contrastRatio(a, b)).toBeCloseTo(expected, 2);
  });

  it.each(TILES.map((t) => [t.label, t.color]))(
    'white text on the %s tile (%s) has at least 4.5:1 contrast',
    (_label, color) => {
      expect(contrastRatio('#ffffff', color)).toBeGreaterThanOrEqual(4.5);
    },
  );

  it('is a PNG of the menu’s size, read back from its IHDR, and under 1 MB', () => {
    const bytes = richMenuImage();
    expect(pngSize(bytes)).toEqual({ width: 2500, height: 1686 });
    expect(bytes.length).toBeLessThan(LIMITS.maxImageBytes);
    expect(imageProblems(bytes, RICH_MENU.size)).toEqual([]);
  });

  const header = (w: number, h: number, total = 33) => {
    const b = new Uint8Array(total);
    b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(b.buffer).setUint32(16, w);
    new DataView(b.buffer).setUint32(20, h);
    return b;
  };

  it.each<[string, Uint8Array, { width: number; height: number } | null]>([
    ['a PNG header', header(2500, 843), { width: 2500, height: 843 }],
    ['a JPEG', Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...new Array(30).fill(0)]), null],
    ['a truncated PNG', header(2500, 843).subarray(0, 20), null],
    [
      'a PNG whose first chunk is not IHDR',
      (() => {
        const b = header(1, 1);
        b[12] = 0x58;
        return b;
      })(),
      null,
    ],
  ])('pngSize: %s', (_label, bytes, expected) => {
    expect(pngSize(bytes)).toEqual(expected);
  });

  it.each<[string, Uint8Array, string]>([
    ['the wrong size', header(2500, 843), 'image is 2500×843, the menu is 2500×1686'],
    ['not a PNG', new Uint8Array(40), 'image is not a PNG'],
    ['over 1 MB', header(2500, 1686, LIMITS.maxImageBytes + 1), `more than ${LIMITS.maxImageBytes}`],
  ])('imageProblems: %s', (_label, bytes, problem) => {
    expect(imageProblems(bytes, RICH_MENU.size).join('\n')).toContain(problem);
  });
});

function publish(token?: string | null) {
  return api('/richmenu/publish', { method: 'POST', token });
}

async function richMenuCalls() {
  return fake.requests({ path: '/v2/bot/' }).then((rs) => rs.filter((r) => r.path.includes('richmenu')));
}

async function auditRows(targetId: string) {
  const rows = await env.DB.prepare(
    `SELECT staff_id, action, target_type FROM audit_log WHERE action = 'richmenu.publish' AND target_id = ?`,
  )
    .bind(targetId)
    .all();
  return rows.results;
}

describe('POST /api/v1/richmenu/publish', () => {
  it('creates the menu, uploads the image and makes it the default, in that order, and audits it', async () => {
    const res = await publish();
    expect(res.status).toBe(201);
    const { richMenuId } = (await res.json()) as { richMenuId: string };
    expect(richMenuId).toMatch(/^richmenu-/);

    const calls = (await richMenuCalls()).filter((r) => r.id === richMenuId || r.path.includes(`/${richMenuId}`));
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v2/bot/richmenu',
      `POST /v2/bot/richmenu/${richMenuId}/content`,
      `POST /v2/bot/user/all/richmenu/${richMenuId}`,
    ]);
    expect(calls[0]!.body).toEqual(JSON.parse(JSON.stringify(RICH_MENU)));
    expect(calls[1]!.body).toEqual({ contentType: 'image/png', bytes: richMenuImage().length });

    expect(await auditRows(richMenuId)).toEqual([
      { staff_id: 'bootstrap', action: 'richmenu.publish', target_type: 'richmenu' },
    ]);
  });

  it('is for admins only: other staff get 403 and nothing reaches LINE', async () => {
    const { token } = await newStaff(['broadcaster', 'approver']);
    const before = (await richMenuCalls()).length;

    const res = await publish(token);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toContain('admin');

    const anonymous = await publish(null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json');

    expect(await richMenuCalls()).toHaveLength(before);
  });

  it('deletes the new menu again when the image upload fails, and answers 502 without auditing', async () => {
    await fake.inject({ path: '/v2/bot/richmenu/richmenu-', status: 500, times: 1 });
    const before = await richMenuCalls();
    const res = await publish();
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('application/problem+json');

    const after = (await richMenuCalls()).slice(before.length);
    const created = after.find((r) => r.path === '/v2/bot/richmenu')!;
    expect(after.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v2/bot/richmenu',
      `DELETE /v2/bot/richmenu/${created.id}`,
    ]);
    expect(await auditRows(created.id)).toEqual([]);
  });

  it('passes LINE’s reason on when LINE refuses the menu', async () => {
    await fake.inject({
      path: '/v2/bot/richmenu',
      status: 400,
      times: 1,
      body: {
        message: 'The request body has 1 error(s)',
        details: [{ message: 'invalid', property: 'areas[0].bounds' }],
      },
    });
    const before = (await richMenuCalls()).length;
    const res = await publish();
    expect(res.status).toBe(502);
    expect(((await res.json()) as { detail: string }).detail).toContain('areas[0].bounds: invalid');
    // Nothing was created, so nothing was uploaded or set.
    expect(await richMenuCalls()).toHaveLength(before);
  });

  it('is in the OpenAPI document as an admin operation', async () => {
    const doc = (await (await exports.default.fetch(`${BASE}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(doc.paths['/richmenu/publish']?.post?.['x-required-roles']).toEqual(['admin']);
  });
});
