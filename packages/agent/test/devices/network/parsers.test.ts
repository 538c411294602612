import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CounterWindow } from '../../../src/devices/network/counter-window.js';
import { isInvalidArgument, parseInterface, type InterfaceReads } from '../../../src/devices/network/interface-readings.js';
import { parseMonitorLine } from '../../../src/devices/network/link-monitor.js';
import { readInterface } from '../../../src/devices/network/read-interface.js';
import { parseProcNetWireless, wirelessReadings } from '../../../src/devices/network/wireless.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures');
const sysfs = (name: string) => join(FIXTURES, 'sysfs', name);
const wireless = (name: string) => readFileSync(join(FIXTURES, 'procfs', name, 'net', 'wireless'), 'utf8');

describe('interface attributes', () => {
  it('reads a healthy wired link with its counters', async () => {
    const state = await readInterface(sysfs('net-up'), 'eth0');
    expect(state.problems).toEqual([]);
    expect(state.carrierChanges).toBe(2);
    expect(state.readings).toEqual({
      'network.eth0.operstate': 'up',
      'network.eth0.carrier': true,
      'network.eth0.up': true,
      'network.eth0.speed_mbps': 1000,
      'network.eth0.carrier_changes': 2,
      'network.eth0.carrier_up_count': 1,
      'network.eth0.carrier_down_count': 1,
      'network.eth0.rx_errors': 0,
      'network.eth0.tx_errors': 0,
      'network.eth0.rx_dropped': 3,
      'network.eth0.tx_dropped': 0,
      'network.eth0.rx_crc_errors': 0,
      'network.eth0.rx_missed_errors': 0,
      'network.eth0.tx_carrier_errors': 0,
      'network.eth0.collisions': 0,
    });
  });

  it('reads an unplugged cable as down, with no speed and its error counters', async () => {
    const { readings, problems } = await readInterface(sysfs('net-cable-unplugged'), 'eth0');
    expect(problems).toEqual([]);
    expect(readings).toMatchObject({ 'network.eth0.up': false, 'network.eth0.operstate': 'down', 'network.eth0.carrier': false, 'network.eth0.rx_crc_errors': 41, 'network.eth0.tx_carrier_errors': 9 });
    expect(readings).not.toHaveProperty('network.eth0.speed_mbps');
  });

  it('lets carrier decide when operstate is unknown (tether) and reports no flap count on an old kernel', async () => {
    const usb = await readInterface(sysfs('net-old-kernel-tether'), 'usb0');
    expect(usb.readings).toMatchObject({ 'network.usb0.up': true, 'network.usb0.operstate': 'unknown' });
    expect(usb.carrierChanges).toBeUndefined();
    expect(usb.readings).not.toHaveProperty('network.usb0.carrier_changes');
    // 4294967295 is the u32 form of "unknown speed".
    expect(usb.readings).not.toHaveProperty('network.usb0.speed_mbps');
    const eth = await readInterface(sysfs('net-old-kernel-tether'), 'eth0');
    expect(eth.readings).toMatchObject({ 'network.eth0.up': false, 'network.eth0.operstate': 'lowerlayerdown' });
    // No statistics directory: counters are absent, not zero, and not a problem.
    expect(eth.readings).not.toHaveProperty('network.eth0.rx_errors');
    expect(eth.problems).toEqual([]);
  });

  it('reads a Wi-Fi link waiting for authentication (dormant) as not up', async () => {
    const { readings } = await readInterface(sysfs('net-wifi'), 'wlan1');
    expect(readings).toMatchObject({ 'network.wlan1.up': false, 'network.wlan1.operstate': 'dormant' });
  });

  it('reports an interface the kernel does not have as not present and down', async () => {
    const state = await readInterface(sysfs('net-up'), 'wlan0');
    expect(state).toEqual({ readings: { 'network.wlan0.up': false, 'network.wlan0.operstate': 'notpresent' }, problems: [] });
  });

  it('turns garbage and truncated files into problems, never into readings', async () => {
    const { readings, problems, carrierChanges } = await readInterface(sysfs('net-garbage'), 'eth0');
    expect(readings).toEqual({ 'network.eth0.rx_dropped': 5 });
    expect(carrierChanges).toBeUndefined();
    expect(problems.map((p) => p.reading).sort()).toEqual([
      'network.eth0.carrier',
      'network.eth0.carrier_changes',
      'network.eth0.carrier_up_count',
      'network.eth0.operstate',
      'network.eth0.rx_crc_errors',
      'network.eth0.rx_errors',
      'network.eth0.speed_mbps',
      'network.eth0.tx_errors',
    ]);
  });

  it('names a VLAN interface with a dot-free segment', async () => {
    const state = parseInterface('eth0.100', readsOf({ operstate: 'up', carrier: '1' }));
    expect(state.readings).toEqual({ 'network.eth0_100.operstate': 'up', 'network.eth0_100.carrier': true, 'network.eth0_100.up': true });
  });

  describe('carrier', () => {
    it('treats EINVAL (admin down) as down, other errors as a problem', () => {
      const einval = parseInterface('eth0', readsOf({ operstate: 'down' }, { carrier: 'class/net/eth0/carrier: EINVAL' }));
      expect(einval.readings).toEqual({ 'network.eth0.operstate': 'down', 'network.eth0.carrier': false, 'network.eth0.up': false });
      expect(einval.problems).toEqual([]);
      const eio = parseInterface('eth0', readsOf({ operstate: 'unknown' }, { carrier: 'class/net/eth0/carrier: EIO' }));
      expect(eio.readings).toEqual({ 'network.eth0.operstate': 'unknown' });
      expect(eio.problems).toEqual([{ reading: 'network.eth0.carrier', message: 'class/net/eth0/carrier: EIO' }]);
    });

    it('lets a lost carrier override an operstate of up', () => {
      const { readings } = parseInterface('eth0', readsOf({ operstate: 'up', carrier: '0' }));
      expect(readings['network.eth0.up']).toBe(false);
    });

    it('recognises EINVAL only as the errno at the end of the message', () => {
      expect(isInvalidArgument({ kind: 'unreadable', message: 'x/carrier: EINVAL' })).toBe(true);
      expect(isInvalidArgument({ kind: 'unreadable', message: 'EINVALID thing' })).toBe(false);
      expect(isInvalidArgument({ kind: 'value', text: 'EINVAL' })).toBe(false);
    });

    it('falls back to up+down counts when the total is missing', () => {
      const state = parseInterface('eth0', readsOf({ operstate: 'up', carrier: '1', carrier_up_count: '3', carrier_down_count: '2' }));
      expect(state.carrierChanges).toBe(5);
    });
  });
});

