/**
 * The demo associations of a local run: one federation with two units, registered through
 * the staff API (so the same checks apply as for the city's own import), and a fresh invite
 * code for the first unit, since a code is shown only when it is issued.
 */

export const DEMO_FEDERATION = '岡山中央学区連合町内会（デモ）';
export const DEMO_UNITS = ['中央一丁目町内会（デモ）', '中央二丁目町内会（デモ）'] as const;

interface Community {
  id: string;
  name: string;
  kind: 'federation' | 'unit';
  parentId: string | null;
}

async function call<T>(workerUrl: string, token: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${workerUrl}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The demo federation and its units, registered if they are not there yet (a second `npm start` reuses them). */
export async function demoCommunities(
  workerUrl: string,
  adminToken: string,
): Promise<{ federation: Community; units: Community[] }> {
  const find = async () => {
    const { items } = await call<{ items: Community[] }>(workerUrl, adminToken, '/communities');
    const federation = items.find((c) => c.kind === 'federation' && c.name === DEMO_FEDERATION);
    const units = DEMO_UNITS.map((n) =>
      items.find((c) => c.kind === 'unit' && c.name === n && c.parentId === federation?.id),
    );
    return { federation, units };
  };
  let found = await find();
  if (!found.federation) {
    await call(workerUrl, adminToken, '/communities/import', {
      method: 'POST',
      body: [
        { name: DEMO_FEDERATION, kind: 'federation', district: '岡山中央' },
        ...DEMO_UNITS.map((name) => ({ name, kind: 'unit', parent: DEMO_FEDERATION, district: '岡山中央' })),
      ],
    });
    found = await find();
  }
  const { federation, units } = found;
  if (!federation || units.some((u) => !u)) throw new Error('the demo associations could not be registered');
  return { federation, units: units as Community[] };
}

/** A new invite code for an association (no expiry, unlimited uses), printed `XXXX-XXXX`. */
export async function demoInvite(workerUrl: string, adminToken: string, communityId: string): Promise<string> {
  const { code } = await call<{ code: string }>(workerUrl, adminToken, `/communities/${communityId}/invites`, {
    method: 'POST',
    body: {},
  });
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
