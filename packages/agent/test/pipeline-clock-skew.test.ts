import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from 'posdiag-protocol';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { waitFor } from '../../../test/support/wait-for.js';
import { parseConfig } from '../src/config/load.js';
import { resolveTerminal } from '../src/core/terminal-identity.js';
import { FAULT_CATALOG } from '../src/devices/catalog.js';
import { silentLogger } from '../src/log/logger.js';
import { CLOCK_SKEW_INTERVAL_MS, createPipeline, type Pipeline } from '../src/pipeline.js';
import { FakeHub } from './helpers/uplink-hub.js';

/**
 * Clock skew through the real pipeline: the hub's welcome (FakeHub's serverTime, 2026-01-01T00:00:05Z)
 * is a reference, the pipeline's own `clock-skew` source turns it into `system.clock_skew_s` in the
 * monitor, and the `system.clock_skew` rule (300 s for 1 m) raises the fault into the outbox. Time is
 * a fake clock; the wall clock can be set apart from the monotonic one, as NTP or a technician does.
 */
const HUB_TIME = Date.parse('2026-01-01T00:00:05.000Z');
const TEN_MINUTES_MS = 600_000;
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

/** A terminal's clock over a fake one: `advance` moves both wall and monotonic time, `setDate` only the wall. */
function terminalClock(start: number) {
  const fake = new FakeClock(start);
  let setByMs = 0;
  const wall: Clock = {
    now: () => fake.now() + setByMs,
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
    clearTimeout: (handle) => fake.clearTimeout(handle),
  };
  return { wall, monotonic: () => fake.now(), advance: (ms: number) => fake.advance(ms), setDate: (ms: number) => void (setByMs += ms) };
}

/** A pipeline with `devices` (none by default), whose uplink goes to a FakeHub; resolves once the hub's welcome was taken. */
async function welcomedPipeline(clock: ReturnType<typeof terminalClock>, devices: Record<string, unknown> = {}): Promise<{ pipeline: Pipeline; hub: FakeHub }> {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-pipeline-skew-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const hub = await FakeHub.start();
  cleanups.push(() => hub.close());
  const config = parseConfig({
    terminal: { id: 'T-0001', model: 'X990', serial: 'SN-1' },
    paths: { procfs: join(FIXTURES, 'procfs', 'meminfo-healthy'), sysfs: join(FIXTURES, 'sysfs', 'thermal-x86'), state: join(dir, 'state'), logs: join(dir, 'logs') },
    devices,
    uplink: { url: hub.url, token: hub.token },
    control: { socket: join(dir, 'control.sock') },
    locale: 'en',
  });
  const pipeline = await createPipeline({
    config,
    catalog: FAULT_CATALOG,
    terminal: resolveTerminal(config),
    clock: clock.wall,
    monotonic: clock.monotonic,
    log: silentLogger,
    overrides: {},
    latestSelfTest: () => null,
  });
  cleanups.push(() => pipeline.stop());
  const welcomed = new Promise<void>((resolve) => pipeline.uplink!.onWelcome(() => resolve()));
  pipeline.start();
  await welcomed;
  // The link then goes: no later welcome can refresh the reference, and no ping waits on real time.
  await pipeline.uplink!.stop();
  return { pipeline, hub };
}

const skewFiring = (pipeline: Pipeline) => pipeline.engine.firing().some((f) => f.code === 'system.clock_skew');

describe('the pipeline\'s clock skew', () => {
  it('raises system.clock_skew from a hub welcome 10 min behind this terminal, into the outbox', async () => {
    const clock = terminalClock(HUB_TIME + TEN_MINUTES_MS);
    const { pipeline } = await welcomedPipeline(clock);
    expect(pipeline.monitor.readings()).toMatchObject({ 'system.clock_skew_s': 600, 'system.clock_reference': 'hub' });

    await clock.advance(CLOCK_SKEW_INTERVAL_MS);
    expect(skewFiring(pipeline)).toBe(false); // pending: the rule's `for` is 1 m
    await clock.advance(CLOCK_SKEW_INTERVAL_MS);
    expect(skewFiring(pipeline)).toBe(true);
    const raised = await waitFor(
      () => pipeline.outbox.pending().find((r) => r.kind === 'fault' && r.code === 'system.clock_skew' && r.state === 'raised'),
      'system.clock_skew raised in the outbox',
    );
    expect(raised.kind === 'fault' && raised.evidence).toMatchObject({ 'system.clock_skew_s': 600 });
  });

  it('shows a wall-clock jump after the last reference at the next evaluation, and the fault clears', async () => {
    const clock = terminalClock(HUB_TIME - TEN_MINUTES_MS);
    const { pipeline } = await welcomedPipeline(clock);
    expect(pipeline.monitor.readings()['system.clock_skew_s']).toBe(-600);
    await clock.advance(2 * CLOCK_SKEW_INTERVAL_MS);
    expect(skewFiring(pipeline)).toBe(true);

    clock.setDate(TEN_MINUTES_MS); // NTP finally syncs the terminal; no new reference comes
    expect(pipeline.monitor.readings()['system.clock_skew_s']).toBe(-600); // not judged again yet
    await clock.advance(CLOCK_SKEW_INTERVAL_MS);
    expect(pipeline.monitor.readings()).toMatchObject({ 'system.clock_skew_s': 0, 'system.clock_reference': 'hub' });
    expect(skewFiring(pipeline)).toBe(false);
  });

  it('hands the self-test the clock skew it measures, and neither a driver\'s observation nor the agent\'s own state or maintenance readings', async () => {
    const clock = terminalClock(HUB_TIME + TEN_MINUTES_MS);
    const { pipeline } = await welcomedPipeline(clock, { system: {} });
    await clock.advance(0); // the scheduler's first poll is due at once
    await waitFor(() => pipeline.monitor.observations().get('system'), 'the system driver\'s first poll');
    const own = pipeline.ownObservations();
    expect([...own.keys()].sort()).toEqual(['clock-skew']);
    expect(own.get('clock-skew')).toEqual({ readings: { 'system.clock_skew_s': 600 }, evidence: { 'system.clock_reference': 'hub' } });
  });
});
