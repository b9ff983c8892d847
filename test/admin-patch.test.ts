import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { api } from './helpers/api';
import { newUserId } from './helpers/line';
import { storedReport } from './helpers/reports';

/**
 * A PATCH changes what it names and nothing else. The test walks every PATCH operation of the
 * OpenAPI document, so a new PATCH route (or a new field of one) fails here until it has a case.
 */

type Json = Record<string, any>;

interface Case {
  /** Makes a fresh record and returns the concrete path of its PATCH. */
  create(): Promise<string>;
  /** The record as staff read it. */
  read(path: string): Promise<Json>;
  /** One body per change; together they name every field of the PATCH schema. */
  bodies: Json[];
  /** Answer keys that follow a change (bookkeeping), keyed by the body's field; `*` for every body. */
  follows: Record<string, string[]>;
  /** A body field shown under another name in the answer. */
  shownAs?: Record<string, string>;
}

const unique = () => crypto.randomUUID().slice(0, 8);

async function ok(res: Response, status = 200): Promise<Json> {
  expect(res.status, await res.clone().text()).toBe(status);
  return res.status === 204 ? {} : res.json();
}

const CASES: Record<string, Case> = {
  '/report-categories/{code}': {
    async create() {
      const code = `c-${unique()}`;
      await ok(
        await api('/report-categories', {
          method: 'POST',
          body: {
            code,
            nameJa: '道路',
            nameEn: 'Roads',
            departmentId: 'road',
            emergencyPhone: '086-803-1000',
            sortOrder: 3,
            active: true,
          },
        }),
        201,
      );
      return `/report-categories/${code}`;
    },
    async read(path) {
      const { items } = await ok(await api('/report-categories'));
      return items.find((c: Json) => `/report-categories/${c.code}` === path);
    },
    bodies: [
      { nameEn: 'Road' },
      { nameJa: '道' },
      { departmentId: 'park' },
      { emergencyPhone: '086-000-0000' },
      { sortOrder: 7 },
      { active: false },
    ],
    follows: {},
  },
  '/report-departments/{id}': {
    async create() {
      const id = `d-${unique()}`;
      await ok(
        await api('/report-departments', {
          method: 'POST',
          body: { id, name: '道路課', email: 'dept0-ok@example.jp', phone: '086-803-1000' },
        }),
        201,
      );
      return `/report-departments/${id}`;
    },
    async read(path) {
      const { items } = await ok(await api('/report-departments'));
      return items.find((d: Json) => `/report-departments/${d.id}` === path);
    },
    bodies: [{ name: '道路港湾課' }, { email: 'dept1-ok@example.jp' }, { phone: '086-000-0000' }],
    follows: {},
  },
  '/reports/{id}': {
    async create() {
      const r = await storedReport(newUserId());
      return `/reports/${r.id}`;
    },
    read: async (path) => ok(await api(path)),
    bodies: [
      { status: 'accepted' },
      { publicNote: '現地を確認します' },
      { internalNote: '来週対応' },
      { department: 'park' },
      { status: 'duplicate', duplicateOf: 'ORIGINAL' },
    ],
    follows: {
      '*': ['updatedAt', 'history'],
      department: ['mail', 'mailStatus', 'departmentName'],
      status: ['closedAt', 'duplicateOf'],
    },
    shownAs: { department: 'departmentId' },
  },
  '/broadcasts/{id}': {
    async create() {
      // Only school messages and association posts ask for acknowledgement: one association to switch to.
      await env.DB.prepare(
        `INSERT OR IGNORE INTO communities (id, name, kind, created_at, updated_at) VALUES ('patch-unit', 'パッチ町内会', 'unit', 0, 0)`,
      ).run();
      const { id } = await ok(
        await api('/broadcasts', {
          method: 'POST',
          body: {
            title: 'お知らせ',
            messages: [{ type: 'text', text: 'こんにちは' }],
            audience: { type: 'segment', wards: ['北区'] },
            scheduledAt: '2026-12-04T09:00:00+09:00',
            urgent: false,
            draft: true,
          },
        }),
        201,
      );
      return `/broadcasts/${id}`;
    },
    read: async (path) => ok(await api(path)),
    bodies: [
      { title: '年末のお知らせ' },
      { messages: [{ type: 'text', text: 'こんばんは' }] },
      { audience: { type: 'all' } },
      { scheduledAt: '2026-12-05T09:00:00+09:00' },
      { urgent: true },
      { requestAck: true, audience: { type: 'community', communityId: 'patch-unit' } },
    ],
    follows: { '*': ['updatedAt', 'updatedBy'], scheduledAt: ['nextReleaseAt'] },
  },
  '/staff/{id}': {
    async create() {
      const { id } = await ok(
        await api('/staff', {
          method: 'POST',
          body: { name: '岡山 花子', roles: ['school_staff'], scopes: { schools: ['s-1'] } },
        }),
        201,
      );
      return `/staff/${id}`;
    },
    read: async (path) => ok(await api(path)),
    bodies: [
      { name: '岡山 次郎' },
      { roles: ['school_staff', 'report_manager'] },
      { scopes: { schools: ['s-2'] } },
      { suspended: true },
    ],
    follows: { suspended: ['suspendedAt'] },
  },
  '/communities/{id}': {
    async create() {
      const fed = await ok(
        await api('/communities', { method: 'POST', body: { name: `連合-${unique()}`, kind: 'federation' } }),
        201,
      );
      const { id } = await ok(
        await api('/communities', {
          method: 'POST',
          body: { name: `町内会-${unique()}`, kind: 'unit', parentId: fed.id, district: '岡山中央' },
        }),
        201,
      );
      return `/communities/${id}`;
    },
    read: async (path) => ok(await api(path)),
    bodies: [{ name: `町内会-renamed` }, { district: '石井' }, { parentId: null }],
    follows: { '*': ['updatedAt'] },
  },
};

