import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { backoffDelay } from 'posdiag-protocol';
import type { Clock, TimerHandle } from 'posdiag-protocol';
import { signalChild } from '../../core/signal-child.js';
import type { Logger } from '../../log/logger.js';

/**
 * Link changes pushed by the kernel instead of polled: `ip -o monitor link` (iproute2) prints one line
 * per RTM_NEWLINK / RTM_DELLINK, e.g.
 *   `2: eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc fq_codel state DOWN group default \    link/ether …`
 *   `Deleted 5: veth0@if6: <BROADCAST,MULTICAST> mtu 1500 … state DOWN …`
 * A line only says *that* a link changed; the reader re-reads sysfs for the values, so the parser needs
 * the name and little else.
 */

export interface LinkEvent {
  index: number;
  /** Interface name without the `@peer` suffix iproute2 adds for veth, VLAN and tunnel links. */
  name: string;
  flags: string[];
  /** The `state` word (UP, DOWN, LOWERLAYERDOWN, UNKNOWN, …), when the line has one. */
  state?: string;
  deleted: boolean;
}

// Optional `[timestamp]`/`[LINK]` tags (ip monitor -t, monitor all), optional "Deleted", then "N: name[@peer]: <FLAGS>".
const LINE = /^(?:\[[^\]]*\]\s*)*(Deleted\s+)?(\d+):\s+([^\s:@]+)(?:@[^\s:]+)?:\s+<([^>]*)>(.*)$/;

export function parseMonitorLine(line: string): LinkEvent | undefined {
  const m = LINE.exec(line.trim());
  if (!m) return undefined;
  const state = /\bstate\s+(\S+)/.exec(m[5]!)?.[1];
  const event: LinkEvent = {
    index: Number(m[2]),
    name: m[3]!,
    flags: m[4] === '' ? [] : m[4]!.split(','),
    deleted: m[1] !== undefined,
  };
  if (state !== undefined) event.state = state;
  return event;
}

/** The default command; tests point it at a namespace (`ip -n NS -o monitor link`). */
export const IP_MONITOR_COMMAND: readonly string[] = ['ip', '-o', 'monitor', 'link'];

/** A monitor that dies is restarted after 5 s, doubling to 5 min while it keeps dying young. */
export const MONITOR_RESTART_MIN_MS = 5_000;
export const MONITOR_RESTART_MAX_MS = 300_000;
const RESTART_BACKOFF = { initialMs: MONITOR_RESTART_MIN_MS, maxMs: MONITOR_RESTART_MAX_MS };
/** A monitor that ran this long was healthy: its next restart waits the minimum again. */
const MONITOR_STABLE_MS = 60_000;

/**
 * Runs the monitor command as a child and reports every link line. When the program is missing (no
 * iproute2, e.g. Android or busybox) it logs once and stays quiet: the driver's polls still cover link
 * state, only later. When a running monitor exits (killed, OOM), it is restarted with capped backoff on
 * the injected clock, polls covering the gap.
 *
 * Invariant: after `close()` resolves the child has exited, no restart is pending and no more events
 * are delivered.
 */
export class LinkMonitor {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private closed = false;
  private restartTimer: TimerHandle | undefined;
  /** Exits in a row that came before a healthy minute. */
  private youngExits = 0;

  constructor(
    private readonly command: readonly string[],
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onEvent: (event: LinkEvent) => void,
  ) {}

  start(): void {
    if (this.child || this.closed) return;
    const [program, ...args] = this.command;
    const child = spawn(program!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const startedAt = this.clock.now();
    this.child = child;
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('error', (err) => {
      this.log.info({ err, command: this.command.join(' ') }, 'link monitor unavailable; link changes are seen at the next poll');
    });
    child.once('close', (code, signal) => {
      // A child that never started (no pid) is a missing program: nothing to restart.
      if (this.closed || child.pid === undefined) return;
      this.child = undefined;
      this.youngExits = this.clock.now() - startedAt >= MONITOR_STABLE_MS ? 1 : this.youngExits + 1;
      const restartInMs = backoffDelay(RESTART_BACKOFF, this.youngExits);
      this.log.warn({ code, signal, restartInMs, command: this.command.join(' ') }, 'link monitor exited; restarting it, link changes are seen at the next poll meanwhile');
      this.restartTimer = this.clock.setTimeout(() => {
        this.restartTimer = undefined;
        this.start();
      }, restartInMs);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (this.closed) return;
      const event = parseMonitorLine(line);
      if (event) this.onEvent(event);
    });
    child.stderr!.resume();
  }

  /** Stops the child (SIGTERM) and any pending restart, and waits until the child has gone. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) this.clock.clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    if (this.child) signalChild(this.child, 'SIGTERM');
    await this.exited;
  }
}
