import { backoffDelay } from 'posdiag-protocol';
import type { SerialPort } from 'serialport';
import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { Logger } from '../../log/logger.js';

/**
 * A serial line that carries request/reply traffic plus unsolicited frames (e.g. ESC/POS ASB).
 *
 * Invariants:
 * - `serialport` (a native module) is loaded only on the first open, never at construction.
 * - At most one request is in flight; later ones wait in FIFO order. Every frame that arrives while a
 *   request is in flight is offered to that request first; frames it does not take go to `onFrame`
 *   listeners.
 * - Device trouble surfaces as a rejected operation carrying a marker flag (`timeout`, `disconnected`,
 *   `backoff`) and as `state`, never as an unhandled 'error' event.
 * - After a failed open, the next open is refused until a backoff delay (doubling, capped) has passed
 *   on the injected clock; a successful open resets it. A port that disappears is reopened on next use.
 */

/**
 * A node-serialport binding (its BindingInterface: `list` + `open` → port), e.g. `SerialPortMock.binding`.
 * Typed loosely because serialport does not export the interface itself.
 */
export interface SerialBinding {
  list(): Promise<unknown[]>;
  open(options: never): Promise<unknown>;
}

/** Turns bytes into frames. Stateful (a frame may span chunks); reset on every (re)open. */
export interface FrameParser<F> {
  push(chunk: Uint8Array): F[];
  reset(): void;
}

export type SerialState = 'closed' | 'open' | 'disconnected' | 'failed';

/** The outcome of one reopen attempt. */
export interface OpenAttempt {
  ok: boolean;
  error?: Error;
}

export class SerialTransportError extends Error {
  readonly timeout: boolean;
  readonly disconnected: boolean;
  readonly backoff: boolean;
  constructor(message: string, flags: { timeout?: boolean; disconnected?: boolean; backoff?: boolean } = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SerialTransportError';
    this.timeout = flags.timeout ?? false;
    this.disconnected = flags.disconnected ?? false;
    this.backoff = flags.backoff ?? false;
  }
}

export interface SerialTransportOptions<F> {
  path: string;
  baudRate: number;
  clock: Clock;
  log: Logger;
  parser: FrameParser<F>;
  /** A serialport binding to use instead of the system one (e.g. `SerialPortMock.binding`). */
  binding?: SerialBinding;
  /** Delay before reopening after a failed open: starts at `minMs`, doubles per failure up to `maxMs`. */
  backoff?: { minMs: number; maxMs: number };
}

interface InFlight<F> {
  offer(frame: F): boolean;
  fail(err: Error): void;
}

const noop = () => {};

/** Loads serialport on demand, so a build without serial devices never touches the native module. */
async function loadSerialPort(): Promise<typeof SerialPort> {
  try {
    return (await import('serialport')).SerialPort;
  } catch (err) {
    throw new Error(`serial support unavailable: cannot load the "serialport" module (${(err as Error).message})`, {
      cause: err,
    });
  }
}

export class SerialTransport<F> {
  private port: SerialPort | undefined;
  private opening: Promise<void> | undefined;
  private inflight: InFlight<F> | undefined;
  private queueTail: Promise<void> = Promise.resolve();
  private failures = 0;
  private retryAt = 0;
  private closed = false;
  private currentState: SerialState = 'closed';
  private readonly frameListeners = new Set<(frame: F) => void>();
  private readonly stateListeners = new Set<(state: SerialState, reason?: Error) => void>();
  private readonly attemptListeners = new Set<(attempt: OpenAttempt) => void>();
  /** Whether an open has been attempted before: every later attempt is a reopen. */
  private attempted = false;
  private readonly backoff: { minMs: number; maxMs: number };

  constructor(private readonly opts: SerialTransportOptions<F>) {
    this.backoff = opts.backoff ?? { minMs: 1000, maxMs: 30_000 };
  }

  get state(): SerialState {
    return this.currentState;
  }

  get path(): string {
    return this.opts.path;
  }

