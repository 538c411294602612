import type { ModemConfig } from './config.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import type { DeviceIdentity, DriverAction, Observation, ReadingProblem } from '../../core/readings.js';
import type { Driver, DriverContext } from '../../drivers/contract.js';
import { LineNoise } from '../../drivers/transports/line-noise.js';
import { SerialTransportError, type SerialBinding } from '../../drivers/transports/serial.js';
import { AtChannel } from './at-channel.js';
import { informationValues, type AtResponse, type FinalResult } from './at-response.js';
import { modemIdentity, modemObservation, unresponsiveObservation, type IdentityAnswers, type ModemSnapshot } from './modem-readings.js';
import { parseCops, parseRegistration } from './registration.js';
import { DEFAULT_REINIT_POLICY, ReinitPolicy, type ModemTrouble, type ReinitPolicyOptions } from './reinit-policy.js';
import { parseCesq, parseCsq } from './signal.js';
import { parseSimState } from './sim.js';


export interface ModemDriverOptions {
  /** serialport binding to use instead of the system one (tests, demo: the emulator's mock binding). */
  binding?: SerialBinding;
  /** Reopen backoff after a failed open; default 1 s doubling to 30 s. */
  backoff?: { minMs: number; maxMs: number };
  /** When the driver re-initialises the modem by itself; default 2 min of trouble, 3 per hour. */
  reinit?: ReinitPolicyOptions;
}

const DEFAULT_TIMING = { interval: '30s', timeout: '10s' };

/** A command whose reply never came: the rest of the poll is skipped (the modem stopped answering). */
class Stalled extends Error {}

/**
 * A cellular modem on a serial AT port (27.007; protocols.md §4).
 *
 * Each poll: `AT` (no answer: `modem.responding = false` and nothing else), then — once per open —
 * `ATE0` and `AT+CMEE=2` and the identity, then +CPIN?, +CSQ, +CESQ, +CREG?, +CGREG?, +CEREG?, +COPS?.
 * An ERROR to a query leaves its value unknown; a query that times out ends the poll's queries, so
 * silence costs one reply timeout (a fifth of the poll timeout) per poll, plus up to two per command
 * of a re-init. First-line fix: when the modem stays silent on an open port, or stays unregistered with a
 * ready SIM, it is re-initialised (AT+CFUN=1,1, or AT+CFUN=0 then =1) as the ReinitPolicy allows; each
 * attempt is reported in the Observation's `actions`.
 *
 * Noise is data: bytes that are not AT text are counted as `modem.line_errors` (bytes per poll window,
 * on the observations of a modem that answers) and warned about once per episode; an identity read
 * while noise arrived is read again next poll, since noise lines may pass for bare-text answers.
 */
export class ModemDriver implements Driver {
  readonly kind = 'modem' as const;
  readonly name = 'modem';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly replyTimeoutMs: number;
  private readonly channel: AtChannel;
  private readonly policy: ReinitPolicy;
  private readonly noise: LineNoise;
  /** Echo off and verbose errors set, identity read: redone after every (re)open and re-init. */
  private configured = false;
  private identity: DeviceIdentity | undefined;

