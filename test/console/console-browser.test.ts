import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from 'posdiag-protocol';
import { startHub, type Hub } from 'posdiag-hub';
import { createAgent, type Agent } from '../../packages/agent/src/agent.js';
import { parseConfig } from '../../packages/agent/src/config/load.js';
import { SIM_PRINTER_PATH } from '../../packages/agent/src/devices/printer/demo.js';
import { silentLogger } from '../../packages/agent/src/log/logger.js';
import { createDemoTerminal, type DemoTerminal } from '../../packages/agent/src/sim/demo-terminal.js';
import { parseNotifyConfig } from '../../packages/hub/src/notify/config.js';
import { createOperators } from '../../packages/hub/src/operators/operators.js';
import { cliPrincipal } from '../../packages/hub/src/operators/principal.js';
import { openStore } from '../../packages/hub/src/store/open-store.js';
import { startLoopbackReceiver, type LoopbackReceiver } from '../../packages/hub/test/notify/receivers/support/loopback-http.js';
import { launchChromium, screenshot, watchProblems } from './browser.js';

/**
 * The console in a real browser (issue 14): Debian's chromium driven by playwright-core, against a real
 * hub (real clock, SQLite, a loopback webhook as its one receiver) and a real agent on the demo's
 * emulated terminal. An operator logs in; the printer's paper runs out and the alarm appears on the
 * alarms page without a reload; they acknowledge it with a comment and see the comment and the
 * webhook's delivery; they open the terminal, run a remote self-test and see its verdict arrive; they
 * switch to English. Every page is checked for console errors and failed requests, and photographed
 * (test-results/console/, docs/console.md).
 */
const TERMINAL = 'T-0001';
const TOKEN = 'browser-test-token';
const PASSWORD = 'ada-password';

