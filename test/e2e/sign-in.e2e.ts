/** Scenario 1: sign-in with the dev admin token, after a wrong one; the dashboard shows. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN, launch, newContext } from './harness.ts';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('sign-in: a wrong token is refused with an alert, the dev admin token opens the dashboard', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();

  // Without a session, /admin sends the browser to the sign-in form.
  await page.goto('/admin');
  assert.equal(new URL(page.url()).pathname, '/admin/login');

  await page.getByLabel('トークン').fill('not-a-token');
  const refused = page.waitForResponse((r) => r.url().endsWith('/admin/login') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'ログイン' }).click();
  assert.equal((await refused).status(), 401);
  const alert = await page.getByRole('alert').textContent();
  assert.match(alert ?? '', /トークンが正しくない/);
  assert.equal(new URL(page.url()).pathname, '/admin/login');
  assert.equal(
    (await context.cookies()).find((c) => c.name === 'okc_session'),
    undefined,
  );

  await page.getByLabel('トークン').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForURL((u) => u.pathname === '/admin');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'ダッシュボード');
  // An admin sees every entry, in the contract's order.
  const nav = page.getByRole('navigation', { name: 'メインメニュー' });
  const entries = (await nav.locator('a, button').allTextContents()).map((t) => t.trim());
  assert.deepEqual(entries, ['通報', '配信', '承認待ち', '学校', '町内会', '職員', '監査ログ', 'ログアウト']);
  const cookie = (await context.cookies()).find((c) => c.name === 'okc_session');
  assert.ok(cookie?.httpOnly, 'the session cookie is HttpOnly');
  await context.close();
});
