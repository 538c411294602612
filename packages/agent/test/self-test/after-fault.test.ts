import { describe, expect, it } from 'vitest';
import type { SelfTestResult } from 'posdiag-protocol';
import type { AnyFamily } from '../../src/devices/family.js';
import type { Driver } from '../../src/drivers/contract.js';
import type { FaultEvent } from '../../src/faults/types.js';
import { READY_CHECK_MS, READY_WAIT_MS, SelfTestAfterFault } from '../../src/self-test/after-fault.js';
import { SelfTestBusyError } from '../../src/self-test/self-test-coordinator.js';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { recordingLogger } from '../../../../test/support/recording-logger.js';

const driver = (kind: string, name = kind) => ({ kind, name }) as unknown as Driver;
const raised = (code: string): FaultEvent => ({ code, instance: null, state: 'raised', category: 'hardware', severity: 'minor', since: 0, at: 0, inhibitedBy: null, evidence: {} });
const result = { passed: true, checks: [], ref: 'R1' } as unknown as SelfTestResult;

function setup(options: { busyTimes?: number } = {}) {
  const clock = new FakeClock();
  let still = false;
  const tested: { drivers: string[]; failingBefore: string[] }[] = [];
  const starts: (readonly string[])[] = [];
  let busy = options.busyTimes ?? 0;
  const family = {
    name: 'accelerometer',
    kind: 'accelerometer',
    selfTestAfter: {
      codes: ['hardware.dropped'],
      ready: () => still,
      tested: (drivers: readonly Driver[], _r: SelfTestResult, failingBefore: ReadonlySet<string>) => tested.push({ drivers: drivers.map((d) => d.name), failingBefore: [...failingBefore] }),
    },
  } as unknown as AnyFamily;
  const after = new SelfTestAfterFault({
    families: [family],
    drivers: [driver('accelerometer'), driver('printer'), driver('battery')],
    readings: () => ({}),
    firing: () => [{ code: 'battery.low', inhibitedBy: null }, { code: 'hardware.dropped', inhibitedBy: null }],
    deviceOf: (code) => code.split('.')[0] === 'hardware' ? 'accelerometer' : code.split('.')[0],
    start: (skipKinds) => {
      starts.push(skipKinds);
      if (busy > 0) {
        busy--;
        throw new SelfTestBusyError('other-test');
      }
      return { testId: 't', result: Promise.resolve(result) };
    },
    clock,
    log: recordingLogger(),
  });
  return { clock, after, tested, starts, setStill: (v: boolean) => (still = v) };
}

describe('the self-test after a fault (time: a fake clock)', () => {
  it('waits until the terminal is still, then tests every other device once; devices failing before are named', async () => {
    const { clock, after, tested, starts, setStill } = setup();
    after.onEvents([raised('hardware.dropped'), raised('printer.paper_end')]);
    after.onEvents([raised('hardware.dropped')]);
    await clock.advance(READY_CHECK_MS * 3);
    expect(starts).toEqual([]);
    setStill(true);
    await clock.advance(READY_CHECK_MS);
    expect(starts).toEqual([['accelerometer']]);
    expect(tested).toEqual([{ drivers: ['accelerometer'], failingBefore: ['battery'] }]);
  });

  it('tests anyway once the wait is over; a cleared event or another code starts nothing', async () => {
    const { clock, after, tested, starts } = setup();
    after.onEvents([{ ...raised('hardware.dropped'), state: 'cleared' }, raised('battery.low')]);
    await clock.advance(READY_WAIT_MS);
    expect(starts).toEqual([]);
    after.onEvents([raised('hardware.dropped')]);
    await clock.advance(READY_WAIT_MS + READY_CHECK_MS);
    expect(starts).toHaveLength(1);
    expect(tested).toHaveLength(1);
  });

  it('another self-test running: waited for, then started', async () => {
    const { clock, after, tested, starts, setStill } = setup({ busyTimes: 2 });
    setStill(true);
    after.onEvents([raised('hardware.dropped')]);
    await clock.advance(READY_CHECK_MS * 3);
    expect(starts).toHaveLength(3);
    expect(tested).toHaveLength(1);
  });
});
