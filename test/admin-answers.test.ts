import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { api } from './helpers/api';
import { newUserId } from './helpers/line';
import { storedReport } from './helpers/reports';

/**
 * Every staff answer carries exactly its documented schema: a field the document does not
 * list (a LINE user ID, a raw epoch column) is a leak, however it got there.
 */

type Json = Record<string, any>;
let doc: { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, Json> } };

beforeAll(async () => {
  doc = await (await exports.default.fetch('https://bot.example.jp/api/v1/openapi.json')).json();
});

/** Follows `$ref` and merges `allOf` (zod's `.extend()` of a named schema becomes one). */
function resolve(schema: Json): Json {
  const ref = schema.$ref as string | undefined;
  if (ref) return resolve(doc.components.schemas[ref.replace('#/components/schemas/', '')]!);
  if (!schema.allOf) return schema;
  const parts = (schema.allOf as Json[]).map(resolve);
  // zod writes a nullable named enum as allOf [ref, {type: [string, null]}].
  const nullable = parts.some((p) => Array.isArray(p.type) && p.type.includes('null'));
  return {
    type: nullable ? ['object', 'null'] : 'object',
    properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
    required: parts.flatMap((p) => p.required ?? []),
  };
}

/** Where `value` has what `schema` does not document (or lacks what it requires); empty when it fits. */
function undocumented(value: unknown, schema: Json, at = '$'): string[] {
  const s = resolve(schema);
  const branches = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (branches) {
    const results = branches.map((b) => undocumented(value, b, at));
    return results.find((r) => r.length === 0) ?? results.sort((a, b) => a.length - b.length)[0]!;
  }
  if (value === null) return s.type === 'null' || (Array.isArray(s.type) && s.type.includes('null')) ? [] : [at];
  if (Array.isArray(value)) return s.items ? value.flatMap((v, i) => undocumented(v, s.items, `${at}[${i}]`)) : [];
  if (typeof value === 'object' && s.properties) {
    const out: string[] = [];
    for (const [k, v] of Object.entries(value as Json)) {
      if (!(k in s.properties)) out.push(`${at}.${k} (not documented)`);
      else out.push(...undocumented(v, s.properties[k], `${at}.${k}`));
    }
    for (const k of s.required ?? []) if (!(k in (value as Json))) out.push(`${at}.${k} (missing)`);
    return out;
  }
  return [];
}

/** ISO 8601 with its offset (`Z` or `+09:00`), the one time format of the staff API. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every `at`/`…At` value that is not an ISO date-time with offset (an epoch number, a bare date). */
function badTimes(value: unknown, at = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => badTimes(v, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const isTime = k === 'at' || /[a-z]At$/.test(k);
    if (isTime && v !== null && !(typeof v === 'string' && ISO_WITH_OFFSET.test(v))) return [`${at}.${k} = ${v}`];
    return badTimes(v, `${at}.${k}`);
  });
}

async function checked(path: string, documented: string) {
  const res = await api(path);
  expect(res.status, path).toBe(200);
  const op = doc.paths[documented]?.get;
  expect(op, documented).toBeDefined();
  const schema = op.responses['200'].content['application/json'].schema;
  const body = await res.json();
  expect(undocumented(body, schema), path).toEqual([]);
  expect(badTimes(body), path).toEqual([]);
}

