import { exports } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { api, BOOTSTRAP, newStaff } from './helpers/api';
import { approvedBroadcast, team } from './helpers/broadcasts';
import { fuzzParams } from './helpers/fuzz';
import { paramFor, resolve, valueFor, type Schema } from './helpers/fuzz-schema';
import { newUserId } from './helpers/line';
import { storedReport } from './helpers/reports';

/**
 * Every operation of the staff API, found by walking its OpenAPI document, called with
 * generated path, query and body values (issue 12, section 4) by an admin, so every check
 * is reached. The answer is 2xx or 4xx, every error is problem+json, and nothing ever
 * carries a stack trace.
 */

const ORIGIN = 'https://bot.example.jp';
/** Runs per operation: the document has dozens, each run is one request. */
const RUNS_PER_OPERATION = 6;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

const STACK = /\n\s+at .+[:(]\d+|\bat [\w.<>]+ \(.+:\d+:\d+\)|(Type|Reference|Range|Syntax)Error\b/;

async function check(method: string, path: string, res: Response): Promise<void> {
  const text = await res.text();
  const what = `${method.toUpperCase()} ${path} → ${res.status}: ${text.slice(0, 400)}`;
  expect(res.status, what).toBeLessThan(500);
  expect(res.status, what).toBeGreaterThanOrEqual(200);
  expect(text, what).not.toMatch(STACK);
  if (res.status >= 400) {
    expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(text) as Record<string, unknown>;
    expect(problem.status, what).toBe(res.status);
    expect(typeof problem.title, what).toBe('string');
  }
}

describe('the staff API under generated input (issue 12, section 4)', () => {
  it(
    'answers every operation of the OpenAPI document with 2xx or problem+json 4xx, never 5xx, never a stack',
    {
      timeout: 180_000,
    },
    async () => {
      const doc = (await (await exports.default.fetch(`${ORIGIN}/api/v1/openapi.json`)).json()) as {
        paths: Record<string, Record<string, Operation>>;
        components: { schemas: Record<string, Schema> };
      };
      const components = doc.components.schemas;

      // Real records, so generated IDs sometimes name something that exists and the route goes deeper.
      const reporter = newUserId();
      const report = await storedReport(reporter);
      const t = await team();
      const broadcast = await approvedBroadcast(t, { audience: { type: 'all' } });
      const staff = await newStaff(['broadcaster']);
      const known = [report.id, report.number, broadcast, staff.id, 'road', 'road-pothole', '2026-12-14'];

      const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => ({ method, path, op })),
      );
      expect(ops.length).toBeGreaterThan(20);
      const params = await fuzzParams<unknown>(RUNS_PER_OPERATION);

      const tally = new Map<string, number[]>();
      for (const { method, path, op } of ops) {
        const declared = op.parameters ?? [];
        const pathParams = declared.filter((p) => p.in === 'path');
        const queryParams = declared.filter((p) => p.in === 'query');
        const bodySchema = op.requestBody?.content?.['application/json']?.schema;
        const request = fc.record({
          path: fc.record(
            Object.fromEntries(pathParams.map((p) => [p.name, paramFor(p.schema ?? {}, components, known)])),
          ),
          // A few query parameters at a time, so one bad value does not hide what the others do.
          query: fc
            .subarray(queryParams, { maxLength: Math.min(3, queryParams.length) })
            .chain((chosen) =>
              fc.record(Object.fromEntries(chosen.map((p) => [p.name, paramFor(p.schema ?? {}, components, known)]))),
            ),
          body: bodySchema
            ? fc.oneof(
                { weight: 8, arbitrary: valueFor(bodySchema, components).map((v) => JSON.stringify(v)) },
                { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '{"a":1,"a":2}', '\uFEFF{}') },
              )
            : fc.constant(undefined),
        });
        await fc.assert(
          fc.asyncProperty(request, async (r) => {
            const concrete = path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
              encodeURIComponent(String(r.path[name] ?? '')),
            );
            const qs = new URLSearchParams(r.query as Record<string, string>).toString();
            const url = `${concrete}${qs ? `?${qs}` : ''}`;
            const res = await api(url, {
              method: method.toUpperCase(),
              token: BOOTSTRAP,
              ...(r.body !== undefined ? { rawBody: r.body, headers: { 'content-type': 'application/json' } } : {}),
            });
            tally.set(`${method} ${path}`, [...(tally.get(`${method} ${path}`) ?? []), res.status]);
            await check(method, url, res);
          }),
          params,
        );
      }
      // The generated input got past validation into the routes' own logic on a number of operations.
      const reached = [...tally.values()].filter((statuses) => statuses.some((st) => st < 300)).length;
      // (A floor, not a share: a run of 6 draws per operation varies, and new routes start mostly at 400.)
      expect(reached).toBeGreaterThanOrEqual(8);
      // The record the fuzz aimed at still reads back.
      expect((await api(`/reports/${report.id}`)).status).toBe(200);
      expect(resolve({ $ref: '#/components/schemas/Problem' }, components).required).toContain('status');
    },
  );
});
