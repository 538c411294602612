import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { constants, open } from 'node:fs';
import { Socket } from 'node:net';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { encodeElement, formatScanType, parseScanType, scanLayout, STANDARD_GRAVITY, type AccelSample, type ScanElement, type ScanType } from '../iio-scan.js';

/**
 * A Linux IIO accelerometer on disk, for tests and the demo: `<sysfs>/bus/iio/devices/iio:deviceN/`
 * with `name`, `in_accel_{x,y,z}_raw`, `in_accel_scale`, `sampling_frequency`, the buffer's
 * `scan_elements/*_{en,index,type}` and `buffer/{enable,length}`, and a FIFO at `<dev>/iio:deviceN`
 * standing in for the character device the kernel streams frames on. Point `paths.sysfs` and
 * `paths.dev` at the two roots and the real driver reads it.
 *
 * Like the kernel, frames hold only the elements whose `_en` reads 1 when they are written, laid out
 * by index and storage size; an LIS3DH-like part at ±16 g: 12 bits left-justified in 16
 * (`le:s12/16>>4`), a 64-bit timestamp in ns.
 *
 * Invariant: attribute files are replaced by write-to-temp + rename (no torn reads); frames are only
 * written whole, so a reader never sees half of one unless it reads half of one.
 */

export interface IioAccelerometerOptions {
  name?: string;
  index?: number;
  rateHz?: number;
  rangeG?: number;
  accelType?: string;
}

export const EMULATED_IIO_NAME = 'lis3dh-accel';

export class IioAccelerometer {
  readonly deviceDir: string;
  readonly devNode: string;
  readonly name: string;
  readonly rateHz: number;
  /** m/s² per count. */
  readonly scale: number;
  private readonly accelType: ScanType;
  private writer: Socket | undefined;
  private closed = false;

  constructor(
    readonly sysfsRoot: string,
    readonly devRoot: string,
    options: IioAccelerometerOptions = {},
  ) {
    const index = options.index ?? 0;
    this.name = options.name ?? EMULATED_IIO_NAME;
    this.rateHz = options.rateHz ?? 200;
    this.accelType = parseScanType(options.accelType ?? 'le:s12/16>>4');
    const fullScale = 2 ** (this.accelType.bits - 1);
    this.scale = ((options.rangeG ?? 16) * STANDARD_GRAVITY) / fullScale;
    this.deviceDir = join(sysfsRoot, 'bus', 'iio', 'devices', `iio:device${index}`);
    this.devNode = join(devRoot, `iio:device${index}`);
    mkdirSync(join(this.deviceDir, 'scan_elements'), { recursive: true });
    mkdirSync(join(this.deviceDir, 'buffer'), { recursive: true });
    mkdirSync(devRoot, { recursive: true });
    this.attr('name', this.name);
    this.attr('dev', `245:${index}`);
    this.attr('in_accel_scale', this.scale.toFixed(9));
    this.attr('sampling_frequency', String(this.rateHz));
    this.attr('sampling_frequency_available', '1 10 25 50 100 200 400');
    ['x', 'y', 'z'].forEach((axis, i) => {
      this.attr(`scan_elements/in_accel_${axis}_en`, '0');
      this.attr(`scan_elements/in_accel_${axis}_index`, String(i));
      this.attr(`scan_elements/in_accel_${axis}_type`, formatScanType(this.accelType));
    });
    this.attr('scan_elements/in_timestamp_en', '0');
    this.attr('scan_elements/in_timestamp_index', '3');
    this.attr('scan_elements/in_timestamp_type', 'le:s64/64>>0');
    this.attr('buffer/enable', '0');
    this.attr('buffer/length', '128');
    rmSync(this.devNode, { force: true });
    execFileSync('mkfifo', ['-m', '0600', this.devNode]);
    this.setRaw({ t: 0, x: 0, y: 0, z: 1 });
  }

  /** The raw attributes as one sample in g would read (raw polling). */
  setRaw(sample: AccelSample): void {
    for (const axis of ['x', 'y', 'z'] as const) this.attr(`in_accel_${axis}_raw`, String(this.counts(sample[axis])));
  }

  /** Whether the driver switched the buffer on. */
  bufferEnabled(): boolean {
    return this.read('buffer/enable') === '1';
  }

  /**
   * Writes `samples` as frames to the FIFO, laid out as the enabled scan elements say now; resolves
   * once the FIFO took them. Rejects when no reader has the FIFO open (ENXIO): the driver has not
   * started its buffer yet (opened without blocking, so a FIFO nobody reads never hangs the process).
   */
  async stream(samples: readonly AccelSample[]): Promise<void> {
    if (this.closed) throw new Error('the emulated accelerometer is closed');
    const layout = scanLayout(this.enabledElements());
    if (layout.elements.length === 0) throw new Error('no scan element is enabled');
    const bytes = new Uint8Array(layout.frameBytes * samples.length);
    samples.forEach((sample, i) => {
      const frame = bytes.subarray(i * layout.frameBytes, (i + 1) * layout.frameBytes);
      for (const element of layout.elements) {
        const value = element.name === 'in_timestamp' ? BigInt(Math.round(sample.t * 1e6)) : BigInt(this.counts(sample[element.name.slice(-1) as 'x' | 'y' | 'z']));
        encodeElement(frame, element.offset, element.type, value);
      }
    });
    const writer = (this.writer ??= await this.openWriter());
    await new Promise<void>((resolve, reject) => writer.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** Whether a reader has the FIFO open now (the driver's buffer is on). */
  async hasReader(): Promise<boolean> {
    try {
      this.writer ??= await this.openWriter();
      return true;
    } catch {
      return false;
    }
  }

  private async openWriter(): Promise<Socket> {
    // A plain fd the socket owns (a FileHandle would close it when collected).
    const fd = await promisify(open)(this.devNode, constants.O_WRONLY | constants.O_NONBLOCK);
    const socket = new Socket({ fd, readable: false, writable: true });
    // A reader that went away (the driver closed) ends this writer; the next stream opens afresh.
    socket.on('error', () => {
      if (this.writer === socket) this.writer = undefined;
      socket.destroy();
    });
    return socket;
  }

  /** Fault injection: puts `text` verbatim into one attribute (relative to the device directory). */
  writeRaw(relative: string, text: string): void {
    this.attr(relative, text);
  }

  /** Closes the FIFO's writing end (the reader sees the stream end), keeping the tree. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const writer = this.writer;
    this.writer = undefined;
    if (writer) await new Promise<void>((resolve) => writer.end(() => resolve()));
  }

  private enabledElements(): ScanElement[] {
    // A channel whose files were taken away (a device without a timestamp) is not in the frame.
    return ['in_accel_x', 'in_accel_y', 'in_accel_z', 'in_timestamp']
      .filter((name) => existsSync(join(this.deviceDir, 'scan_elements', `${name}_en`)) && this.read(`scan_elements/${name}_en`) === '1')
      .map((name) => ({ name, index: Number(this.read(`scan_elements/${name}_index`)), type: parseScanType(this.read(`scan_elements/${name}_type`)) }));
  }

  private counts(g: number): number {
    const max = 2 ** (this.accelType.bits - 1) - 1;
    return Math.max(-max - 1, Math.min(max, Math.round((g * STANDARD_GRAVITY) / this.scale)));
  }

  private read(relative: string): string {
    return readFileSync(join(this.deviceDir, relative), 'utf8').trim();
  }

  private attr(relative: string, text: string): void {
    const file = join(this.deviceDir, relative);
    writeFileSync(`${file}.tmp`, `${text}\n`);
    renameSync(`${file}.tmp`, file);
  }
}
