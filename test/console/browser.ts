import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (scripts/test-setup.mjs installs it); Playwright's own download cannot work offline. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the console's browser test leaves its screenshots (gitignored; docs/console.md says what each shows). */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/console/', import.meta.url));

/**
 * Chromium started for one test: headless, with a profile of its own that is removed afterwards, no
 * sandbox (the tests run as root), and none of the background traffic a fresh profile would make
 * (component updates, sync, QUIC probing): the only requests are the page's, to the hub on loopback.
 */
export async function launchChromium(options: { locale: string; timezoneId: string }): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'posdiag-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: options.locale,
    timezoneId: options.timezoneId,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * What went wrong on a page while the test used it: console errors, uncaught exceptions, requests that
 * failed, and answers of 400 or more. A GET the browser itself cancels because the page navigates
 * away (net::ERR_ABORTED: the event stream, an htmx refresh in flight when a form is posted) is not a
 * failure.
 */
export function watchProblems(page: Page): { problems: string[]; take(): string[] } {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught on ${page.url()}: ${err.message}`));
  page.on('requestfailed', (req) => {
    const failure = req.failure()?.errorText ?? '';
    if (req.method() === 'GET' && failure === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.method()} ${req.url()}: ${failure}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
  });
  return {
    problems,
    take: () => problems.splice(0),
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
