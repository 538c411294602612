import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
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

/**
 * Runs the monitor command as a child and reports every link line. When the program is missing (no
 * iproute2, e.g. Android or busybox) or exits, it logs once and stays quiet: the driver's polls still
 * cover link state, only later.
 *
 * Invariant: after `close()` resolves the child has exited and no more events are delivered.
 */
export class LinkMonitor {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly command: readonly string[],
    private readonly log: Logger,
    private readonly onEvent: (event: LinkEvent) => void,
  ) {}

  start(): void {
    if (this.child || this.closed) return;
    const [program, ...args] = this.command;
    const child = spawn(program!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('error', (err) => {
      this.log.info({ err, command: this.command.join(' ') }, 'link monitor unavailable; link changes are seen at the next poll');
    });
    child.once('exit', (code, signal) => {
      if (!this.closed) this.log.warn({ code, signal, command: this.command.join(' ') }, 'link monitor exited; link changes are seen at the next poll');
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (this.closed) return;
      const event = parseMonitorLine(line);
      if (event) this.onEvent(event);
    });
    child.stderr!.resume();
  }

  /** Stops the child (SIGTERM) and waits until it has gone. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.child) signalChild(this.child, 'SIGTERM');
    await this.exited;
  }
}
