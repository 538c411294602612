import { describe, expect, it } from 'vitest';
import type { StoredReport } from 'posdiag-hub';
import { agentHarness } from './helpers/agent-harness.js';
import { waitFor } from '../../../test/support/wait-for.js';

/** The whole pipeline in one process: emulated devices → agent → real WebSocket → real hub. */
const setupAgent = agentHarness();
const setup = (devices: Record<string, unknown> = {}) => setupAgent({ devices });

const faultOf = (stored: StoredReport[], code: string, state: string) =>
  stored.find((r) => r.kind === 'fault' && r.code === code && r.state === state);

describe('agent → hub end to end', () => {
  it('raises and clears printer faults at the hub as the device changes, ASB-driven', async () => {
    const { terminal, stored, api } = await setup();
    terminal.printer.set({ paper: 'end' });
    const raised = await waitFor(() => faultOf(stored, 'printer.paper_end', 'raised'), 'paper_end raised');
    expect(raised).toMatchObject({ terminal: 'T-0001', category: 'io', severity: 'major', inhibitedBy: null });
    expect(raised.kind === 'fault' && raised.evidence['printer.paper']).toBe('end');
    expect(raised.kind === 'fault' && String(raised.evidence['printer.status_hex'] ?? raised.evidence['printer.asb_hex'])).toMatch(/[0-9a-f]{2}/);

    const open = await (await fetch(`${api}/faults?state=open`)).json();
    expect(JSON.stringify(open)).toContain('printer.paper_end');

    terminal.printer.set({ paper: 'ok' });
    await waitFor(() => faultOf(stored, 'printer.paper_end', 'cleared'), 'paper_end cleared');
    const after = await (await fetch(`${api}/faults?state=open`)).json();
    expect(JSON.stringify(after)).not.toContain('printer.paper_end');
  });

  it('raises battery.low from the sysfs tree and carries the battery identity', async () => {
    const { terminal, stored } = await setup();
    terminal.battery.setLevel(19);
    const low = await waitFor(() => faultOf(stored, 'battery.low', 'raised'), 'battery.low raised');
    expect(low.kind === 'fault' && low.device).toMatchObject({ kind: 'battery', model: 'PC-2800' });
    expect(low.kind === 'fault' && low.evidence['battery.level_pct']).toBe(19);
  });

  it('runs a self-test the hub asks for and returns it as a self_test report', async () => {
    const { terminal, stored, api } = await setup();
    terminal.printer.set({ paper: 'end' });
    await waitFor(() => faultOf(stored, 'printer.paper_end', 'raised'), 'paper_end raised');
    const response = await fetch(`${api}/terminals/T-0001/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'self_test', args: { level: 'quick' } }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const report = await waitFor(() => stored.find((r) => r.kind === 'self_test'), 'self_test report');
    expect(report.kind === 'self_test' && report.commandId).toBe(id);
    expect(report.kind === 'self_test' && report.result.passed).toBe(false);
    expect(report.kind === 'self_test' && report.result.faults.map((f) => f.code)).toContain('printer.paper_end');
  });

  it('numbers every report it records 1, 2, 3… with no gap at the hub', async () => {
    const { terminal, stored } = await setup();
    terminal.printer.set({ paper: 'end' });
    await waitFor(() => faultOf(stored, 'printer.paper_end', 'raised'), 'raised');
    terminal.printer.set({ paper: 'ok' });
    await waitFor(() => faultOf(stored, 'printer.paper_end', 'cleared'), 'cleared');
    terminal.battery.setLevel(3);
    await waitFor(() => faultOf(stored, 'battery.critical', 'raised'), 'battery.critical raised');
    expect(stored.map((r) => r.seq)).toEqual(stored.map((_, i) => i + 1));
  });

  it('measures clock skew against the hub\'s clock from its welcome', async () => {
    // The test hub's clock stands at 2026-01-02 while this machine's is much later: a skew of months.
    // (system.clock_skew itself has a 1 m `for`; the rule is covered by its fixture.)
    const { agent } = await setup({ system: { interval: '100ms' } });
    const skew = await waitFor(() => agent.status().readings['system.clock_skew_s'], 'a clock_skew reading');
    expect(Number(skew)).toBeGreaterThan(300);
    expect(agent.status().readings['system.clock_reference']).toBe('hub');
  });
});
