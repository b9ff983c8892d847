/** Scenario 5: a form posted with a tampered _csrf gets the 403 page and changes nothing. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_TOKEN, api, launch, newContext, signIn, unique } from './harness.ts';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Rewrites the hidden CSRF field of the form posting to `action`, as a forged page would send it. */
async function tamper(page: Page, action: string): Promise<void> {
  const field = page.locator(`form[action="${action}"] input[name="_csrf"]`);
  assert.equal(await field.count(), 1, `the page has one form posting to ${action}`);
  await field.evaluate((input, value) => input.setAttribute('value', value), 'forged-csrf-token');
}

test('CSRF: sign-out with a tampered _csrf answers the 403 page and the session goes on', async () => {
  const context = await newContext(browser);
  const page = await signIn(context, ADMIN_TOKEN);
  await tamper(page, '/admin/logout');
  const posted = page.waitForResponse((r) => r.url().endsWith('/admin/logout'));
  await page.getByRole('button', { name: 'ログアウト' }).click();
  assert.equal((await posted).status(), 403);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '権限がありません');
  assert.match((await page.getByRole('alert').textContent()) ?? '', /フォームの確認に失敗しました/);

  // Nothing changed: still signed in.
  await page.goto('/admin');
  assert.equal(new URL(page.url()).pathname, '/admin');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'ダッシュボード');
  await context.close();
});

test('CSRF: 職員を追加 with a tampered _csrf answers the 403 page and adds nobody; the same form untampered adds', async () => {
  const context = await newContext(browser);
  const page = await signIn(context, ADMIN_TOKEN);
  const name = `偽造 ${unique()}`;
  const fillIn = async () => {
    await page.goto('/admin/staff');
    const add = page.getByRole('region', { name: '職員を追加' });
    await add.getByLabel('名前', { exact: true }).fill(name);
    await add.getByLabel('通報担当', { exact: true }).check();
    return add;
  };
  const names = async () => (await api<{ items: { name: string }[] }>('/staff')).items.map((s) => s.name);

  let add = await fillIn();
  await tamper(page, '/admin/staff');
  const posted = page.waitForResponse((r) => r.url().endsWith('/admin/staff') && r.request().method() === 'POST');
  await add.getByRole('button', { name: '職員を追加' }).click();
  assert.equal((await posted).status(), 403);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '権限がありません');
  assert.ok(!(await names()).includes(name), 'nobody was added');

  // The control: the same form as the page gives it works, and shows the new token once.
  add = await fillIn();
  await add.getByRole('button', { name: '職員を追加' }).click();
  await page.locator('.secret').first().waitFor();
  assert.match((await page.locator('.secret').first().textContent()) ?? '', /\S{20,}/);
  assert.ok((await names()).includes(name), 'the untampered form added the account');
  await context.close();
});
