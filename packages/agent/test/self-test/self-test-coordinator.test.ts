import { describe, expect, it } from 'vitest';
import { SelfTestBusyError, SelfTestCoordinator } from '../../src/self-test/self-test-coordinator.js';
import type { SelfTestResult } from 'posdiag-protocol';

const resultOf = (testId: string) => ({ testId }) as unknown as SelfTestResult;

/** A coordinator whose runs finish when the test says so. */
function coordinator() {
  const finish: Array<(outcome: 'pass' | 'throw') => void> = [];
  const c = new SelfTestCoordinator<void>(
    (_options, testId) =>
      new Promise((resolve, reject) => finish.push((outcome) => (outcome === 'pass' ? resolve(resultOf(testId)) : reject(new Error('device gone'))))),
  );
  return { c, finish };
}

describe('self-test coordinator', () => {
  it('refuses a second test while one runs, naming the running one', () => {
    const { c } = coordinator();
    const first = c.start();
    expect(() => c.start()).toThrow(SelfTestBusyError);
    expect(() => c.start()).toThrow(first.testId);
  });

  it('takes the next test as soon as the result is seen, and keeps the last result', async () => {
    const { c, finish } = coordinator();
    const first = c.start();
    finish[0]!('pass');
    await first.result;
    const second = c.start(); // not "busy": the payment app may press again right away
    expect(c.lastResult()).toEqual({ testId: first.testId, result: resultOf(first.testId) });
    finish[1]!('throw');
    await expect(second.result).rejects.toThrow('device gone');
    expect(() => c.start()).not.toThrow();
    expect(c.lastResult()?.testId).toBe(first.testId);
  });
});
