import type { PrinterConfig } from './config.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import { SerialQueue } from '../../core/serial-queue.js';
import type { DeviceIdentity, Observation, Readings } from '../../core/readings.js';
import type { DeviceEvent, Driver, DriverContext } from '../../drivers/contract.js';
import { DeviceEventOutlet } from '../../drivers/device-event-outlet.js';
import { UsbTransferError, type UsbBus, type UsbDeviceInfo, type UsbInterfaceInfo, type UsbPrinterHandle } from '../../drivers/transports/usb/bus.js';
import { parseDeviceId, parseDeviceIdText, type Ieee1284Id } from '../../drivers/transports/usb/ieee1284.js';
import { decodePortStatus, getDeviceId, getPortStatus, USB_CLASS_PRINTER } from '../../drivers/transports/usb/printer-class.js';
import { readUsblpDeviceId } from '../../drivers/transports/usb/usblp-sysfs.js';
import { attemptRecovery, readStatus } from './escpos-session.js';
import { ActionLog } from './printer-actions.js';
import { disconnectedObservation } from './printer-readings.js';
import { receiptResult, type ReceiptResult } from './printer-receipt-result.js';
import { encodeReceipt } from './receipt.js';
import { RecoveryPolicy } from './self-recovery.js';
import { UsbEscPosLink } from './usb-escpos-link.js';
import { receiptCut } from './wear.js';

/** A claimed printer interface: its data pipe (bulk OUT), and an ESC/POS link when it also has bulk IN. */
interface Claimed {
  handle: UsbPrinterHandle;
  iface: UsbInterfaceInfo;
  out?: number;
  link?: UsbEscPosLink;
  identity?: DeviceIdentity;
}

export type UsbPrinterConfig = Extract<PrinterConfig, { transport: 'usb' }>;

export interface UsbPrinterOptions {
  /** The USB stack; default: node-usb, loaded on first use. Tests pass a fake with recorded replies. */
  bus?: UsbBus | (() => Promise<UsbBus>);
}

const DEFAULT_TIMING = { interval: '10s', timeout: '5s' };

const hex2 = (b: number) => b.toString(16).padStart(2, '0');
const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/**
 * An ESC/POS printer on USB (printer class 7, or Epson's vendor class with bulk endpoints).
 *
 * Each poll: find the device by VID/PID (absent → `printer.connected = false`); open it and claim the
 * interface once (detaching usblp); GET_DEVICE_ID once per open → identity; GET_PORT_STATUS → online
 * and paper empty; DLE EOT 1..4 over bulk OUT/IN when the interface has both (then DLE ENQ self-recovery
 * works too). Without bulk IN the paper sensor cannot be read: `printer.paper = unknown` unless the port
 * status says paper empty. When usblp owns the interface and cannot be detached, the device ID comes
 * from `<sysfs>/class/usbmisc/lpN/device/ieee1284_id` and the status is unknown.
 * Receipts go out on bulk OUT (the printer class's data pipe), followed by the same status reading; a
 * printer usblp holds cannot be sent one (the result says so rather than pretending).
 * Hotplug (watch): attach/detach of this VID/PID drive `printer.connected` without waiting for a poll.
 */
