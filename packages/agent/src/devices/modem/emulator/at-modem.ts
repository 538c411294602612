import type { Duplex } from 'node:stream';
import type { MockPortAttachment } from '../../../sim/mock-port.js';
import { attachDeviceToMockPort, attachDeviceToStream, WireNoise } from '../../../sim/serial-device.js';

/**
 * An emulated cellular modem that speaks 27.007 AT commands (protocols.md §4) the way real ones do:
 * it powers up echoing (ATE1) with bare `ERROR`s (CMEE=0), answers `\r\n<info>\r\n\r\nOK\r\n`, keeps
 * per-domain registration (an LTE-only modem is idle in CS and answers `+CSQ: 99,99`), and can
 * interleave URCs with its answers. The core is synchronous and I/O free; adapters connect it to a
 * mock serial port or a real stream (a pty). Written from the spec, not from the driver's codec, so
 * tests of one against the other are worth something. It never answers IMSI or ICCID queries.
 */

export type EmulatedSim = 'ready' | 'missing' | 'pin' | 'puk';
export type EmulatedRegistration = 'home' | 'roaming' | 'searching' | 'denied' | 'idle';

export interface AtModemState {
  sim: EmulatedSim;
  registration: EmulatedRegistration;
  /** +CSQ rssi: 0..31, 99 unknown. Ignored when `lteOnly`. */
  rssi: number;
  /** Only LTE: `+CSQ: 99,99`, signal in +CESQ's RSRP, CS and GPRS domains idle. */
  lteOnly: boolean;
  /** +CESQ RSRP index (0..97: dBm = index - 141) when `lteOnly`. */
  rsrp: number;
  operator: string;
  /** LAC/CI in +CxREG answers as bare hex (`00C3`) instead of quoted (`"00C3"`). */
  bareHexLocation: boolean;
  /** `+CSQ:20,99` instead of `+CSQ: 20,99`. */
  noSpaceAfterColon: boolean;
  /** Sends a URC before each answer's information and another before its final result code. */
  chatty: boolean;
  /** A dead line: nothing is answered. */
  silent: boolean;
}

export const HEALTHY_MODEM: Readonly<AtModemState> = {
  sim: 'ready',
  registration: 'home',
  rssi: 20,
  lteOnly: false,
  rsrp: 50,
  operator: 'CHINA MOBILE',
  bareHexLocation: false,
  noSpaceAfterColon: false,
  chatty: false,
  silent: false,
};

export interface AtModemOptions {
  /** Echo at power-up (real modems: on). */
  echo?: boolean;
  /** What a re-initialisation (AT+CFUN=0 then =1, or AT+CFUN=1,1) changes, e.g. `{ registration: 'home' }`. */
  onReinit?: Partial<AtModemState>;
}

const STAT: Record<EmulatedRegistration, number> = { idle: 0, home: 1, searching: 2, denied: 3, roaming: 5 };
const CPIN: Record<Exclude<EmulatedSim, 'missing'>, string> = { ready: 'READY', pin: 'SIM PIN', puk: 'SIM PUK' };
const CME_TEXT: Record<number, string> = { 4: 'operation not supported', 10: 'SIM not inserted' };
const IDENTITY = { manufacturer: 'Quectel', model: 'EC25', revision: 'EC25EFAR06A06M4G', imei: '490154203237518' };

type Answer = { info: string[]; final: string };
type Domain = 'CREG' | 'CGREG' | 'CEREG';

export class AtModemEmulator {
  private current: AtModemState;
  private echo: boolean;
  private cmee = 0;
  /** URC mode per domain; 2 (with location) from power-up, so answers carry LAC and CI. */
  private regMode: Record<Domain, number> = { CREG: 2, CGREG: 2, CEREG: 2 };
  private radioOn = true;
  private urcTurn = 0;
  private pending = '';
  private readonly received: string[] = [];
  private readonly outputListeners = new Set<(bytes: Buffer) => void>();
  private readonly noise = new WireNoise((bytes) => this.outputListeners.forEach((listener) => listener(bytes)));

