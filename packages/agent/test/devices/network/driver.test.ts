import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/load.js';
import { configSchema } from '../../../src/config/schema.js';
import { systemClock } from 'posdiag-protocol';
import { FakeClock, flushMicrotasks } from '../../../../../test/support/fake-clock.js';
import type { Readings } from '../../../src/core/readings.js';
import { loadDefaultRules } from '../../../src/rules/rule-files.js';
import { RuleEngine } from '../../../src/rules/rule-engine.js';
import { NetworkDriver, type NetworkDriverOptions } from '../../../src/devices/network/network-driver.js';
import { createDrivers } from '../../../src/devices/registry.js';
import { readAttribute } from '../../../src/drivers/transports/sysfs.js';
import { silentLogger } from '../../../src/log/logger.js';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';
import { FAULT_CATALOG } from '../../../src/devices/catalog.js';
import { FROM_SOURCE } from '../../../../../test/support/from-source.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures');
const sysfs = (name: string) => join(FIXTURES, 'sysfs', name);
const procfs = (name: string) => join(FIXTURES, 'procfs', name);
const signal = () => new AbortController().signal;

function driver(interfaces: string[], paths: { sysfs: string; procfs: string }, options: NetworkDriverOptions = {}, clock = new FakeClock()) {
  return new NetworkDriver({ interfaces, targets: [] }, paths, { clock, log: silentLogger }, { monitorCommand: null, ...options });
}

describe('network driver over sysfs/procfs trees', () => {
  it('reports Wi-Fi signal in dBm only for the interface /proc/net/wireless lists', async () => {
    const d = driver(['wlan0', 'wlan1'], { sysfs: sysfs('net-wifi'), procfs: procfs('wireless-dbm') });
    const { readings, problems } = await d.poll(signal());
    expect(problems).toEqual([]);
    expect(readings).toMatchObject({
      'network.wlan0.up': true,
      'network.wlan0.signal_dbm': -56,
      'network.wlan0.carrier_changes_recent': 0,
      'network.wlan1.up': false,
      'network.wlan1.operstate': 'dormant',
    });
    expect(readings).not.toHaveProperty('network.wlan1.signal_dbm');
  });

  it('leaves signal_dbm absent for a relative-unit driver', async () => {
    const { readings } = await driver(['wlan0'], { sysfs: sysfs('net-wifi'), procfs: procfs('wireless-relative') }).poll(signal());
    expect(readings).not.toHaveProperty('network.wlan0.signal_dbm');
    expect(readings['network.wlan0.signal_relative']).toBe(68);
  });

  it('reports a missing interface as notpresent and a missing /proc/net/wireless as no Wi-Fi, without problems', async () => {
    const { readings, problems } = await driver(['eth0', 'wlan0'], { sysfs: sysfs('net-up'), procfs: '/nonexistent' }).poll(signal());
    expect(problems).toEqual([]);
    expect(readings).toMatchObject({ 'network.eth0.up': true, 'network.wlan0.up': false, 'network.wlan0.operstate': 'notpresent' });
    expect(readings).not.toHaveProperty('network.wlan0.carrier_changes_recent');
  });

  it('reports no Wi-Fi signal for an interface sysfs does not have, even when /proc/net/wireless lists it', async () => {
    const { readings } = await driver(['wlan0'], { sysfs: sysfs('net-up'), procfs: procfs('wireless-dbm') }).poll(signal());
    expect(readings).toEqual({ 'network.wlan0.up': false, 'network.wlan0.operstate': 'notpresent' });
  });

  it('passes parse problems through as data: garbage sysfs values and bad wireless lines', async () => {
    const { readings, problems } = await driver(['eth0'], { sysfs: sysfs('net-garbage'), procfs: procfs('wireless-garbage') }).poll(signal());
    expect(readings).toEqual({ 'network.eth0.rx_dropped': 5 });
    expect(problems!.length).toBe(8 + 4);
  });

  it('treats carrier EINVAL on an admin-down interface as down (kernel answer through a seam)', async () => {
    const einval: typeof readAttribute = async (root, path, s) =>
      path.endsWith('/carrier') ? { kind: 'unreadable', message: `${path}: EINVAL` } : readAttribute(root, path, s);
    const { readings, problems } = await driver(['eth0'], { sysfs: sysfs('net-up'), procfs: '/nonexistent' }, { readAttribute: einval }).poll(signal());
    expect(problems).toEqual([]);
    // operstate says up in this tree; the refused carrier read is what makes it down.
    expect(readings).toMatchObject({ 'network.eth0.up': false, 'network.eth0.carrier': false });
  });

  it('rejects interface names that cannot be reading names or paths, and duplicate target names', () => {
    const make = (interfaces: string[], targets: { name: string; host: string; port: number; tls: boolean; httpDate: boolean }[] = []) =>
      new NetworkDriver({ interfaces, targets }, { sysfs: '/sys', procfs: '/proc' }, { clock: systemClock, log: silentLogger });
    expect(() => make(['..'])).toThrow(ConfigError);
    expect(() => make(['target'])).toThrow(/clashes/);
    const t = { name: 'acq', host: 'h', port: 1, tls: false, httpDate: false };
    expect(() => make([], [t, t])).toThrow(/used twice/);
  });

  it('is created by the registry from devices.network', async () => {
    const config = configSchema.parse({
      terminal: { id: 'T-1' },
      paths: { sysfs: sysfs('net-up'), procfs: '/nonexistent' },
      devices: { network: { interfaces: ['eth0'], interval: '15s', timeout: '5s' } },
    });
    const [d, ...rest] = createDrivers(config, { clock: systemClock, log: silentLogger });
    expect(rest).toEqual([]);
    expect(d).toBeInstanceOf(NetworkDriver);
    expect([d!.kind, d!.intervalMs, d!.timeoutMs]).toEqual(['network', 15_000, 5_000]);
    expect((await d!.poll(signal())).readings['network.eth0.up']).toBe(true);
    await d!.close();
  });
});

