import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import type { Observation } from '../../../src/core/readings.js';
import { SELF_RECOVERY } from '../../../src/devices/printer/escpos-recovery.js';
import { encodeReceipt } from '../../../src/devices/printer/receipt.js';
import { UsbPrinterDriver } from '../../../src/devices/printer/usb-printer-driver.js';
import { UsbTransferError } from '../../../src/drivers/transports/usb/bus.js';
import { createDrivers } from '../../../src/devices/registry.js';
import { configSchema } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/log/logger.js';
import { FakeUsbBus, loadUsbFixture } from '../../helpers/usb-fake.js';

/** The USB printer driver behind the UsbBus seam, fed recorded descriptors and replies (fixtures/usb). */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function setup(fixtureName: string, sysfs = '/nonexistent-sysfs') {
  const bus = new FakeUsbBus(loadUsbFixture(fixtureName));
  const { vendorId, productId } = bus.fixture.device;
  const driver = new UsbPrinterDriver({ transport: 'usb', vendorId, productId, timeout: '1s' }, sysfs, { clock: new FakeClock(), log: silentLogger }, { bus });
  cleanups.push(() => driver.close());
  return {
    bus,
    driver,
    poll: () => driver.poll(new AbortController().signal),
    print: (lines: string[]) => driver.printReceipt(lines, new AbortController().signal),
  };
}

/** A sysfs tree where usblp holds the Epson as lp0, its device ID readable. */
function usblpSysfs(): string {
  const sysfs = mkdtempSync(join(tmpdir(), 'posdiag-usblp-'));
  cleanups.push(() => rmSync(sysfs, { recursive: true, force: true }));
  const dev = join(sysfs, 'devices', 'usb1', '1-1');
  mkdirSync(join(dev, '1-1:1.0'), { recursive: true });
  writeFileSync(join(dev, 'idVendor'), '04b8\n');
  writeFileSync(join(dev, 'idProduct'), '0e15\n');
  writeFileSync(join(dev, '1-1:1.0', 'ieee1284_id'), 'MFG:EPSON;CMD:ESC/POS;MDL:TM-T20II;SN:FROM-SYSFS;\n');
  mkdirSync(join(sysfs, 'class', 'usbmisc', 'lp0'), { recursive: true });
  symlinkSync(join(dev, '1-1:1.0'), join(sysfs, 'class', 'usbmisc', 'lp0', 'device'));
  return sysfs;
}

const STATUS_ROUND = ['100401', '100402', '100403', '100404'];
const LINES = ['自检 / Self-test', 'Printer OK', '打印机正常'];

