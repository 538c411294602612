import { createReadStream, type ReadStream } from 'node:fs';
import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { Logger } from '../../log/logger.js';
import { ConfigError } from '../../config/config-error.js';
import { InputEventReader, KEY_CODES, keyCode } from './input-event.js';
import { KeySequenceMatcher } from './key-sequence.js';

export interface KeypadTriggerOptions {
  /** An evdev device, e.g. /dev/input/event2 (read-only; other readers still get the keys). */
  device: string;
  sequence: (string | number)[];
  withinMs: number;
  clock: Clock;
  log: Logger;
  onTrigger: () => void;
}

const REOPEN_MS = 10_000;

/**
 * Starts a self-test from the terminal's keypad: reads key events and calls `onTrigger` when the
 * configured sequence is typed. A missing or failing device is logged and reopened later; it never
 * stops the agent. Returns a stop function. The keypad is no device family: it reads nothing and
 * raises no fault; like the control socket it is a way to ask the daemon for a self-test (config
 * `control.keypad`).
 */
export function startKeypadTrigger(options: KeypadTriggerOptions): () => void {
  const codes = options.sequence.map((key) => {
    const code = keyCode(key);
    if (code === undefined) throw new ConfigError(`control.keypad.sequence: unknown key "${key}" (known: ${Object.keys(KEY_CODES).join(', ')})`);
    return code;
  });
  let stream: ReadStream | undefined;
  let timer: TimerHandle | undefined;
  let stopped = false;
  const open = () => {
    const reader = new InputEventReader();
    const matcher = new KeySequenceMatcher(codes, options.withinMs);
    stream = createReadStream(options.device);
    stream.on('data', (chunk) => {
      for (const event of reader.push(chunk as Buffer)) if (matcher.push(event)) options.onTrigger();
    });
    stream.on('error', (err) => {
      options.log.warn({ device: 'keypad', path: options.device, err }, 'keypad unavailable; retrying');
      retry();
    });
    stream.on('end', retry);
  };
  const retry = () => {
    if (stopped || timer) return;
    timer = options.clock.setTimeout(() => {
      timer = undefined;
      if (!stopped) open();
    }, REOPEN_MS);
  };
  open();
  return () => {
    stopped = true;
    if (timer) options.clock.clearTimeout(timer);
    stream?.destroy();
  };
}
