import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { matchesSchoolAudience, type SchoolAudience } from '../src/broadcasts/audience';
import { resolveRecipients } from '../src/broadcasts/recipients';
import { windowFor } from '../src/broadcasts/rules';
import { jst } from '../src/calendar/jst';
import { db } from '../src/db/client';
import { api, newStaff } from './helpers/api';
import {
  addResidents,
  createAs,
  cron,
  getBroadcast,
  linkGuardians,
  seedPupils,
  seedSchool,
  settle,
  uniqueWard,
} from './helpers/broadcasts';
import { fake } from './helpers/line';

const MULTICAST = '/v2/bot/message/multicast';

async function recipients(audience: SchoolAudience, page?: number): Promise<string[]> {
  const r = await resolveRecipients(db(env.DB), audience, page);
  if (r.mode !== 'multicast') throw new Error('a school audience is a multicast');
  return r.userIds;
}

/** A school of six pupils and their guardians: siblings, a blocked guardian, a graduate, a transfer. */
async function roster() {
  const school = await seedSchool();
  const [g1, g2, sibling, blocked, graduate, removed, club, second] = await addResidents([
    {},
    {},
    {},
    { status: 'blocked' },
    {},
    {},
    {},
    {},
  ]);
  const [p32a, p32b, p31, p12, p6g, p4r, p5] = await seedPupils(school.id, [
    { grade: 3, class: '2' },
    { grade: 3, class: '2', groups: ['PTA'] },
    { grade: 3, class: '1' },
    { grade: 1, class: '2', groups: ['サッカー部'] },
    { grade: 6, class: '1', graduated: true },
    { grade: 4, class: '1', removed: true },
    { grade: 5, class: 'ひまわり', groups: ['サッカー部', '図書委員会'] },
  ]);
  await linkGuardians(p32a!, [g1!, blocked!]);
  await linkGuardians(p32b!, [g2!, second!]);
  // The sibling's guardian has a child in 3-1 and one in 1-2.
  await linkGuardians(p31!, [sibling!]);
  await linkGuardians(p12!, [sibling!]);
  await linkGuardians(p6g!, [graduate!]);
  await linkGuardians(p4r!, [removed!]);
  await linkGuardians(p5!, [club!]);
  return {
    school,
    g1: g1!,
    g2: g2!,
    sibling: sibling!,
    blocked: blocked!,
    graduate: graduate!,
    removed: removed!,
    club: club!,
    second: second!,
  };
}

const sorted = (xs: string[]) => [...xs].sort();

