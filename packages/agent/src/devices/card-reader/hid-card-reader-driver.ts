import type { CardReaderConfig } from './config.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import { SerialQueue } from '../../core/serial-queue.js';
import type { Observation } from '../../core/readings.js';
import type { DeviceEvent, Driver, DriverContext } from '../../drivers/contract.js';
import { bcdVersion, loadNodeHidBackend, type HidBackend, type HidDevice, type HidDeviceInfo } from '../../drivers/transports/hid.js';
import { nodeUsbBus } from '../../drivers/transports/usb.js';
import type { UsbBus } from '../../drivers/transports/usb/bus.js';
import { HotplugFollower } from '../../drivers/transports/usb/hotplug-follower.js';
import { CardReaderState } from './card-reader-state.js';
import type { CardVerdict } from './card-verdict.js';
import type { ReaderIdentity } from './enrolment.js';
import { consumeMagTekReport } from './magtek-report.js';
import type { CardVerdictSource } from './card-hint.js';
import { SwipeEvents, type SwipeSource } from './swipe-events.js';
import type { SwipeWindowOptions } from './swipe-window.js';

/** Both HID transports: node-hid (`hid`) and the kernel's hidraw node read in JavaScript (`hidraw`). */
export type HidCardReaderConfig = Extract<CardReaderConfig, { transport: 'hid' | 'hidraw' }>;

export interface HidCardReaderOptions {
  /** Where the HID backend comes from, called on first poll (and again after a failure); default node-hid. */
  loadBackend?: () => Promise<HidBackend>;
  /** USB attach/detach notifications (libusb hotplug through node-usb by default); null: polling only. */
  hotplug?: UsbBus['onHotplug'] | null;
  window?: SwipeWindowOptions;
}

const DEFAULT_TIMING = { interval: '10s', timeout: '5s' };

/**
 * A MagTek-style USB HID swipe reader, over node-hid or hidraw (drivers/transports/hidraw/, the backend
 * `loadBackend` gives for the `hidraw` transport). Presence comes from enumeration: at start, on every poll (the
 * interval, never a tight loop) and, when watched, at once on a USB attach or detach of the reader's
 * VID:PID (node-hid has no hotplug events; libusb's come through node-usb, and without them polling
 * does it alone); a device 'error' marks it gone at once. Enumerations never overlap. One codec
 * (magtek-report) joined to one transport (hid).
 *
 * Invariant: every input report is zeroed by `consumeMagTekReport` before anything else sees the
 * swipe; only status fields reach readings, logs and listeners.
 */
export class HidCardReaderDriver implements Driver, SwipeSource, CardVerdictSource {
  readonly kind = 'cardReader' as const;
  readonly name = 'cardReader';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly state: CardReaderState;
  private readonly events = new SwipeEvents();
  private backend: Promise<HidBackend> | undefined;
  private device: HidDevice | undefined;
  private lastProblem: string | undefined;
  private closed = false;
  /** Enumerations, one at a time: a poll and a hotplug must not both open the reader. */
  private readonly refreshing = new SerialQueue();
  private hotplug: HotplugFollower | undefined;

