/**
 * PC/SC (pcsc-lite's pcscd, or WinSCard) through the `smartcard` N-API binding, as a thin adapter.
 *
 * Invariants:
 * - The native module is loaded on the first snapshot, never at import or construction: a machine
 *   without libpcsclite or the binding reports that as data (`library`), it does not crash.
 * - A snapshot is read-only: it lists readers and their state (SCardListReaders + a zero-timeout
 *   SCardGetStatusChange). It never connects to a card and never sends an APDU, so it cannot see card
 *   data and cannot disturb a payment in progress.
 * - Each snapshot opens and releases its own context, so a pcscd restart between polls needs no repair.
 * - `watch` runs the binding's ReaderMonitor (SCardGetStatusChange on a background thread): it only says
 *   *that* a reader or card changed, and the caller takes a snapshot. Never the binding's `Devices`, which
 *   connects to every card inserted.
 */

/** One reader as PC/SC reports it. */
export interface PcscReaderState {
  name: string;
  /** A card is in the slot / in the field (SCARD_STATE_PRESENT). */
  cardPresent: boolean;
  /** A card is present but did not answer the reset (SCARD_STATE_MUTE). */
  cardMute: boolean;
  /** The Answer To Reset, when a card answered. Identifies the chip, not the cardholder. */
  atr?: Uint8Array;
}

export type PcscSnapshot =
  | { kind: 'readers'; readers: PcscReaderState[] }
  /** `library`: the binding or libpcsclite cannot be loaded; `service`: pcscd is not reachable or failed. */
  | { kind: 'unavailable'; reason: 'library' | 'service'; message: string };

/** The seam drivers depend on; tests substitute their own. */
export interface PcscStack {
  snapshot(): Promise<PcscSnapshot>;
  /**
   * Calls `onChange` whenever a reader or card comes or goes, until the returned stop function is
   * called; `onLost` when watching fails (pcscd went away): the caller may watch again later. Resolves
   * with null when changes cannot be watched (no library, no service), so polling alone must do.
   */
  watch?(onChange: () => void, onLost: (message: string) => void): Promise<(() => void) | null>;
}

/** The few parts of the `smartcard` module this adapter uses. */
interface SmartcardModule {
  Context: new () => {
    listReaders(): { name: string; state: number; atr: Buffer | null }[];
    close(): void;
  };
  ReaderMonitor?: new () => {
    start(callback: (event: { type: string; reader?: string }) => void): void;
    stop(): void;
  };
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_MUTE: number;
}

/**
 * `smartcard` is an optional dependency (it compiles against libpcsclite, which a terminal may lack): the
 * specifier is a variable so that building posdiag never needs its type declarations either.
 */
const SMARTCARD_MODULE: string = 'smartcard';

/** The real stack over the `smartcard` binding; `load` is replaceable so tests can make it fail. */
export class SmartcardPcscStack implements PcscStack {
  private lib: SmartcardModule | undefined;

  constructor(private readonly load: () => Promise<unknown> = () => import(SMARTCARD_MODULE)) {}

  async snapshot(): Promise<PcscSnapshot> {
    let lib: SmartcardModule;
    try {
      lib = this.lib ??= await this.loadModule();
    } catch (err) {
      return { kind: 'unavailable', reason: 'library', message: `PC/SC library cannot be loaded (install libpcsclite1 and the smartcard module): ${messageOf(err)}` };
    }
    let context: InstanceType<SmartcardModule['Context']>;
    try {
      context = new lib.Context();
    } catch (err) {
      return { kind: 'unavailable', reason: 'service', message: `PC/SC service (pcscd): ${messageOf(err)}` };
    }
    try {
      const readers = context.listReaders().map((r) => ({
        name: r.name,
        cardPresent: (r.state & lib.SCARD_STATE_PRESENT) !== 0,
        cardMute: (r.state & lib.SCARD_STATE_MUTE) !== 0,
        ...(r.atr && r.atr.length > 0 ? { atr: Uint8Array.from(r.atr) } : {}),
      }));
      return { kind: 'readers', readers };
    } catch (err) {
      return { kind: 'unavailable', reason: 'service', message: `PC/SC service (pcscd): ${messageOf(err)}` };
    } finally {
      context.close();
    }
  }

  async watch(onChange: () => void, onLost: (message: string) => void): Promise<(() => void) | null> {
    let lib: SmartcardModule;
    try {
      lib = this.lib ??= await this.loadModule();
    } catch {
      return null; // the next snapshot says why
    }
    if (!lib.ReaderMonitor) return null;
    let monitor: InstanceType<NonNullable<SmartcardModule['ReaderMonitor']>>;
    try {
      monitor = new lib.ReaderMonitor();
      let stopped = false;
      const stop = () => {
        if (stopped) return;
        stopped = true;
        try {
          monitor.stop();
        } catch {
          // Already stopped by the failure that ended it.
        }
      };
      monitor.start((event) => {
        if (stopped) return;
        if (event.type !== 'error') return onChange();
        stop();
        onLost(`PC/SC monitor stopped: ${event.reader ?? 'error'}`);
      });
      return stop;
    } catch {
      return null;
    }
  }

  private async loadModule(): Promise<SmartcardModule> {
    const mod = (await this.load()) as SmartcardModule & { default?: SmartcardModule };
    // CommonJS module seen from ESM: the exports object is `default`; named exports may also be lifted.
    const lib = mod.default ?? mod;
    if (typeof lib.Context !== 'function') throw new Error('the module has no PC/SC Context');
    return lib;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
