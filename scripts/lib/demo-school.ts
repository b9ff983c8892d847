/**
 * The demo school of a local run (`npm start`): made through the staff API, as a school office
 * would, so a newcomer can link a child in the chat and send a notice within a minute. Codes
 * are shown only when issued, so each start issues fresh ones for the demo pupils (the codes
 * of the previous run stop working; children already linked stay linked).
 */

export const DEMO_SCHOOL_CODE = 'DEMO-001';

const DEMO_SCHOOL = {
  code: DEMO_SCHOOL_CODE,
  name: '岡山市立デモ小学校',
  kind: 'elementary',
  phone: '086-803-0000',
  cutoff: '08:00',
  // A newcomer tries it at any hour: a notice for today after 08:00 is stored, flagged late.
  afterCutoff: 'accept_late',
};

const DEMO_PUPILS = [
  { grade: 1, class: '1', number: 1, name: '岡山 太郎', kana: 'おかやま たろう' },
  { grade: 3, class: '2', number: 5, name: '岡山 花子', kana: 'おかやま はなこ', groups: ['PTA'] },
  { grade: 6, class: '1', number: 12, name: '桃 次郎', kana: 'もも じろう' },
];

export interface DemoPupil {
  id: string;
  grade: number;
  class: string;
  name: string;
  registrationCode: string;
}

export interface DemoSchool {
  id: string;
  name: string;
  pupils: DemoPupil[];
}

async function call<T>(base: string, token: string, path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The demo school with fresh codes for its pupils; made on the first run. */
export async function ensureDemoSchool(base: string, adminToken: string): Promise<DemoSchool> {
  const { items } = await call<{ items: { id: string; code: string; name: string }[] }>(base, adminToken, '/schools');
  const school =
    items.find((s) => s.code === DEMO_SCHOOL_CODE) ??
    (await call<{ id: string; name: string }>(base, adminToken, '/schools', { method: 'POST', body: DEMO_SCHOOL }));
  const roster = await call<{ items: DemoPupil[] }>(base, adminToken, `/schools/${school.id}/pupils`);
  let pupils: DemoPupil[];
  if (roster.items.length === 0) {
    pupils = (
      await call<{ items: DemoPupil[] }>(base, adminToken, `/schools/${school.id}/pupils`, {
        method: 'POST',
        body: DEMO_PUPILS,
      })
    ).items;
  } else {
    pupils = [];
    for (const p of roster.items)
      pupils.push(
        await call<DemoPupil>(base, adminToken, `/schools/${school.id}/pupils/${p.id}/code`, { method: 'POST' }),
      );
  }
  return { id: school.id, name: school.name, pupils };
}

/** Lines for the banner: the school and each pupil's code. */
export function demoSchoolLines(s: DemoSchool): string[] {
  return [
    ` Demo school: ${s.name} (id ${s.id}); registration codes for 欠席連絡 (new on every start):`,
    ...s.pupils.map((p) => `   ${p.grade}年${p.class}組 ${p.name.padEnd(6, '　')} ${p.registrationCode}`),
  ];
}
