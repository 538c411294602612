import type { Clock } from 'posdiag-protocol';
import type { DeviceKind, Readings } from '../core/readings.js';
import type { Locale, SelfTestResult } from 'posdiag-protocol';

/**
 * What the device families' self-test checks (devices/<family>/self-test.ts) are given and give back.
 * Each check resolves with its result and never rejects: a device that does not cooperate is a failed
 * check, like everything else in the self-test.
 */

export type SelfTestCheck = SelfTestResult['checks'][number];

export interface StepContext {
  clock: Clock;
  locale: Locale;
  /** Merchant summaries of the faults of `device` that hold in `readings` and no other fault explains; '' when none. */
  faultSummary(readings: Readings, device: DeviceKind): string;
  newPromptId(): string;
  answerTimeoutMs: number;
}

/** `work(signal)` with its signal aborted after `ms` on the injected clock. */
export async function withDeadline<T>(clock: Clock, ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms);
  try {
    return await work(controller.signal);
  } finally {
    clock.clearTimeout(timer);
  }
}