  constructor(
    initial: Partial<AtModemState> = {},
    private readonly options: AtModemOptions = {},
  ) {
    this.current = { ...HEALTHY_MODEM, ...initial };
    this.echo = options.echo ?? true;
  }

  get state(): Readonly<AtModemState> {
    return this.current;
  }

  /** Every command line received, in order (tests check what the driver sent, and what it never sent). */
  get commands(): readonly string[] {
    return this.received;
  }

  get echoOn(): boolean {
    return this.echo;
  }

  /** Unsolicited output (URCs). Returns an unsubscribe function. */
  onOutput(listener: (bytes: Buffer) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  set(patch: Partial<AtModemState>): void {
    this.current = { ...this.current, ...patch };
  }

  /** Sends one URC now (unless silent), e.g. `+CREG: 2`. */
  emitUrc(line: string): void {
    if (this.current.silent) return;
    const bytes = Buffer.from(`\r\n${line}\r\n`, 'latin1');
    for (const listener of this.outputListeners) listener(bytes);
  }

  /** Puts line noise on the wire, at once or ahead of the next `aheadOfReplies` replies (see WireNoise). */
  lineNoise(bytes: Uint8Array, aheadOfReplies = 0): void {
    this.noise.put(bytes, aheadOfReplies);
  }

  /** Feeds received bytes; returns everything to send back, in order (empty when nothing). */
  handleInput(bytes: Uint8Array): Buffer {
    const input = this.pending + Buffer.from(bytes).toString('latin1');
    const parts = input.split('\r');
    this.pending = parts.pop() ?? '';
    let out = '';
    for (const part of parts) {
      const line = part.replace(/\n/g, '').trim();
      if (this.current.silent) continue;
      if (this.echo) out += `${part}\r`;
      if (line === '') continue;
      this.received.push(line);
      out += this.render(this.execute(line));
    }
    return this.noise.before(Buffer.from(out, 'latin1'));
  }

  /** Connects to a real stream (e.g. a serialport opened on one end of a pty). Returns detach. */
  attachToStream(stream: Duplex): () => void {
    return attachDeviceToStream(this, stream);
  }

  /** Creates `path` as a serialport mock port answered by this modem; hand `binding` to the driver. */
  attachToMockPort(path: string): Promise<MockPortAttachment> {
    return attachDeviceToMockPort(this, path);
  }

  private render(answer: Answer): string {
    const urc = () => (this.current.chatty ? `\r\n${this.nextUrc()}\r\n` : '');
    const info = answer.info.map((line) => `\r\n${line}\r\n`).join('');
    return `${urc()}${info}${urc()}\r\n${answer.final}\r\n`;
  }

  /** URCs a real modem sends on its own, consistent with the current state. */
  private nextUrc(): string {
    const s = this.current;
    const choices = ['RDY', this.tag('+CFUN', this.radioOn ? '1' : '0')];
    if (s.sim !== 'missing') choices.push(this.tag('+CPIN', CPIN[s.sim]));
    choices.push(this.tag('+CREG', String(this.stat('CREG'))), this.tag('+CEREG', String(this.stat('CEREG'))));
    return choices[this.urcTurn++ % choices.length]!;
  }

  private tag(name: string, value: string): string {
    return `${name}:${this.current.noSpaceAfterColon ? '' : ' '}${value}`;
  }

  private ok(...info: string[]): Answer {
    return { info, final: 'OK' };
  }

  private cmeError(code: number): Answer {
    if (this.cmee === 0) return { info: [], final: 'ERROR' };
    return { info: [], final: `+CME ERROR: ${this.cmee === 1 ? code : CME_TEXT[code]}` };
  }

  private execute(line: string): Answer {
    const cmd = line.toUpperCase();
    const s = this.current;
    if (cmd === 'AT') return this.ok();
    if (cmd === 'ATE0' || cmd === 'ATE1') {
      this.echo = cmd === 'ATE1';
      return this.ok();
    }
    const cmee = /^AT\+CMEE=([012])$/.exec(cmd);
    if (cmee) {
      this.cmee = Number(cmee[1]);
      return this.ok();
    }
    const regMode = /^AT\+(CREG|CGREG|CEREG)=([0-2])$/.exec(cmd);
    if (regMode) {
      this.regMode[regMode[1] as Domain] = Number(regMode[2]);
      return this.ok();
    }
    const regRead = /^AT\+(CREG|CGREG|CEREG)\?$/.exec(cmd);
    if (regRead) return this.ok(this.registrationLine(regRead[1] as Domain));
    switch (cmd) {
      case 'ATI':
        return this.ok(IDENTITY.manufacturer, IDENTITY.model, `Revision: ${IDENTITY.revision}`);
      case 'AT+CGMI':
        return this.ok(IDENTITY.manufacturer);
      case 'AT+CGMM':
        return this.ok(IDENTITY.model);
      case 'AT+CGMR':
        return this.ok(IDENTITY.revision);
      case 'AT+CGSN':
        return this.ok(IDENTITY.imei);
      case 'AT+CPIN?':
        return s.sim === 'missing' ? this.cmeError(10) : this.ok(this.tag('+CPIN', CPIN[s.sim]));
      case 'AT+CSQ':
        return this.ok(this.tag('+CSQ', s.lteOnly || !this.radioOn ? '99,99' : `${s.rssi},0`));
      case 'AT+CESQ':
        return this.ok(this.tag('+CESQ', this.cesq()));
      case 'AT+COPS?':
        return this.ok(this.tag('+COPS', this.registered() ? `0,0,"${s.operator}",${s.lteOnly ? 7 : 2}` : '0'));
      case 'AT+CFUN?':
        return this.ok(this.tag('+CFUN', this.radioOn ? '1' : '0'));
      case 'AT+CFUN=0':
        this.radioOn = false;
        return this.ok();
      case 'AT+CFUN=1':
        if (!this.radioOn) this.reinitialised();
        this.radioOn = true;
        return this.ok();
      case 'AT+CFUN=1,1':
        // The reset happens after the OK: the modem comes back echoing, with default error mode.
        queueMicrotask(() => {
          this.echo = this.options.echo ?? true;
          this.cmee = 0;
          this.radioOn = true;
          this.reinitialised();
          this.emitUrc('RDY');
        });
        return this.ok();
      default:
        return this.cmeError(4);
    }
  }

  private reinitialised(): void {
    this.current = { ...this.current, ...this.options.onReinit };
  }

  private registered(): boolean {
    const r = this.stat(this.current.lteOnly ? 'CEREG' : 'CREG');
    return r === STAT.home || r === STAT.roaming;
  }

  /** Per-domain status: LTE-only modems register in EPS only, the others in CS and GPRS only. */
  private stat(domain: Domain): number {
    const s = this.current;
    if (!this.radioOn || s.sim !== 'ready') return STAT.idle;
    const active = s.lteOnly ? domain === 'CEREG' : domain !== 'CEREG';
    return active ? STAT[s.registration] : STAT.idle;
  }

  private registrationLine(domain: Domain): string {
    const n = this.regMode[domain];
    const stat = this.stat(domain);
    const params = [String(n), String(stat)];
    if (n >= 2 && (stat === STAT.home || stat === STAT.roaming)) {
      const q = (hex: string) => (this.current.bareHexLocation ? hex : `"${hex}"`);
      params.push(q(domain === 'CEREG' ? '1A2B' : '00C3'), q('0000A13F'), domain === 'CEREG' ? '7' : '2');
    }
    return this.tag(`+${domain}`, params.join(','));
  }

  private cesq(): string {
    const s = this.current;
    if (!this.radioOn) return '99,99,255,255,255,255';
    if (s.lteOnly) return `99,99,255,255,20,${s.rsrp}`;
    // GSM/UMTS: RXLEV from the same dBm as CSQ's rssi; LTE fields not applicable.
    const rxlev = Math.max(0, Math.min(63, -113 + 2 * s.rssi + 111));
    return `${s.rssi === 99 ? 99 : rxlev},0,255,255,255,255`;
  }
}
