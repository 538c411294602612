import type { Clock } from '../core/clock.js';
import type { DeviceKind, Readings } from '../core/readings.js';
import type { SelfTestResult } from 'posdiag-protocol';
import type { Locale } from 'posdiag-protocol';
import { uiText, valueWord } from '../core/ui-text.js';

/**
 * The checks the full and interactive levels add to the quick one. Each resolves with its check and
 * never rejects: a device that does not cooperate is a failed check, like everything else here.
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

/** Registered on the home network or roaming passes; anything else (or no reading) fails. */
export function modemRegistrationCheck(modemName: string, readings: Readings, locale: Locale): SelfTestCheck {
  const registration = readings['modem.registration'];
  const passed = registration === 'home' || registration === 'roaming';
  const signal = readings['modem.signal_dbm'];
  const detail = typeof registration === 'string' ? `${valueWord(registration, locale)}${typeof signal === 'number' ? ` ${signal} dBm` : ''}` : uiText(locale).detail.stateUnknown;
  return { device: modemName, name: 'registration', passed, detail };
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
