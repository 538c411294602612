import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../src/agent.js';
import { parseConfig } from '../src/config/load.js';
import type { StoredReport } from '../src/hub/store.js';
import { silentLogger } from '../src/log/logger.js';
import { createDemoTerminal, SIM_PRINTER_PATH, type DemoTerminal } from '../src/sim/demo-terminal.js';
import { startTestHub, TEST_TOKENS } from './helpers/hub-harness.js';

/** The whole pipeline in one process: emulated devices → agent → real WebSocket → real hub. */
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function until<T>(find: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setup(extraDevices: Record<string, unknown> = {}): Promise<{ agent: Agent; terminal: DemoTerminal; stored: StoredReport[]; api: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-agent-'));
  const harness = await startTestHub();
  const terminal = await createDemoTerminal(dir);
  const config = parseConfig({
    terminal: { id: 'T-0001', model: 'X990', serial: 'SN-1' },
    paths: { sysfs: terminal.sysfsRoot, state: join(dir, 'state'), logs: join(dir, 'logs') },
    devices: {
      printer: { transport: 'serial', path: SIM_PRINTER_PATH, interval: '200ms', timeout: '500ms' },
      battery: { source: 'sysfs', interval: '100ms' },
      ...extraDevices,
    },
    uplink: { url: harness.hub.url, token: TEST_TOKENS['T-0001'] },
    locale: 'en',
  });
  const agent = await createAgent({ config, log: silentLogger, serialBinding: terminal.serialBinding });
  agent.start();
  cleanup.push(
    () => agent.stop(),
    async () => terminal.close(),
    () => harness.cleanup(),
    async () => rmSync(dir, { recursive: true, force: true }),
  );
  return { agent, terminal, stored: harness.stored, api: harness.api };
}

const faultOf = (stored: StoredReport[], code: string, state: string) =>
  stored.find((r) => r.kind === 'fault' && r.code === code && r.state === state);

describe('agent → hub end to end', () => {
  it('raises and clears printer faults at the hub as the device changes, ASB-driven', async () => {
    const { terminal, stored, api } = await setup();
    terminal.printer.set({ paper: 'end' });
    const raised = await until(() => faultOf(stored, 'printer.paper_end', 'raised'), 'paper_end raised');
    expect(raised).toMatchObject({ terminal: 'T-0001', category: 'io', severity: 'major', inhibitedBy: null });
    expect(raised.kind === 'fault' && raised.evidence['printer.paper']).toBe('end');
    expect(raised.kind === 'fault' && String(raised.evidence['printer.status_hex'] ?? raised.evidence['printer.asb_hex'])).toMatch(/[0-9a-f]{2}/);

    const open = await (await fetch(`${api}/faults?state=open`)).json();
    expect(JSON.stringify(open)).toContain('printer.paper_end');

    terminal.printer.set({ paper: 'ok' });
    await until(() => faultOf(stored, 'printer.paper_end', 'cleared'), 'paper_end cleared');
    const after = await (await fetch(`${api}/faults?state=open`)).json();
    expect(JSON.stringify(after)).not.toContain('printer.paper_end');
  });

  it('raises battery.low from the sysfs tree and carries the battery identity', async () => {
    const { terminal, stored } = await setup();
    terminal.battery.setLevel(19);
    const low = await until(() => faultOf(stored, 'battery.low', 'raised'), 'battery.low raised');
    expect(low.kind === 'fault' && low.device).toMatchObject({ kind: 'battery', model: 'PC-2800' });
    expect(low.kind === 'fault' && low.evidence['battery.level_pct']).toBe(19);
  });

  it('runs a self-test the hub asks for and returns it as a self_test report', async () => {
    const { terminal, stored, api } = await setup();
    terminal.printer.set({ paper: 'end' });
    await until(() => faultOf(stored, 'printer.paper_end', 'raised'), 'paper_end raised');
    const response = await fetch(`${api}/terminals/T-0001/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'self_test', args: { level: 'quick' } }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const report = await until(() => stored.find((r) => r.kind === 'self_test'), 'self_test report');
    expect(report.kind === 'self_test' && report.commandId).toBe(id);
    expect(report.kind === 'self_test' && report.result.passed).toBe(false);
    expect(report.kind === 'self_test' && report.result.faults.map((f) => f.code)).toContain('printer.paper_end');
  });

  it('numbers every report it records 1, 2, 3… with no gap at the hub', async () => {
    const { terminal, stored } = await setup();
    terminal.printer.set({ paper: 'end' });
    await until(() => faultOf(stored, 'printer.paper_end', 'raised'), 'raised');
    terminal.printer.set({ paper: 'ok' });
    await until(() => faultOf(stored, 'printer.paper_end', 'cleared'), 'cleared');
    terminal.battery.setLevel(3);
    await until(() => faultOf(stored, 'battery.critical', 'raised'), 'battery.critical raised');
    expect(stored.map((r) => r.seq)).toEqual(stored.map((_, i) => i + 1));
  });

  it('measures clock skew against the hub\'s clock from its welcome', async () => {
    // The test hub's clock stands at 2026-01-02 while this machine's is much later: a skew of months.
    // (system.clock_skew itself has a 1 m `for`; the rule is covered by its fixture.)
    const { agent } = await setup({ system: { interval: '100ms' } });
    const skew = await until(() => agent.status().readings['system.clock_skew_s'], 'a clock_skew reading');
    expect(Number(skew)).toBeGreaterThan(300);
    expect(agent.status().readings['system.clock_reference']).toBe('hub');
  });
});
