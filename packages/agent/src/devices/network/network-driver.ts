import { ConfigError } from '../../config/config-error.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import type { NetworkConfig } from './config.js';
import type { Clock } from 'posdiag-protocol';
import type { Observation, ReadingProblem, Readings } from '../../core/readings.js';
import type { Logger } from '../../log/logger.js';
import type { DeviceEvent, Driver, DriverContext } from '../../drivers/contract.js';
import { DeviceEventOutlet } from '../../drivers/device-event-outlet.js';
import { isSafeSegment, readAttribute } from '../../drivers/transports/sysfs.js';
import { CounterWindow } from './counter-window.js';
import { interfaceSegment } from './interface-readings.js';
import { IP_MONITOR_COMMAND, LinkMonitor } from './link-monitor.js';
import { readInterface, type ReadAttribute } from './read-interface.js';
import { probeTarget, type ProbeOptions, type ProbeResult } from './target-probe.js';
import { parseProcNetWireless, wirelessReadings, type ParsedWireless } from './wireless.js';

export const NETWORK_DEFAULT_TIMING = { interval: '30s', timeout: '10s' };
/** `network.<if>.carrier_changes_recent` counts carrier changes over this window. */
export const FLAP_WINDOW_MS = 10 * 60_000;
/** Share of the poll timeout a target probe may use, so a silent host is a `timeout` reading, not a failed poll. */
const PROBE_SHARE_OF_TIMEOUT = 0.8;

export type NetworkTarget = NetworkConfig['targets'][number];

export interface NetworkDriverOptions {
  /** sysfs attribute reader (a seam for kernel answers a plain file cannot give, such as EINVAL). */
  readAttribute?: ReadAttribute;
  /** Command that prints link changes; null turns watching off. Default `ip -o monitor link`. */
  monitorCommand?: readonly string[] | null;
  /** TLS trust anchors for target probes; the system store by default. */
  ca?: ProbeOptions['ca'];
  lookup?: ProbeOptions['lookup'];
  /**
   * Reference times for `system.clock_skew_s`: each TLS target is also asked `HEAD /`, and its HTTP
   * `Date` is a `clock_reference` device event from `target:<name>`. Without it no request is sent
   * after the handshake.
   */
  readHttpDate?: boolean;
}

/** What one interface or one target contributes to an Observation. */
interface Part {
  readings: Readings;
  problems: ReadingProblem[];
  evidence: Record<string, string>;
}

/** Every configured interface, plus problems reading /proc/net/wireless. */
interface Links {
  interfaces: Map<string, Part>;
  problems: ReadingProblem[];
}

/**
 * Link state of the configured interfaces (`<sysfs>/class/net`, Wi-Fi signal from
 * `<procfs>/net/wireless`) and reachability of the configured payment hosts.
 *
 * Invariants:
 * - Every Observation, polled or watched, carries the latest readings of every interface and target:
 *   the monitor replaces a source's readings whole, so a watched link change must not drop the targets.
 * - At most one probe per target is in flight; a poll that finds one running (its poll was abandoned)
 *   joins it. Probes are bounded by their own deadline and destroyed when the driver closes.
 * - Between polls the driver keeps only the latest parts (for watch emissions) and the flap windows,
 *   whose time is the injected clock's.
 */
export class NetworkDriver implements Driver {
  readonly kind = 'network' as const;
  readonly name = 'network';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly interfaces: readonly string[];
  private readonly targets: readonly NetworkTarget[];
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly read: ReadAttribute;
  private readonly probeOptions: ProbeOptions;
  private readonly outlet = new DeviceEventOutlet();
  private readonly monitorCommand: readonly string[] | null;
  private readonly closing = new AbortController();
  private readonly flaps = new Map<string, CounterWindow>();
  private readonly probes = new Map<string, Promise<ProbeResult>>();
  private readonly latestInterfaces = new Map<string, Part>();
  private readonly latestTargets = new Map<string, Part>();
  /** Links are being re-read after a link event; `refreshAgain`: another event arrived meanwhile. */
  private refreshing = false;
  private refreshAgain = false;
  private monitor: LinkMonitor | undefined;

