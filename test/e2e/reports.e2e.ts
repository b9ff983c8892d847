/**
 * Scenario 2: a resident reports road damage in the chat; a report manager finds it in
 * /admin/reports, sets 対応中 with a public note, and the resident's push is recorded by the
 * fake LINE platform.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { Resident } from './chat.ts';
import { api, eventually, launch, newContext, newStaff, notice, sent, signIn, submit, unique } from './harness.ts';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('reports: a chat report set to 対応中 with a public note in the console pushes the note to the resident', async () => {
  const resident = new Resident();
  const number = await resident.report(`市役所前の歩道に直径30cmほどの穴があります。${unique()}`);
  const manager = await newStaff('道路 担当', ['report_manager']);

  const context = await newContext(browser);
  const page = await signIn(context, manager.token);
  await page.goto('/admin/reports');
  await page.getByLabel('検索', { exact: true }).fill(number);
  await page.getByRole('button', { name: '絞り込む' }).click();
  await page.getByRole('link', { name: number }).click();
  await page.waitForURL(/\/admin\/reports\/[^/?]+$/);
  const detailPath = new URL(page.url()).pathname;

  const note = `現地を確認し、補修の手配をしました。${unique()}`;
  await page.getByLabel('状態', { exact: true }).selectOption({ label: '対応中' });
  await page.getByLabel('住民へのお知らせ（公開）', { exact: true }).fill(note);
  await page.getByLabel('内部メモ', { exact: true }).fill('業者に連絡済み');
  const done = await submit(page, '更新');
  assert.equal(done?.request().redirectedFrom()?.method(), 'POST', '更新 posts and is redirected (303)');
  assert.equal(new URL(page.url()).pathname, detailPath, 'back on the detail');
  assert.ok((await notice(page)).length > 0, 'a role="status" notice says the change was saved');

  const report = await api<{ status: string }>(`/reports/${number}`);
  assert.equal(report.status, 'in_progress');
  const push = await eventually('the status push to the resident', async () =>
    (await sent({ to: resident.userId, path: '/v2/bot/message/push' })).find((r) =>
      JSON.stringify(r.body).includes(note),
    ),
  );
  const words = JSON.stringify(push.body);
  assert.ok(words.includes(number), 'the push names the report number');
  assert.ok(!words.includes('業者に連絡済み'), 'the internal note stays inside');
  // The page never shows the reporter's LINE user ID.
  assert.ok(!(await page.content()).includes(resident.userId));
  await context.close();
});
