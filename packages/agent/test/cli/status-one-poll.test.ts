import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';
import { catalogEntry } from '../../src/faults/catalog.js';
import { openOutbox } from '../../src/report/outbox.js';
import { TerminalLock } from '../../src/repair/terminal-lock.js';
import { writeWorkOrder } from '../../src/repair/work-order.js';
import { runPosdiag } from '../helpers/cli-process.js';
import { faultDraft } from '../helpers/outbox-drafts.js';
import type { PtyPrinter } from '../helpers/pty-printer.js';
import { ptyTerminal } from '../helpers/pty-terminal.js';

/**
 * `posdiag status` as a process with no daemon running: one poll of the printer (an emulator on a real
 * pty) for the faults, the outbox as the stopped daemon left it on disk, and the link not running.
 */
const dir = mkdtempSync(join(tmpdir(), 'posdiag-status-poll-'));
let configFile: string;
let ptyPrinter: PtyPrinter;
let leftBytes: number;
const LOCKED_AT = Date.UTC(2026, 2, 1, 8, 0, 0);

beforeAll(async () => {
  ({ configFile, ptyPrinter } = await ptyTerminal(dir, { terminal: { id: 'T-POLL-1', model: 'X990', serial: 'SN-POLL' }, locale: 'en', printer: { paper: 'end' }, uplink: true }));
  // One report the stopped daemon did not deliver.
  const outbox = await openOutbox({ dir: join(dir, 'state', 'outbox'), maxBytes: 1024 * 1024, memoryRing: 16 });
  await outbox.record(faultDraft());
  leftBytes = outbox.stats().bytes;
  await outbox.close();
  // What the stopped daemon kept of the hub's lock and work order.
  new TerminalLock(join(dir, 'state'), LOCKED_AT).lock('reported lost', LOCKED_AT);
  writeWorkOrder(join(dir, 'state'), { ref: 'WO-7K2QF', state: 'accepted', url: 'https://hub.example/wo/q8Zr1' }, LOCKED_AT);
});

afterAll(async () => {
  await ptyPrinter.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('posdiag status without a daemon', () => {
  it('--json: the fault with its steps and no since, the link not running, the outbox left on disk', async () => {
    const { code, stdout } = await runPosdiag(['status', '--json', '--config', configFile]);
    expect(code).toBe(0);
    const status = JSON.parse(stdout);
    expect(status.source).toBe('one poll');
    expect(status.faults).toEqual([
      {
        code: 'printer.paper_end',
        instance: null,
        category: 'io',
        severity: 'major',
        inhibitedBy: null,
        since: null,
        remediation: catalogEntry(FAULT_CATALOG, 'printer.paper_end').remediation.map((s) => ({ text: s.text.en, automatic: s.automatic })),
      },
    ]);
    expect(status.uplink).toEqual({ state: 'not running', lastAckAt: null, pending: null });
    expect(status.outbox).toMatchObject({ pending: 1, bytes: leftBytes, storage: 'disk' });
    expect(status.lock).toEqual({ locked: true, since: '2026-03-01T08:00:00.000Z', reason: 'reported lost' });
    expect(status.workOrder).toEqual({ ref: 'WO-7K2QF', state: 'accepted', url: 'https://hub.example/wo/q8Zr1' });
  });

  it('in words', async () => {
    const { code, stdout } = await runPosdiag(['status', '--config', configFile]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^T-POLL-1 X990 SN SN-POLL at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(one poll: no daemon running\)$/m);
    expect(stdout).toMatch(/^ {2}printer\.paper\s+end$/m);
    expect(stdout).toContain('printer.paper_end  major (io)  since: not known (one poll)\n    1. Load a new paper roll');
    expect(stdout).toMatch(/^uplink: not running$/m);
    expect(stdout).toContain(`outbox: 1 record, ${leftBytes} bytes, on disk`);
    expect(stdout).toMatch(/^lock: LOCKED by the service provider since 2026-03-0[12] \d\d:\d\d:00 \(reported lost\): do not take payments$/m);
    expect(stdout).toContain('work order: WO-7K2QF (accepted)\n  https://hub.example/wo/q8Zr1\n');
  });
});
