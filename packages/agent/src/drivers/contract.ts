import type { Clock } from 'posdiag-protocol';
import type { Logger } from '../log/logger.js';
import type { DeviceKind, Observation } from '../core/readings.js';

/**
 * Something a device did that no later poll can see (SPEC §4 readings describe state; these are
 * happenings): the wear a family counts once in the lifetime counters (a receipt cut, a card swipe),
 * and a trusted server's clock read on the way (the reference `system.clock_skew_s` is measured against).
 * Status fields only: a swipe carries each track's outcome, never its data.
 */
export type DeviceEvent = WearEvent | ClockReferenceEvent;

/**
 * A part wore: `family` (its key) counts it, through the `wear` of devices/family.ts, and `detail` is
 * that family's own (its drivers make the event, its wear reads it), so a family adds wear without a
 * new variant here.
 */
export interface WearEvent<Detail = unknown> {
  readonly type: 'wear';
  readonly family: string;
  readonly detail: Detail;
}

/**
 * A trusted server's clock said `referenceMs` (ms since the epoch) when ours said `localAtMs`
 * (default: when the event arrived); `source` names it, e.g. "target:acquirer" or "hub".
 */
export interface ClockReferenceEvent {
  readonly type: 'clock_reference';
  readonly source: string;
  readonly referenceMs: number;
  readonly localAtMs?: number;
}

/** What a driver gets from the runtime. Drivers hold no module-level state. */
export interface DriverContext {
  clock: Clock;
  log: Logger;
}

/**
 * The one interface every device family implements (Telegraf's input contract, made async).
 *
 * Invariants:
 * - The constructor only validates config; it never touches the device (and never loads a native module).
 * - `poll` resolves with an Observation: a missing, silent or broken device is data
 *   (`printer.connected = false`), not a rejection. A rejection means the driver itself failed; the
 *   scheduler logs it, backs off and retries. `poll` must honour `signal`: when aborted (timeout or
 *   shutdown) it releases what it holds and settles promptly.
 * - The runtime never calls `poll` again before the previous call settled (one request in flight).
 * - `watch`, when present, starts event-driven updates (e.g. ESC/POS Automatic Status Back, hotplug);
 *   every Observation it emits is a complete replacement of the readings it names.
 * - `deviceEvents`, when present, is called once by the runtime with where the driver's DeviceEvents go,
 *   whoever caused them (a poll, a watch, a self-test's receipt); the function it returns unsubscribes.
 * - `close` is idempotent and releases every handle (fds, timers, child processes).
 */
export interface Driver {
  readonly kind: DeviceKind;
  /** Name shown in logs and self-test checks, e.g. "printer" or "battery". */
  readonly name: string;
  /** How often to poll, in ms. */
  readonly intervalMs: number;
  /** Longest a poll may take before it is aborted and counted as a driver failure, in ms. */
  readonly timeoutMs: number;
  poll(signal: AbortSignal): Promise<Observation>;
  watch?(emit: (observation: Observation) => void): void;
  deviceEvents?(emit: (event: DeviceEvent) => void): () => void;
  close(): Promise<void>;
}
