import type { UsbGuardConfig } from './config.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import type { Clock } from 'posdiag-protocol';
import type { Observation } from '../../core/readings.js';
import type { Logger } from '../../log/logger.js';
import type { Driver, DriverContext } from '../../drivers/contract.js';
import { nodeUsbBus } from '../../drivers/transports/usb.js';
import type { UsbBus } from '../../drivers/transports/usb/bus.js';
import { HotplugFollower } from '../../drivers/transports/usb/hotplug-follower.js';
import { scanUsbDevices } from './usb-devices.js';
import { enrolledOrEnrol } from './usb-enrolment.js';
import { guardedDevices, usbGuardObservation } from './usb-policy.js';


/** A skimmer or keylogger plugged in should show within seconds; a sysfs scan costs microseconds. */
export const USB_GUARD_DEFAULT_TIMING = { interval: '10s', timeout: '5s' };

/**
 * Watches the USB bus against an allowlist: the config's `allow` entries plus, with `enrolPresent`,
 * the devices attached when the guard first ran (see usb-enrolment). Reads `<sysfs>/bus/usb/devices`
 * (no udev needed) on every poll and, when watched, at once on any USB attach or detach that libusb
 * reports through node-usb (loaded only for this). Without hotplug, a device that comes and goes
 * between two polls is missed; the interval bounds that window.
 */
export class UsbGuardDriver implements Driver {
  readonly kind = 'system' as const;
  readonly name = 'usb-guard';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly log: Logger;
  private readonly clock: Clock;
  private hotplug: HotplugFollower | undefined;

  constructor(
    private readonly config: UsbGuardConfig,
    private readonly paths: { sysfs: string; state: string },
    ctx: DriverContext,
    /** USB attach/detach notifications (libusb hotplug through node-usb by default); null: polling only. */
    private readonly subscribe: UsbBus['onHotplug'] | null = nodeUsbBus().onHotplug,
  ) {
    this.log = ctx.log;
    this.clock = ctx.clock;
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, USB_GUARD_DEFAULT_TIMING));
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    const scan = await scanUsbDevices(this.paths.sysfs, signal);
    const problems = [...scan.problems];
    const allow = [...this.config.allow];
    if (this.config.enrolPresent) {
      const enrolled = enrolledOrEnrol(this.paths.state, guardedDevices(scan.devices), this.clock.now());
      if (enrolled.ok) {
        if (enrolled.newlyEnrolled) this.log.info({ devices: enrolled.devices.length }, 'USB devices enrolled');
        allow.push(...enrolled.devices);
      } else {
        problems.push({ reading: 'security.unknown_usb_count', message: enrolled.problem });
      }
    }
    const observation = usbGuardObservation(scan.devices, allow);
    return problems.length > 0 ? { ...observation, problems } : observation;
  }

  watch(emit: (observation: Observation) => void): void {
    if (!this.subscribe || this.hotplug) return;
    this.hotplug = new HotplugFollower({
      subscribe: this.subscribe,
      matches: () => true,
      look: async () => emit(await this.poll(new AbortController().signal)),
      clock: this.clock,
      log: this.log,
    });
    this.hotplug.start();
  }

  /** Nothing is held open between polls but the hotplug subscription. */
  async close(): Promise<void> {
    await this.hotplug?.close();
  }
}