  /** Unsolicited frames (and replies no request claimed). Returns an unsubscribe function. */
  onFrame(listener: (frame: F) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  /** Called on every state change; 'open' is the moment to re-arm device settings lost on reopen. */
  onStateChange(listener: (state: SerialState, reason?: Error) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * Called after every reopen attempt (each open after the first; refusals during backoff are not
   * attempts): the driver reports them as self-recovery steps.
   */
  onReopenAttempt(listener: (attempt: OpenAttempt) => void): () => void {
    this.attemptListeners.add(listener);
    return () => this.attemptListeners.delete(listener);
  }

  /** Opens the port unless open. Concurrent callers share one attempt. */
  open(): Promise<void> {
    if (this.closed) return Promise.reject(new SerialTransportError(`${this.opts.path}: transport closed`));
    if (this.port) return Promise.resolve();
    this.opening ??= this.openOnce().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Writes bytes that expect no reply, in turn with requests. */
  write(bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    return this.enqueue(async () => {
      const port = await this.openPort();
      await new Promise<void>((resolve, reject) => {
        port.write(Buffer.from(bytes), (err) => (err ? reject(this.wrap(err)) : resolve()));
      });
    }, signal);
  }

  /**
   * Writes `bytes` and resolves with the first value `expectReply` returns for an incoming frame
   * (undefined = not my reply). Rejects on timeout (`timeout` flag), disconnect, or abort.
   */
  request<T>(bytes: Uint8Array, expectReply: (frame: F) => T | undefined, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    return this.enqueue(async () => {
      const port = await this.openPort();
      return new Promise<T>((resolve, reject) => {
        let timer: TimerHandle | undefined;
        const finish = (settle: () => void) => {
          if (this.inflight !== inflight) return;
          this.inflight = undefined;
          if (timer) this.opts.clock.clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          settle();
        };
        const onAbort = () => finish(() => reject(signal!.reason));
        const inflight: InFlight<F> = {
          offer: (frame) => {
            const reply = expectReply(frame);
            if (reply === undefined) return false;
            finish(() => resolve(reply));
            return true;
          },
          fail: (err) => finish(() => reject(err)),
        };
        this.inflight = inflight;
        signal?.addEventListener('abort', onAbort, { once: true });
        timer = this.opts.clock.setTimeout(
          () => inflight.fail(new SerialTransportError(`${this.opts.path}: no reply within ${timeoutMs} ms`, { timeout: true })),
          timeoutMs,
        );
        port.write(Buffer.from(bytes), (err) => {
          if (err) inflight.fail(this.wrap(err));
        });
      });
    }, signal);
  }

  /** Idempotent. Fails whatever is in flight and releases the port. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const port = this.port;
    this.port = undefined;
    this.inflight?.fail(new SerialTransportError(`${this.opts.path}: transport closed`));
    await this.opening?.catch(noop);
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.setState('closed');
    this.frameListeners.clear();
    this.stateListeners.clear();
    this.attemptListeners.clear();
  }

  /** The open port; the line may drop between the open and its use, which is a disconnect. */
  private async openPort(): Promise<SerialPort> {
    await this.open();
    if (!this.port) throw new SerialTransportError(`${this.opts.path}: disconnected`, { disconnected: true });
    return this.port;
  }

  private async openOnce(): Promise<void> {
    const { path, baudRate, binding, clock, log } = this.opts;
    const wait = this.retryAt - clock.now();
    if (wait > 0) throw new SerialTransportError(`${path}: reopen backing off for ${wait} ms`, { backoff: true });
    let port: SerialPort;
    const reopen = this.attempted;
    this.attempted = true;
    try {
      const SerialPortClass = await loadSerialPort();
      // An injected binding replaces the system one; SerialPort spreads options over its default.
      port = new SerialPortClass({ path, baudRate, autoOpen: false, ...(binding ? { binding } : {}) } as never);
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      this.failures++;
      this.retryAt = clock.now() + backoffDelay({ initialMs: this.backoff.minMs, maxMs: this.backoff.maxMs }, this.failures);
      const wrapped = new SerialTransportError(`${path}: open failed: ${(err as Error).message}`, {}, err);
      this.setState('failed', wrapped);
      if (reopen) this.notifyAttempt({ ok: false, error: wrapped });
      throw wrapped;
    }
    if (this.closed) {
      port.close(noop);
      throw new SerialTransportError(`${path}: transport closed`);
    }
    this.failures = 0;
    this.retryAt = 0;
    this.opts.parser.reset();
    this.port = port;
    port.on('data', (chunk: Buffer) => this.onData(port, chunk));
    // A write or read failure means the device is gone (node-serialport's binding contract).
    port.on('error', (err: Error) => this.drop(port, err));
    port.on('close', (err?: Error | null) => this.drop(port, err ?? null));
    log.debug({ path, baudRate }, 'serial port open');
    if (reopen) this.notifyAttempt({ ok: true });
    this.setState('open');
  }

  private onData(port: SerialPort, chunk: Buffer): void {
    if (port !== this.port) return;
    for (const frame of this.opts.parser.push(chunk)) {
      if (this.inflight?.offer(frame)) continue;
      for (const listener of this.frameListeners) listener(frame);
    }
  }

  private drop(port: SerialPort, reason: Error | null): void {
    if (port !== this.port) return;
    this.port = undefined;
    const err = new SerialTransportError(`${this.opts.path}: ${reason ? `disconnected: ${reason.message}` : 'closed'}`, {
      disconnected: true,
    });
    this.opts.log.warn({ path: this.opts.path, err: reason?.message }, 'serial port lost');
    this.inflight?.fail(err);
    if (port.isOpen) port.close(noop);
    this.setState('disconnected', err);
  }

  private wrap(err: Error): SerialTransportError {
    return err instanceof SerialTransportError
      ? err
      : new SerialTransportError(`${this.opts.path}: ${err.message}`, { disconnected: true }, err);
  }

  private notifyAttempt(attempt: OpenAttempt): void {
    for (const listener of this.attemptListeners) listener(attempt);
  }

  private setState(state: SerialState, reason?: Error): void {
    if (state === this.currentState) return;
    this.currentState = state;
    for (const listener of this.stateListeners) listener(state, reason);
  }

  /** One operation at a time. An abort settles the caller at once, even while still queued. */
  private enqueue<T>(op: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const run = this.queueTail.then(() => {
      signal?.throwIfAborted();
      return op();
    });
    this.queueTail = run.then(noop, noop);
    if (!signal) return run;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}
