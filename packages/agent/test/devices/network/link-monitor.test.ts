import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import { LinkMonitor, MONITOR_RESTART_MIN_MS } from '../../../src/devices/network/link-monitor.js';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';
import { waitFor } from '../../../../../test/support/wait-for.js';

/** A stand-in monitor that prints one iproute2 line and exits, as `ip monitor` does when it is killed. */
const DYING_MONITOR = ['sh', '-c', "echo '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP'"];

describe('link monitor restarts', () => {
  it('restarts a monitor that exits, after doubling delays on the injected clock, and never after close', async () => {
    const clock = new FakeClock();
    const log = recordingLogger();
    const events: string[] = [];
    const monitor = new LinkMonitor(DYING_MONITOR, clock, log, (e) => events.push(e.name));
    const exits = () => log.entries.filter((e) => e.msg?.startsWith('link monitor exited'));
    const exited = (n: number) => waitFor(() => (exits().length === n ? true : undefined), `exit ${n} of the monitor`);

    monitor.start();
    await exited(1);
    expect(events).toEqual(['eth0']);
    expect(exits()[0]!.fields).toMatchObject({ code: 0, restartInMs: MONITOR_RESTART_MIN_MS });

    await clock.advance(MONITOR_RESTART_MIN_MS - 1);
    expect(events).toEqual(['eth0']);
    await clock.advance(1);
    await exited(2);
    expect(events).toEqual(['eth0', 'eth0']);
    expect(exits()[1]!.fields).toMatchObject({ restartInMs: 2 * MONITOR_RESTART_MIN_MS });

    // Closed while a restart is pending: the timer goes with it.
    await monitor.close();
    await clock.advance(10 * MONITOR_RESTART_MIN_MS);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events).toEqual(['eth0', 'eth0']);
    expect(exits()).toHaveLength(2);
  });

  it('waits the minimum again after a monitor that ran for a minute', async () => {
    // Dies at once twice, then runs until the test, having moved the clock past a minute, lets it go.
    const dir = mkdtempSync(join(tmpdir(), 'posdiag-monitor-'));
    const count = join(dir, 'runs');
    const release = join(dir, 'release');
    const script = `n=$(cat ${count} 2>/dev/null || echo 0); echo $((n + 1)) > ${count}; if [ "$n" -ge 2 ]; then while [ ! -e ${release} ]; do sleep 0.02; done; fi`;
    const clock = new FakeClock();
    const log = recordingLogger();
    const monitor = new LinkMonitor(['sh', '-c', script], clock, log, () => {});
    const exits = () => log.entries.filter((e) => e.msg?.startsWith('link monitor exited')).map((e) => e.fields.restartInMs);
    const exited = (n: number) => waitFor(() => (exits().length === n ? true : undefined), `exit ${n} of the monitor`);

    monitor.start();
    await exited(1);
    await clock.advance(MONITOR_RESTART_MIN_MS);
    await exited(2);
    await clock.advance(2 * MONITOR_RESTART_MIN_MS); // the third run starts and waits
    await clock.advance(60_000);
    writeFileSync(release, '');
    await exited(3);
    expect(exits()).toEqual([MONITOR_RESTART_MIN_MS, 2 * MONITOR_RESTART_MIN_MS, MONITOR_RESTART_MIN_MS]);
    await monitor.close();
  });

  it('does not restart a program that is not there', async () => {
    const clock = new FakeClock();
    const log = recordingLogger();
    const monitor = new LinkMonitor(['/nonexistent/ip', '-o', 'monitor', 'link'], clock, log, () => {});
    monitor.start();
    await waitFor(() => (log.entries.some((e) => e.msg?.includes('link monitor unavailable')) ? true : undefined), 'the unavailable notice');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await clock.advance(MONITOR_RESTART_MIN_MS * 10);
    expect(log.entries.map((e) => e.msg)).toEqual(['link monitor unavailable; link changes are seen at the next poll']);
    await monitor.close();
  });
});
