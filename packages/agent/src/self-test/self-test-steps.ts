import type { Clock } from '../core/clock.js';
import type { DeviceKind, Readings } from '../core/readings.js';
import type { Driver } from '../drivers/contract.js';
import { awaitTestSwipe } from '../drivers/card-reader/await-test-swipe.js';
import type { SwipeSource } from '../drivers/card-reader/swipe-events.js';
import type { SwipeResult } from '../drivers/card-reader/swipe.js';
import type { SelfTestResult } from 'posdiag-protocol';
import type { Prompter } from './self-test-prompts.js';
import type { Locale } from 'posdiag-protocol';
import { uiText, valueWord } from '../core/ui-text.js';

/**
 * The checks the full and interactive levels add to the quick one. Each resolves with its check and
 * never rejects: a device that does not cooperate is a failed check, like everything else here.
 */

export type SelfTestCheck = SelfTestResult['checks'][number];

export const isSwipeSource = (driver: Driver): driver is Driver & SwipeSource =>
  driver.kind === 'cardReader' && typeof (driver as Partial<SwipeSource>).onSwipe === 'function';

/** The interactive swipe prompt says 30 s, so it waits 30 s. */
export const SWIPE_TIMEOUT_MS = 30_000;

export interface StepContext {
  clock: Clock;
  locale: Locale;
  /** Merchant summaries of the faults of `device` that hold in `readings` and no other fault explains; '' when none. */
  faultSummary(readings: Readings, device: DeviceKind): string;
  newPromptId(): string;
  answerTimeoutMs: number;
  swipeTimeoutMs: number;
}

/** One check per TLS target, from the readings the network poll just took (DNS, connect, handshake). */
export function tlsChecks(networkName: string, tlsTargets: readonly string[], readings: Readings, locale: Locale): SelfTestCheck[] {
  const w = uiText(locale).detail;
  return tlsTargets.map((target) => {
    const p = `network.target.${target}`;
    const tlsMs = readings[`${p}.tls_ms`];
    const passed = readings[`${p}.reachable`] === true && typeof tlsMs === 'number';
    const error = readings[`${p}.error`];
    const detail = passed ? w.handshake(tlsMs as number) : typeof error === 'string' ? valueWord(error, locale) : w.stateUnknown;
    return { device: networkName, name: `tls:${target}`, passed, detail };
  });
}

/** Registered on the home network or roaming passes; anything else (or no reading) fails. */
export function modemRegistrationCheck(modemName: string, readings: Readings, locale: Locale): SelfTestCheck {
  const registration = readings['modem.registration'];
  const passed = registration === 'home' || registration === 'roaming';
  const signal = readings['modem.signal_dbm'];
  const detail = typeof registration === 'string' ? `${valueWord(registration, locale)}${typeof signal === 'number' ? ` ${signal} dBm` : ''}` : uiText(locale).detail.stateUnknown;
  return { device: modemName, name: 'registration', passed, detail };
}

/** "Swipe the test card within 30 s": passes on a good read, with the per-track result either way. */
export async function swipeTestCard(reader: Driver & SwipeSource, prompter: Prompter, ctx: StepContext): Promise<SelfTestCheck> {
  const w = uiText(ctx.locale).detail;
  const seconds = Math.round(ctx.swipeTimeoutMs / 1000);
  // Listen before asking, so a quick swipe is not missed.
  const swipe = awaitTestSwipe(reader, ctx.swipeTimeoutMs, undefined, ctx.clock);
  const shown = new AbortController();
  prompter.ask({ promptId: ctx.newPromptId(), text: w.swipeRequest(seconds), kind: 'swipe' }, shown.signal).catch(() => undefined);
  const result = await swipe;
  shown.abort(new Error('swipe prompt over'));
  if (!result.swiped) return { device: reader.name, name: 'swipe', passed: false, detail: w.noSwipe(seconds) };
  return { device: reader.name, name: 'swipe', passed: result.outcome === 'good', detail: swipeDetail(result, ctx.locale) };
}

/** The swipe's outcome and each track's status, e.g. `good: t1=ok(76) t2=ok(37) t3=empty` (never track data). */
function swipeDetail(swipe: SwipeResult, locale: Locale): string {
  const w = uiText(locale).detail;
  const tracks = swipe.tracks.map((t, i) => `${w.track(i + 1)}=${valueWord(t.status, locale)}${t.length ? `(${t.length})` : ''}`);
  return `${valueWord(swipe.outcome, locale)}: ${tracks.join(' ')}`;
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
