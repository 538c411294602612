import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportHealth, type AppHealth } from '../../../src/devices/payment-app/example-client.js';
import { startDaemonProcess, type DaemonProcess } from '../../helpers/daemon-process.js';
import { startTestHub, TEST_TOKENS } from '../../../../../test/support/hub-harness.js';
import { waitFor } from '../../../../../test/support/wait-for.js';

/**
 * Issue 16, the payment app's own health, with the real program: `posdiag run` as a process judging
 * the reports the README's example client sends, beside the network family reading eth0 from a sysfs
 * tree, delivering to a hub. Each of the four faults reaches the hub; a link down explains the backlog.
 */

const dir = mkdtempSync(join(tmpdir(), 'posdiag-app-health-process-'));
const socket = join(dir, 'control.sock');
const eth0 = join(dir, 'sysfs', 'class', 'net', 'eth0');
let hub: Awaited<ReturnType<typeof startTestHub>>;
let daemon: DaemonProcess;

function link(up: boolean): void {
  writeFileSync(join(eth0, 'operstate'), up ? 'up\n' : 'down\n');
  writeFileSync(join(eth0, 'carrier'), up ? '1\n' : '0\n');
}

beforeAll(async () => {
  mkdirSync(eth0, { recursive: true });
  writeFileSync(join(eth0, 'carrier_changes'), '2\n');
  link(true);
  hub = await startTestHub();
  daemon = await startDaemonProcess(dir, {
    terminal: { id: 'T-0001', model: 'X990', serial: 'SN-APP' },
    paths: { sysfs: join(dir, 'sysfs'), state: join(dir, 'state'), logs: join(dir, 'logs') },
    devices: { network: { interfaces: ['eth0'], interval: '200ms' }, paymentApp: { interval: '200ms' } },
    rules: { thresholds: { 'payment.app_silent_s': 3 } },
    uplink: { url: hub.hub.url, token: TEST_TOKENS['T-0001'] },
    control: { socket },
    locale: 'en',
  });
});

afterAll(async () => {
  await daemon?.stop();
  await hub?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

type Row = (typeof hub.stored)[number];
type FaultRow = Extract<Row, { kind: 'fault' }>;
const fault = (code: string, state: 'raised' | 'cleared', also: (r: FaultRow) => boolean = () => true) =>
  waitFor(() => hub.stored.find((r): r is FaultRow => r.kind === 'fault' && r.code === code && r.state === state && also(r)), `${code} ${state} at the hub`, 40_000);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const healthy: AppHealth = { safBacklog: 0, safOldestAt: null, lastApprovedAt: minutesAgo(0), hostErrors: { timeout: 0, declined_by_host: 0 }, crashes: 0, version: '4.2.1' };

/** Keeps reporting `health` every 500 ms until `until` resolves (an app reports all along). */
async function reportingUntil<T>(health: AppHealth, until: Promise<T>): Promise<T> {
  let done = false;
  const settled = until.finally(() => (done = true));
  while (!done) {
    await reportHealth(socket, health);
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 500))]);
  }
  return settled;
}

describe('posdiag run judging the payment app\'s app_health (issue 16)', () => {
  it('an old backlog, the same backlog explained by a link down, the acquirer unreachable, a crash loop and then silence: each at the hub', async () => {
    expect(await reportHealth(socket, healthy)).toEqual({ accepted: true });
    await expect(reportHealth(socket, { ...healthy, safBacklog: -1 })).rejects.toThrow(/bad_request: params.safBacklog/);

    // Three payments stored offline, the oldest 20 minutes old: the backlog fault, the link being fine.
    const old = { ...healthy, safBacklog: 3, safOldestAt: minutesAgo(20), lastApprovedAt: minutesAgo(25) };
    const backlog = await reportingUntil(old, fault('payment.saf_backlog', 'raised'));
    expect(backlog).toMatchObject({ inhibitedBy: null, severity: 'major', evidence: { 'payment.saf_backlog': 3 } });
    expect(backlog.evidence['payment.saf_oldest_age_s']).toBeGreaterThanOrEqual(1200);
    await reportingUntil(healthy, fault('payment.saf_backlog', 'cleared'));

    // The link goes down, then payments pile up offline: explained by network.link_down, no alert of its own.
    link(false);
    await reportingUntil(healthy, fault('network.link_down', 'raised'));
    const explained = await reportingUntil({ ...healthy, safBacklog: 25, safOldestAt: minutesAgo(1) }, fault('payment.saf_backlog', 'raised', (r) => r.inhibitedBy !== null));
    expect(explained.inhibitedBy).toBe('network.link_down');
    link(true);
    await reportingUntil(healthy, fault('payment.saf_backlog', 'cleared', (r) => r.seq > explained.seq));

    // Timeouts, the link up and no DNS errors: the acquirer's side.
    const unreachable = await reportingUntil({ ...healthy, hostErrors: { timeout: 5, connection_refused: 1, declined_by_host: 0 } }, fault('payment.host_unreachable', 'raised'));
    expect(unreachable).toMatchObject({ inhibitedBy: null, evidence: { 'payment.host_unreachable_errors': 6 } });

    // Three crashes within minutes, then the app says nothing more.
    for (const crashes of [1, 2, 3]) await reportHealth(socket, { ...healthy, crashes });
    expect(await fault('payment.app_crash_loop', 'raised')).toMatchObject({ severity: 'critical', evidence: { 'payment.app_version': '4.2.1' } });
    const silent = await fault('payment.app_silent', 'raised');
    expect(silent.inhibitedBy).toBe('payment.app_crash_loop');
  }, 120_000);
});
