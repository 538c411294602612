import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from 'posdiag-protocol';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import type { Observation } from '../../../src/core/readings.js';
import { signalChild } from '../../../src/core/signal-child.js';
import { NetworkDriver } from '../../../src/devices/network/network-driver.js';
import { readAttribute } from '../../../src/drivers/transports/sysfs.js';
import { silentLogger } from '../../../src/log/logger.js';

/**
 * Real link loss inside a network namespace this test creates: a veth pair with one end (`B`) in the
 * namespace. The namespace's own sysfs is mounted at a temp dir (a sysfs mount shows the network
 * namespace of the process that mounts it, so `nsenter --net` does the mount), and the driver reads it
 * through `paths.sysfs` while `ip -n NS -o monitor link` reports the changes. No traffic crosses the
 * pair, only link state changes. Needs root (network namespaces); CI and this machine run as root.
 */
const isRoot = process.getuid?.() === 0;
const tag = (process.pid % 46_656).toString(36);
const NS = `pdnet${tag}`;
const A = `pdv${tag}a`;
const B = `pdv${tag}b`;

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
});

/**
 * Loss on the way to a host: a test host in a namespace of our own (10.254.213.2 on the far end of a
 * veth pair, a TCP listener run inside it), reached from here through 10.254.213.1. iptables inside the
 * namespace drops the SYNs to the listener (tc netem is not available here), so the probe meets silence,
 * not a refusal. Traffic stays on this machine: the only addresses are the pair's own.
 */
describe.skipIf(!isRoot)('loss to a test host in a network namespace (needs root and iptables)', () => {
  const HOST_NS = `pdhost${tag}`;
  const NEAR = `pdh${tag}a`;
  const FAR = `pdh${tag}b`;
  const TEST_HOST = '10.254.213.2';
  let listener: ChildProcess | undefined;
  let port: number;
  const inHost = (...args: string[]) => sh('ip', 'netns', 'exec', HOST_NS, ...args);
  const dropSyns = (action: '-A' | '-D') => inHost('iptables', action, 'INPUT', '-p', 'tcp', '--dport', String(port), '--syn', '-j', 'DROP');

  beforeAll(async () => {
    sh('ip', 'netns', 'add', HOST_NS);
    sh('ip', 'link', 'add', NEAR, 'type', 'veth', 'peer', 'name', FAR);
    sh('ip', 'link', 'set', FAR, 'netns', HOST_NS);
    sh('ip', 'addr', 'add', '10.254.213.1/30', 'dev', NEAR);
    sh('ip', 'link', 'set', NEAR, 'up');
    inHost('ip', 'addr', 'add', `${TEST_HOST}/30`, 'dev', FAR);
    inHost('ip', 'link', 'set', FAR, 'up');
    inHost('ip', 'link', 'set', 'lo', 'up');
    // Never probe anything but the namespace: the address must route through the pair, not the default route.
    expect(sh('ip', 'route', 'get', TEST_HOST)).toMatch(new RegExp(`^${TEST_HOST.replaceAll('.', '\\.')} dev ${NEAR} `));
    const script = 'import socket\ns = socket.socket()\ns.bind(("0.0.0.0", 0))\ns.listen(16)\nprint(s.getsockname()[1], flush=True)\nwhile True:\n    s.accept()[0].close()\n';
    const child = spawn('ip', ['netns', 'exec', HOST_NS, 'python3', '-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    listener = child;
    port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('exit', (code) => reject(new Error(`the test host's listener exited (${code})`)));
    });
  });

  afterAll(() => {
    if (listener) signalChild(listener, 'SIGKILL');
    try {
      sh('ip', 'netns', 'del', HOST_NS); // takes FAR, and with it its peer NEAR
    } catch {
      // Already gone.
    }
  });

  it('reaches the host, then reports a timeout on the injected clock while iptables drops its SYNs, then reaches it again', async () => {
    const target = { name: 'acquirer', host: TEST_HOST, port: 0, tls: false, httpDate: false };
    const poll = async (clock: FakeClock | typeof systemClock) => {
      const driver = new NetworkDriver({ interfaces: [], targets: [{ ...target, port }], timeout: '5s' }, { sysfs: '/nonexistent', procfs: '/nonexistent' }, { clock, log: silentLogger }, { monitorCommand: null });
      try {
        const polled = driver.poll(new AbortController().signal);
        if (clock instanceof FakeClock) await clock.advance(4_000); // the probe's deadline: 80 % of the 5 s poll timeout
        return (await polled).readings;
      } finally {
        await driver.close();
      }
    };

    expect(await poll(systemClock)).toMatchObject({ 'network.target.acquirer.reachable': true });
    dropSyns('-A');
    try {
      expect(await poll(new FakeClock())).toEqual({
        'network.target.acquirer.dns_ok': true,
        'network.target.acquirer.reachable': false,
        'network.target.acquirer.error': 'timeout',
      });
    } finally {
      dropSyns('-D');
    }
    expect(await poll(systemClock)).toMatchObject({ 'network.target.acquirer.reachable': true });
  }, 20_000);
});
