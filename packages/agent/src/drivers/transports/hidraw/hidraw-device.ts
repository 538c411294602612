import { EventEmitter } from 'node:events';
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { HidDevice } from '../hid.js';
import type { InputReportLayout } from './report-descriptor.js';
import { ReportFramer } from './report-framer.js';

/**
 * One hidraw node read as a plain file, in JavaScript (no native module): opened non-blocking, read
 * whenever it has data and, when it has none, again after `idleMs` on the clock. Non-blocking, so no
 * libuv thread sits in a read(2) that closing the file would not wake (a blocking read on a silent
 * swipe reader would hold one for hours, and keep the process from exiting); the hidraw driver keeps
 * 64 reports queued per open file, so nothing is lost between two looks. Four looks a second: a
 * swipe's diagnosis can wait a quarter of a second, a battery-powered terminal's CPU should not wake
 * more often for it.
 *
 * A character device (the kernel's hidraw) returns one whole report per read; anything else (a FIFO
 * standing in for one) is framed by the report descriptor's lengths. A Report ID byte, when the
 * descriptor numbers its reports, is cut off either way: listeners get the report as node-hid would
 * without it. Gone is 'error': a read error (EIO, ENODEV once the device is unplugged), or the node's
 * path no longer naming the file that was opened (checked every `checkEvery` idle looks), so a node
 * that disappears and reappears is seen even where reads would only go quiet.
 *
 * Invariant: the read buffer is zeroed after each read, and every report is a buffer of its own that
 * the listener owns (and, for card readers, zeroes).
 */
export interface HidrawDeviceOptions {
  clock: Clock;
  /** How the descriptor lays out the input reports; undefined when it could not be read (a character device needs none). */
  layout: InputReportLayout | undefined;
  /** Wait between looks when there was nothing to read; default 250 ms. */
  idleMs?: number;
  /** Idle looks between two checks that the path still names the open node; default 4 (about a second). */
  checkEvery?: number;
}

/** hidraw's HID_MAX_BUFFER_SIZE: no report is longer, and a shorter read buffer would truncate one. */
const READ_BUFFER_BYTES = 16_384;
/** Reads in a row before the loop yields to the timers (a device that never stops sending). */
const MAX_READS_IN_A_ROW = 64;

export class HidrawDeviceError extends Error {
  override name = 'HidrawDeviceError';
}

export async function openHidrawDevice(path: string, options: HidrawDeviceOptions): Promise<HidDevice> {
  const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await file.stat();
    if (!stats.isCharacterDevice() && !options.layout) {
      throw new HidrawDeviceError(`${path} is not a character device and its report descriptor could not be read: reports cannot be framed`);
    }
    return new HidrawDevice(path, file, stats, options);
  } catch (err) {
    await file.close().catch(() => {});
    throw err;
  }
}

class HidrawDevice extends EventEmitter implements HidDevice {
  private readonly buffer = Buffer.alloc(READ_BUFFER_BYTES);
  private readonly framer: ReportFramer | undefined;
  private readonly idleMs: number;
  private readonly checkEvery: number;
  private timer: TimerHandle | undefined;
  private reading: Promise<void> | undefined;
  private idleLooks = 0;
  private started = false;
  private failed = false;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly file: FileHandle,
    private readonly opened: Stats,
    private readonly options: HidrawDeviceOptions,
  ) {
    super();
    this.framer = opened.isCharacterDevice() ? undefined : new ReportFramer(options.layout!);
    this.idleMs = options.idleMs ?? 250;
    this.checkEvery = options.checkEvery ?? 4;
  }

  /** Reading starts with the first 'data' listener: nothing is read before someone takes it. */
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    super.on(event, listener);
    if (event === 'data' && !this.started) {
      this.started = true;
      this.look();
    }
    return this;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    await this.reading;
    this.framer?.clear();
    await this.file.close();
  }

  private look(): void {
    this.timer = undefined;
    if (this.closed) return;
    this.reading = this.readAvailable().then(
      (next) => {
        if (this.closed || next === 'gone') return;
        this.timer = this.options.clock.setTimeout(() => this.look(), next === 'more' ? 0 : this.idleMs);
      },
      (err: Error) => this.gone(err),
    );
  }

  /** Reads what is there; 'more' when it stopped only to yield, 'idle' when the node had nothing. */
  private async readAvailable(): Promise<'more' | 'idle' | 'gone'> {
    for (let reads = 0; reads < MAX_READS_IN_A_ROW; reads++) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.file.read(this.buffer, 0, this.buffer.length, null));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return this.idle();
        throw err;
      }
      if (this.closed) {
        this.buffer.fill(0, 0, bytesRead);
        return 'gone';
      }
      // 0: a FIFO with no writer at the moment; a real hidraw node never reads 0 bytes.
      if (bytesRead === 0) return this.idle();
      this.idleLooks = 0;
      this.deliver(bytesRead);
    }
    return 'more';
  }

  private async idle(): Promise<'idle' | 'gone'> {
    if (++this.idleLooks < this.checkEvery) return 'idle';
    this.idleLooks = 0;
    let now: Stats | undefined;
    try {
      now = await stat(this.path);
    } catch {
      now = undefined;
    }
    if (!now || now.ino !== this.opened.ino || now.dev !== this.opened.dev) {
      this.gone(new HidrawDeviceError(`${this.path} is gone`));
      return 'gone';
    }
    return 'idle';
  }

  private deliver(bytesRead: number): void {
    const chunk = this.buffer.subarray(0, bytesRead);
    try {
      if (this.framer) {
        for (const framed of this.framer.push(chunk)) this.emit('data', 'report' in framed ? framed.report : framed.garbage);
      } else if (bytesRead > (this.options.layout?.numbered ? 1 : 0)) {
        this.emit('data', Buffer.from(chunk.subarray(this.options.layout?.numbered ? 1 : 0)));
      }
    } finally {
      chunk.fill(0);
    }
  }

  private gone(err: Error): void {
    if (this.closed || this.failed) return;
    this.failed = true;
    this.emit('error', err);
  }
}
