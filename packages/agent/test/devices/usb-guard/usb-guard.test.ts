import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import type { Observation } from '../../../src/core/readings.js';
import { loadDefaultRules } from '../../../src/rules/rule-files.js';
import { Monitor } from '../../../src/rules/monitor.js';
import { RuleEngine } from '../../../src/rules/rule-engine.js';
import { createDrivers } from '../../../src/devices/registry.js';
import { scanUsbDevices } from '../../../src/devices/usb-guard/usb-devices.js';
import { reenrolUsbDevices, USB_ENROLMENT_FILE } from '../../../src/devices/usb-guard/usb-enrolment.js';
import type { UsbBus, UsbHotplugEvent } from '../../../src/drivers/transports/usb/bus.js';
import { HOTPLUG_SETTLE_MS } from '../../../src/drivers/transports/usb/hotplug-follower.js';
import type { UsbGuardConfig } from '../../../src/devices/usb-guard/config.js';
import { UsbGuardDriver } from '../../../src/devices/usb-guard/usb-guard-driver.js';
import { silentLogger } from '../../../src/log/logger.js';
import { waitFor } from '../../../../../test/support/wait-for.js';
import { FAULT_CATALOG } from '../../../src/devices/catalog.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/sysfs/', import.meta.url));
const TERMINAL = join(FIXTURES, 'usb-terminal');
const KEYBOARD = join(FIXTURES, 'usb-rogue-keyboard');
const READER = { vendorId: 0x0801, productId: 0x0011 };
const PRINTER = { vendorId: 0x04b8, productId: 0x0e15 };
const KEYBOARD_EVIDENCE = '1-1.3 1a2c:2124 class=03/01/01,03/00/00 keyboard "USB Keyboard"';

let dir: string;
let sysfs: string;
let state: string;
let clock: FakeClock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-usbguard-'));
  sysfs = join(dir, 'sys');
  state = join(dir, 'state');
  cpSync(TERMINAL, sysfs, { recursive: true });
  clock = new FakeClock();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const guard = (config: Partial<UsbGuardConfig> = {}, hotplug: UsbBus['onHotplug'] | null = null) =>
  new UsbGuardDriver({ allow: [], enrolPresent: true, ...config }, { sysfs, state }, { clock, log: silentLogger }, hotplug);
const poll = (driver: UsbGuardDriver) => driver.poll(new AbortController().signal);
const plugKeyboard = () => cpSync(KEYBOARD, sysfs, { recursive: true });
const unplugKeyboard = () => {
  for (const entry of ['1-1.3', '1-1.3:1.0', '1-1.3:1.1']) rmSync(join(sysfs, 'bus/usb/devices', entry), { recursive: true });
};

describe('USB enumeration from sysfs', () => {
  it('reads devices with their interfaces, leaving out root hubs', async () => {
    const { devices, problems } = await scanUsbDevices(sysfs);
    expect(problems).toEqual([]);
    expect(devices.map((d) => d.port)).toEqual(['1-1', '1-1.1', '1-1.2']);
    expect(devices[1]).toEqual({
      port: '1-1.1', ...READER, deviceClass: 0, manufacturer: 'Mag-Tek', product: 'USB Swipe Reader', serial: 'B123456',
      interfaces: [{ name: '1-1.1:1.0', class: 3, subclass: 0, protocol: 0 }],
    });
  });

  it('cuts device-chosen strings to bounded printable text and reports a device without IDs', async () => {
    const rogue = join(sysfs, 'bus/usb/devices/1-1.5');
    mkdirSync(rogue);
    writeFileSync(join(rogue, 'idVendor'), 'dead\n');
    writeFileSync(join(rogue, 'idProduct'), 'beef\n');
    writeFileSync(join(rogue, 'product'), `Evil\x1b[2J\nKeyboard${'x'.repeat(100)}\n`);
    mkdirSync(join(sysfs, 'bus/usb/devices/1-1.6'));
    const { devices, problems } = await scanUsbDevices(sysfs);
    expect(devices.find((d) => d.port === '1-1.5')?.product).toBe(`Evil?[2J?Keyboard${'x'.repeat(47)}`);
    expect(problems).toEqual([{ message: 'bus/usb/devices/1-1.6: no readable idVendor/idProduct' }]);
  });
});

