import { describe, expect, it } from 'vitest';
import type { StoredReport } from 'posdiag-hub';
import { agentHarness } from '../helpers/agent-harness.js';
import { waitFor } from '../../../../test/support/wait-for.js';

/**
 * The whole pipeline (emulated sysfs battery → agent → real WebSocket → real hub): a real fault whose
 * reading turns impossible stays open at the hub — no cleared/raised pair for a glitch — and clears
 * once a real value says so.
 */
const setup = agentHarness();
const faults = (stored: StoredReport[], code: string) =>
  stored.flatMap((r) => (r.kind === 'fault' && r.code === code ? [r.state] : []));

describe('an impossible reading does not flap a real fault at the hub', () => {
  it('battery.worn stays raised while charge_now contradicts charge_full, and clears on consistent figures', async () => {
    const { agent, terminal, stored } = await setup();
    terminal.battery.update({ chargeFull: 1_960_000 });
    await waitFor(() => faults(stored, 'battery.worn').includes('raised') || undefined, 'battery.worn raised');

    // 5 Ah present in a 1.96 Ah full charge: the capacity figures contradict each other.
    terminal.battery.writeRaw('BAT0', 'charge_now', '5000000');
    await waitFor(() => agent.monitor.readings()['battery.capacity_health_pct'] === undefined || undefined, 'capacity health unknown');
    expect(agent.status().faults.map((f) => f.code)).toContain('battery.worn');

    // A later fault from a later poll: every report the glitching polls caused is at the hub before it.
    terminal.battery.writeRaw('BAT0', 'capacity', '19');
    await waitFor(() => faults(stored, 'battery.low').includes('raised') || undefined, 'battery.low raised');
    expect(agent.monitor.readings()['battery.capacity_health_pct']).toBeUndefined();
    expect(faults(stored, 'battery.worn')).toEqual(['raised']);

    terminal.battery.update({ chargeFull: 2_600_000, levelPct: 60 });
    await waitFor(() => faults(stored, 'battery.worn').includes('cleared') || undefined, 'battery.worn cleared');
    expect(faults(stored, 'battery.worn')).toEqual(['raised', 'cleared']);
  });
});
