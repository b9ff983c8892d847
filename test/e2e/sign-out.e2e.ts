/** Scenario 6: sign-out ends the session: the cookie is gone and /admin goes to the sign-in form. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN, launch, newContext, signIn } from './harness.ts';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('sign-out: the session cookie is gone and /admin redirects to the sign-in page', async () => {
  const context = await newContext(browser);
  const page = await signIn(context, ADMIN_TOKEN);
  const session = (await context.cookies()).find((c) => c.name === 'okc_session');
  assert.ok(session, 'signed in, the browser holds a session cookie');

  await page.getByRole('button', { name: 'ログアウト' }).click();
  await page.waitForURL((u) => u.pathname === '/admin/login');
  assert.equal(
    (await context.cookies()).find((c) => c.name === 'okc_session'),
    undefined,
  );

  await page.goto('/admin/audit');
  assert.equal(new URL(page.url()).pathname, '/admin/login');
  assert.ok(await page.getByLabel('トークン').isVisible());

  // The old cookie, replayed by hand, no longer opens anything: the session ended on the server too.
  await context.addCookies([session]);
  await page.goto('/admin');
  assert.equal(new URL(page.url()).pathname, '/admin/login');
  await context.close();
});