describe('USB printer driver', () => {
  it('no USB stack (node-usb unloadable, as on a platform it has no build for): a disconnected printer with the reason, not a failing poll', async () => {
    const unloadable = {
      list: () => Promise.reject(new Error('USB support unavailable: cannot load the "usb" module (no build)')),
      open: () => Promise.reject(new Error('unreachable')),
      onHotplug: () => () => {},
    };
    const driver = new UsbPrinterDriver({ transport: 'usb', vendorId: 0x04b8, productId: 0x0e15 }, '/nonexistent-sysfs', { clock: new FakeClock(), log: silentLogger }, { bus: unloadable });
    cleanups.push(() => driver.close());
    const o = await driver.poll(new AbortController().signal);
    expect(o.readings).toEqual({ 'printer.connected': false });
    expect(o.evidence!['printer.transport_error']).toBe('usb:04b8:0e15: USB support unavailable: cannot load the "usb" module (no build)');
    const printed = await driver.printReceipt(['x'], new AbortController().signal);
    expect(printed.ok).toBe(false);
  });

  it('Epson class 7 bidirectional: identity from GET_DEVICE_ID, status over bulk DLE EOT, port status as evidence', async () => {
    const { poll, bus } = setup('epson-tm-t20ii');
    const o = await poll();
    expect(o.readings).toMatchObject({ 'printer.connected': true, 'printer.online': true, 'printer.paper': 'ok', 'printer.cutter_error': false });
    expect(o.identity).toEqual({ kind: 'printer', address: 'usb:04b8:0e15', vendor: 'EPSON', model: 'TM-T20II', serial: 'X4NK012345' });
    expect(o.evidence).toEqual({ 'printer.status_hex': '12 12 12 12', 'printer.port_status_hex': '18' });
    expect(bus.bulkWritten).toEqual(['100401', '100402', '100403', '100404']);
    // Opened and identified once; later polls reuse the claimed interface.
    await poll();
    expect(bus.opens).toBe(1);
  });

  it('one-way printer (no bulk IN): paper empty from the port status, little-endian device ID', async () => {
    const { poll, bus } = setup('xprinter-58-oneway');
    const o = await poll();
    expect(o.readings).toEqual({ 'printer.connected': true, 'printer.online': true, 'printer.paper': 'end' });
    expect(o.identity).toMatchObject({ vendor: 'Xprinter', model: 'XP-58IIH', serial: 'XP58-0042' });
    expect(o.evidence).toEqual({ 'printer.port_status_hex': '38' });
    expect(bus.bulkWritten).toEqual([]);
  });

  it('one-way printer with paper: printer.paper is unknown, never ok; an error bit makes it not online', async () => {
    const { poll, bus } = setup('xprinter-58-oneway');
    bus.fixture.control['a1 01 0000 0000'] = '10';
    expect((await poll()).readings).toEqual({ 'printer.connected': true, 'printer.online': false, 'printer.paper': 'unknown' });
  });

  it('Epson vendor class (no device ID, no port status): ESC/POS over bulk only', async () => {
    const { poll } = setup('epson-vendor-class');
    const o = await poll();
    expect(o.readings).toMatchObject({ 'printer.connected': true, 'printer.online': false, 'printer.paper': 'end' });
    expect(o.identity).toBeUndefined();
    expect(o.evidence).toEqual({ 'printer.status_hex': '1a 32 12 72' });
  });

  it('absent device → disconnected; present again → connected, reopened', async () => {
    const { poll, bus } = setup('epson-tm-t20ii');
    await poll();
    bus.present = false;
    expect((await poll()).readings).toEqual({ 'printer.connected': false });
    expect(bus.closes).toBe(1);
    bus.present = true;
    expect((await poll()).readings['printer.connected']).toBe(true);
    expect(bus.opens).toBe(2);
  });

  it('a device that vanishes mid-transfer is disconnected and released', async () => {
    const { poll, bus } = setup('epson-tm-t20ii');
    await poll();
    const original = bus.list.bind(bus);
    bus.list = async () => {
      const devices = await original();
      bus.present = false; // gone between the listing and the transfer
      return devices;
    };
    const o = await poll();
    expect(o.readings).toEqual({ 'printer.connected': false });
    expect(o.evidence?.['printer.transport_error']).toMatch(/NO_DEVICE/);
    expect(bus.closes).toBe(1);
  });

  it('hotplug: detach and attach drive printer.connected without a poll', async () => {
    const { driver, bus } = setup('epson-tm-t20ii');
    const seen: Observation[] = [];
    let notify = () => {};
    driver.watch((o) => {
      seen.push(o);
      notify();
    });
    const next = (n: number) => new Promise<void>((resolve) => {
      notify = () => seen.length >= n && resolve();
      notify();
    });
    await new Promise((r) => setImmediate(r)); // watch subscribes once the bus is loaded
    bus.plug(false);
    await next(1);
    expect(seen[0]!.readings).toEqual({ 'printer.connected': false });
    bus.plug(true);
    await next(2);
    expect(seen[1]!.readings).toMatchObject({ 'printer.connected': true, 'printer.paper': 'ok' });
  });

  it('usblp owns the interface: identity from sysfs ieee1284_id, status unknown', async () => {
    const sysfs = usblpSysfs();
    const { poll, bus } = setup('epson-tm-t20ii', sysfs);
    bus.kernelDriverBusy = true;
    const o = await poll();
    expect(o.readings).toEqual({ 'printer.connected': true, 'printer.paper': 'unknown' });
    expect(o.identity).toMatchObject({ vendor: 'EPSON', model: 'TM-T20II', serial: 'FROM-SYSFS' });
    expect(o.evidence?.['printer.transport_error']).toMatch(/usblp/);
    // Once usblp lets go, the next poll claims the interface and reads the real status.
    bus.kernelDriverBusy = false;
    expect((await poll()).readings['printer.online']).toBe(true);
  });

  it('is what the registry builds for transport "usb"', () => {
    const config = configSchema.parse({ terminal: { id: 'T-1' }, devices: { printer: { transport: 'usb', vendorId: 0x04b8, productId: 0x0e15 } } });
    const drivers = createDrivers(config, { clock: new FakeClock(), log: silentLogger }, { usbBus: new FakeUsbBus(loadUsbFixture('epson-tm-t20ii')) });
    expect(drivers[0]).toBeInstanceOf(UsbPrinterDriver);
  });
});

