import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTime } from '../../src/core/ui-text.js';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';
import { catalogEntry } from '../../src/faults/catalog.js';
import type { EscPosPrinterEmulator } from '../../src/devices/printer/emulator/escpos-printer.js';
import { asciiWordsOutside } from '../helpers/ascii-words.js';
import { runPosdiag } from '../helpers/cli-process.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { freePort } from '../helpers/delivery-hub.js';
import { startTestHub, TEST_TOKENS } from '../../../../test/support/hub-harness.js';
import { printerOnPty, type PtyPrinter } from '../helpers/pty-printer.js';
import { waitFor } from '../../../../test/support/wait-for.js';

/**
 * `posdiag status` as a process against a real `posdiag run` daemon (a printer emulator on a real pty)
 * that delivers to a real hub: each open fault with since when and its steps, the link and the outbox.
 */
const dir = mkdtempSync(join(tmpdir(), 'posdiag-status-'));
let hub: Awaited<ReturnType<typeof startTestHub>>;
let ptyPrinter: PtyPrinter;
let printer: EscPosPrinterEmulator;
let daemon: DaemonProcess;

interface StatusJson {
  source: string;
  readings: Record<string, unknown>;
  faults: { code: string; since: string | null; severity: string; category: string; remediation: { text: string; automatic: boolean }[] }[];
  uplink: { state: string; lastAckAt: string | null; pending: number | null; url?: string };
  outbox: { pending: number; bytes: number; storage: string } | null;
}

const statusJson = async (): Promise<StatusJson> => JSON.parse((await runPosdiag(['status', '--json', '--config', daemon.configFile])).stdout);

beforeAll(async () => {
  // A fixed port, so the hub the last test restarts is found where the daemon left it.
  hub = await startTestHub({ port: await freePort() });
  ptyPrinter = await printerOnPty(dir);
  printer = ptyPrinter.printer;
  daemon = await startDaemonProcess(dir, {
    terminal: { id: 'T-0001', model: 'X990', serial: 'SN-STATUS' },
    paths: { state: join(dir, 'state'), logs: join(dir, 'logs') },
    devices: { printer: { transport: 'serial', path: ptyPrinter.path, interval: '500ms', timeout: '3s' } },
    uplink: { url: hub.hub.url, token: TEST_TOKENS['T-0001'] },
    control: { socket: join(dir, 'run', 'control.sock') },
    locale: 'en',
  });
});

afterAll(async () => {
  await daemon.stop();
  await ptyPrinter.close();
  await hub.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('posdiag status against the daemon', () => {
  it('shows the open fault with since when and its steps, the link connected with its last ack and nothing pending, the outbox', async () => {
    printer.set({ paper: 'end' });
    const atHub = await waitFor(() => hub.stored.find((r) => r.kind === 'fault' && r.code === 'printer.paper_end'), 'paper_end at the hub');
    // Once the hub has acked everything, including the fault.
    const status = await waitFor(async () => {
      const s = await statusJson();
      return s.faults.length && s.uplink.pending === 0 && s.uplink.lastAckAt ? s : undefined;
    }, 'a status with the fault delivered');

    expect(status.source).toBe('daemon');
    const fault = status.faults.find((f) => f.code === 'printer.paper_end')!;
    expect(fault).toMatchObject({ severity: 'major', category: 'io' });
    expect(atHub.kind === 'fault' && fault.since).toBe(atHub.kind === 'fault' && atHub.since);
    expect(fault.remediation.map((s) => s.text)).toEqual(catalogEntry(FAULT_CATALOG, 'printer.paper_end').remediation.map((s) => s.text.en));
    expect(status.uplink).toMatchObject({ state: 'connected', pending: 0 });
    expect(Date.parse(status.uplink.lastAckAt!)).toBeGreaterThanOrEqual(Date.parse(fault.since!));
    expect(status.outbox).toMatchObject({ pending: 0, storage: 'disk' });

    const { code, stdout } = await runPosdiag(['status', '--config', daemon.configFile]);
    expect(code).toBe(0);
    expect(stdout).toContain(`printer.paper_end  major (io)  since ${localTime(new Date(fault.since!))}`);
    expect(stdout).toContain('    1. Load a new paper roll');
    expect(stdout).toMatch(/^uplink: connected, last ack \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, 0 awaiting ack$/m);
    expect(stdout).toMatch(/^outbox: 0 records, 0 bytes, on disk$/m);
  });

  it('in Chinese: every word is Chinese but the identifiers', async () => {
    const { code, stdout } = await runPosdiag(['status', '--config', daemon.configFile, '--lang', 'zh-CN']);
    expect(code).toBe(0);
    expect(stdout).toContain('上报链路：已连接，最后确认');
    expect(stdout).toContain('printer.paper_end  重要（输入输出）  自 ');
    const json = await statusJson();
    // The hub's URL (the uplink's second line) is an identifier too.
    const text = stdout.replaceAll(json.uplink.url!, '');
    // 'hub': the clock's reference (system.clock_reference), a source name like the reading names.
    expect(asciiWordsOutside(text, ['T-0001', 'X990', 'SN-STATUS', ...Object.keys(json.readings), 'printer.paper_end', 'hub'])).toEqual([]);
  });

  it('a hub that goes away: disconnected, and what is recorded meanwhile waits; delivered once the hub is back', async () => {
    await hub.hub.close(); // idempotent: the restart below closes it again
    await waitFor(async () => ((await statusJson()).uplink.state === 'disconnected' ? true : undefined), 'the link seen down');
    printer.set({ paper: 'ok' }); // the fault clears: a report for the outbox
    const waiting = await waitFor(async () => {
      const s = await statusJson();
      return s.faults.length === 0 && s.uplink.pending! > 0 ? s : undefined;
    }, 'the cleared report waiting');
    expect(waiting.outbox!.pending).toBe(waiting.uplink.pending);
    expect(waiting.outbox!.bytes).toBeGreaterThan(0);
    const { stdout } = await runPosdiag(['status', '--config', daemon.configFile]);
    expect(stdout).toMatch(/^uplink: disconnected, retrying, last ack [\d-]+ [\d:]+, [1-9]\d* awaiting ack$/m);
    expect(stdout).toMatch(/^outbox: [1-9]\d* records?, [1-9]\d* bytes, on disk$/m);
    expect(stdout).toContain('faults: none');

    await hub.restart();
    await waitFor(async () => {
      const s = await statusJson();
      return s.uplink.state === 'connected' && s.uplink.pending === 0 ? true : undefined;
    }, 'the waiting reports delivered', 60_000);
  });
});