describe('the web console in chromium', () => {
  let dir: string;
  let hub: Hub;
  let agent: Agent;
  let terminal: DemoTerminal;
  let webhook: LoopbackReceiver;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posdiag-console-'));
    const db = join(dir, 'hub.db');
    // The operator is added as `posdiag hub user add` would, on the hub's database.
    const store = await openStore(db);
    await createOperators(store.operators, systemClock, { scrypt: { N: 1024, r: 8, p: 1 } }).users.add('ada', 'admin', PASSWORD, cliPrincipal('root'));
    await store.close();
    webhook = await startLoopbackReceiver(() => ({ status: 200, body: '{}' }));
    const notify = parseNotifyConfig({ route: { receiver: 'ops', group_wait: '1s' }, receivers: [{ name: 'ops', webhook: { url: webhook.url, secret: 'ops-secret' } }] });
    hub = await startHub({ host: '127.0.0.1', port: 0, db, tokens: { [TERMINAL]: TOKEN }, notify, notifyLocale: 'en' });
    base = `http://127.0.0.1:${hub.address.port}`;
    terminal = await createDemoTerminal(dir);
    const config = parseConfig({
      terminal: { id: TERMINAL, model: 'X990', serial: 'SN-0001' },
      paths: { sysfs: terminal.sysfsRoot, state: join(dir, 'state'), logs: join(dir, 'logs') },
      devices: {
        printer: { transport: 'serial', path: SIM_PRINTER_PATH, interval: '200ms', timeout: '500ms' },
        battery: { source: 'sysfs', interval: '200ms' },
      },
      uplink: { url: hub.url, token: TOKEN },
      control: { socket: join(dir, 'control.sock') },
      locale: 'en',
    });
    agent = await createAgent({ config, log: silentLogger, serialBinding: terminal.overrides.serialBinding });
    agent.start();
    browser = await launchChromium({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    terminal?.close();
    await hub?.close();
    await webhook?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('takes an operator from login to an acknowledged alarm and a remote self-test, in both languages', async () => {
    const page: Page = await browser.context.newPage();
    const watch = watchProblems(page);
    const clean = (where: string) => expect(watch.take(), where).toEqual([]);

    // Log in (the page is in Chinese: the browser asks for zh-CN).
    await page.goto(`${base}/alarms`);
    await page.waitForURL(/\/login\?next=/);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await screenshot(page, '01-login');
    // By keyboard alone: the name field has the focus, Tab goes to the password, Enter submits.
    await page.keyboard.type('ada');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/alarms`);
    clean('login');

    // The paper runs out: the alarm appears on the open page by itself.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await page.waitForFunction(() => document.documentElement.dataset.live === 'open');
    terminal.printer.set({ paper: 'end' });
    const row = page.locator('#alarm-rows tr', { hasText: 'printer.paper_end' });
    await row.waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page.locator('body').getAttribute('data-live')).not.toBeNull();
    // A box ticked stays ticked when the next alarm (the battery drains) refreshes the rows.
    const paperBox = row.getByRole('checkbox');
    await paperBox.check();
    terminal.battery.setLevel(12);
    const batteryRow = page.locator('#alarm-rows tr', { hasText: 'battery.low' });
    await batteryRow.waitFor({ timeout: 20_000 });
    expect(await paperBox.isChecked()).toBe(true);
    await paperBox.uncheck();
    await screenshot(page, '02-alarms-live');
    clean('alarms');

    // Acknowledge it with a comment: the comment shows, and so does the webhook's delivery.
    await row.getByRole('link').first().click();
    await page.waitForURL(/\/alarms\/\d+$/);
    const ack = page.getByRole('form', { name: '确认' });
    await ack.getByLabel('备注').fill('纸卷已更换 — paper roll replaced');
    await ack.getByRole('button', { name: '确认' }).click();
    await page.waitForURL(/\/alarms\/\d+$/);
    await page.locator('#comments', { hasText: '纸卷已更换 — paper roll replaced' }).waitFor();
    await page.locator('[data-status]', { hasText: '已确认' }).waitFor();
    await page.locator('#deliveries td[data-state="delivered"]', { hasText: '已送达' }).first().waitFor({ timeout: 20_000 });
    expect(webhook.requests.length).toBeGreaterThan(0);
    await screenshot(page, '03-alarm-acknowledged');
    clean('alarm');

    // The terminal: run a remote self-test and see its verdict arrive.
    await page.getByRole('link', { name: TERMINAL }).first().click();
    await page.waitForURL(`${base}/terminals/${TERMINAL}`);
    await page.getByRole('button', { name: '远程自检' }).click();
    await page.locator('#command-result .verdict').waitFor({ timeout: 30_000 });
    expect(await page.locator('#command-result .command').getAttribute('data-state')).toBe('succeeded');
    await screenshot(page, '04-terminal-self-test');
    // And a diagnostic bundle: its download link arrives, and the download is the tar.gz.
    await page.getByRole('button', { name: '获取诊断包' }).click();
    const download = page.locator('#command-result a', { hasText: '下载' });
    await download.waitFor({ timeout: 30_000 });
    const bundle = await page.request.get(new URL((await download.getAttribute('href'))!, base).toString());
    expect(bundle.status()).toBe(200);
    expect(bundle.headers()['content-type']).toBe('application/gzip');
    clean('terminal');

    // Bulk: tick the battery alarm on the list and acknowledge it with one comment.
    await page.goto(`${base}/alarms`);
    await page.locator('#alarm-rows tr', { hasText: 'battery.low' }).getByRole('checkbox').check();
    await page.locator('#bulk-comment').fill('电池已充电');
    await page.getByRole('button', { name: '对所选执行' }).click();
    await page.waitForURL(`${base}/alarms`);
    await page.locator('#alarm-rows tr', { hasText: 'battery.low' }).filter({ hasText: '已确认' }).waitFor();
    clean('bulk');

    // The other pages, each checked and photographed.
    for (const [path, name] of [['/', '05-overview'], ['/terminals', '06-terminals'], ['/silences', '07-silences'], ['/users', '08-users'], ['/audit', '09-audit']] as const) {
      await page.goto(`${base}${path}`);
      await page.locator('main h1').waitFor();
      await screenshot(page, name);
      clean(path);
    }
    expect(await page.locator('main').textContent()).toContain('alarm.ack');

    // Switch to English: the language link, remembered on the next page.
    await page.goto(`${base}/alarms`);
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/lang=en/);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Alarms');
    await page.goto(`${base}/terminals/${TERMINAL}`);
    expect(await page.locator('main h1').textContent()).toBe(`Terminal ${TERMINAL}`);
    expect(await page.locator('main').textContent()).toContain('Times in Asia/Shanghai');
    await screenshot(page, '10-terminal-english');
    clean('english');
  }, 120_000);

  it('opens a work order from the alarm, accepts it through its form, and shows the change in its history', async () => {
    const page: Page = await browser.context.newPage();
    const watch = watchProblems(page);
    const clean = (where: string) => expect(watch.take(), where).toEqual([]);
    // Still signed in (the same browser context), back in Chinese.
    await page.goto(`${base}/alarms?lang=zh-CN`);
    await page.locator('#alarm-rows tr', { hasText: 'printer.paper_end' }).getByRole('link').first().click();
    await page.waitForURL(/\/alarms\/\d+$/);
    const open = page.getByRole('form', { name: '创建工单' });
    await open.getByLabel('备注').fill('商户来电：需要上门');
    await open.getByRole('button', { name: '创建工单' }).click();
    await page.waitForURL(/\/workorders\/\d+$/);
    expect(await page.locator('[data-wo-state]').textContent()).toBe('已提交');
    const move = page.getByRole('form', { name: '推进工单' });
    await move.getByLabel('备注').fill('已安排维修人员');
    await move.getByRole('button', { name: '已受理' }).click();
    await page.waitForURL(/\/workorders\/\d+$/);
    const entry = page.locator('#wo-history tr[data-action="transition"]');
    await entry.waitFor();
    expect(await entry.textContent()).toContain('已提交 → 已受理');
    expect(await entry.textContent()).toContain('已安排维修人员');
    expect(await page.locator('[data-wo-state]').textContent()).toBe('已受理');
    await screenshot(page, '11-workorder-accepted');
    clean('work order');
    await page.goto(`${base}/workorders`);
    await page.locator('#workorders tr[data-order]').first().waitFor();
    await screenshot(page, '12-workorders');
    clean('work orders');
  }, 60_000);
});