  constructor(
    private readonly config: ModemConfig,
    private readonly ctx: DriverContext,
    options: ModemDriverOptions = {},
  ) {
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, DEFAULT_TIMING));
    this.replyTimeoutMs = Math.max(1, Math.floor(this.timeoutMs / 5));
    this.policy = new ReinitPolicy(options.reinit ?? DEFAULT_REINIT_POLICY);
    this.noise = new LineNoise('modem.line_errors', 'AT answers', ctx.log);
    this.channel = new AtChannel({
      path: config.path,
      baudRate: config.baudRate,
      clock: ctx.clock,
      log: ctx.log.child({ device: 'modem', path: config.path }),
      ...(options.binding ? { binding: options.binding } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onNoise: (bytes) => this.noise.count(bytes),
    });
    this.channel.onStateChange((state) => {
      if (state !== 'open') this.forget();
    });
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    const observation = await this.query(signal);
    const line = this.noise.closeWindow();
    return observation.readings['modem.responding'] === true ? { ...observation, readings: { ...observation.readings, ...line } } : observation;
  }

  private async query(signal: AbortSignal): Promise<Observation> {
    try {
      await this.channel.send('AT', this.replyTimeoutMs, signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (!(err instanceof SerialTransportError)) throw err;
      this.forget();
      const observation = unresponsiveObservation(err.message);
      // Only a port that is open can carry a reset; a missing port is the transport's to reopen.
      const due = this.policy.observe(this.channel.state === 'open' ? 'unresponsive' : undefined, this.ctx.clock.now());
      if (due) observation.actions = [await this.reinit(due, signal)];
      return observation;
    }

    const problems: ReadingProblem[] = [];
    const ask = this.asker(problems, signal);
    // Filled in order; a query that stalls leaves the rest unknown.
    const snapshot: ModemSnapshot = { sim: 'unknown' };
    try {
      if (!this.configured) {
        const mark = this.noise.mark();
        await ask('ATE0');
        await ask('AT+CMEE=2');
        const identity = await this.readIdentity(ask);
        // Noise lines may have passed for bare-text answers: not believed, asked again next poll.
        this.configured = this.noise.since(mark) === 0;
        this.identity = this.configured ? identity : undefined;
      }
      snapshot.sim = parseSimState(await ask('AT+CPIN?'));
      snapshot.csq = parseCsq(await ask('AT+CSQ'));
      snapshot.cesq = parseCesq(await ask('AT+CESQ'));
      snapshot.creg = parseRegistration(await ask('AT+CREG?'));
      snapshot.cgreg = parseRegistration(await ask('AT+CGREG?'));
      snapshot.cereg = parseRegistration(await ask('AT+CEREG?'));
      snapshot.operator = parseCops(await ask('AT+COPS?'));
    } catch (err) {
      if (!(err instanceof Stalled)) throw err;
    }

    const observation = modemObservation(snapshot, this.identity, problems);
    const registration = observation.readings['modem.registration'];
    const unregistered = snapshot.sim === 'ready' && (registration === 'searching' || registration === 'not_registered');
    const due = this.policy.observe(unregistered ? 'not_registered' : undefined, this.ctx.clock.now());
    if (due) observation.actions = [await this.reinit(due, signal)];
    return observation;
  }

  async close(): Promise<void> {
    await this.channel.close();
  }

  /**
   * `ask(command)`: its response, with a failed final result noted as a problem. A timeout or a lost
   * line is noted and throws Stalled; an abort rethrows the signal's reason.
   */
  private asker(problems: ReadingProblem[], signal: AbortSignal): (command: string) => Promise<AtResponse> {
    return async (command) => {
      try {
        const response = await this.channel.send(command, this.replyTimeoutMs, signal);
        if (response.final.kind !== 'ok') problems.push({ message: `${command}: ${describeFinal(response.final)}` });
        return response;
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (!(err instanceof SerialTransportError)) throw err;
        problems.push({ message: `${command}: ${err.message}` });
        throw new Stalled(err.message);
      }
    };
  }

  private async readIdentity(ask: (command: string) => Promise<AtResponse>): Promise<DeviceIdentity> {
    const first = async (command: string) => {
      const response = await ask(command);
      return response.final.kind === 'ok' ? informationValues(response)[0] : undefined;
    };
    const answers: IdentityAnswers = {};
    const put = (key: Exclude<keyof IdentityAnswers, 'ati'>, value: string | undefined) => {
      if (value !== undefined) answers[key] = value;
    };
    put('manufacturer', await first('AT+CGMI'));
    put('model', await first('AT+CGMM'));
    put('revision', await first('AT+CGMR'));
    put('serialNumber', await first('AT+CGSN'));
    if (answers.manufacturer === undefined || answers.model === undefined) {
      const ati = await ask('ATI');
      if (ati.final.kind === 'ok') answers.ati = informationValues(ati);
    }
    return modemIdentity(answers, this.config.path);
  }

  /** One re-init attempt; the modem forgets ATE0 / CMEE across a reset, so both are redone next poll. */
  private async reinit(trouble: ModemTrouble, signal: AbortSignal): Promise<DriverAction> {
    const at = new Date(this.ctx.clock.now()).toISOString();
    const [action, readings, commands] =
      trouble === 'unresponsive'
        ? (['modem.reset', ['modem.responding'], ['AT+CFUN=1,1']] as const)
        : (['modem.radio_restart', ['modem.registration'], ['AT+CFUN=0', 'AT+CFUN=1']] as const);
    this.forget();
    let failure: string | undefined;
    for (const command of commands) {
      try {
        const response = await this.channel.send(command, 2 * this.replyTimeoutMs, signal);
        if (response.final.kind !== 'ok') failure = `${command}: ${describeFinal(response.final)}`;
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (!(err instanceof SerialTransportError)) throw err;
        failure = `${command}: ${err.message}`;
      }
      if (failure) break;
    }
    const detail = (failure ?? `${commands.join(' then ')}: OK`).slice(0, 500);
    this.ctx.log.info({ action, ok: !failure, detail }, 'modem re-initialised');
    return { action, at, ok: !failure, detail, readings: [...readings] };
  }

  private forget(): void {
    this.configured = false;
    this.identity = undefined;
  }
}

function describeFinal(final: FinalResult): string {
  switch (final.kind) {
    case 'ok':
      return 'OK';
    case 'error':
      return 'ERROR';
    case 'cme_error':
      return `+CME ERROR: ${final.text}`;
    case 'cms_error':
      return `+CMS ERROR: ${final.text}`;
  }
}
