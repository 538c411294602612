import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../packages/hub/src/notify/config.js';
import { subscribe } from '../packages/hub/test/helpers/sse-subscriber.js';
import { startLoopbackReceiver } from '../packages/hub/test/notify/receivers/support/loopback-http.js';
import { USB_ENROLMENT_FILE } from '../packages/agent/src/devices/usb-guard/usb-enrolment.js';
import { decodeSwapFile } from '../packages/agent/src/repair/swap-file.js';
import { runPosdiag } from '../packages/agent/test/helpers/cli-process.js';
import { openControlConnection } from '../packages/agent/test/helpers/control-connection.js';
import { startDaemonProcess, type DaemonProcess } from '../packages/agent/test/helpers/daemon-process.js';
import { printerOnPty, type PtyPrinter } from '../packages/agent/test/helpers/pty-printer.js';
import { usbUnit } from '../packages/agent/test/helpers/usb-unit.js';
import { startHubProcess, type HubProcess } from './support/hub-process.js';
import { startTestHub } from './support/hub-harness.js';
import { waitFor } from './support/wait-for.js';

/**
 * Issue 15's repair lifecycle end to end, with real processes: `posdiag-hub`, `posdiag run` daemons on
 * their own state dirs with a printer emulator on a real pty, the `posdiag` CLI for the swap and the
 * self-test, and the payment app on the control socket. The steps run in order on one hub and one slot,
 * T-0001; the last one (an SLA breach, which needs a fake clock) runs on an in-process hub instead.
 */

const PUBLIC_URL = 'https://hub.example.test';
/** The emulator's jammed cutter that DLE ENQ cannot clear (paper stuck in it): printer.cutter_error, which needs a technician. */
const JAMMED = { cutterJam: true, cutterObstructed: true } as const;

interface Json {
  status: number;
  body: any;
}

async function call(url: string, init: RequestInit = {}): Promise<Json> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}
const post = (url: string, body: unknown) => call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A unit of the slot's model: battery, USB guard and a receipt printer at `printer` (the model's fixed tty). */
function printerUnit(dir: string, readerSerial: string, printer: PtyPrinter, extra: Record<string, unknown>) {
  const unit = usbUnit(dir, readerSerial, extra);
  unit.config.devices = { ...(unit.config.devices as object), printer: { transport: 'serial', path: printer.path, interval: '500ms', timeout: '3s' } };
  return unit;
}

