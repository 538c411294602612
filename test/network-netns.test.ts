import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from '../src/core/clock.js';
import type { Observation } from '../src/core/readings.js';
import { NetworkDriver } from '../src/drivers/network/network-driver.js';
import { probeTarget } from '../src/drivers/network/target-probe.js';
import { readAttribute } from '../src/drivers/transports/sysfs.js';
import { silentLogger } from '../src/log/logger.js';

/**
 * Real link loss inside a network namespace this test creates: a veth pair with one end (`B`) in the
 * namespace. The namespace's own sysfs is mounted at a temp dir (a sysfs mount shows the network
 * namespace of the process that mounts it, so `nsenter --net` does the mount), and the driver reads it
 * through `paths.sysfs` while `ip -n NS -o monitor link` reports the changes.
 *
 * Also a blackholed address for probe timeouts: the host end (`A`) routes 10.254.213.0/30 into the
 * namespace, which does not own .2 and does not forward, so a SYN to it is silently dropped.
 * Needs root (network namespaces); CI and this machine run as root.
 */
const isRoot = process.getuid?.() === 0;
const tag = (process.pid % 46_656).toString(36);
const NS = `pdnet${tag}`;
const A = `pdv${tag}a`;
const B = `pdv${tag}b`;
const HOST_ADDRESS = '10.254.213.1/30';
const BLACKHOLE = '10.254.213.2';

const sh = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' }).toString();
const ipNs = (...args: string[]) => sh('ip', '-n', NS, ...args);

/** Observations from the driver's watch, waited for by content (the kernel decides when they come). */
class Watched {
  private last: Observation | undefined;
  private waiters: { pred: (o: Observation) => boolean; resolve: (o: Observation) => void }[] = [];

  push = (o: Observation): void => {
    this.last = o;
    this.waiters = this.waiters.filter((w) => (w.pred(o) ? (w.resolve(o), false) : true));
  };

  until(pred: (o: Observation) => boolean): Promise<Observation> {
    if (this.last && pred(this.last)) return Promise.resolve(this.last);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  get count(): number {
    return this.last ? 1 : 0;
  }
}

describe.skipIf(!isRoot)('link loss in a network namespace (needs root: network namespaces)', () => {
  let sysfsDir: string;

  beforeAll(() => {
    sh('ip', 'netns', 'add', NS);
    sh('ip', 'link', 'add', A, 'type', 'veth', 'peer', 'name', B);
    sh('ip', 'link', 'set', B, 'netns', NS);
    sysfsDir = mkdtempSync(join(tmpdir(), 'posdiag-netns-sys-'));
    sh('nsenter', `--net=/run/netns/${NS}`, 'mount', '-t', 'sysfs', 'none', sysfsDir);
  });

  afterAll(() => {
    const quiet = (...args: string[]) => {
      try {
        sh(...args);
      } catch {
        // Already gone.
      }
    };
    quiet('umount', sysfsDir);
    rmSync(sysfsDir, { recursive: true, force: true });
    quiet('ip', 'netns', 'del', NS); // takes B, and with it its peer A
    quiet('ip', 'link', 'del', A);
  });

  it('follows carrier loss and admin-down through ip monitor and the namespace sysfs', async () => {
    const driver = new NetworkDriver(
      { interfaces: [B], targets: [] },
      { sysfs: sysfsDir, procfs: '/nonexistent' },
      { clock: systemClock, log: silentLogger },
      { monitorCommand: ['ip', '-n', NS, '-o', 'monitor', 'link'] },
    );
    const watched = new Watched();
    driver.watch(watched.push);
    try {
      // The monitor subscribes asynchronously: poke B (an MTU change is a link event, even while down) until it reports.
      for (let i = 0; watched.count === 0; i++) {
        ipNs('link', 'set', 'dev', B, 'mtu', i % 2 ? '1500' : '1400');
        await Promise.race([watched.until(() => true), delay(50)]);
      }
      const up = `network.${B}.up`;

      sh('ip', 'link', 'set', A, 'up');
      ipNs('link', 'set', B, 'up');
      const linked = await watched.until((o) => o.readings[up] === true);
      expect(linked.readings[`network.${B}.operstate`]).toBe('up');
      const changesBefore = linked.readings[`network.${B}.carrier_changes`] as number;

      // The far end goes away: B loses its carrier while still administratively up.
      sh('ip', 'link', 'set', A, 'down');
      const lost = await watched.until((o) => o.readings[up] === false);
      expect(lost.readings).toMatchObject({ [`network.${B}.carrier`]: false });
      expect(['down', 'lowerlayerdown']).toContain(lost.readings[`network.${B}.operstate`]);
      expect(lost.readings[`network.${B}.carrier_changes`]).toBeGreaterThan(changesBefore);
      expect(lost.readings[`network.${B}.carrier_changes_recent`]).toBeGreaterThan(0);
      expect(lost.problems).toEqual([]);

      // Administratively down: the kernel now refuses to say what the carrier is.
      ipNs('link', 'set', B, 'down');
      // The kernel stops reporting a speed for a link that is not running: that marks this change.
      await watched.until((o) => !(`network.${B}.speed_mbps` in o.readings));
      const carrier = await readAttribute(sysfsDir, `class/net/${B}/carrier`);
      expect(carrier).toEqual({ kind: 'unreadable', message: `class/net/${B}/carrier: EINVAL` });
      const polled = await driver.poll(new AbortController().signal);
      expect(polled.readings).toMatchObject({ [up]: false, [`network.${B}.carrier`]: false, [`network.${B}.operstate`]: 'down' });
      expect(polled.problems).toEqual([]);
    } finally {
      await driver.close();
    }
  }, 20_000);

  it('reports a target that drops SYNs as a timeout on the injected clock', async () => {
    sh('ip', 'addr', 'add', HOST_ADDRESS, 'dev', A);
    sh('ip', 'link', 'set', A, 'up');
    ipNs('link', 'set', B, 'up');
    const mac = ipNs('-o', 'link', 'show', B).match(/link\/ether ([0-9a-f:]{17})/)![1]!;
    // A permanent neighbour entry: no ARP (which would fail fast with EHOSTUNREACH), frames go into NS.
    sh('ip', 'neigh', 'replace', BLACKHOLE, 'lladdr', mac, 'dev', A, 'nud', 'permanent');
    // Never probe anything but the namespace: the address must route through A, not the default route.
    expect(sh('ip', 'route', 'get', BLACKHOLE)).toMatch(new RegExp(`^${BLACKHOLE.replaceAll('.', '\\.')} dev ${A} `));

    const clock = new FakeClock();
    const pending = probeTarget({ host: BLACKHOLE, port: 443, tls: true }, { clock, timeoutMs: 4_000 });
    await clock.advance(4_000);
    expect(await pending).toMatchObject({ dnsOk: true, reachable: false, address: BLACKHOLE, error: 'timeout' });

    // Through the driver: a silent host is a reading within the poll, never a failed poll.
    const driver = new NetworkDriver(
      { interfaces: [], targets: [{ name: 'acquirer', host: BLACKHOLE, port: 443, tls: true, httpDate: false }], timeout: '5s' },
      { sysfs: '/nonexistent', procfs: '/nonexistent' },
      { clock, log: silentLogger },
      { monitorCommand: null },
    );
    const poll = driver.poll(new AbortController().signal);
    await clock.advance(4_000);
    expect((await poll).readings).toEqual({
      'network.target.acquirer.dns_ok': true,
      'network.target.acquirer.reachable': false,
      'network.target.acquirer.error': 'timeout',
    });
    await driver.close();
  }, 20_000);
});
