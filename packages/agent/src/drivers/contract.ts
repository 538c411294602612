import type { Clock } from '../core/clock.js';
import type { Logger } from '../log/logger.js';
import type { DeviceKind, Observation } from '../core/readings.js';

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
  close(): Promise<void>;
}
