import { EventEmitter } from 'node:events';
import { MAGTEK_REPORT_LENGTH, MAGTEK_TRACK_OFFSETS } from '../magtek-report.js';
import type { HidBackend, HidDevice, HidDeviceInfo } from '../../../drivers/transports/hid.js';

/**
 * A simulated MagTek USB HID swipe reader behind the HID seam. It emits the full raw 337-byte input
 * report a real reader would, track text and all, so everything downstream of the seam is exercised
 * with real card-shaped data. The cards are the well-known test numbers: canaries that a search of
 * every output must never find (SPEC §8).
 */

export const TEST_CARDS = { visa: '4111111111111111', mastercard: '5555555555554444', amex: '378282246310005' } as const;
export type TestCard = keyof typeof TEST_CARDS;

/** MagTek's USB vendor id and the HID swipe reader's product id. */
export const SIM_READER_INFO: HidDeviceInfo = {
  vendorId: 0x0801,
  productId: 0x0002,
  path: '/dev/posdiag-sim-hidraw0',
  serialNumber: 'SIMMAG0001',
  manufacturer: 'Mag-Tek',
  product: 'USB Swipe Reader',
  release: 0x0102,
  interface: 0,
};

/** Track text with sentinels, as a reader delivers it (LRC stripped). */
export function track1(pan: string): string {
  return `%B${pan}^TEST/CARDHOLDER^2812101000000000000000000?`;
}
export function track2(pan: string): string {
  return `;${pan}=28121010000000000000?`;
}

/** A track as the report carries it: decoded text, a decode error (status bit 0), or nothing. */
export type ReportTrack = string | { error: true } | null;

const ENCODE_BYTES = { iso: 0, aamva: 1, blank: 3, other: 4, undetermined: 5 } as const;

/** The 337-byte report (protocols.md §5): statuses, lengths, encode type, then three 110-byte fields. */
export function magtekReport(tracks: [ReportTrack, ReportTrack, ReportTrack], encodeType: keyof typeof ENCODE_BYTES = 'iso'): Buffer {
  const report = Buffer.alloc(MAGTEK_REPORT_LENGTH);
  tracks.forEach((track, i) => {
    if (track && typeof track === 'object') report[i] = 0x01;
    else if (typeof track === 'string') {
      report[3 + i] = track.length;
      report.write(track, MAGTEK_TRACK_OFFSETS[i]!, 'latin1');
    }
  });
  report[6] = ENCODE_BYTES[encodeType];
  return report;
}

export const reports = {
  good: (card: TestCard) => magtekReport([track1(TEST_CARDS[card]), track2(TEST_CARDS[card]), null]),
  /** Dirty head: both tracks fail their LRC / parity check. */
  failed: () => magtekReport([{ error: true }, { error: true }, null]),
  /** Track 1 reads, track 2 fails: the data that did decode is still in the report. */
  partial: (card: TestCard) => magtekReport([track1(TEST_CARDS[card]), { error: true }, null]),
  /** Swiped too fast or crooked: track 2 text without its start sentinel. */
  noStartSentinel: (card: TestCard) => magtekReport([null, track2(TEST_CARDS[card]).slice(1), null]),
  blank: () => magtekReport([null, null, null], 'blank'),
};

class EmulatedHidDevice extends EventEmitter implements HidDevice {
  closed = false;
  async close(): Promise<void> {
    this.closed = true;
    this.removeAllListeners();
  }
}

export class HidCardReaderEmulator implements HidBackend {
  private plugged = true;
  private readonly open_ = new Set<EmulatedHidDevice>();

  constructor(private info: HidDeviceInfo = SIM_READER_INFO) {}

  async devices(): Promise<HidDeviceInfo[]> {
    return this.plugged ? [{ ...this.info }] : [];
  }

  async open(path: string): Promise<HidDevice> {
    if (!this.plugged || path !== this.info.path) throw new Error(`could not open HID device ${path}`);
    const device = new EmulatedHidDevice();
    this.open_.add(device);
    return device;
  }

  /** Sends `report` to every open handle, each its own copy (a reader zeroes what it is given). */
  swipe(report: Buffer): void {
    for (const device of this.open_) {
      if (device.closed) this.open_.delete(device);
      else device.emit('data', Buffer.from(report));
    }
    report.fill(0);
  }

  /** The reader is pulled out: open handles fail, enumeration no longer lists it. */
  unplug(): void {
    this.plugged = false;
    for (const device of this.open_) if (!device.closed) device.emit('error', new Error('could not read from HID device'));
    this.open_.clear();
  }

  /** A reader is plugged in: the same one, or (a swap) another. */
  plug(info: HidDeviceInfo = this.info): void {
    this.info = info;
    this.plugged = true;
  }
}
