/**
 * `npm run simulate -- absence-tour`: a guardian registers a child with a registration code
 * and sends an absence notice, to its receipt (A-YYYY-NNNNNN). The code comes from
 * `--code` (one from the `npm start` banner) or, by default, from a new pupil added through
 * the staff API with the dev admin token: to the demo school when it is there, else to a
 * tour school made the same way, so the tour works on any database.
 */

const DEMO_SCHOOL_CODE = 'DEMO-001';
const TOUR_SCHOOL = {
  code: 'TOUR-001',
  name: '岡山市立ツアー小学校',
  kind: 'elementary',
  phone: '086-803-0001',
  cutoff: '08:00',
  afterCutoff: 'accept_late',
};

async function call<T>(base: string, token: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok)
    throw new Error(
      `${body === undefined ? 'GET' : 'POST'} /api/v1${path} answered ${res.status}: ${await res.text()}`,
    );
  return (await res.json()) as T;
}

/** A fresh registration code for a new pupil (named after the tour's guardian, so each tour has its own). */
export async function tourPupilCode(
  base: string,
  token: string,
  userId: string,
): Promise<{ code: string; school: string }> {
  const { items } = await call<{ items: { id: string; code: string; name: string }[] }>(base, token, '/schools');
  const school =
    items.find((s) => s.code === DEMO_SCHOOL_CODE) ??
    items.find((s) => s.code === TOUR_SCHOOL.code) ??
    (await call<{ id: string; name: string }>(base, token, '/schools', TOUR_SCHOOL));
  const pupil = { grade: 2, class: '1', name: `ツアー ${userId.slice(-4)}`, kana: 'つあー' };
  const added = await call<{ items: { registrationCode: string }[] }>(base, token, `/schools/${school.id}/pupils`, [
    pupil,
  ]);
  return { code: added.items[0]!.registrationCode, school: school.name };
}

/** The tour's steps after follow and consent: labels to tap, or text to type, in order. */
export function absenceTourSteps(code: string): ({ tap: string } | { text: string; whenOffered?: string })[] {
  return [
    { text: '欠席連絡' },
    { text: code },
    { tap: 'はい' },
    { tap: '明日' },
    { tap: '欠席' },
    { tap: '体調不良' },
    { tap: '発熱' },
    { tap: '次へ' },
    { text: '37.8' },
    // Only when the school takes notes (the note step offers なし).
    { text: '朝から熱があるため休みます。', whenOffered: 'なし' },
    { tap: '送信' },
  ];
}

export const ABSENCE_RECEIPT = /受付番号：(A-\d{4}-\d{6})/;