describe('USB guard driver', () => {
  it('allows configured devices and hubs; an unknown keyboard is counted and described', async () => {
    const driver = guard({ enrolPresent: false, allow: [READER, PRINTER] });
    expect(await poll(driver)).toEqual({
      readings: { 'security.usb_devices': 2, 'security.unknown_usb_count': 0, 'security.unknown_usb_keyboard': false },
    });
    plugKeyboard();
    expect(await poll(driver)).toEqual({
      readings: { 'security.usb_devices': 3, 'security.unknown_usb_count': 1, 'security.unknown_usb_keyboard': true },
      evidence: { 'security.unknown_usb': KEYBOARD_EVIDENCE },
    });
    expect(existsSync(join(state, USB_ENROLMENT_FILE))).toBe(false);
  });

  it('an allow entry with a serial admits only that unit', async () => {
    const observation = await poll(guard({ enrolPresent: false, allow: [{ ...READER, serial: 'OTHER' }, PRINTER] }));
    expect(observation.readings['security.unknown_usb_count']).toBe(1);
    expect(observation.evidence).toEqual({ 'security.unknown_usb': '1-1.1 0801:0011 class=03/00/00 "USB Swipe Reader"' });
  });

  it('enrols what is attached at first start, then flags what comes later, across restarts', async () => {
    expect((await poll(guard())).readings['security.unknown_usb_count']).toBe(0);
    const enrolled = JSON.parse(readFileSync(join(state, USB_ENROLMENT_FILE), 'utf8'));
    expect(enrolled.devices).toEqual([
      { ...READER, serial: 'B123456', product: 'USB Swipe Reader' },
      { ...PRINTER, serial: 'X4JF012345', product: 'TM-T20II' },
    ]);
    plugKeyboard();
    // A new driver (agent restart) must not enrol the keyboard.
    expect((await poll(guard())).readings).toMatchObject({ 'security.unknown_usb_count': 1, 'security.unknown_usb_keyboard': true });

    // The technician removes it or vouches for it: re-enrolment takes the bus as it is at the next poll.
    expect(reenrolUsbDevices(state)).toEqual({ previous: 2 });
    expect((await poll(guard())).readings['security.unknown_usb_count']).toBe(0);
  });

  it('an unreadable enrolment allows nothing but the config, and says so', async () => {
    mkdirSync(state);
    writeFileSync(join(state, USB_ENROLMENT_FILE), '{"version": 1, "devi');
    const observation = await poll(guard({ allow: [PRINTER] }));
    expect(observation.readings['security.unknown_usb_count']).toBe(1);
    expect(observation.problems).toEqual([{ reading: 'security.unknown_usb_count', message: expect.stringMatching(/unreadable enrolment.*re-enrol/) }]);
    expect(readFileSync(join(state, USB_ENROLMENT_FILE), 'utf8')).toBe('{"version": 1, "devi');
  });

  it('when watched, looks at once on any USB attach or detach, and again a moment after an attach', async () => {
    const listeners: ((e: UsbHotplugEvent) => void)[] = [];
    let unsubscribed = false;
    const driver = guard({}, (listener) => (listeners.push(listener), () => void (unsubscribed = true)));
    await poll(driver); // enrols what is there
    const seen: Observation[] = [];
    driver.watch((o) => seen.push(o));
    const event = (type: 'attach' | 'detach') => listeners.forEach((l) => l({ type, vendorId: 0x046d, productId: 0xc31c }));
    const settled = async (n: number) => {
      await waitFor(() => (seen.length >= n ? true : undefined), `look ${n}`);
      return seen.length;
    };

    plugKeyboard();
    event('attach');
    expect(await settled(1)).toBe(1);
    expect(seen[0]!.readings).toMatchObject({ 'security.unknown_usb_count': 1, 'security.unknown_usb_keyboard': true });
    await clock.advance(HOTPLUG_SETTLE_MS);
    expect(await settled(2)).toBe(2); // the second look, for interfaces the kernel adds a little later

    unplugKeyboard();
    event('detach');
    expect(await settled(3)).toBe(3);
    expect(seen[2]!.readings['security.unknown_usb_count']).toBe(0);
    await driver.close();
    expect(unsubscribed).toBe(true);
  });

  it('is built by the registry from devices.usbGuard (strict config)', () => {
    const config = parseConfig({ terminal: { id: 'T-1' }, paths: { sysfs, state }, devices: { usbGuard: { allow: [READER], interval: '2s' } } });
    expect(config.devices.usbGuard).toEqual({ allow: [READER], enrolPresent: true, interval: '2s' });
    const drivers = createDrivers(config, { clock, log: silentLogger });
    expect(drivers.map((d) => [d.kind, d.name, d.intervalMs])).toEqual([['system', 'usb-guard', 2000]]);
    expect(() => parseConfig({ terminal: { id: 'T-1' }, devices: { usbGuard: { allow: [{ vendorId: 1, productId: 2, vid: 3 }] } } })).toThrow(/vid/);
  });
});

describe('security.unknown_usb_device over time (built-in rules)', () => {
  it('raises when a keyboard appears, with what it is as evidence, and clears when it is removed', async () => {
    const monitor = new Monitor(new RuleEngine(await loadDefaultRules(), { catalog: FAULT_CATALOG }), () => {});
    const driver = guard();
    const step = async () => {
      await clock.advance(driver.intervalMs);
      return monitor.observe(driver.name, await poll(driver), clock.now());
    };
    expect(await step()).toEqual([]);
    plugKeyboard();
    const raised = await step();
    expect(raised).toEqual([
      expect.objectContaining({
        code: 'security.unknown_usb_device', state: 'raised', category: 'security', severity: 'major', inhibitedBy: null,
        evidence: { 'security.unknown_usb_count': 1, 'security.unknown_usb_keyboard': true, 'security.unknown_usb': KEYBOARD_EVIDENCE },
      }),
    ]);
    expect(await step()).toEqual([]);
    unplugKeyboard();
    expect(await step()).toEqual([expect.objectContaining({ code: 'security.unknown_usb_device', state: 'cleared' })]);
  });
});
