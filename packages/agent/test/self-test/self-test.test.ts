import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import type { DeviceKind, Observation } from '../../src/core/readings.js';
import type { Driver } from '../../src/drivers/contract.js';
import { loadDefaultRules } from '../../src/rules/rule-files.js';
import { RuleEngine } from '../../src/rules/rule-engine.js';
import { runSelfTest } from '../../src/self-test/self-test.js';
import { selfTestResultSchema } from 'posdiag-protocol';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';

function fakeDriver(kind: DeviceKind, name: string = kind): Driver {
  return {
    kind,
    name,
    intervalMs: 1000,
    timeoutMs: 500,
    poll: () => Promise.reject(new Error('the self-test polls through pollAll')),
    close: async () => {},
  };
}

const terminal = { id: 'T-0001', model: 'X990', serial: 'SN123' };

async function selfTest(outcomes: [Driver, Observation | Error][], locale: 'en' | 'zh-CN' = 'en') {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 9));
  const engine = new RuleEngine(await loadDefaultRules(), { catalog: FAULT_CATALOG });
  const polled: Driver[][] = [];
  const result = await runSelfTest({
    level: 'quick',
    testId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    drivers: outcomes.map(([d]) => d),
    pollAll: async (drivers) => {
      polled.push(drivers);
      await clock.advance(750);
      return new Map(outcomes);
    },
    engine,
    catalog: FAULT_CATALOG,
    clock,
    terminal,
    locale,
  });
  return { result, polled, engine };
}

describe('quick self-test', () => {
  it('passes with every device healthy and reports the merged readings', async () => {
    const printer = fakeDriver('printer');
    const battery = fakeDriver('battery');
    const { result, polled, engine } = await selfTest([
      [printer, { readings: { 'printer.connected': true, 'printer.online': true, 'printer.paper': 'ok' }, evidence: { 'printer.status_hex': '12' } }],
      [battery, { readings: { 'battery.status': 'charging', 'battery.level_pct': 80 } }],
    ]);
    expect(polled).toEqual([[printer, battery]]);
    selfTestResultSchema.parse(result);
    expect(result).toEqual({
      level: 'quick',
      startedAt: '2026-01-01T09:00:00.000Z',
      finishedAt: '2026-01-01T09:00:00.750Z',
      passed: true,
      terminal,
      checks: [
        { device: 'printer', name: 'status', passed: true, detail: 'ok' },
        { device: 'battery', name: 'status', passed: true, detail: 'ok' },
      ],
      readings: {
        'printer.connected': true,
        'printer.online': true,
        'printer.paper': 'ok',
        'printer.status_hex': '12',
        'battery.status': 'charging',
        'battery.level_pct': 80,
      },
      faults: [],
      testId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      ref: '0A1B2C3D',
    });
    // The self-test leaves the live alert state alone.
    expect(engine.firing()).toEqual([]);
  });

  it('reports faults that hold now without waiting for `for`, and fails only the devices they belong to', async () => {
    const { result } = await selfTest([
      [fakeDriver('printer'), { readings: { 'printer.connected': true, 'printer.online': false, 'printer.paper': 'end', 'printer.cover_open': true } }],
      [fakeDriver('battery'), { readings: { 'battery.status': 'discharging', 'battery.level_pct': 19 } }],
      [fakeDriver('network'), { readings: { 'network.eth0.up': true } }],
    ]);
    selfTestResultSchema.parse(result);
    expect(result.passed).toBe(false);
    expect(result.checks).toEqual([
      { device: 'printer', name: 'status', passed: false, detail: 'Printer cover is open; Printer is out of paper' },
      { device: 'battery', name: 'status', passed: false, detail: 'Battery is low' },
      { device: 'network', name: 'status', passed: true, detail: 'ok' },
    ]);
    expect(result.faults.map((f) => f.code)).toEqual(['printer.cover_open', 'printer.paper_end', 'battery.low']);
    expect(result.faults[1]).toEqual({
      code: 'printer.paper_end',
      instance: null,
      category: 'io',
      severity: 'major',
      inhibitedBy: null,
      remediation: [
        { text: expect.stringMatching(/^Load a new paper roll/), automatic: false },
        { text: expect.stringMatching(/paper width/), automatic: false },
      ],
    });
  });

  it('fails a device whose poll failed; a check names root causes only, not the faults they explain', async () => {
    const { result } = await selfTest(
      [
        [fakeDriver('modem'), new Error('ETIMEDOUT while waiting for OK')],
        [fakeDriver('network', 'net'), { readings: { 'network.eth0.up': false, 'network.target.acquirer.dns_ok': false } }],
      ],
      'zh-CN',
    );
    selfTestResultSchema.parse(result);
    expect(result.checks).toEqual([
      { device: 'modem', name: 'status', passed: false, detail: '无应答: ETIMEDOUT while waiting for OK' },
      { device: 'net', name: 'status', passed: false, detail: '网络连接已断开 (eth0)' },
    ]);
    expect(result.faults).toMatchObject([
      { code: 'network.link_down', instance: 'eth0', inhibitedBy: null },
      { code: 'network.dns_failure', instance: 'acquirer', inhibitedBy: 'network.link_down' },
    ]);
    expect(result.faults[0]!.remediation[0]!.text).toMatch(/网线/);
  });

  it('fails a device that reported no reading at all: unknown is never OK', async () => {
    const { result } = await selfTest([
      [fakeDriver('battery'), { readings: {}, problems: [{ reading: 'battery.present', message: 'dumpsys exited with code 1' }] }],
      [fakeDriver('printer'), { readings: { 'printer.connected': true, 'printer.online': true, 'printer.paper': 'ok' } }],
    ]);
    expect(result.passed).toBe(false);
    expect(result.checks).toEqual([
      { device: 'battery', name: 'status', passed: false, detail: 'state unknown: dumpsys exited with code 1' },
      { device: 'printer', name: 'status', passed: true, detail: 'ok' },
    ]);
  });
});
