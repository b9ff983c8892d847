/**
 * What every browser scenario shares: the running worker and fake LINE (started by
 * scripts/e2e.ts, which passes their URLs in E2E_*), headless Chromium, sign-in, the staff API
 * with the dev admin token, and the fake LINE's record of what the bot sent.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cronUrl } from '../../scripts/lib/local-cron.ts';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser suite with \`npm run test:e2e\`.`);
  return value;
}

export const WORKER = required('E2E_WORKER_URL');
export const FAKE_LINE = required('E2E_FAKE_LINE_URL');
export const ADMIN_TOKEN = required('E2E_ADMIN_TOKEN');
export const CHANNEL_SECRET = required('E2E_CHANNEL_SECRET');
export const TERMS_VERSION = process.env.E2E_TERMS_VERSION ?? '';
export const RESULTS = process.env.E2E_RESULTS ?? 'test-results';

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    // Without the background-networking flags Chromium keeps dialling Google on a closed network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser profile (its own cookies), as a second staff member's browser would be. */
export async function newContext(browser: Browser, options: { width?: number; bypassCSP?: boolean } = {}) {
  const context = await browser.newContext({
    baseURL: WORKER,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    viewport: { width: options.width ?? 1280, height: 900 },
    bypassCSP: options.bypassCSP ?? false,
  });
  // Playwright's 30 s is short on a busy 2-core machine, where a page now and then waits 30 s for the CPU.
  context.setDefaultTimeout(60_000);
  return context;
}

/** Signs in through the form, as a person would; answers the page on the dashboard. */
export async function signIn(context: BrowserContext, token: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/admin/login');
  await page.getByLabel('トークン').fill(token);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForURL((u) => u.pathname === '/admin');
  return page;
}

/**
 * Clicks the button named `name` and waits for the page it leads to (after a 303, the page
 * redirected to); answers that page's response, whose `request().redirectedFrom()` is the POST.
 */
export async function submit(page: Page, name: string) {
  const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name }).click()]);
  return response;
}

/** The text of the page's `role="status"` notice (after a successful POST). */
export async function notice(page: Page): Promise<string> {
  return (await page.getByRole('status').first().textContent({ timeout: 5_000 })) ?? '';
}

// ── the staff API ────────────────────────────────────────────────────────────────────

export async function api<T = unknown>(
  path: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<T> {
  const res = await fetch(`${WORKER}/api/v1${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${init.token ?? ADMIN_TOKEN}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} /api/v1${path} answered ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export interface NewStaff {
  id: string;
  name: string;
  token: string;
}

/** A staff account made with the admin token, named so a scenario's pages can be told apart. */
export function newStaff(name: string, roles: string[], scopes: Record<string, string[]> = {}): Promise<NewStaff> {
  return api<NewStaff>('/staff', { body: { name: `${name} ${unique().slice(-4)}`, roles, scopes } });
}

/** Short and unique within a run: for names, titles and codes a scenario looks for. */
export function unique(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

// ── the fake LINE platform ───────────────────────────────────────────────────────────

export interface Sent {
  id: string;
  path: string;
  to: string[];
  body: { messages?: Record<string, unknown>[]; replyToken?: string };
}

/** What the bot sent, as the fake LINE recorded it: to one user, or on one path (/v2/bot/message/broadcast). */
export async function sent(query: { to?: string; path?: string }): Promise<Sent[]> {
  const params = new URLSearchParams();
  if (query.to) params.set('to', query.to);
  if (query.path) params.set('path', query.path);
  const res = await fetch(`${FAKE_LINE}/__fake/requests?${params}`);
  return (await res.json()) as Sent[];
}

/** Polls `check` until it answers something truthy, or fails naming `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The run of the cron wrangler dev offers; `time` is the handler's "now". */
export async function cronTick(time: number): Promise<void> {
  const res = await fetch(cronUrl(WORKER, time));
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`the cron tick answered ${res.status}`);
}

// ── what is saved for review ─────────────────────────────────────────────────────────

export function resultPath(...parts: string[]): string {
  const path = join(RESULTS, ...parts);
  mkdirSync(join(path, '..'), { recursive: true });
  return path;
}
