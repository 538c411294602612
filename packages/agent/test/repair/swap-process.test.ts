import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHubProcess } from '../../../../test/support/hub-process.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { USB_ENROLMENT_FILE } from '../../src/devices/usb-guard/usb-enrolment.js';
import { decodeSwapFile } from '../../src/repair/swap-file.js';
import { readSwapMarker } from '../../src/repair/swap-marker.js';
import { runPosdiag } from '../helpers/cli-process.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { READER_SERIAL, usbUnit } from '../helpers/usb-unit.js';

interface StoredReport {
  kind: string;
  seq: number;
  code?: string;
  commandId?: string | null;
  terminalInfo: { serial: string };
  result?: { level: string; passed: boolean; faults: { code: string }[] };
}

describe('a spare takes over a slot (process: posdiag hub, two agents\' state dirs, swap export and import)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-swap-process-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('B connects as A\'s terminal, its acceptance full self-test is stored at the hub, and no identity change is alerted', async () => {
    writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ 'T-0001': 'token-one' }));
    const hub = await startHubProcess(['--tokens', join(dir, 'tokens.json'), '--db', join(dir, 'hub.db')]);
    const api = `${hub.base}/api`;
    const reports = async () => (await (await fetch(`${api}/reports?terminal=T-0001`)).json()) as StoredReport[];
    let running: DaemonProcess | undefined;
    try {
      // A, the terminal in the merchant's slot: connected, one self-test reported.
      const a = usbUnit(join(dir, 'a'), 'RDR-A', { terminal: { id: 'T-0001', model: 'X990', serial: 'SN-A' }, uplink: { url: hub.url, token: 'token-one' } });
      running = await startDaemonProcess(join(dir, 'a'), a.config);
      await waitFor(() => (hub.logged('agent connected').length > 0 ? true : undefined), 'A to connect');
      expect((await runPosdiag(['self-test', '--config', running.configFile])).code).toBe(0);
      await waitFor(async () => ((await reports()).some((r) => r.kind === 'self_test') ? true : undefined), "A's self-test at the hub");
      const aConfig = running.configFile;
      expect(await running.stop()).toBe(0);
      running = undefined;
      const exported = await runPosdiag(['swap', 'export', '-o', join(dir, 'swap.json'), '--config', aConfig]);
      expect(exported.code).toBe(0);
      const swap = decodeSwapFile(readFileSync(join(dir, 'swap.json'), 'utf8'));
      const aLastSeq = Math.max(...(await reports()).map((r) => r.seq));
      expect(swap.slot).toEqual({ terminal: 'T-0001', fromSerial: 'SN-A', lastSeq: aLastSeq });

      // B, the spare, first ran in the pool as SPARE-07 and enrolled the reader it had then.
      const b = usbUnit(join(dir, 'b'), 'RDR-POOL', { terminal: { id: 'SPARE-07', model: 'X990', serial: 'SN-B' } });
      running = await startDaemonProcess(join(dir, 'b'), b.config);
      await waitFor(() => (existsSync(join(b.paths.state, USB_ENROLMENT_FILE)) ? true : undefined), 'B to enrol its USB devices');
      expect(await running.stop()).toBe(0);
      running = undefined;
      expect(readFileSync(join(b.paths.state, USB_ENROLMENT_FILE), 'utf8')).toContain('RDR-POOL');
      // The merchant's reader goes with the slot: B now has a reader its enrolment does not know.
      writeFileSync(join(b.sysfs, READER_SERIAL), 'RDR-MERCHANT\n');
      const bConfig = join(dir, 'b', 'config.json');
      const counters = readFileSync(join(b.paths.state, 'lifetime-counters.json'), 'utf8');

      const refused = await runPosdiag(['swap', 'import', join(dir, 'swap.json'), '--config', bConfig]);
      expect(refused.code).toBe(73);
      const imported = await runPosdiag(['swap', 'import', join(dir, 'swap.json'), '--config', bConfig, '--force']);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(readFileSync(join(b.paths.state, 'lifetime-counters.json'), 'utf8')).toBe(counters);

      running = await startDaemonProcess(join(dir, 'b'), JSON.parse(readFileSync(bConfig, 'utf8')) as Record<string, unknown>);
      const acceptance = await waitFor(async () => (await reports()).find((r) => r.kind === 'self_test' && r.commandId === `acceptance:${swap.swapId}`), 'the acceptance self-test at the hub', 60_000);
      expect(acceptance.terminalInfo.serial).toBe('SN-B');
      expect(acceptance.result).toMatchObject({ level: 'full', passed: true, faults: [] });
      // B's reports go on from A's seq: no seq reused at the hub.
      expect(acceptance.seq).toBeGreaterThan(aLastSeq);
      expect(hub.logged('seq reused by a new id: agent state was reset')).toEqual([]);
      // Enrolled afresh, once: the merchant's reader is B's now, and no identity change was reported.
      expect(readFileSync(join(b.paths.state, USB_ENROLMENT_FILE), 'utf8')).toContain('RDR-MERCHANT');
      const faults = (await reports()).filter((r) => r.kind === 'fault').map((r) => r.code);
      expect(faults).not.toContain('security.unknown_usb_device');
      await waitFor(() => (readSwapMarker(b.paths.state)?.acceptance?.passed === true ? true : undefined), 'the acceptance to be noted in the marker');
      expect(readSwapMarker(b.paths.state)).toMatchObject({ reenrolled: true, terminal: 'T-0001', fromSerial: 'SN-A', unitSerial: 'SN-B' });
      const terminals = (await (await fetch(`${api}/terminals`)).json()) as { id: string; inventory: { serial?: string } | null }[];
      expect(terminals.find((t) => t.id === 'T-0001')?.inventory?.serial).toBe('SN-B');
    } finally {
      await running?.stop();
      await hub.stop();
    }
  }, 120_000);

  it('with a swap file from the hub for a dead unit: the spare, on its own config, connects with the slot\'s token and its acceptance goes on after the hub\'s last seq', async () => {
    const here = join(dir, 'from-hub');
    mkdirSync(here);
    writeFileSync(join(here, 'tokens.json'), JSON.stringify({ 'T-0001': 'token-one' }));
    const hub = await startHubProcess(['--tokens', join(here, 'tokens.json'), '--db', join(here, 'hub.db')]);
    const api = `${hub.base}/api`;
    const reports = async () => (await (await fetch(`${api}/reports?terminal=T-0001`)).json()) as StoredReport[];
    let running: DaemonProcess | undefined;
    try {
      // A reported a self-test, then died: nobody can run swap export on it.
      const a = usbUnit(join(here, 'a'), 'RDR-A', { terminal: { id: 'T-0001', model: 'X990', serial: 'SN-A' }, uplink: { url: hub.url, token: 'token-one' } });
      running = await startDaemonProcess(join(here, 'a'), a.config);
      expect((await runPosdiag(['self-test', '--config', running.configFile])).code).toBe(0);
      await waitFor(async () => ((await reports()).some((r) => r.kind === 'self_test') ? true : undefined), "A's self-test at the hub");
      expect(await running.stop()).toBe(0);
      running = undefined;
      const res = await fetch(`${api}/terminals/T-0001/swap`);
      expect(res.status).toBe(200);
      writeFileSync(join(here, 'swap.json'), await res.text());
      const swap = decodeSwapFile(readFileSync(join(here, 'swap.json'), 'utf8'));
      const aLastSeq = Math.max(...(await reports()).map((r) => r.seq));
      expect(swap.slot).toEqual({ terminal: 'T-0001', fromSerial: 'SN-A', lastSeq: aLastSeq });

      // B, the spare, has its own config: the hub's address, the pool's id and a token the hub does not know.
      const b = usbUnit(join(here, 'b'), 'RDR-B', { terminal: { id: 'SPARE-07', model: 'X990', serial: 'SN-B' }, uplink: { url: hub.url, token: 'pool-token' } });
      const bConfig = join(here, 'b', 'config.json');
      writeFileSync(bConfig, JSON.stringify(b.config));
      const imported = await runPosdiag(['swap', 'import', join(here, 'swap.json'), '--config', bConfig, '--force']);
      expect([imported.code, imported.stderr]).toEqual([0, '']);

      running = await startDaemonProcess(join(here, 'b'), JSON.parse(readFileSync(bConfig, 'utf8')) as Record<string, unknown>);
      const acceptance = await waitFor(async () => (await reports()).find((r) => r.kind === 'self_test' && r.commandId === `acceptance:${swap.swapId}`), 'the acceptance self-test at the hub', 60_000);
      expect(acceptance.terminalInfo.serial).toBe('SN-B');
      expect(acceptance.result).toMatchObject({ level: 'full', passed: true });
      expect(acceptance.seq).toBeGreaterThan(aLastSeq);
      expect(hub.logged('seq reused by a new id: agent state was reset')).toEqual([]);
    } finally {
      await running?.stop();
      await hub.stop();
    }
  }, 120_000);
});
