import type { Duplex } from 'node:stream';
import type { MockPortAttachment } from '../../../sim/mock-port.js';
import { attachDeviceToMockPort, attachDeviceToStream, WireNoise } from '../../../sim/serial-device.js';
import { PaperRoll, type PrintedReceipt } from './paper.js';

/**
 * An emulated ESC/POS roll printer that speaks the real status protocol (protocols.md §1): it answers
 * DLE EOT 1..4 and GS I (identity), obeys GS a (Automatic Status Back) and sends ASB packets when its
 * state changes, recovers from a cutter jam on DLE ENQ once the jam is cleared, and prints: text lines,
 * ESC d feeds and GS V cuts are recorded as receipts (nothing is printed while it is offline). The
 * core is synchronous and I/O free; adapters connect it to a mock serial port or a real stream (a pty).
 */

export type EmulatedPaper = 'ok' | 'near_end' | 'end';

export interface EscPosPrinterState {
  paper: EmulatedPaper;
  coverOpen: boolean;
  cutterJam: boolean;
  headOverheat: boolean;
  unrecoverable: boolean;
  /** Taken offline for a reason not listed above (e.g. the operator's offline switch). */
  offline: boolean;
  drawerPinHigh: boolean;
  /** A dead line: nothing is read, nothing is answered. */
  silent: boolean;
  /** Paper still stuck in the cutter: DLE ENQ cannot clear `cutterJam` until this is false. */
  cutterObstructed: boolean;
  /** What GS I answers; null for a printer that does not implement GS I. */
  identity: EmulatedIdentity | null;
}

export interface EmulatedIdentity {
  modelId: number;
  typeId: number;
  versionId: number;
  firmware: string;
  maker: string;
  model: string;
  serial: string;
}

export const EMULATED_IDENTITY: Readonly<EmulatedIdentity> = {
  modelId: 0x20,
  typeId: 0x02,
  versionId: 0x05,
  firmware: '30.01 ESC/POS',
  maker: 'EPSON',
  model: 'TM-T20II',
  serial: 'SIM0000001',
};

export const HEALTHY_PRINTER: Readonly<EscPosPrinterState> = {
  paper: 'ok',
  coverOpen: false,
  cutterJam: false,
  headOverheat: false,
  unrecoverable: false,
  offline: false,
  drawerPinHigh: false,
  silent: false,
  cutterObstructed: false,
  identity: EMULATED_IDENTITY,
};

/** `value` when `on`, else 0: one status bit (or bit pair) of a reply byte. */
const flag = (on: boolean, value: number): number => (on ? value : 0);

const LF = 0x0a;
const DLE = 0x10;
const EOT = 0x04;
const ENQ = 0x05;
const ESC = 0x1b;
const FS = 0x1c;
const GS = 0x1d;

/** Bits of each ASB packet byte that belong to each GS a category (bit 0 drawer, 1 online, 2 errors, 3 paper). */
const ASB_CATEGORY_BITS: readonly (readonly [mask: number, bytes: readonly [number, number, number, number]])[] = [
  [0x01, [0x04, 0x00, 0x00, 0x00]],
  [0x02, [0x28, 0x01, 0x00, 0x00]],
  [0x04, [0x00, 0x6c, 0x00, 0x00]],
  [0x08, [0x00, 0x00, 0x0f, 0x00]],
];

export class EscPosPrinterEmulator {
  private current: EscPosPrinterState;
  private asbMask = 0;
  /** Bytes of a command split across writes. */
  private pending: number[] = [];
  private readonly outputListeners = new Set<(bytes: Buffer) => void>();
  private readonly paper = new PaperRoll();
  /** DLE ENQ commands received (successful or not), for tests of self-recovery. */
  recoveryRequests = 0;
  private readonly noise = new WireNoise((bytes) => this.outputListeners.forEach((listener) => listener(bytes)));

  constructor(initial: Partial<EscPosPrinterState> = {}) {
    this.current = { ...HEALTHY_PRINTER, ...initial };
  }

  get state(): Readonly<EscPosPrinterState> {
    return this.current;
  }

  get asbEnabled(): boolean {
    return this.asbMask !== 0;
  }

  /** What has been printed: cut receipts, then the one still on the roll. */
  get receipts(): readonly PrintedReceipt[] {
    return this.paper.receipts;
  }