/** Reads for parseInterface: given values, given unreadable messages, the rest missing. */
function readsOf(values: Record<string, string>, unreadable: Record<string, string> = {}): InterfaceReads {
  return new Proxy({} as InterfaceReads, {
    get: (_t, key: string) =>
      key in values ? { kind: 'value', text: values[key] } : key in unreadable ? { kind: 'unreadable', message: unreadable[key] } : { kind: 'missing' },
  });
}

describe('/proc/net/wireless', () => {
  it('reads a dBm driver: level is dBm, noise -256 is not reported', () => {
    const { stats, problems } = parseProcNetWireless(wireless('wireless-dbm'));
    expect(problems).toEqual([]);
    expect(stats.get('wlan0')).toEqual({
      interface: 'wlan0', status: 0, linkQuality: 54, level: { unit: 'dbm', value: -56 }, noise: { unit: 'none' }, missedBeacons: 0,
    });
    expect(wirelessReadings(stats.get('wlan0')!)).toEqual({ 'network.wlan0.link_quality': 54, 'network.wlan0.missed_beacons': 0, 'network.wlan0.signal_dbm': -56 });
    // A dBm driver with no level at all: no signal reading.
    expect(wirelessReadings(stats.get('wlan1')!)).not.toHaveProperty('network.wlan1.signal_dbm');
  });

  it('reads a weak dBm signal with a noise floor', () => {
    const wlan0 = parseProcNetWireless(wireless('wireless-weak')).stats.get('wlan0')!;
    expect(wirelessReadings(wlan0)).toEqual({
      'network.wlan0.link_quality': 18, 'network.wlan0.missed_beacons': 5, 'network.wlan0.signal_dbm': -82, 'network.wlan0.noise_dbm': -95,
    });
  });

  it('never reports a relative level as dBm', () => {
    const wlan0 = parseProcNetWireless(wireless('wireless-relative')).stats.get('wlan0')!;
    expect(wlan0.level).toEqual({ unit: 'relative', value: 68 });
    expect(wlan0.status).toBe(1);
    const readings = wirelessReadings(wlan0);
    expect(readings).not.toHaveProperty('network.wlan0.signal_dbm');
    expect(readings).toMatchObject({ 'network.wlan0.signal_relative': 68, 'network.wlan0.link_quality': 70 });
  });

  it('accepts values without the update marker', () => {
    const { stats } = parseProcNetWireless(' wlan0: 0000   54   -60   -256  0 0 0 0 0 0\n');
    expect(stats.get('wlan0')!.level).toEqual({ unit: 'dbm', value: -60 });
  });

  it('skips bad lines with a problem each and keeps the good ones', () => {
    const { stats, problems } = parseProcNetWireless(wireless('wireless-garbage'));
    expect([...stats.keys()]).toEqual(['eth9']);
    expect(problems).toHaveLength(4);
    expect(problems[0]!.message).toContain('wlan0');
  });

  it('survives empty, header-only and binary input', () => {
    expect(parseProcNetWireless('').stats.size).toBe(0);
    expect(parseProcNetWireless(wireless('wireless-dbm').split('\n').slice(0, 2).join('\n')).problems).toEqual([]);
    const binary = parseProcNetWireless('\u0000\u0001:\uffff\n: 0000 1 2 3 4 5 6 7 8 9\n');
    expect(binary.stats.size).toBe(0);
    expect(binary.problems).toHaveLength(2);
  });
});