/**
 * Telegraf-style replay: fixtures/sysfs/net-flapping/proc0, proc1, … are snapshots of eth0 one minute
 * apart while its cable is loose. The driver turns the carrier_changes counter into changes within its
 * window, and the built-in rules raise network.link_flapping from that.
 */
describe('flapping link replay', () => {
  const REPLAY = sysfs('net-flapping');
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('counts recent carrier changes over a window and raises then clears link_flapping', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posdiag-netreplay-'));
    const root = join(dir, 'sys');
    const expected = JSON.parse(readFileSync(join(REPLAY, 'expected.json'), 'utf8')) as Readings[];
    const clock = new FakeClock();
    const d = driver(['eth0'], { sysfs: root, procfs: '/nonexistent' }, {}, clock);
    const engine = new RuleEngine(await loadDefaultRules(), { catalog: FAULT_CATALOG });
    const point = (i: number) => {
      symlinkSync(join(REPLAY, `proc${i}`), `${root}.next`);
      renameSync(`${root}.next`, root);
    };

    const seen: Readings[] = [];
    const events: string[] = [];
    const step = async (i: number) => {
      const { readings } = await d.poll(signal());
      for (const e of engine.evaluate(readings, clock.now())) events.push(`${i}:${e.code}:${e.instance}:${e.state}`);
      await clock.advance(60_000);
      return readings;
    };
    for (let i = 0; i < expected.length; i++) {
      point(i);
      const readings = await step(i);
      seen.push(Object.fromEntries(Object.keys(expected[i]!).map((k) => [k, readings[k]])) as Readings);
    }
    expect(seen).toEqual(expected);
    // Polled once a minute, the short drops never last the 5 s link_down needs; the flapping does.
    expect(events).toEqual(['5:network.link_flapping:eth0:raised']);

    // The cable is fixed (the counter stays put): at 11 min only 5 changes remain within the 10-minute window.
    for (let i = expected.length; i < 12; i++) await step(i);
    expect(events).toEqual(['5:network.link_flapping:eth0:raised', '11:network.link_flapping:eth0:cleared']);
  });
});

describe('link watch', () => {
  it('falls back to polling when the monitor program is missing, and closes cleanly', async () => {
    const log = recordingLogger();
    const d = new NetworkDriver(
      { interfaces: ['eth0'], targets: [] },
      { sysfs: sysfs('net-up'), procfs: '/nonexistent' },
      { clock: systemClock, log },
      { monitorCommand: ['/nonexistent/ip', '-o', 'monitor', 'link'] },
    );
    const emitted: unknown[] = [];
    d.watch((o) => emitted.push(o));
    await d.close();
    await flushMicrotasks();
    expect(emitted).toEqual([]);
    expect(log.entries.some((e) => e.msg?.includes('link monitor unavailable'))).toBe(true);
    expect((await d.poll(signal())).readings['network.eth0.up']).toBe(true);
  });

  it('closing a monitor whose program never started signals nothing (its process group survives)', async () => {
    // Node keeps the handle of a child whose spawn failed, with no pid: kill() on it sent SIGTERM to pid 0,
    // our own process group, and took the whole test run down with it. Run in a group of its own.
    const script = fileURLToPath(new URL('../../helpers/close-missing-monitor.ts', import.meta.url));
    const child = spawn(process.execPath, [...FROM_SOURCE, script], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
    expect({ code, signal, stdout }).toEqual({ code: 0, signal: null, stdout: 'closed\n' });
  });

  it('re-reads a configured interface on each monitor line and emits the whole picture', async () => {
    // A stand-in monitor: prints iproute2 lines for a configured and an unconfigured link, then waits.
    const script = [
      "echo '2: eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc fq_codel state DOWN group default'",
      "echo '9: other0: <BROADCAST> mtu 1500 state DOWN'",
      'exec sleep 30',
    ].join('; ');
    const d = driver(['eth0', 'wlan0'], { sysfs: sysfs('net-cable-unplugged'), procfs: '/nonexistent' }, { monitorCommand: ['sh', '-c', script] }, new FakeClock());
    const observation = await new Promise<{ readings: Readings }>((resolve) => d.watch(resolve));
    await d.close();
    expect(observation.readings).toMatchObject({ 'network.eth0.up': false, 'network.eth0.operstate': 'down', 'network.wlan0.operstate': 'notpresent' });
  });
});
