import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { createAgent } from '../../src/agent.js';
import { parseConfig } from '../../src/config/load.js';
import type { DeviceKind, Observation } from '../../src/core/readings.js';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';
import type { Driver } from '../../src/drivers/contract.js';
import { silentLogger } from '../../src/log/logger.js';
import { CLOCK_SKEW_INTERVAL_MS } from '../../src/pipeline.js';
import { loadDefaultRules } from '../../src/rules/rule-files.js';
import { RuleEngine } from '../../src/rules/rule-engine.js';
import { runSelfTest, type RunSelfTestOptions } from '../../src/self-test/self-test.js';
import { FakeHub } from '../helpers/uplink-hub.js';

/**
 * The daemon's self-test judges what the live monitor judges: the drivers' fresh polls and the latest
 * observation of the pipeline's own sources, which no driver reads (clock skew, the agent's state, the
 * maintenance readings). A wrong clock fails the system check and keeps system.clock_skew present in the
 * verification, as when the system driver read the skew (before the pipeline owned it).
 */
const terminal = { id: 'T-0001', model: 'X990', serial: 'SN123' };
const CLOCK_WRONG = "Terminal's clock is wrong";
const HEALTHY_SYSTEM: Observation = { readings: { 'system.disk_free_pct': 60, 'system.mem_available_pct': 55, 'system.cpu_temp_c': 48 } };
const SKEW_600: Observation = { readings: { 'system.clock_skew_s': 600 }, evidence: { 'system.clock_reference': 'hub' } };

function fakeDriver(kind: DeviceKind): Driver {
  return { kind, name: kind, intervalMs: 1000, timeoutMs: 500, poll: () => Promise.reject(new Error('polled through pollAll')), close: async () => {} };
}

async function run(outcomes: [Driver, Observation][], extra: Partial<RunSelfTestOptions> & Pick<RunSelfTestOptions, 'level'>) {
  return runSelfTest({
    drivers: outcomes.map(([d]) => d),
    pollAll: async () => new Map(outcomes),
    engine: new RuleEngine(await loadDefaultRules(), { catalog: FAULT_CATALOG }),
    catalog: FAULT_CATALOG,
    clock: new FakeClock(Date.UTC(2026, 0, 1, 9)),
    terminal,
    locale: 'en',
    ...extra,
  });
}

describe('self-test: the daemon\'s own sources beside the drivers\' polls', () => {
  it('fails the system check on a clock-skew source 600 s ahead, and carries its reading and evidence', async () => {
    const result = await run([[fakeDriver('system'), HEALTHY_SYSTEM]], { level: 'quick', ownObservations: () => new Map([['clock-skew', SKEW_600]]) });
    expect(result.checks).toEqual([{ device: 'system', name: 'status', passed: false, detail: CLOCK_WRONG }]);
    expect(result.faults.map((f) => f.code)).toEqual(['system.clock_skew']);
    expect(result.readings).toMatchObject({ ...HEALTHY_SYSTEM.readings, 'system.clock_skew_s': 600, 'system.clock_reference': 'hub' });
  });

  it('passes the same poll without them, as the standalone test does: it has no pipeline', async () => {
    const result = await run([[fakeDriver('system'), HEALTHY_SYSTEM]], { level: 'quick' });
    expect(result.passed).toBe(true);
    expect(result.readings).not.toHaveProperty('system.clock_skew_s');
  });

  it('verifies open faults of those sources as still present: clock skew, and a maintenance reading', async () => {
    const result = await run([[fakeDriver('system'), HEALTHY_SYSTEM], [fakeDriver('printer'), { readings: { 'printer.connected': true, 'printer.online': true, 'printer.paper': 'ok' } }]], {
      level: 'full',
      ownObservations: () => new Map([['clock-skew', SKEW_600], ['maintenance', { readings: { 'printer.cuts_total': 950_000 } }]]),
      firingAtStart: [{ code: 'system.clock_skew', instance: null }, { code: 'maintenance.cutter_near_life', instance: null }],
    });
    expect(result.verification).toEqual([
      { code: 'system.clock_skew', instance: null, stillPresent: true },
      { code: 'maintenance.cutter_near_life', instance: null, stillPresent: true },
    ]);
  });
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

describe('the agent\'s self-test sees the pipeline\'s clock skew', () => {
  it('a welcome 10 min behind: a full test fails the system check and finds the firing system.clock_skew still present', async () => {
    // FakeHub's welcome says 2026-01-01T00:00:05Z; this terminal's (fake) clock is 10 minutes ahead.
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:05.000Z') + 600_000);
    const dir = mkdtempSync(join(tmpdir(), 'posdiag-self-test-skew-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const hub = await FakeHub.start();
    cleanups.push(() => hub.close());
    const fixtures = join(import.meta.dirname, '..', '..', 'fixtures');
    const config = parseConfig({
      terminal: { id: 'T-0001', model: 'X990', serial: 'SN-1' },
      paths: { procfs: join(fixtures, 'procfs', 'meminfo-healthy'), sysfs: join(fixtures, 'sysfs', 'thermal-x86'), state: join(dir, 'state'), logs: join(dir, 'logs') },
      devices: { system: {} },
      uplink: { url: hub.url, token: hub.token },
      control: { socket: join(dir, 'control.sock') },
      locale: 'en',
    });
    const agent = await createAgent({ config, log: silentLogger, clock });
    agent.start();
    cleanups.push(() => agent.stop());
    await waitFor(() => agent.status().readings['system.clock_skew_s'], 'the skew from the hub\'s welcome');
    // The rule's `for` is 1 m: two clock-skew evaluations later it fires.
    await clock.advance(2 * CLOCK_SKEW_INTERVAL_MS);
    expect(agent.status().faults.map((f) => f.code)).toContain('system.clock_skew');

    const result = await agent.startSelfTest({ level: 'full' }).result;
    // Disk space is this machine's real one (statfs has no fixture): its fault may join, never replace, the clock's.
    expect(result.checks).toEqual([{ device: 'system', name: 'status', passed: false, detail: expect.stringContaining(CLOCK_WRONG) }]);
    expect(result.readings['system.clock_skew_s']).toBeGreaterThan(300);
    expect(result.readings['system.clock_reference']).toBe('hub');
    expect(result.verification).toContainEqual({ code: 'system.clock_skew', instance: null, stillPresent: true });
  });
});
