import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { HidDeviceInfo } from '../../../drivers/transports/hid.js';
import { MAGTEK_REPORT_LENGTH, MAGTEK_TRACK_FIELD } from '../magtek-report.js';
import { SIM_READER_INFO } from './hid-card-reader.js';

/**
 * A MagTek HID swipe reader as the kernel shows it to the `hidraw` transport, on disk: the sysfs tree
 * (`<sysfs>/class/hidraw/hidrawN` → the HID device under its USB interface and device, with `uevent`,
 * `report_descriptor`, and the USB strings) and a FIFO standing for `<dev>/hidrawN`. Swipes are written
 * into the FIFO, which this side keeps open read-write (so it never blocks and never reads EOF);
 * `unplug` removes the node and its sysfs entry as the kernel would, `plug` brings them back, under
 * another node number if asked (as after a real replug).
 */
export interface HidrawReaderOptions {
  sysfs: string;
  dev: string;
  info?: HidDeviceInfo;
  /** Numbered reports: the descriptor has this Report ID and every report is sent with it first. */
  reportId?: number;
}

/**
 * The descriptor of a MagTek swipe reader's input report (vendor page; 3 decode status bytes, 3
 * lengths, the encode type, three 110-byte track fields: 337 bytes), with a Report ID when asked.
 */
export function magtekDescriptor(reportId?: number): Buffer {
  const field = (count: number) => [0x09, 0x20, 0x75, 0x08, 0x95, count, 0x81, 0x02];
  return Buffer.from([
    0x06, 0x00, 0xff, // Usage Page (vendor 0xFF00)
    0x09, 0x01, // Usage (1)
    0xa1, 0x01, // Collection (Application)
    ...(reportId !== undefined ? [0x85, reportId] : []),
    0x15, 0x00, 0x26, 0xff, 0x00, // Logical Minimum 0, Logical Maximum 255
    ...field(3), // decode status, tracks 1-3
    ...field(3), // track lengths
    ...field(1), // card encode type
    ...field(MAGTEK_TRACK_FIELD),
    ...field(MAGTEK_TRACK_FIELD),
    ...field(MAGTEK_TRACK_FIELD),
    0x09, 0x20, 0x75, 0x08, 0x95, 0x18, 0xb1, 0x02, // a Feature report (the reader's properties): never an input
    0xc0, // End Collection
  ]);
}

const USB_DEVICE = join('devices', 'pci0000:00', '0000:00:14.0', 'usb1', '1-1');

export class HidrawCardReaderEmulator {
  private readonly info: HidDeviceInfo;
  private fifo: number | undefined;
  private node: string | undefined;

  constructor(private readonly options: HidrawReaderOptions) {
    this.info = options.info ?? SIM_READER_INFO;
    mkdirSync(options.dev, { recursive: true });
  }

  /** `<dev>/hidrawN` while plugged. */
  get path(): string | undefined {
    return this.node ? join(this.options.dev, this.node) : undefined;
  }

  plug(node = 'hidraw0'): void {
    if (this.node) this.unplug();
    const { sysfs } = this.options;
    const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
    const usbDir = join(sysfs, USB_DEVICE);
    const interfaceDir = join(usbDir, '1-1:1.0');
    const hidName = `0003:${hex(this.info.vendorId, 4).toUpperCase()}:${hex(this.info.productId, 4).toUpperCase()}.0001`;
    const hidDir = join(interfaceDir, hidName);
    const nodeDir = join(hidDir, 'hidraw', node);
    mkdirSync(nodeDir, { recursive: true });
    const attributes: Record<string, string> = {
      idVendor: hex(this.info.vendorId, 4),
      idProduct: hex(this.info.productId, 4),
      bcdDevice: hex(this.info.release, 4),
      ...(this.info.manufacturer ? { manufacturer: this.info.manufacturer } : {}),
      ...(this.info.product ? { product: this.info.product } : {}),
      ...(this.info.serialNumber ? { serial: this.info.serialNumber } : {}),
    };
    for (const [name, value] of Object.entries(attributes)) writeFileSync(join(usbDir, name), `${value}\n`);
    writeFileSync(join(interfaceDir, 'bInterfaceNumber'), `${hex(this.info.interface, 2)}\n`);
    const uevent = [
      'DRIVER=hid-generic',
      `HID_ID=0003:${hex(this.info.vendorId, 8).toUpperCase()}:${hex(this.info.productId, 8).toUpperCase()}`,
      `HID_NAME=${[this.info.manufacturer, this.info.product].filter(Boolean).join(' ')}`,
      'HID_PHYS=usb-0000:00:14.0-1/input0',
      `HID_UNIQ=${this.info.serialNumber ?? ''}`,
      `MODALIAS=hid:b0003g0001v${hex(this.info.vendorId, 8).toUpperCase()}p${hex(this.info.productId, 8).toUpperCase()}`,
    ];
    writeFileSync(join(hidDir, 'uevent'), uevent.join('\n') + '\n');
    writeFileSync(join(hidDir, 'report_descriptor'), magtekDescriptor(this.options.reportId));
    // As in the kernel's tree: the class entry and the node's `device` are symlinks.
    symlinkSync(join('..', '..'), join(nodeDir, 'device'));
    mkdirSync(join(sysfs, 'class', 'hidraw'), { recursive: true });
    symlinkSync(join('..', '..', USB_DEVICE, '1-1:1.0', hidName, 'hidraw', node), join(sysfs, 'class', 'hidraw', node));
    const path = join(this.options.dev, node);
    execFileSync('mkfifo', ['-m', '0600', path]);
    this.fifo = openSync(path, constants.O_RDWR);
    this.node = node;
  }

  unplug(): void {
    if (!this.node) return;
    const node = this.node;
    this.node = undefined;
    if (this.fifo !== undefined) closeSync(this.fifo);
    this.fifo = undefined;
    rmSync(join(this.options.dev, node), { force: true });
    rmSync(join(this.options.sysfs, 'class', 'hidraw', node), { force: true });
    rmSync(join(this.options.sysfs, USB_DEVICE), { recursive: true, force: true });
  }

  /** One input report, as the reader sends it (its Report ID first when numbered), in one write or split in two. */
  swipe(report: Buffer, options: { split?: boolean } = {}): void {
    if (report.length !== MAGTEK_REPORT_LENGTH) throw new RangeError(`a swipe report is ${MAGTEK_REPORT_LENGTH} bytes`);
    const bytes = this.options.reportId !== undefined ? Buffer.concat([Buffer.from([this.options.reportId]), report]) : Buffer.from(report);
    if (options.split) {
      this.writeRaw(bytes.subarray(0, 100));
      this.writeRaw(bytes.subarray(100));
    } else this.writeRaw(bytes);
    bytes.fill(0);
  }

  /** Bytes as they come, whatever they are. */
  writeRaw(bytes: Uint8Array): void {
    if (this.fifo === undefined) throw new Error('the emulated reader is unplugged');
    writeSync(this.fifo, bytes);
  }

  close(): void {
    this.unplug();
  }
}
