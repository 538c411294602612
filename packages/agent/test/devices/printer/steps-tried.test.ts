import { afterEach, describe, expect, it } from 'vitest';
import type { Readings } from '../../../src/core/readings.js';
import { Monitor, STEPS_LOOKBACK_MS } from '../../../src/rules/monitor.js';
import type { FaultEvent } from '../../../src/faults/types.js';
import { silentLogger } from '../../../src/log/logger.js';
import { FaultReporter } from '../../../src/report/fault-reporter.js';
import { closeMockPrinters, mockPrinter, pollSettled } from '../../helpers/printer-mock.js';
import { MemoryOutbox } from '../../helpers/memory-outbox.js';
import { FAULT_CATALOG } from '../../../src/devices/catalog.js';

/**
 * Self-recovery steps travel driver → Observation.actions → Monitor → FaultReporter → the report's
 * `stepsTried`. The evaluator is a stand-in that raises printer.cutter_error / printer.disconnected
 * on their readings, so this test pins the steps channel and not the rule set.
 */

afterEach(closeMockPrinters);

function stubEngine() {
  const firing = new Set<string>();
  const since = new Map<string, number>();
  const rules: [code: string, holds: (r: Readings) => boolean, evidence: string[]][] = [
    ['printer.cutter_error', (r) => r['printer.cutter_error'] === true, ['printer.cutter_error', 'printer.online']],
    ['printer.disconnected', (r) => r['printer.connected'] === false, ['printer.connected']],
  ];
  return {
    evaluate(readings: Readings, now: number): FaultEvent[] {
      const events: FaultEvent[] = [];
      for (const [code, holds, cited] of rules) {
        const on = holds(readings);
        if (on === firing.has(code)) continue;
        if (on) firing.add(code);
        else firing.delete(code);
        if (on) since.set(code, now);
        const evidence = Object.fromEntries(cited.filter((k) => k in readings).map((k) => [k, readings[k]!]));
        events.push({ code, instance: null, state: on ? 'raised' : 'cleared', category: 'hardware', severity: 'major', since: now, at: now, inhibitedBy: null, evidence });
      }
      return events;
    },
  };
}

async function pipeline() {
  const printer = await mockPrinter({ cutterJam: true, cutterObstructed: true });
  const outbox = new MemoryOutbox();
  const reporter = new FaultReporter({
    outbox,
    catalog: FAULT_CATALOG,
    terminal: { id: 'T-1', model: 'X', serial: 'S' },
    clock: printer.clock,
    log: silentLogger,
    identity: (kind) => monitor.identity(kind),
    stepsTried: (device, event) => monitor.stepsTried(device, event),
  });
  const monitor = new Monitor(stubEngine(), (events) => void reporter.report(events));
  const pollOnce = async () => {
    const o = await pollSettled(printer.driver, printer.clock);
    monitor.observe('printer', o, printer.clock.now());
    await reporter.drain();
  };
  const faults = () => outbox.pending().filter((r) => r.kind === 'fault');
  return { ...printer, outbox, monitor, pollOnce, faults };
}

describe('steps tried in fault reports', () => {
  it('a failed DLE ENQ rides on the raised report, the successful one on the cleared report', async () => {
    const p = await pipeline();
    await p.pollOnce();
    const [raised] = p.faults();
    expect(raised).toMatchObject({ code: 'printer.cutter_error', state: 'raised' });
    expect(raised!.kind === 'fault' && raised!.stepsTried).toEqual([
      {
        action: 'printer.recover',
        at: '2026-01-01T00:00:00.000Z',
        ok: false,
        detail: 'DLE ENQ 2 (recover from cutter/mechanical error, buffers cleared): error remains (1a 52 1a 12)',
      },
    ]);
    expect(raised!.kind === 'fault' && raised!.device).toMatchObject({ kind: 'printer', vendor: 'EPSON', serial: 'SIM0000001' });

    p.emulator.set({ coverOpen: true, cutterObstructed: false });
    await p.pollOnce();
    p.emulator.set({ coverOpen: false });
    await p.pollOnce();
    const cleared = p.faults().find((r) => r.kind === 'fault' && r.state === 'cleared');
    expect(cleared?.kind === 'fault' && cleared.stepsTried.map((s) => [s.action, s.ok])).toEqual([
      ['printer.recover', false],
      ['printer.recover', true],
    ]);
  });

  it('a step for another reading (a reopen) is not cited by the cutter fault; old steps fall out of the window', () => {
    const monitor = new Monitor({ evaluate: () => [] }, () => {});
    const t0 = Date.UTC(2026, 0, 1);
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    monitor.observe('printer', {
      readings: {},
      actions: [
        { action: 'printer.recover', at: at(0), ok: false, readings: ['printer.cutter_error'] },
        { action: 'printer.reopen', at: at(10), ok: true, readings: ['printer.connected'] },
      ],
    }, t0);
    const cutter = { evidence: { 'printer.cutter_error': true }, since: t0 + 5 };
    expect(monitor.stepsTried('printer', cutter).map((a) => a.action)).toEqual(['printer.recover']);
    expect(monitor.stepsTried('printer', { ...cutter, since: t0 + STEPS_LOOKBACK_MS + 1 })).toEqual([]);
    expect(monitor.stepsTried('battery', cutter)).toEqual([]);
  });
});