describe('USB printer receipts', () => {
  it('sends encodeReceipt\'s bytes on bulk OUT, then reads the status over bulk IN: healthy → ok', async () => {
    const { print, bus } = setup('epson-tm-t20ii');
    const result = await print(LINES);
    expect(result.ok).toBe(true);
    expect(bus.bulkWritten).toEqual([encodeReceipt(LINES).toString('hex'), ...STATUS_ROUND]);
    expect(bus.bulkEndpoints[0]).toBe(0x01);
    expect(result.observation.readings).toMatchObject({ 'printer.connected': true, 'printer.online': true, 'printer.paper': 'ok' });
    expect(result.observation.identity).toMatchObject({ model: 'TM-T20II' });
    expect(result.observation.evidence).toEqual({ 'printer.status_hex': '12 12 12 12', 'printer.port_status_hex': '18' });
  });

  it('paper out after printing → not ok, paper end', async () => {
    const { print, bus } = setup('epson-tm-t20ii');
    Object.assign(bus.fixture.bulk, { '100401': '1a', '100402': '32', '100404': '72' });
    const result = await print(['x']);
    expect(result.ok).toBe(false);
    expect(result.observation.readings).toMatchObject({ 'printer.online': false, 'printer.paper': 'end' });
  });

  it('a cutter error after the cut fails the receipt: no self-recovery hides it', async () => {
    const { print, bus } = setup('epson-tm-t20ii');
    bus.fixture.bulk['100403'] = '1a'; // DLE EOT 3: autocutter error
    const result = await print(['x']);
    expect(result.ok).toBe(false);
    expect(result.observation.readings['printer.cutter_error']).toBe(true);
    expect(bus.bulkWritten).not.toContain(SELF_RECOVERY.toString('hex'));
  });

  it('one-way printer: bytes on its only bulk OUT, status from GET_PORT_STATUS (paper empty → not ok)', async () => {
    const { print, bus } = setup('xprinter-58-oneway');
    const result = await print(LINES);
    expect(bus.bulkWritten).toEqual([encodeReceipt(LINES).toString('hex')]);
    expect(bus.bulkEndpoints).toEqual([0x02]);
    expect(result).toEqual({ ok: false, observation: expect.objectContaining({ readings: { 'printer.connected': true, 'printer.online': true, 'printer.paper': 'end' } }) });
    // Paper loaded (port status 0x18): the printer took it and reports nothing that stops printing.
    bus.fixture.control['a1 01 0000 0000'] = '18';
    expect((await print(['y'])).ok).toBe(true);
  });

  it('usblp owns the interface: nothing is sent, and the result says why', async () => {
    const { print, bus } = setup('epson-tm-t20ii', usblpSysfs());
    bus.kernelDriverBusy = true;
    const result = await print(['x']);
    expect(result.ok).toBe(false);
    expect(bus.bulkWritten).toEqual([]);
    expect(result.observation.evidence?.['printer.receipt_error']).toMatch(/^receipt not sent: a kernel driver \(usblp\) owns interface 0/);
  });

  it('absent printer → not ok, disconnected, with the reason', async () => {
    const { print, bus } = setup('epson-tm-t20ii');
    bus.present = false;
    const result = await print(['x']);
    expect(result.ok).toBe(false);
    expect(result.observation.readings).toEqual({ 'printer.connected': false });
    expect(result.observation.evidence?.['printer.receipt_error']).toMatch(/not present/);
  });

  it('a stalled bulk OUT is not ok even when the status looks fine; the status is still read', async () => {
    const { print, bus } = setup('epson-tm-t20ii');
    bus.bulkOutError = new UsbTransferError('LIBUSB_ERROR_PIPE');
    const result = await print(['x']);
    expect(result.ok).toBe(false);
    expect(result.observation.evidence?.['printer.receipt_error']).toBe('receipt not sent: LIBUSB_ERROR_PIPE');
    expect(result.observation.evidence?.['printer.port_status_hex']).toBe('18');
  });

  it('the device lost during the bulk OUT → disconnected and released', async () => {
    const { poll, print, bus } = setup('epson-tm-t20ii');
    await poll();
    bus.bulkOutError = new UsbTransferError('LIBUSB_ERROR_NO_DEVICE', { disconnected: true });
    const result = await print(['x']);
    expect(result.ok).toBe(false);
    expect(result.observation.readings).toEqual({ 'printer.connected': false });
    expect(bus.closes).toBe(1);
  });

  it('a receipt and a poll never interleave on the interface', async () => {
    const { poll, print, bus } = setup('epson-tm-t20ii');
    await Promise.all([poll(), print(['x']), poll()]);
    expect(bus.bulkWritten).toEqual([...STATUS_ROUND, encodeReceipt(['x']).toString('hex'), ...STATUS_ROUND, ...STATUS_ROUND]);
  });
});