interface Operation {
  requestBody?: { content: { 'application/json': { schema: Json } } };
}
let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Json> } };
const patches = () =>
  Object.entries(doc.paths).flatMap(([path, item]) => (item.patch ? [{ path, op: item.patch }] : []));

function bodySchema(op: Operation): Json {
  const schema = op.requestBody?.content['application/json'].schema ?? {};
  const ref = schema.$ref as string | undefined;
  return ref ? doc.components.schemas[ref.replace('#/components/schemas/', '')]! : schema;
}

beforeAll(async () => {
  doc = await (await exports.default.fetch('https://bot.example.jp/api/v1/openapi.json')).json();
});

describe('every PATCH of the staff API', () => {
  it('has a case here naming each of its fields, and its body schema carries no default', () => {
    expect(patches().length).toBeGreaterThanOrEqual(4);
    for (const { path, op } of patches()) {
      const c = CASES[path];
      expect(c, `PATCH ${path} needs a case in admin-patch.test.ts`).toBeDefined();
      const schema = bodySchema(op);
      const fields = Object.keys(schema.properties ?? {});
      const named = new Set(c!.bodies.flatMap((b) => Object.keys(b)));
      for (const f of fields) {
        expect(named.has(f), `PATCH ${path}: no body changes ${f}`).toBe(true);
        // A default in a PATCH schema is a value written over what the caller left out.
        expect(schema.properties[f].default, `PATCH ${path}: ${f} has a default`).toBeUndefined();
      }
    }
  });

  it('changes what the body names and leaves every other field as it was', async () => {
    for (const { path } of patches()) {
      const c = CASES[path]!;
      for (const template of c.bodies) {
        const target = await c.create();
        const body = { ...template };
        if (body.duplicateOf === 'ORIGINAL') body.duplicateOf = (await storedReport(newUserId())).id;
        const before = await c.read(target);
        expect(before, `${target} before`).toBeDefined();
        await ok(await api(target, { method: 'PATCH', body }));
        const after = await c.read(target);
        const named = Object.keys(body).map((k) => c.shownAs?.[k] ?? k);
        const follow = new Set([...(c.follows['*'] ?? []), ...Object.keys(body).flatMap((k) => c.follows[k] ?? [])]);
        for (const key of Object.keys(before)) {
          const where = `PATCH ${path} ${JSON.stringify(body)}: ${key}`;
          if (named.includes(key)) {
            const sent = body[Object.keys(body).find((k) => (c.shownAs?.[k] ?? k) === key)!];
            if (key.endsWith('At')) expect(Date.parse(after[key]), where).toBe(Date.parse(sent));
            else expect(after[key], where).toEqual(sent);
          } else if (!follow.has(key)) expect(after[key], where).toEqual(before[key]);
        }
      }
    }
  });
});