describe('ip -o monitor link lines', () => {
  it('parses a link going down, with the veth peer suffix stripped', () => {
    expect(parseMonitorLine('5: pdtb@if6: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group default \\    link/ether 72:89:ab:5c:11:49 brd ff:ff:ff:ff:ff:ff link-netnsid 0')).toEqual({
      index: 5, name: 'pdtb', flags: ['BROADCAST', 'MULTICAST'], state: 'DOWN', deleted: false,
    });
  });

  it('parses carrier loss, deletion, timestamps and lines without a state', () => {
    expect(parseMonitorLine('2: eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc fq_codel state DOWN mode DEFAULT')).toMatchObject({
      name: 'eth0', state: 'DOWN', flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'],
    });
    expect(parseMonitorLine('Deleted 7: eth0.100@eth0: <BROADCAST,MULTICAST> mtu 1500 state DOWN')).toMatchObject({ name: 'eth0.100', deleted: true, index: 7 });
    expect(parseMonitorLine('[2026-01-01T00:00:00.000000] [LINK]3: wlan0: <> mtu 1500')).toEqual({ index: 3, name: 'wlan0', flags: [], deleted: false });
  });

  it('ignores what is not a link line', () => {
    for (const line of ['', 'garbage', '    link/ether 00:11:22:33:44:55', '2: eth0 <UP> mtu', 'x: eth0: <UP>', '3: : <UP>']) {
      expect(parseMonitorLine(line)).toBeUndefined();
    }
  });
});

describe('counter window', () => {
  it('counts growth within the window and forgets older samples', () => {
    const w = new CounterWindow(60_000);
    expect(w.record(0, 10)).toBe(0);
    expect(w.record(30_000, 12)).toBe(2);
    expect(w.record(60_000, 14)).toBe(4);
    expect(w.record(90_000, 14)).toBe(2); // the sample at 0 left the window
    expect(w.record(200_000, 14)).toBe(0);
  });

  it('starts over when the counter goes backwards (interface re-created) or after reset', () => {
    const w = new CounterWindow(60_000);
    w.record(0, 10);
    expect(w.record(10_000, 3)).toBe(0);
    expect(w.record(20_000, 5)).toBe(2);
    w.reset();
    expect(w.record(30_000, 9)).toBe(0);
  });
});