  /** Unsolicited output (ASB packets). Returns an unsubscribe function. */
  onOutput(listener: (bytes: Buffer) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /** Puts line noise on the wire, at once or ahead of the next `aheadOfReplies` replies (see WireNoise). */
  lineNoise(bytes: Uint8Array, aheadOfReplies = 0): void {
    this.noise.put(bytes, aheadOfReplies);
  }

  /** Feeds received bytes; returns the replies to send back, in order (empty when none). */
  handleInput(bytes: Uint8Array): Buffer {
    if (this.current.silent) return Buffer.alloc(0);
    const input = [...this.pending, ...bytes];
    const replies: number[] = [];
    let i = 0;
    while (i < input.length) {
      const used = this.command(input, i, replies);
      if (used === 0) break; // wait for the rest of the command
      i += used;
    }
    this.pending = input.slice(i);
    return this.noise.before(Buffer.from(replies));
  }

  /**
   * Executes the command (or print byte) at `input[i]`; returns how many bytes it took, 0 when it is
   * incomplete. Unknown commands are taken as print data, as a printer that ignores them would.
   */
  private command(input: number[], i: number, replies: number[]): number {
    const b = input[i]!;
    const needs = (n: number) => i + n <= input.length;
    const second = input[i + 1];
    const arg = input[i + 2];
    if (b === DLE || b === GS || b === ESC || b === FS) {
      if (!needs(2)) return 0;
      if (b === ESC && second === 0x40) {
        this.paper.clearBuffer(); // ESC @
        return 2;
      }
      if (b === FS && (second === 0x26 || second === 0x2e)) return 2; // FS & / FS . (Chinese mode on / off)
      const threeByte =
        (b === DLE && (second === EOT || second === ENQ)) ||
        (b === GS && (second === 0x61 || second === 0x49 || second === 0x56)) ||
        (b === ESC && second === 0x64);
      if (threeByte) {
        if (!needs(3)) return 0;
        if (b === GS && second === 0x56 && arg! >= 65) {
          if (!needs(4)) return 0; // GS V m n: feed n, then cut
          this.cut();
          return 4;
        }
        this.threeByteCommand(b, second!, arg!, replies);
        return 3;
      }
    }
    if (this.offlineNow()) return 1; // an offline printer prints nothing
    if (b === LF) this.paper.endLine();
    else this.paper.text(b);
    return 1;
  }

  private threeByteCommand(b: number, second: number, n: number, replies: number[]): void {
    if (b === DLE && second === EOT) {
      const reply = this.statusByte(n);
      if (reply !== undefined) replies.push(reply);
    } else if (b === DLE && second === ENQ) {
      this.recover(n);
    } else if (b === GS && second === 0x61) {
      this.asbMask = n;
      // The printer reports its current state once when ASB is enabled.
      if (n !== 0) replies.push(...this.asbPacket());
    } else if (b === GS && second === 0x49) {
      replies.push(...this.identityReply(n));
    } else if (b === GS && second === 0x56) {
      this.cut();
    } else if (b === ESC && second === 0x64 && !this.offlineNow()) {
      this.paper.feed();
    }
  }

  private cut(): void {
    if (!this.offlineNow()) this.paper.cut();
  }

  /** DLE ENQ 1/2: clears a cutter jam whose cause is gone (cover closed, nothing stuck). */
  private recover(n: number): void {
    if (n !== 1 && n !== 2) return;
    this.recoveryRequests++;
    const s = this.current;
    if (s.cutterJam && !s.cutterObstructed && !s.coverOpen) this.set({ cutterJam: false });
  }

  private identityReply(n: number): number[] {
    const id = this.current.identity;
    if (!id) return [];
    const block = (text: string) => [0x5f, ...Buffer.from(text, 'latin1'), 0x00];
    const answers: Record<number, number[]> = {
      1: [id.modelId],
      2: [id.typeId],
      3: [id.versionId],
      65: block(id.firmware),
      66: block(id.maker),
      67: block(id.model),
      68: block(id.serial),
      69: block('PC437'),
    };
    return answers[n] ?? [];
  }

  /**
   * Changes the printer's state. When ASB is on and an enabled category changed, the 4-byte packet
   * goes to the output listeners and is returned; otherwise an empty buffer is returned.
   */
  set(patch: Partial<EscPosPrinterState>): Buffer {
    const before = this.asbPacket();
    this.current = { ...this.current, ...patch };
    if (this.current.silent || this.asbMask === 0) return Buffer.alloc(0);
    const after = this.asbPacket();
    const changed = ASB_CATEGORY_BITS.some(
      ([mask, bits]) => (this.asbMask & mask) !== 0 && bits.some((m, k) => ((before[k]! ^ after[k]!) & m) !== 0),
    );
    if (!changed) return Buffer.alloc(0);
    for (const listener of this.outputListeners) listener(after);
    return after;
  }

  /** Connects to a real stream (e.g. a serialport opened on one end of a pty). Returns detach. */
  attachToStream(stream: Duplex): () => void {
    return attachDeviceToStream(this, stream);
  }

  /** Creates `path` as a serialport mock port answered by this printer; hand `binding` to the driver. */
  attachToMockPort(path: string): Promise<MockPortAttachment> {
    return attachDeviceToMockPort(this, path);
  }

  private offlineNow(): boolean {
    const s = this.current;
    return s.offline || s.coverOpen || s.paper === 'end' || this.anyError();
  }

  private anyError(): boolean {
    const s = this.current;
    return s.cutterJam || s.unrecoverable || s.headOverheat;
  }

  /** DLE EOT n reply; undefined for the forms this printer does not implement. */
  private statusByte(n: number): number | undefined {
    const s = this.current;
    switch (n) {
      case 1:
        return 0x12 | flag(s.drawerPinHigh, 0x04) | flag(this.offlineNow(), 0x08) | flag(s.headOverheat, 0x20);
      case 2:
        return 0x12 | flag(s.coverOpen, 0x04) | flag(s.paper === 'end', 0x20) | flag(this.anyError(), 0x40);
      case 3:
        return 0x12 | flag(s.cutterJam, 0x08) | flag(s.unrecoverable, 0x20) | flag(s.headOverheat, 0x40);
      case 4:
        return 0x12 | flag(s.paper === 'near_end', 0x0c) | flag(s.paper === 'end', 0x60);
      default:
        return undefined;
    }
  }

  private asbPacket(): Buffer {
    const s = this.current;
    return Buffer.from([
      0x10 | flag(s.drawerPinHigh, 0x04) | flag(this.offlineNow(), 0x08) | flag(s.coverOpen, 0x20),
      flag(s.headOverheat, 0x01) | flag(s.cutterJam, 0x08) | flag(s.unrecoverable, 0x20) | flag(s.headOverheat, 0x40),
      flag(s.paper === 'near_end', 0x03) | flag(s.paper === 'end', 0x0c),
      0x00,
    ]);
  }
}