  constructor(
    config: NetworkConfig,
    private readonly paths: { sysfs: string; procfs: string },
    ctx: DriverContext,
    options: NetworkDriverOptions = {},
  ) {
    for (const name of config.interfaces) {
      if (!isSafeSegment(name)) throw new ConfigError(`devices.network.interfaces: "${name}" is not an interface name`);
      if (interfaceSegment(name) === 'target') {
        throw new ConfigError(`devices.network.interfaces: "${name}" clashes with the network.target.* readings`);
      }
    }
    const names = config.targets.map((t) => t.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw new ConfigError(`devices.network.targets: the name "${duplicate}" is used twice`);

    this.interfaces = [...new Set(config.interfaces)];
    this.targets = config.targets;
    this.clock = ctx.clock;
    this.log = ctx.log;
    this.read = options.readAttribute ?? readAttribute;
    this.monitorCommand = options.monitorCommand === undefined ? IP_MONITOR_COMMAND : options.monitorCommand;
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, NETWORK_DEFAULT_TIMING));
    this.probeOptions = {
      clock: ctx.clock,
      timeoutMs: Math.max(1, Math.floor(this.timeoutMs * PROBE_SHARE_OF_TIMEOUT)),
      signal: this.closing.signal,
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.lookup ? { lookup: options.lookup } : {}),
      readHttpDate: options.readHttpDate === true,
    };
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    const work = Promise.all([
      this.readLinks(signal),
      Promise.all(this.targets.map(async (t) => [t.name, targetPart(t.name, await this.probe(t))] as const)),
    ]);
    const [links, targets] = await untilAborted(work, signal);
    for (const [name, part] of links.interfaces) this.latestInterfaces.set(name, part);
    for (const [name, part] of targets) this.latestTargets.set(name, part);
    return this.compose(linkProblems(links));
  }

  deviceEvents(emit: (event: DeviceEvent) => void): () => void {
    return this.outlet.subscribe(emit);
  }

  watch(emit: (observation: Observation) => void): void {
    if (this.monitor || this.monitorCommand === null || this.interfaces.length === 0) return;
    this.monitor = new LinkMonitor(this.monitorCommand, this.clock, this.log, (event) => {
      if (this.interfaces.includes(event.name)) this.refresh(emit);
    });
    this.monitor.start();
  }

  async close(): Promise<void> {
    if (!this.closing.signal.aborted) this.closing.abort(new Error('network driver closed'));
    await this.monitor?.close();
    await Promise.allSettled([...this.probes.values()]);
  }

  private async readLinks(signal: AbortSignal): Promise<Links> {
    const wireless = await this.readWireless(signal);
    const parts = await Promise.all(this.interfaces.map((name) => this.readInterfacePart(name, wireless, signal)));
    return { interfaces: new Map(this.interfaces.map((name, i) => [name, parts[i]!])), problems: wireless.problems };
  }

  private async readWireless(signal: AbortSignal): Promise<ParsedWireless> {
    const read = await this.read(this.paths.procfs, 'net/wireless', signal);
    if (read.kind === 'value') return parseProcNetWireless(read.text);
    // No file: a kernel without wireless extensions, or no Wi-Fi at all.
    return { stats: new Map(), problems: read.kind === 'unreadable' ? [{ message: read.message }] : [] };
  }

  private async readInterfacePart(name: string, wireless: ParsedWireless, signal: AbortSignal): Promise<Part> {
    const state = await readInterface(this.paths.sysfs, name, signal, this.read);
    const readings = { ...state.readings };
    let flap = this.flaps.get(name);
    if (!flap) this.flaps.set(name, (flap = new CounterWindow(FLAP_WINDOW_MS)));
    if (state.carrierChanges === undefined) flap.reset();
    else readings[`network.${interfaceSegment(name)}.carrier_changes_recent`] = flap.record(this.clock.now(), state.carrierChanges);
    // Signal of a link the kernel says is not there would describe nothing.
    const stats = wireless.stats.get(name);
    if (stats && readings[`network.${interfaceSegment(name)}.operstate`] !== 'notpresent') Object.assign(readings, wirelessReadings(stats));
    return { readings, problems: state.problems, evidence: {} };
  }

  private probe(target: NetworkTarget): Promise<ProbeResult> {
    let running = this.probes.get(target.name);
    if (!running) {
      running = probeTarget(target, { ...this.probeOptions, readHttpDate: this.probeOptions.readHttpDate && target.httpDate })
        .then((result) => {
          // Observed once per probe, however many polls joined it.
          if (result.serverDate) {
            const { referenceMs, localMs } = result.serverDate;
            this.outlet.send({ type: 'clock_reference', source: `target:${target.name}`, referenceMs, localAtMs: localMs });
          }
          return result;
        })
        .finally(() => this.probes.delete(target.name));
      this.probes.set(target.name, running);
    }
    return running;
  }

  /**
   * Re-reads every interface after a link event (sysfs reads cost microseconds, and the first event may
   * come before the first poll) and emits the full picture. Events during a read coalesce into one more.
   */
  private refresh(emit: (observation: Observation) => void): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    void (async () => {
      const signal = this.closing.signal;
      try {
        do {
          this.refreshAgain = false;
          const links = await this.readLinks(signal);
          if (signal.aborted) return;
          for (const [name, part] of links.interfaces) this.latestInterfaces.set(name, part);
          emit(this.compose(linkProblems(links)));
        } while (this.refreshAgain);
      } catch (err) {
        if (!signal.aborted) this.log.warn({ err }, 'reading the links after a change failed');
      } finally {
        this.refreshing = false;
      }
    })();
  }

  private compose(problems: ReadingProblem[]): Observation {
    const parts = [...this.latestInterfaces.values(), ...this.latestTargets.values()];
    return {
      readings: Object.assign({}, ...parts.map((p) => p.readings)) as Readings,
      problems,
      evidence: Object.assign({}, ...parts.map((p) => p.evidence)) as Record<string, string>,
    };
  }
}

/** Targets never have problems (a failure is a reading), so the links' are all there are. */
function linkProblems(links: Links): ReadingProblem[] {
  return [...links.problems, ...[...links.interfaces.values()].flatMap((p) => p.problems)];
}

function targetPart(name: string, result: ProbeResult): Part {
  const p = `network.target.${name}`;
  const readings: Readings = { [`${p}.dns_ok`]: result.dnsOk, [`${p}.reachable`]: result.reachable };
  if (result.latencyMs !== undefined) readings[`${p}.latency_ms`] = result.latencyMs;
  if (result.tlsMs !== undefined) readings[`${p}.tls_ms`] = result.tlsMs;
  if (result.error !== undefined) readings[`${p}.error`] = result.error;
  const evidence: Record<string, string> = {};
  if (result.address !== undefined) evidence[`${p}.address`] = result.address;
  if (result.detail !== undefined) evidence[`${p}.detail`] = result.detail;
  return { readings, problems: [], evidence };
}

/** `work`, or the signal's reason as soon as it aborts (what `work` holds is released by its own deadline). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