  constructor(
    private readonly config: HidCardReaderConfig,
    stateDir: string,
    private readonly ctx: DriverContext,
    private readonly options: HidCardReaderOptions = {},
  ) {
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, DEFAULT_TIMING));
    this.state = new CardReaderState({ stateDir, log: ctx.log, ...(options.window ? { window: options.window } : {}) });
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    await this.serialRefresh(signal);
    return this.state.observation(this.ctx.clock.now());
  }

  watch(emit: (observation: Observation) => void): void {
    this.events.watch(emit);
    const subscribe = this.options.hotplug === undefined ? nodeUsbBus().onHotplug : this.options.hotplug;
    if (!subscribe || this.hotplug) return;
    this.hotplug = new HotplugFollower({
      subscribe,
      matches: (e) => e.vendorId === this.config.vendorId && e.productId === this.config.productId,
      look: async () => {
        await this.serialRefresh(new AbortController().signal);
        if (!this.closed) this.events.changed(this.state.observation(this.ctx.clock.now()));
      },
      clock: this.ctx.clock,
      log: this.ctx.log,
    });
    this.hotplug.start();
  }

  /** Card or reader, over the recent swipes (card-hint.ts). */
  cardVerdict(now: number): CardVerdict {
    return this.state.verdict(now);
  }

  onSwipe(listener: Parameters<SwipeSource['onSwipe']>[0]): () => void {
    return this.events.onSwipe(listener);
  }

  deviceEvents(emit: (event: DeviceEvent) => void): () => void {
    return this.events.deviceEvents(emit);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.hotplug?.close();
    this.events.close();
    await this.refreshing.idle();
    await this.closeDevice();
    this.state.close(this.ctx.clock.now());
  }

  private serialRefresh(signal: AbortSignal): Promise<void> {
    return this.refreshing.run(() => this.refresh(signal));
  }

  /** Enumerates; opens the configured reader when it appears, forgets it when it is gone. */
  private async refresh(signal: AbortSignal): Promise<void> {
    const now = () => this.ctx.clock.now();
    let backend: HidBackend;
    let found: HidDeviceInfo | undefined;
    try {
      backend = await this.loadBackend();
      const all = await backend.devices();
      found = all.find((d) => d.vendorId === this.config.vendorId && d.productId === this.config.productId && d.path);
    } catch (err) {
      // Retried on the next poll: libusb may be installed meanwhile.
      this.backend = undefined;
      return this.absent(`${(err as Error).message}`, now());
    }
    signal.throwIfAborted();
    if (!found) return this.absent(undefined, now());
    this.state.setReader(identityOf(found), now());
    if (this.device) return;
    let device: HidDevice;
    try {
      device = await backend.open(found.path!);
    } catch (err) {
      return this.absent(`cannot open HID device ${found.path}: ${(err as Error).message}`, now());
    }
    if (signal.aborted || this.closed) {
      await device.close().catch(() => {});
      signal.throwIfAborted();
      return;
    }
    this.device = device;
    this.lastProblem = undefined;
    device.on('data', (report) => this.onReport(report));
    device.on('error', (err) => void this.onDeviceError(device, err));
    this.state.setConnected(true, now());
    this.ctx.log.info({ path: found.path }, 'card reader open');
  }

  private async absent(problem: string | undefined, now: number): Promise<void> {
    await this.closeDevice();
    this.state.setConnected(false, now);
    // A lasting problem is reported once, not on every poll.
    if (problem && problem !== this.lastProblem) this.state.problem({ reading: 'card_reader.connected', message: problem });
    this.lastProblem = problem;
  }

  private onReport(report: Buffer): void {
    const result = consumeMagTekReport(report, this.state.cards);
    const now = this.ctx.clock.now();
    if (!result.ok) {
      this.state.problem({ message: result.problem });
      this.events.changed(this.state.observation(now));
      return;
    }
    this.state.recordSwipe(result.swipe, now, result.card);
    this.events.swiped(result.swipe, this.state.observation(now));
  }

  private async onDeviceError(device: HidDevice, err: Error): Promise<void> {
    if (device !== this.device) return;
    this.ctx.log.warn({ err: err.message }, 'card reader lost');
    await this.absent(undefined, this.ctx.clock.now());
    this.events.changed(this.state.observation(this.ctx.clock.now()));
  }

  private loadBackend(): Promise<HidBackend> {
    this.backend ??= (this.options.loadBackend ?? loadNodeHidBackend)();
    return this.backend;
  }

  private async closeDevice(): Promise<void> {
    const device = this.device;
    this.device = undefined;
    if (device) await device.close().catch((err: Error) => this.ctx.log.debug({ err: err.message }, 'closing the card reader failed'));
  }
}

function identityOf(info: HidDeviceInfo): ReaderIdentity {
  return {
    vendorId: info.vendorId,
    productId: info.productId,
    ...(info.serialNumber ? { serial: info.serialNumber } : {}),
    firmware: bcdVersion(info.release),
    ...(info.product ? { product: info.product } : {}),
    ...(info.manufacturer ? { manufacturer: info.manufacturer } : {}),
  };
}
