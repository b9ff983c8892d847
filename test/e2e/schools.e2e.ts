/**
 * Scenario 4: a guardian sends today's absence notice in the chat; the school's staff confirm
 * it with a comment in /admin/schools/:id (the guardian is told), and another school's page
 * answers 403.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { Resident } from './chat.ts';
import { api, eventually, launch, newContext, newStaff, notice, sent, signIn, unique } from './harness.ts';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

function newSchool(name: string) {
  return api<{ id: string; name: string }>('/schools', {
    body: {
      code: `E2E-${unique()}`.slice(0, 20),
      name,
      kind: 'elementary',
      phone: '086-803-0000',
      cutoff: '08:00',
      // The suite runs at any hour: a notice for today after 08:00 is stored, flagged late.
      afterCutoff: 'accept_late',
    },
  });
}

test('schools: school staff confirm a notice with a comment, and get 403 on another school', async () => {
  const school = await newSchool(`岡山市立確認小学校 ${unique()}`);
  const also = await newSchool(`岡山市立兼務中学校 ${unique()}`);
  const other = await newSchool(`岡山市立よその小学校 ${unique()}`);
  const pupilName = `確認 太郎${unique().slice(-3)}`;
  const added = await api<{ items: { registrationCode: string }[] }>(`/schools/${school.id}/pupils`, {
    body: [{ grade: 2, class: '1', number: 3, name: pupilName, kana: 'かくにん たろう' }],
  });
  const guardian = new Resident();
  const receipt = await guardian.absenceToday(added.items[0]!.registrationCode);
  const teacher = await newStaff('学校 担当', ['school_staff'], { schools: [school.id, also.id] });

  const context = await newContext(browser);
  const page = await signIn(context, teacher.token);
  await page.goto('/admin/schools');
  // A teacher of two schools chooses one; a third school is not theirs and not listed.
  assert.ok(await page.getByRole('link', { name: also.name }).isVisible());
  assert.equal(await page.getByRole('link', { name: other.name }).count(), 0, 'another school is not listed');
  await page.getByRole('link', { name: school.name }).click();
  await page.waitForURL((u) => u.pathname === `/admin/schools/${school.id}`);
  const main = (await page.locator('main').textContent()) ?? '';
  assert.match(main, /2年/, 'the notices are listed by grade');

  const item = page
    .locator('article, section, li, tr, div, form, details')
    .filter({ hasText: pupilName })
    .filter({ has: page.getByRole('button', { name: '確認' }) })
    .last();
  const comment = `承知しました。お大事になさってください。${unique()}`;
  await item.getByLabel('コメント', { exact: true }).fill(comment);
  const [response] = await Promise.all([page.waitForNavigation(), item.getByRole('button', { name: '確認' }).click()]);
  assert.equal(response?.request().redirectedFrom()?.method(), 'POST', '確認 posts and is redirected (303)');
  assert.equal(new URL(page.url()).pathname, `/admin/schools/${school.id}`);
  assert.ok((await notice(page)).length > 0, 'a role="status" notice says it was confirmed');

  const list = await api<{ items: { number: string; status: string }[] }>(`/schools/${school.id}/absences`, {
    token: teacher.token,
  });
  assert.equal(list.items.find((n) => n.number === receipt)?.status, 'confirmed');
  await eventually('the guardian told of the confirmation', async () =>
    (await sent({ to: guardian.userId })).find((r) => JSON.stringify(r.body).includes(comment)),
  );
  assert.ok(!(await page.content()).includes(guardian.userId), 'no LINE user ID on the page');

  const refused = await page.goto(`/admin/schools/${other.id}`);
  assert.equal(refused?.status(), 403);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '権限がありません');
  await context.close();
});