describe('the repair procedure (process: posdiag hub, two units\' agents, the swap, the payment app)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-repair-procedure-'));
  /** Both units' printer sits at the same path, as a model's built-in printer does: the slot's config names it. */
  const printerDir = join(dir, 'printer');
  mkdirSync(printerDir);
  let hub: HubProcess;
  let api: string;
  let printer: PtyPrinter | undefined;
  let daemon: DaemonProcess | undefined;
  let orderId: number;
  let ref: string;
  let bConfig: string;
  const order = async () => (await call(`${api}/workorders/${orderId}`)).body;
  const selfTests = async () => ((await call(`${api}/reports?terminal=T-0001`)).body as { id: string; kind: string; commandId?: string | null; result?: { level: string; passed: boolean; terminal: { serial: string } } }[]).filter((r) => r.kind === 'self_test');

  afterAll(async () => {
    await daemon?.stop();
    await printer?.close();
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a printer fault that needs a technician opens a repair order at the hub, and the terminal learns its reference', async () => {
    writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ 'T-0001': 'token-one' }));
    hub = await startHubProcess(['--tokens', join(dir, 'tokens.json'), '--db', join(dir, 'hub.db'), '--public-url', PUBLIC_URL]);
    api = `${hub.base}/api`;
    printer = await printerOnPty(printerDir);
    const a = printerUnit(join(dir, 'a'), 'RDR-A', printer, { terminal: { id: 'T-0001', model: 'X990', serial: 'SN-A' }, uplink: { url: hub.url, token: 'token-one' } });
    daemon = await startDaemonProcess(join(dir, 'a'), a.config);
    await waitFor(() => (hub.logged('agent connected').length > 0 ? true : undefined), 'A to connect');
    expect((await call(`${api}/workorders?terminal=T-0001`)).body.workorders).toEqual([]);

    printer.printer.set(JAMMED);
    const [listed] = await waitFor(async () => {
      const { body } = await call(`${api}/workorders?terminal=T-0001`);
      return body.workorders.length > 0 ? (body.workorders as any[]) : undefined;
    }, 'the work order at the hub');
    expect((await call(`${api}/workorders?terminal=T-0001`)).body.workorders).toHaveLength(1);
    expect(listed).toMatchObject({ terminal: 'T-0001', kind: 'repair', state: 'submitted', serial: 'SN-A', code: 'printer.cutter_error', severity: 'major', openedBy: expect.any(String) });
    ({ id: orderId, ref } = listed);
    const detail = await order();
    expect(detail.repairRequest).toMatchObject({
      terminal: { model: 'X990', serial: 'SN-A' },
      part: { device: 'printer', identity: { model: 'TM-T20II', serial: 'SIM0000001' } },
      symptoms: { en: 'Printer paper cutter is jammed', 'zh-CN': '打印机切刀卡纸' },
      technicianHints: [{ en: expect.stringMatching(/^Remove paper fragments from the cutter path/) }, { en: 'Compare printer.cuts_total with the cutter rated life.' }],
      evidence: { onset: expect.any(String) },
    });
    // The agent tried DLE ENQ (in vain: the paper is stuck). Under ASB the jam is reported before that
    // attempt (serial-printer-driver.ts emitChange), so the request's stepsTried does not show it yet.
    expect(printer.printer.recoveryRequests).toBeGreaterThan(0);
    expect(printer.printer.state.cutterJam).toBe(true);

    // The hub's work_order command reached the agent: its control API answers with the order.
    const app = await openControlConnection(daemon.socket);
    const told = await waitFor(async () => ((await app.request('work_order').catch(() => undefined)) as { ref: string } | undefined), 'the work order on the control API');
    expect(told).toEqual({ ref, state: 'submitted', url: `${PUBLIC_URL}${detail.merchantPath}` });
    app.close();
  });

  it('is accepted and a spare sent, each move in its history with who, when and why; the terminal hears the state', async () => {
    expect(await post(`${api}/workorders/${orderId}/transition`, { to: 'accepted', comment: 'technician Wang booked for Thursday' })).toMatchObject({ status: 200, body: { state: 'accepted' } });
    expect(await post(`${api}/workorders/${orderId}/transition`, { to: 'spare_sent', comment: 'spare SN-B sent by courier' })).toMatchObject({ status: 200, body: { state: 'spare_sent' } });
    const moves = (await order()).history.filter((e: { action: string }) => e.action === 'transition');
    expect(moves).toMatchObject([
      { actor: 'loopback', from: 'submitted', to: 'accepted', comment: 'technician Wang booked for Thursday' },
      { actor: 'loopback', from: 'accepted', to: 'spare_sent', comment: 'spare SN-B sent by courier' },
    ]);
    for (const move of moves) expect(Date.parse(move.at)).not.toBeNaN();
    const app = await openControlConnection(daemon!.socket);
    await waitFor(async () => ((await app.request('work_order')) as { state: string }).state === 'spare_sent' || undefined, 'the agent to hear spare_sent');
    app.close();
  });

  it('the spare takes over the slot (swap export and import): the hub sees SN-A → SN-B on T-0001, and the swap completes with its passing acceptance self-test', async () => {
    // B ran in the pool as SPARE-07 first and enrolled its own USB devices.
    const b = usbUnit(join(dir, 'b'), 'RDR-B', { terminal: { id: 'SPARE-07', model: 'X990', serial: 'SN-B' } });
    const pool = await startDaemonProcess(join(dir, 'b'), b.config);
    await waitFor(() => (existsSync(join(b.paths.state, USB_ENROLMENT_FILE)) ? true : undefined), 'B to enrol its USB devices');
    expect(await pool.stop()).toBe(0);
    bConfig = pool.configFile;

    const aConfig = daemon!.configFile;
    expect(await daemon!.stop()).toBe(0);
    daemon = undefined;
    const exported = await runPosdiag(['swap', 'export', '-o', join(dir, 'swap.json'), '--config', aConfig]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(new RegExp(`^posdiag swap: slot T-0001 \\(unit SN-A, seq \\d+, work order ${ref}\\) written`));
    const swap = decodeSwapFile(readFileSync(join(dir, 'swap.json'), 'utf8'));
    expect(swap.workOrder).toMatchObject({ ref, state: 'spare_sent' });
    // B's config is a pool spare's: the import takes it over only when told to.
    expect((await runPosdiag(['swap', 'import', join(dir, 'swap.json'), '--config', bConfig])).code).toBe(73);
    const imported = await runPosdiag(['swap', 'import', join(dir, 'swap.json'), '--config', bConfig, '--force']);
    expect(imported).toMatchObject({ code: 0, stderr: '' });

    // A unit goes away with its own printer; B's sits at the same tty, and is sound.
    await printer!.close();
    printer = await printerOnPty(printerDir);
    daemon = await startDaemonProcess(join(dir, 'b'), JSON.parse(readFileSync(bConfig, 'utf8')) as Record<string, unknown>);
    const acceptance = await waitFor(async () => (await selfTests()).find((r) => r.commandId === `acceptance:${swap.swapId}`), 'the acceptance self-test at the hub', 60_000);
    expect(acceptance.result).toMatchObject({ level: 'full', passed: true, terminal: { serial: 'SN-B' } });
    const swapped = await waitFor(async () => {
      const o = await order();
      return o.swaps?.[0]?.completedAt ? o : undefined;
    }, 'the swap to complete');
    expect(swapped).toMatchObject({ terminal: 'T-0001', serial: 'SN-A', currentSerial: 'SN-B', swaps: [{ terminal: 'T-0001', oldSerial: 'SN-A', newSerial: 'SN-B', selfTestId: acceptance.id }] });
    expect(swapped.history.find((e: { action: string }) => e.action === 'swap')).toMatchObject({ actor: 'system', detail: { slot: 'T-0001', oldSerial: 'SN-A', newSerial: 'SN-B' } });
    expect((await call(`${api}/spares`)).body.spares).toMatchObject([{ serial: 'SN-A', state: 'swapped_out', terminal: 'T-0001', orderId }]);
    // The spare knows the order it came with.
    const app = await openControlConnection(daemon.socket);
    expect(await app.request('work_order')).toMatchObject({ ref });
    app.close();
  }, 90_000);

  it('cannot be verified before a passing full self-test since the repair, and closes after one; SN-A is a repaired spare then', async () => {
    for (const to of ['in_repair', 'returned']) expect(await post(`${api}/workorders/${orderId}/transition`, { to, comment: `${to} at the workshop` })).toMatchObject({ status: 200, body: { state: to } });
    // The acceptance test was before the unit came back: it is no proof of this repair.
    expect(await post(`${api}/workorders/${orderId}/transition`, { to: 'verified' })).toMatchObject({ status: 409, body: { error: expect.stringMatching(new RegExp(`^work order ${ref} cannot be verified: no passing full self-test from T-0001 since the repair`)) } });
    expect(await post(`${api}/workorders/${orderId}/transition`, { to: 'closed' })).toMatchObject({ status: 409 });

    const before = new Set((await selfTests()).map((r) => r.id));
    const run = await runPosdiag(['self-test', '--level', 'full', '--json', '--config', bConfig]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ level: 'full', passed: true });
    const full = await waitFor(async () => (await selfTests()).find((r) => !before.has(r.id) && r.result?.level === 'full'), 'the full self-test at the hub');
    expect(full.result).toMatchObject({ passed: true, terminal: { serial: 'SN-B' } });
    const proven = await waitFor(async () => {
      const o = await order();
      return o.selfTestId === full.id ? o : undefined;
    }, 'the self-test linked to the order');
    expect(proven).toMatchObject({ proven: true, selfTest: { id: full.id, kind: 'self_test' } });
    expect(await post(`${api}/workorders/${orderId}/transition`, { to: 'verified', comment: 'self-test passed' })).toMatchObject({ status: 200, body: { state: 'verified' } });
    expect(await post(`${api}/workorders/${orderId}/transition`, { to: 'closed', comment: 'done' })).toMatchObject({ status: 200, body: { state: 'closed', closedAt: expect.any(String) } });
    expect((await call(`${api}/spares`)).body.spares).toMatchObject([{ serial: 'SN-A', state: 'repaired' }]);
  });

  it('marked lost while off, the terminal is locked as it connects: the alert fires with its address, the app sees the lock, other commands are refused; unlock clears it', async () => {
    expect(await daemon!.stop()).toBe(0);
    daemon = undefined;
    const marked = await post(`${api}/terminals/T-0001/lost`, { comment: 'stolen from the shop overnight' });
    expect(marked).toMatchObject({ status: 201, body: { terminal: 'T-0001', kind: 'lost', state: 'submitted', serial: 'SN-B' } });
    const stream = await subscribe(`${api}/alerts`);
    try {
      // The payment app is on the socket before the terminal reaches the hub (it boots, the network comes
      // later): the hub refuses B's token until the app has connected, then takes it again (SIGHUP).
      const reloaded = () => hub.logged('tokens reloaded').length;
      const reloads = reloaded();
      writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ 'T-0001': 'not-yet' }));
      hub.signal('SIGHUP');
      await waitFor(() => (reloaded() > reloads ? true : undefined), 'the hub to take the changed token');
      daemon = await startDaemonProcess(join(dir, 'b'), JSON.parse(readFileSync(bConfig, 'utf8')) as Record<string, unknown>);
      const app = await openControlConnection(daemon.socket);
      expect(await app.request('lock_state')).toEqual({ locked: false, since: null, reason: null });
      writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ 'T-0001': 'token-one' }));
      hub.signal('SIGHUP');

      const alert = await waitFor(() => stream.events.find((e) => e.event === 'alert' && e.data.code === 'terminal.lost_online'), 'the lost_online alert', 45_000);
      expect(alert.data).toMatchObject({ terminal: 'T-0001', severity: 'critical', remote: '127.0.0.1', workOrder: marked.body.ref });
      const [event] = await waitFor(() => (app.events('lock').length > 0 ? app.events('lock') : undefined), 'the lock event on the app connection');
      expect(event).toMatchObject({ id: null, event: 'lock', locked: true, reason: `marked lost (work order ${marked.body.ref})` });
      expect(await app.request('lock_state')).toEqual({ locked: true, since: event!.since, reason: event!.reason });
      expect(await post(`${api}/terminals/T-0001/commands`, { name: 'ping' })).toMatchObject({ status: 409, body: { error: expect.stringContaining('marked lost') } });

      expect(await post(`${api}/terminals/T-0001/unlock`, { comment: 'found, returned by the police' })).toMatchObject({ status: 200, body: { state: 'closed', kind: 'lost' } });
      expect(await waitFor(() => app.events('lock').find((e) => e.locked === false), 'the unlock event')).toEqual({ id: null, event: 'lock', locked: false, since: null, reason: null });
      expect(await app.request('lock_state')).toEqual({ locked: false, since: null, reason: null });
      app.close();
    } finally {
      stream.res.destroy();
    }
  }, 60_000);
});

