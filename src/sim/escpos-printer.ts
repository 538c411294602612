import type { Duplex } from 'node:stream';
import { attachMockPort, type MockPortAttachment } from './escpos-printer/mock-port.js';

/**
 * An emulated ESC/POS roll printer that speaks the real status protocol (protocols.md §1): it answers
 * DLE EOT 1..4, obeys GS a (Automatic Status Back) and sends ASB packets when its state changes.
 * Everything else it receives is print data and is ignored. The core is synchronous and I/O free;
 * adapters connect it to a mock serial port or a real stream (a pty).
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
}

export const HEALTHY_PRINTER: Readonly<EscPosPrinterState> = {
  paper: 'ok',
  coverOpen: false,
  cutterJam: false,
  headOverheat: false,
  unrecoverable: false,
  offline: false,
  drawerPinHigh: false,
  silent: false,
};

/** `value` when `on`, else 0: one status bit (or bit pair) of a reply byte. */
const flag = (on: boolean, value: number): number => (on ? value : 0);

const DLE = 0x10;
const EOT = 0x04;
const GS = 0x1d;
const GS_A = 0x61;

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

  constructor(initial: Partial<EscPosPrinterState> = {}) {
    this.current = { ...HEALTHY_PRINTER, ...initial };
  }

  get state(): Readonly<EscPosPrinterState> {
    return this.current;
  }

  get asbEnabled(): boolean {
    return this.asbMask !== 0;
  }

  /** Unsolicited output (ASB packets). Returns an unsubscribe function. */
  onOutput(listener: (bytes: Buffer) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /** Feeds received bytes; returns the replies to send back, in order (empty when none). */
  handleInput(bytes: Uint8Array): Buffer {
    if (this.current.silent) return Buffer.alloc(0);
    const input = [...this.pending, ...bytes];
    const replies: number[] = [];
    let i = 0;
    for (; i < input.length; i++) {
      const b = input[i]!;
      if (b !== DLE && b !== GS) continue; // print data
      if (i + 2 >= input.length) break; // wait for the rest of the command
      const [second, n] = [input[i + 1]!, input[i + 2]!];
      if (b === DLE && second === EOT) {
        const reply = this.statusByte(n);
        if (reply !== undefined) replies.push(reply);
        i += 2;
      } else if (b === GS && second === GS_A) {
        this.asbMask = n;
        // The printer reports its current state once when ASB is enabled.
        if (n !== 0) replies.push(...this.asbPacket());
        i += 2;
      }
    }
    this.pending = input.slice(i);
    return Buffer.from(replies);
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
    const onData = (chunk: Buffer) => {
      const replies = this.handleInput(chunk);
      if (replies.length > 0 && stream.writable) stream.write(replies);
    };
    stream.on('data', onData);
    const unsubscribe = this.onOutput((bytes) => {
      if (stream.writable) stream.write(bytes);
    });
    return () => {
      stream.off('data', onData);
      unsubscribe();
    };
  }

  /**
   * Creates `path` as a serialport mock port answered by this printer. Hand `binding` to the driver
   * (`new SerialPrinterDriver(cfg, ctx, { binding })`).
   */
  attachToMockPort(path: string): Promise<MockPortAttachment> {
    return attachMockPort(path, (bytes) => this.handleInput(bytes), (send) => this.onOutput(send));
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