describe('the school audience', () => {
  it.each([
    ['no criterion: the whole school', {}, [3, '2', []], true],
    ['grade matches', { grades: [3] }, [3, '2', []], true],
    ['grade does not match', { grades: [1, 2] }, [3, '2', []], false],
    ['class 3-2 is grade 3 class 2', { classes: ['3-2'] }, [3, '2', []], true],
    ['class 3-2 is not grade 2 class 3', { classes: ['3-2'] }, [2, '3', []], false],
    ['a named class', { classes: ['5-ひまわり'] }, [5, 'ひまわり', []], true],
    ['a group the pupil is in', { groups: ['PTA'] }, [3, '2', ['PTA', '図書']], true],
    ['a group the pupil is not in', { groups: ['PTA'] }, [3, '2', []], false],
    ['every criterion must hold', { grades: [3], groups: ['PTA'] }, [4, '2', ['PTA']], false],
  ] as const)('%s', (_label, criteria, [grade, klass, groups], expected) => {
    const a = { type: 'school', schoolId: 's', ...criteria } as SchoolAudience;
    expect(matchesSchoolAudience({ grade, class: klass, groups }, a)).toBe(expected);
  });

  it('the whole school: each guardian once (siblings), never blocked, no graduate or transferred pupil', async () => {
    const r = await roster();
    expect(await recipients({ type: 'school', schoolId: r.school.id })).toEqual(
      sorted([r.g1, r.g2, r.sibling, r.club, r.second]),
    );
  });

  it.each([1, 2, 3])(
    'read in pages of %i rows, it is the same (a pupil’s guardians across a page boundary)',
    async (page) => {
      const r = await roster();
      expect(await recipients({ type: 'school', schoolId: r.school.id }, page)).toEqual(
        sorted([r.g1, r.g2, r.sibling, r.club, r.second]),
      );
    },
  );

  it('grades, classes and groups narrow it', async () => {
    const r = await roster();
    const id = r.school.id;
    expect(await recipients({ type: 'school', schoolId: id, grades: [3] })).toEqual(
      sorted([r.g1, r.g2, r.sibling, r.second]),
    );
    expect(await recipients({ type: 'school', schoolId: id, classes: ['3-2'] })).toEqual(
      sorted([r.g1, r.g2, r.second]),
    );
    expect(await recipients({ type: 'school', schoolId: id, classes: ['1-2', '3-1'] })).toEqual([r.sibling]);
    expect(await recipients({ type: 'school', schoolId: id, groups: ['サッカー部'] })).toEqual(
      sorted([r.sibling, r.club]),
    );
    expect(await recipients({ type: 'school', schoolId: id, grades: [6] })).toEqual([]);
    expect(await recipients({ type: 'school', schoolId: id, grades: [4] })).toEqual([]);
  });

  it('another school’s pupils are never reached', async () => {
    const r = await roster();
    const other = await seedSchool();
    expect(await recipients({ type: 'school', schoolId: other.id })).toEqual([]);
    expect(await recipients({ type: 'school', schoolId: r.school.id })).not.toContain(undefined);
  });

  it('a malformed class or an unknown school is a 400', async () => {
    const school = await seedSchool();
    const bad = await createAs('test-bootstrap-token', {
      audience: { type: 'school', schoolId: school.id, classes: ['2'] },
    });
    expect(bad.status).toBe(400);
    const unknown = await createAs('test-bootstrap-token', {
      audience: { type: 'school', schoolId: 'no-such-school' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/audience\.schoolId/);
  });
});

describe('who sends school messages', () => {
  it('a school’s staff: only their own school, only school audiences, created straight as scheduled', async () => {
    const school = await seedSchool();
    const other = await seedSchool();
    const teacher = await newStaff(['school_staff'], { schools: [school.id] });
    const own = await createAs(teacher.token, { audience: { type: 'school', schoolId: school.id, grades: [1] } });
    expect(own).toMatchObject({ status: 201, body: { status: 'scheduled' } });
    for (const audience of [
      { type: 'school', schoolId: other.id },
      { type: 'all' },
      { type: 'segment', wards: [uniqueWard()] },
      { type: 'community', communityId: 'any' },
    ]) {
      expect((await createAs(teacher.token, { audience })).status, JSON.stringify(audience)).toBe(403);
    }
  });

  it('city broadcasters cannot send school messages; admins can', async () => {
    const school = await seedSchool();
    const broadcaster = await newStaff(['broadcaster']);
    expect((await createAs(broadcaster.token, { audience: { type: 'school', schoolId: school.id } })).status).toBe(403);
    const admin = await createAs('test-bootstrap-token', { audience: { type: 'school', schoolId: school.id } });
    expect(admin).toMatchObject({ status: 201, body: { status: 'scheduled' } });
  });

  it('require_approval: a second member of the school’s own staff approves (two-person rule within the school)', async () => {
    const school = await seedSchool({ requireApproval: true });
    const other = await seedSchool();
    const [a, b] = [
      await newStaff(['school_staff'], { schools: [school.id] }),
      await newStaff(['school_staff'], { schools: [school.id] }),
    ];
    const outsider = await newStaff(['school_staff'], { schools: [other.id] });
    const cityApprover = await newStaff(['approver']);
    const { body } = await createAs(a.token, { audience: { type: 'school', schoolId: school.id } });
    expect(body.status).toBe('pending_approval');
    const approve = (token: string) => api(`/broadcasts/${body.id}/approve`, { token, method: 'POST' });
    expect((await approve(a.token)).status).toBe(403);
    expect((await approve(outsider.token)).status).toBe(404);
    expect((await approve(cityApprover.token)).status).toBe(403);
    const ok = await approve(b.token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'scheduled' });
  });

  it('a draft of a school without require_approval is scheduled by submitting it', async () => {
    const school = await seedSchool();
    const teacher = await newStaff(['school_staff'], { schools: [school.id] });
    const { body } = await createAs(teacher.token, { audience: { type: 'school', schoolId: school.id }, draft: true });
    expect(body.status).toBe('draft');
    const res = await api(`/broadcasts/${body.id}/submit`, { token: teacher.token, method: 'POST' });
    expect(await res.json()).toMatchObject({ status: 'scheduled' });
  });

  it('school staff list and read only their school’s broadcasts; others are 404; they edit and cancel their own', async () => {
    const school = await seedSchool();
    const other = await seedSchool();
    const teacher = await newStaff(['school_staff'], { schools: [school.id] });
    const outsider = await newStaff(['school_staff'], { schools: [other.id] });
    const mine = (await createAs(teacher.token, { audience: { type: 'school', schoolId: school.id } })).body.id;
    const theirs = (await createAs(outsider.token, { audience: { type: 'school', schoolId: other.id } })).body.id;
    const city = (await createAs('test-bootstrap-token', { audience: { type: 'all' }, draft: true })).body.id;

    const list = (await (await api('/broadcasts?limit=200', { token: teacher.token })).json()) as {
      items: { id: string; audience: { schoolId?: string } }[];
    };
    expect(list.items.map((i) => i.id)).toContain(mine);
    expect(list.items.every((i) => i.audience.schoolId === school.id)).toBe(true);

    for (const id of [theirs, city]) {
      expect((await api(`/broadcasts/${id}`, { token: teacher.token })).status).toBe(404);
      expect((await api(`/broadcasts/${id}/cancel`, { token: teacher.token, method: 'POST' })).status).toBe(404);
      const patch = await api(`/broadcasts/${id}`, { token: teacher.token, method: 'PATCH', body: { title: 'x' } });
      expect(patch.status).toBe(404);
    }
    expect((await api(`/broadcasts/${mine}`, { token: teacher.token })).status).toBe(200);
    const edit = await api(`/broadcasts/${mine}`, { token: teacher.token, method: 'PATCH', body: { title: '変更' } });
    expect(await edit.json()).toMatchObject({ status: 'scheduled' });
    const moved = await api(`/broadcasts/${mine}`, {
      token: teacher.token,
      method: 'PATCH',
      body: { audience: { type: 'school', schoolId: other.id } },
    });
    expect(moved.status).toBe(403);
    expect((await api(`/broadcasts/${mine}/cancel`, { token: teacher.token, method: 'POST' })).status).toBe(200);
  });
});

describe('the school window', () => {
  it.each([
    ['default window', null, '2026-12-05T06:59', false],
    ['default window', null, '2026-12-05T07:00', true],
    ['default window (a Saturday is a day like any other)', null, '2026-12-05T19:59', true],
    ['default window', null, '2026-12-05T20:00', false],
    ['the school’s own window', '09:00-10:00', '2026-12-06T08:59', false],
    ['the school’s own window', '09:00-10:00', '2026-12-06T09:00', true],
    ['the school’s own window', '09:00-10:00', '2026-12-06T10:00', false],
  ])('%s %s at %s → released: %s', async (_label, window, local, released) => {
    const school = await seedSchool({ window });
    const [guardian] = await addResidents([{}]);
    const [pupil] = await seedPupils(school.id, [{ grade: 2, class: '1' }]);
    await linkGuardians(pupil!, [guardian!]);
    const { body } = await createAs('test-bootstrap-token', { audience: { type: 'school', schoolId: school.id } });
    await cron(jst(local));
    const b = await getBroadcast(body.id);
    if (!released) {
      expect(b.status).toBe('scheduled');
      expect((await api(`/broadcasts/${body.id}/cancel`, { method: 'POST' })).status).toBe(200);
      return;
    }
    expect((await settle(body.id)).status).toBe('sent');
    expect((await fake.requests({ to: guardian!, path: MULTICAST })).length).toBe(1);
  });

  it('windowFor: the school’s own window wins; a malformed one falls back to BROADCAST_HOURS_SCHOOL', () => {
    expect(windowFor('school', env, '09:30-11:00')).toMatchObject({ open: 9 * 60 + 30, close: 11 * 60 });
    expect(windowFor('school', env, 'nonsense')).toMatchObject({ open: 7 * 60, close: 20 * 60 });
    expect(windowFor('school', env, null)).toMatchObject({ open: 7 * 60, close: 20 * 60 });
  });
});

describe('sending a school message', () => {
  it('reaches each guardian once, starting with the school’s name on its own line', async () => {
    const school = await seedSchool({ name: '岡山市立テスト第一小学校' });
    const [g, other] = await addResidents([{}, {}]);
    const [a, b] = await seedPupils(school.id, [
      { grade: 2, class: '1' },
      { grade: 4, class: '3' },
    ]);
    await linkGuardians(a!, [g!]);
    await linkGuardians(b!, [g!, other!]);
    const { body } = await createAs('test-bootstrap-token', {
      audience: { type: 'school', schoolId: school.id },
      messages: [{ type: 'text', text: '明日は遠足です。' }],
    });
    await cron(jst('2026-12-07T10:00'));
    const done = await settle(body.id);
    expect(done).toMatchObject({ status: 'sent', progress: { recipients: 2, delivered: 2 } });
    const reqs = await fake.requests({ to: g!, path: MULTICAST });
    expect(reqs).toHaveLength(1);
    const sent = reqs[0]!.body as { to: string[]; messages: { type: string; text: string }[] };
    expect(sorted(sent.to)).toEqual(sorted([g!, other!]));
    expect(sent.messages[0]!.text).toBe('【岡山市立テスト第一小学校】\n明日は遠足です。');
    // Staff see what they wrote, not the framed text.
    const stored = (await (await api(`/broadcasts/${body.id}`)).json()) as { messages: { text: string }[] };
    expect(stored.messages[0]!.text).toBe('明日は遠足です。');
  });

  it('a class with no guardian on LINE ends sent with 0', async () => {
    const school = await seedSchool();
    await seedPupils(school.id, [{ grade: 1, class: '1' }]);
    const { body } = await createAs('test-bootstrap-token', {
      audience: { type: 'school', schoolId: school.id, classes: ['1-1'] },
    });
    await cron(jst('2026-12-07T11:00'));
    const done = await settle(body.id);
    expect(done).toMatchObject({ status: 'sent', failureReason: null, progress: { recipients: 0, batches: 0 } });
  });
});