describe('staff answers carry exactly their documented schema', () => {
  it('reports: the list and one report (no reporterLineUserId, hiddenBy or raw mail columns)', async () => {
    const r = await storedReport(newUserId());
    await checked('/reports', '/reports');
    await checked(`/reports/${r.id}`, '/reports/{id}');
  });

  it('broadcasts, staff, audit, catalog and closure days', async () => {
    const created = await api('/broadcasts', {
      method: 'POST',
      body: { title: 't', messages: [{ type: 'text', text: 'x' }], audience: { type: 'all' }, draft: true },
    });
    const { id } = await created.json<{ id: string }>();
    await api('/closure-days', { method: 'POST', body: { date: '2031-12-28', reason: '臨時' } });
    for (const path of [
      '/broadcasts',
      '/staff',
      '/staff/me',
      '/audit',
      '/report-categories',
      '/report-departments',
      '/closure-days',
    ])
      await checked(path, path);
    await checked(`/broadcasts/${id}`, '/broadcasts/{id}');
  });

  it('acknowledgements of a school message and of an association post (both schemas)', async () => {
    const now = Date.now();
    const [schoolId, pupilId, unitId, guardian] = ['answers-school', 'answers-pupil', 'answers-unit', newUserId()];
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO schools (id, code, name, kind, phone, created_at, updated_at) VALUES (?, ?, '回答小学校', 'elementary', '086-000-0000', ?, ?)`,
      ).bind(schoolId, schoolId, now, now),
      env.DB.prepare(
        `INSERT INTO pupils (id, school_id, grade, class, name, kana, created_at, updated_at) VALUES (?, ?, 1, '1', '回答 花子', 'かいとう', ?, ?)`,
      ).bind(pupilId, schoolId, now, now),
      env.DB.prepare(`INSERT INTO guardian_links (pupil_id, line_user_id, linked_at) VALUES (?, ?, ?)`).bind(
        pupilId,
        guardian,
        now,
      ),
      env.DB.prepare(
        `INSERT INTO communities (id, name, kind, created_at, updated_at) VALUES (?, '回答町内会', 'unit', ?, ?)`,
      ).bind(unitId, now, now),
      env.DB.prepare(
        `INSERT INTO community_members (community_id, line_user_id, display_name, joined_at) VALUES (?, ?, '山田', ?)`,
      ).bind(unitId, guardian, now),
    ]);
    for (const audience of [
      { type: 'school', schoolId },
      { type: 'community', communityId: unitId },
    ]) {
      const created = await api('/broadcasts', {
        method: 'POST',
        body: { title: 't', messages: [{ type: 'text', text: 'x' }], audience, requestAck: true },
      });
      const { id } = await created.json<{ id: string }>();
      await env.DB.prepare('INSERT INTO broadcast_acks (broadcast_id, line_user_id, at) VALUES (?, ?, ?)')
        .bind(id, guardian, now)
        .run();
      await checked(`/broadcasts/${id}/acks`, '/broadcasts/{id}/acks');
    }
  });

  it('communities: the list, one association, its invites and its members (no LINE user ID)', async () => {
    const res = await api('/communities', {
      method: 'POST',
      body: { name: `町内会-${crypto.randomUUID()}`, kind: 'unit' },
    });
    const { id } = await res.json<{ id: string }>();
    await api(`/communities/${id}/invites`, { method: 'POST', body: { maxUses: 3 } });
    await env.DB.prepare(
      'INSERT INTO users (line_user_id, status, followed_at, created_at, updated_at) VALUES (?, ?, 0, 0, 0)',
    )
      .bind(newUserId(), 'following')
      .run();
    await env.DB.prepare(
      'INSERT INTO community_members (community_id, line_user_id, display_name, joined_at) SELECT ?, line_user_id, NULL, 1 FROM users LIMIT 1',
    )
      .bind(id)
      .run();
    await checked('/communities', '/communities');
    await checked(`/communities/${id}`, '/communities/{id}');
    await checked(`/communities/${id}/invites`, '/communities/{id}/invites');
    await checked(`/communities/${id}/members`, '/communities/{id}/members');
  });

  it('every time field is documented as a date-time', () => {
    const walk = (schema: Json, at: string): string[] => {
      const s = resolve(schema);
      const own = Object.entries<Json>(s.properties ?? {}).flatMap(([k, v]) => {
        const r = resolve(v);
        const isTime = k === 'at' || /[a-z]At$/.test(k);
        const formats = [r, ...((r.anyOf ?? []) as Json[]).map(resolve)].map((x) => x.format);
        return [...(isTime && !formats.includes('date-time') ? [`${at}.${k}`] : []), ...walk(v, `${at}.${k}`)];
      });
      return [...own, ...(s.items ? walk(s.items, `${at}[]`) : [])];
    };
    const missing = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries<Json>(item).flatMap(([method, op]) => {
        const schema = op.responses?.['200']?.content?.['application/json']?.schema;
        return schema ? walk(schema, `${method} ${path}`) : [];
      }),
    );
    expect(missing).toEqual([]);
  });

  it('the checker sees an undocumented field', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    expect(undocumented({ a: 'x', reporterLineUserId: 'U1' }, schema)).toEqual([
      '$.reporterLineUserId (not documented)',
    ]);
  });
});
