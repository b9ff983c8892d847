/**
 * Scenarios 7 and 8: every main page passes axe-core without serious or critical violations,
 * and is saved as a screenshot at 1280 px and at 375 px, where it must not scroll sideways.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_TOKEN, launch, newContext, resultPath, signIn } from './harness.ts';
import { PAGES, type Seed, seedPages } from './pages.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let browser: Browser;
let seed: Seed;
before(async () => {
  browser = await launch();
  seed = await seedPages();
});
after(async () => {
  await browser?.close();
});

/** A page of the console opened in a browser signed in (or not, for the public ones). */
async function open(contexts: { signedIn: BrowserContext; signedOut: BrowserContext }, p: (typeof PAGES)[number]) {
  const context = p.public ? contexts.signedOut : contexts.signedIn;
  const page = context.pages()[0] ?? (await context.newPage());
  const res = await page.goto(p.path(seed));
  assert.equal(res?.status(), 200, `${p.name} (${p.path(seed)}) answers 200`);
  return page;
}

async function contextsAt(width: number, bypassCSP = false) {
  const signedIn = await newContext(browser, { width, bypassCSP });
  await signIn(signedIn, ADMIN_TOKEN);
  const signedOut = await newContext(browser, { width, bypassCSP });
  return { signedIn, signedOut };
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

async function axe(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE });
  const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as {
    violations: AxeViolation[];
  };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

test('accessibility: no serious or critical axe-core violations on the main pages', async () => {
  // bypassCSP only here: axe is injected as a script the page's CSP would refuse.
  const contexts = await contextsAt(1280, true);
  const failures: string[] = [];
  for (const p of PAGES) {
    const page = await open(contexts, p);
    for (const v of await axe(page)) {
      const where = v.nodes.map((n) => `      ${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('\n');
      failures.push(`${p.name} (${p.path(seed)}): [${v.impact}] ${v.id}: ${v.help}\n${where}`);
    }
  }
  assert.deepEqual(failures, [], `axe-core found:\n${failures.join('\n')}`);
});

test('screenshots at 1280 px and 375 px, and no sideways scrolling at 375 px', async () => {
  const wide: string[] = [];
  for (const width of [1280, 375]) {
    const contexts = await contextsAt(width);
    for (const p of PAGES) {
      const page = await open(contexts, p);
      await page.screenshot({ path: resultPath('screenshots', `${p.name}-${width}.png`), fullPage: true });
      if (width === 375) {
        const scrollWidth = (await page.evaluate('document.scrollingElement.scrollWidth')) as number;
        if (scrollWidth > 375) wide.push(`${p.name} (${p.path(seed)}) is ${scrollWidth} px wide`);
      }
    }
  }
  assert.deepEqual(wide, [], `pages that scroll sideways at 375 px:\n${wide.join('\n')}`);
});
