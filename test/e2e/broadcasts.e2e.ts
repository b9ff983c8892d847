/**
 * Scenario 3: one staff member composes a broadcast and asks for approval; another approves
 * it in a second browser; a cron tick releases it and the fake LINE platform records it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { Resident } from './chat.ts';
import {
  ADMIN_TOKEN,
  api,
  cronTick,
  eventually,
  launch,
  newContext,
  newStaff,
  sent,
  signIn,
  submit,
  unique,
} from './harness.ts';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

interface BroadcastJson {
  status: string;
  audience: { type: string };
  nextReleaseAt: string | null;
}

test('broadcasts: composed by a broadcaster, approved by an approver, released by the cron and delivered', async () => {
  // A friend of the account, so a broadcast to anyone has someone to reach.
  const resident = new Resident();
  await resident.join();
  const author = await newStaff('広報 作成', ['broadcaster']);
  const approver = await newStaff('広報 承認', ['approver']);
  const title = `年末年始のごみ収集 ${unique()}`;
  const text = `年末年始はごみ収集の日程が変わります。${unique()}`;

  const authorContext = await newContext(browser);
  const composer = await signIn(authorContext, author.token);
  await composer.goto('/admin/broadcasts/new');
  assert.equal(await composer.getByLabel('緊急', { exact: true }).count(), 0, '緊急 is for admins only');
  await composer.getByLabel('タイトル', { exact: true }).fill(title);
  await composer.getByLabel('本文', { exact: true }).fill(text);
  await composer.getByLabel('配信対象', { exact: true }).selectOption({ label: '友だち全員' });
  assert.equal(await composer.getByLabel('配信日時', { exact: true }).getAttribute('type'), 'datetime-local');
  for (const name of ['承認依頼', '下書き保存', 'テスト送信'])
    assert.ok(await composer.getByRole('button', { name, exact: true }).isVisible(), `the composer offers ${name}`);
  await submit(composer, '承認依頼');
  const id = new URL(composer.url()).pathname.match(/^\/admin\/broadcasts\/([0-9a-f-]{36})$/)?.[1];
  assert.ok(id, `承認依頼 leads to the broadcast's page (got ${composer.url()})`);
  assert.equal((await api<BroadcastJson>(`/broadcasts/${id}`)).status, 'pending_approval');
  assert.ok(await composer.getByRole('button', { name: '配信を取り消す' }).isVisible(), 'cancellable while waiting');

  // The approver, in a browser of their own, sees it with its content and approves it.
  const approverContext = await newContext(browser);
  const approvals = await signIn(approverContext, approver.token);
  await approvals.goto('/admin/approvals');
  const item = approvals
    .locator('article, section, li, tr, div, form, details')
    .filter({ hasText: title })
    .filter({ has: approvals.getByRole('button', { name: '承認する' }) })
    .last();
  assert.match((await item.textContent()) ?? '', new RegExp(text), 'the content is shown inline');
  assert.ok(await item.getByLabel('差し戻しの理由', { exact: true }).isVisible(), '差し戻す takes a reason');
  await Promise.all([approvals.waitForNavigation(), item.getByRole('button', { name: '承認する' }).click()]);
  const approved = await api<BroadcastJson>(`/broadcasts/${id}`);
  assert.equal(approved.status, 'scheduled');
  assert.ok(approved.nextReleaseAt, 'an approved broadcast has a release time');

  // The cron at its release time (the city's hours may be closed now, so "now" is that moment).
  await cronTick(Date.parse(approved.nextReleaseAt!));
  const delivery = await eventually(
    'the broadcast at the fake LINE',
    async () =>
      [...(await sent({ path: '/v2/bot/message/broadcast' })), ...(await sent({ to: resident.userId }))].find((r) =>
        JSON.stringify(r.body).includes(text),
      ),
    20_000,
  );
  assert.ok(delivery.path.startsWith('/v2/bot/message/'));
  const done = await eventually('the broadcast to be sent', async () => {
    const b = await api<BroadcastJson>(`/broadcasts/${id}`);
    return b.status === 'sent' ? b : undefined;
  });
  assert.equal(done.status, 'sent');

  // The author's page shows it sent: nothing left to cancel.
  await composer.goto(`/admin/broadcasts/${id}`);
  assert.match((await composer.locator('main').textContent()) ?? '', new RegExp(title));
  assert.equal(await composer.getByRole('button', { name: '配信を取り消す' }).count(), 0);
  await authorContext.close();
  await approverContext.close();
});

test('broadcasts: the composer offers 緊急 to an admin', async () => {
  const context = await newContext(browser);
  const page = await signIn(context, ADMIN_TOKEN);
  await page.goto('/admin/broadcasts/new');
  assert.equal(await page.getByLabel('緊急', { exact: true }).getAttribute('type'), 'checkbox');
  await context.close();
});