describe('the repair procedure: an SLA breach (in-process hub on a fake clock, a real agent process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-repair-sla-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an order from a real printer fault not accepted in time is marked breached once, and the route is notified', async () => {
    const ops = await startLoopbackReceiver(() => ({ status: 200, body: '{}' }));
    const notify = parseNotifyConfig({ route: { receiver: 'ops', group_by: ['code'], group_wait: '30s' }, receivers: [{ name: 'ops', webhook: { url: ops.url, secret: 's' } }] });
    const h = await startTestHub({ notify, notifyLocale: 'en', workOrders: { sla: { major: { acceptMs: 10 * 60_000 } } } });
    mkdirSync(join(dir, 'printer'));
    const printer = await printerOnPty(join(dir, 'printer'));
    let daemon: DaemonProcess | undefined;
    try {
      const unit = printerUnit(join(dir, 'a'), 'RDR-A', printer, { terminal: { id: 'T-0001', model: 'X990', serial: 'SN-A' }, uplink: { url: h.hub.url, token: 'token-one' } });
      daemon = await startDaemonProcess(join(dir, 'a'), unit.config);
      printer.printer.set(JAMMED);
      const [opened] = await waitFor(async () => {
        const { body } = await call(`${h.api}/workorders?terminal=T-0001`);
        return body.workorders.length > 0 ? (body.workorders as any[]) : undefined;
      }, 'the work order at the hub');
      expect(opened).toMatchObject({ kind: 'repair', state: 'submitted', severity: 'major', acceptBreachedAt: null, acceptDueAt: new Date(h.clock.now() + 10 * 60_000).toISOString() });

      expect(await h.hub.checkSla()).toBe(0);
      await h.clock.advance(10 * 60_000);
      // The job on the hub's clock may have claimed it meanwhile; then this finds nothing left.
      expect(await h.hub.checkSla()).toBeLessThanOrEqual(1);
      const breached = await waitFor(async () => {
        const o = (await call(`${h.api}/workorders/${opened.id}`)).body;
        return o.acceptBreachedAt ? o : undefined;
      }, 'the breach on the order');
      expect(await h.hub.checkSla()).toBe(0);
      expect(breached.history.filter((e: { action: string }) => e.action === 'sla_breached')).toMatchObject([{ actor: 'system', detail: { sla: 'accept' } }]);

      await h.hub.notifierFed();
      await h.clock.advance(30_000);
      const told = await waitFor(
        () => ops.requests.flatMap((r) => (JSON.parse(r.body) as { alerts: { labels: Record<string, string> }[] }).alerts).find((a) => a.labels.code === 'workorder.sla_breached'),
        'the notice of the breach',
      );
      expect(told.labels).toMatchObject({ terminal: 'T-0001', severity: 'major', ref: opened.ref, sla: 'accept' });
    } finally {
      await daemon?.stop();
      await printer.close();
      await h.cleanup();
      await ops.close();
    }
  });
});