export class UsbPrinterDriver implements Driver {
  readonly kind = 'printer' as const;
  readonly name = 'printer';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly replyTimeoutMs: number;
  private readonly address: string;
  private readonly actions: ActionLog;
  private readonly recovery = new RecoveryPolicy();
  private bus: Promise<UsbBus> | undefined;
  private open: Claimed | undefined;
  private readonly chain = new SerialQueue();
  private readonly outlet = new DeviceEventOutlet();
  private stopHotplug: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly config: UsbPrinterConfig,
    private readonly sysfs: string,
    private readonly ctx: DriverContext,
    private readonly options: UsbPrinterOptions = {},
  ) {
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, DEFAULT_TIMING));
    this.replyTimeoutMs = Math.max(1, Math.floor(this.timeoutMs / 5));
    this.address = `usb:${hex4(config.vendorId)}:${hex4(config.productId)}`;
    this.actions = new ActionLog(ctx.clock);
  }

  poll(signal: AbortSignal): Promise<Observation> {
    return this.serialised(() => this.read(signal));
  }

  watch(emit: (observation: Observation) => void): void {
    void this.getBus()
      .then((bus) => {
        if (this.closed) return;
        this.stopHotplug = bus.onHotplug((event) => {
          if (event.vendorId !== this.config.vendorId || event.productId !== this.config.productId) return;
          if (event.type === 'detach') {
            void this.serialised(() => this.release()).then(() => emit(this.actions.attach(disconnectedObservation(`${this.address}: detached`))));
          } else {
            void this.serialised(() => this.read(AbortSignal.timeout(this.timeoutMs))).then(emit, (err: Error) =>
              this.ctx.log.debug({ err: err.message }, 'reading an attached USB printer failed'),
            );
          }
        });
      })
      .catch((err: Error) => this.ctx.log.error({ err: err.message }, 'USB hotplug unavailable'));
  }

  /** Prints a receipt (ESC @, the lines, feed, cut) on the data pipe, then reads the status to see whether it could. */
  deviceEvents(emit: (event: DeviceEvent) => void): () => void {
    return this.outlet.subscribe(emit);
  }

  /** Prints and cuts; a receipt the printer took (it reports itself fine after) is a `receiptCut` wear event. */
  async printReceipt(lines: readonly string[], signal: AbortSignal): Promise<ReceiptResult> {
    const bytes = encodeReceipt(lines);
    const result = await this.serialised(() => this.print(bytes, signal));
    if (result.ok) this.outlet.send(receiptCut(lines));
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopHotplug?.();
    await this.serialised(() => this.release());
  }

  /** One USB conversation at a time: polls and hotplug reads share the claimed interface. */
  private serialised<T>(op: () => Promise<T>): Promise<T> {
    return this.chain.run(op);
  }

  private getBus(): Promise<UsbBus> {
    const bus = this.options.bus;
    this.bus ??= typeof bus === 'function' ? bus() : bus ? Promise.resolve(bus) : import('../../drivers/transports/usb.js').then((m) => m.nodeUsbBus());
    return this.bus;
  }

  private async read(signal: AbortSignal): Promise<Observation> {
    const claim = await this.claim();
    return claim.open ? this.actions.attach(await this.statusOrLost(claim.open, signal, true)) : claim.unavailable;
  }

  /**
   * Sends the receipt on the data pipe (bulk OUT), then judges the printer by the status read right
   * after, as a poll would but without self-recovery: a cutter error the cut caused must show here.
   * A printer that cannot be claimed (absent, or held by usblp) gets nothing: the result says why in
   * `printer.receipt_error`. A bulk OUT that fails without losing the device (a stall, a timeout: a
   * printer out of paper stops taking data) still reads the status, which usually names the cause.
   */
  private async print(bytes: Buffer, signal: AbortSignal): Promise<ReceiptResult> {
    signal.throwIfAborted();
    const claim = await this.claim();
    if (!claim.open) return notSent(claim.unavailable, claim.unavailable.evidence?.['printer.transport_error'] ?? 'printer unavailable');
    const open = claim.open;
    if (open.out === undefined) return notSent(this.actions.attach(await this.statusOrLost(open, signal, false)), 'the printer interface has no bulk OUT endpoint');
    let writeError: Error | undefined;
    try {
      await open.handle.bulkOut(open.out, bytes, this.timeoutMs);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if ((err as UsbTransferError).disconnected) {
        await this.release();
        return notSent(this.actions.attach(disconnectedObservation(`${this.address}: ${(err as Error).message}`)), (err as Error).message);
      }
      writeError = err as Error;
    }
    const after = this.actions.attach(await this.statusOrLost(open, signal, false));
    return writeError ? notSent(after, writeError.message) : receiptResult(after);
  }

  /** The status (self-recovery only when `recover`); a transfer failure releases the device and reads as disconnected. */
  private async statusOrLost(open: Claimed, signal: AbortSignal, recover: boolean): Promise<Observation> {
    try {
      return await this.status(open, signal, recover);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      await this.release();
      return disconnectedObservation(`${this.address}: ${(err as Error).message}`);
    }
  }

  /**
   * The printer interface, claimed (once per attachment: later calls reuse it), or the observation that
   * says why it cannot be: not present, no printer interface, usblp holding it, a failed open.
   */
  private async claim(): Promise<{ open: Claimed; unavailable?: never } | { open?: never; unavailable: Observation }> {
    if (this.closed) return { unavailable: disconnectedObservation(`${this.address}: driver closed`) };
    const bus = await this.getBus();
    let devices: Awaited<ReturnType<UsbBus['list']>>;
    try {
      devices = await bus.list();
    } catch (err) {
      // No USB stack (node-usb has no build for this platform, or libusb is missing): the printer cannot
      // be reached, which is data about the printer, not a failure of the driver. Tried again next poll.
      return { unavailable: disconnectedObservation(`${this.address}: ${(err as Error).message}`) };
    }
    const device = devices.find((d) => d.vendorId === this.config.vendorId && d.productId === this.config.productId);
    if (!device) {
      await this.release();
      return { unavailable: this.actions.attach(disconnectedObservation(`${this.address}: not present`)) };
    }
    const iface = this.printerInterface(device);
    if (!iface) return { unavailable: disconnectedObservation(`${this.address}: no printer interface`) };
    if (this.open) return { open: this.open };
    try {
      const handle = await bus.open(device, iface.number);
      const inEp = iface.endpoints.find((e) => e.transferType === 'bulk' && e.direction === 'in');
      const outEp = iface.endpoints.find((e) => e.transferType === 'bulk' && e.direction === 'out');
      const open: Claimed = {
        handle,
        iface,
        ...(outEp ? { out: outEp.address } : {}),
        ...(inEp && outEp ? { link: new UsbEscPosLink(handle, { in: inEp.address, out: outEp.address }) } : {}),
      };
      this.open = open;
      const id = await this.deviceId(handle, device, iface);
      if (id) open.identity = this.identityFrom(id);
      return { open };
    } catch (err) {
      if (err instanceof UsbTransferError && err.kernelDriverBusy) return { unavailable: await this.usblpObservation(err) };
      await this.release();
      return { unavailable: disconnectedObservation(`${this.address}: ${(err as Error).message}`) };
    }
  }

  /** The configured interface, else the first of class 7, else (Epson vendor mode) the first with bulk OUT. */
  private printerInterface(device: UsbDeviceInfo): UsbInterfaceInfo | undefined {
    const main = device.interfaces.filter((i) => i.alternate === 0);
    if (this.config.interface !== undefined) return main.find((i) => i.number === this.config.interface);
    return (
      main.find((i) => i.class === USB_CLASS_PRINTER) ??
      main.find((i) => i.endpoints.some((e) => e.transferType === 'bulk' && e.direction === 'out'))
    );
  }

  /** GET_DEVICE_ID; a printer without one (vendor class) or that stalls has no identity, not an error. */
  private async deviceId(handle: UsbPrinterHandle, device: UsbDeviceInfo, iface: UsbInterfaceInfo): Promise<Ieee1284Id | undefined> {
    if (iface.class !== USB_CLASS_PRINTER) return undefined;
    try {
      return parseDeviceId(await handle.controlIn(getDeviceId(device.configIndex, iface.number, iface.alternate)));
    } catch (err) {
      if ((err as UsbTransferError).disconnected) throw err;
      this.ctx.log.debug({ err: (err as Error).message }, 'USB printer has no device ID');
      return undefined;
    }
  }

  private identityFrom(id: Omit<Ieee1284Id, 'lengthOrder'>): DeviceIdentity {
    return {
      kind: 'printer',
      address: this.address,
      ...(id.manufacturer ? { vendor: id.manufacturer } : {}),
      ...(id.model ? { model: id.model } : {}),
      ...(id.serial ? { serial: id.serial } : {}),
    };
  }

  /** GET_PORT_STATUS, then DLE EOT over bulk when possible; ESC/POS answers win over the parallel-port bits. */
  private async status(open: Claimed, signal: AbortSignal, recover: boolean): Promise<Observation> {
    let portByte: number | undefined;
    if (open.iface.class === USB_CLASS_PRINTER) {
      try {
        portByte = (await open.handle.controlIn(getPortStatus(open.iface.number)))[0];
      } catch (err) {
        if ((err as UsbTransferError).disconnected) throw err;
      }
    }
    const port = portByte === undefined ? undefined : decodePortStatus(portByte);
    const identity = open.identity ? { identity: open.identity } : {};
    const portEvidence: Record<string, string> = portByte === undefined ? {} : { 'printer.port_status_hex': hex2(portByte) };
    const link = open.link;
    if (link) {
      const readEscPos = (s: AbortSignal) => readStatus(link, this.replyTimeoutMs, s, this.ctx.log);
      let escpos = await readEscPos(signal);
      if (recover && this.recovery.shouldRecover(escpos.readings)) escpos = await attemptRecovery(link, this.actions, readEscPos, signal);
      if (escpos.readings['printer.connected'] === true) return { ...escpos, ...identity, evidence: { ...escpos.evidence, ...portEvidence } };
      // Bulk IN silent (a one-way firmware): the port status is all there is.
      if (!port) return escpos;
    }
    if (!port) {
      return { readings: { 'printer.connected': true, 'printer.paper': 'unknown' }, ...identity, evidence: { 'printer.transport_error': 'no status channel' } };
    }
    const readings: Readings = {
      'printer.connected': true,
      'printer.online': port.selected && !port.error,
      // Paper empty proves the end; its absence does not prove paper (no near-end sensor on this path).
      'printer.paper': port.paperEmpty ? 'end' : 'unknown',
    };
    return { readings, ...identity, evidence: portEvidence };
  }

  /** usblp owns the interface: the device is there, its ID is in sysfs, its status cannot be read. */
  private async usblpObservation(err: Error): Promise<Observation> {
    const text = await readUsblpDeviceId(this.sysfs, this.config.vendorId, this.config.productId);
    const identity = text === undefined ? {} : { identity: this.identityFrom(parseDeviceIdText(text)) };
    return this.actions.attach({
      readings: { 'printer.connected': true, 'printer.paper': 'unknown' },
      ...identity,
      problems: [{ reading: 'printer.online', message: err.message }],
      evidence: { 'printer.transport_error': err.message },
    });
  }

  private async release(): Promise<void> {
    const open = this.open;
    this.open = undefined;
    await open?.handle.close().catch(() => {});
  }
}

/** A receipt that did not (entirely) reach the printer: never ok, whatever the status says; the reason travels as evidence. */
function notSent(observation: Observation, reason: string): ReceiptResult {
  return { ok: false, observation: { ...observation, evidence: { ...observation.evidence, 'printer.receipt_error': `receipt not sent: ${reason}` } } };
}
