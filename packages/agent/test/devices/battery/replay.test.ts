import { mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from 'posdiag-protocol';
import { SysfsBatteryDriver } from '../../../src/devices/battery/sysfs-driver.js';
import { silentLogger } from '../../../src/log/logger.js';

/**
 * Telegraf-style replay: fixtures/sysfs/replay-discharging/proc0, proc1, … are snapshots of one battery
 * over time. One driver instance reads a root that is re-pointed at each snapshot in turn, so the test
 * also proves the driver keeps nothing from an earlier poll.
 */
const REPLAY = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'sysfs', 'replay-discharging');

describe('battery replay over sysfs snapshots', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('reads a discharging battery snapshot by snapshot', async () => {
    dir = mkdtempSync(join(tmpdir(), 'posdiag-replay-'));
    const root = join(dir, 'sys');
    const expected = JSON.parse(readFileSync(join(REPLAY, 'expected.json'), 'utf8')) as Record<string, unknown>[];
    const driver = new SysfsBatteryDriver({ source: 'sysfs' }, { sysfs: root }, { clock: systemClock, log: silentLogger });

    const seen: Record<string, unknown>[] = [];
    for (let i = 0; i < expected.length; i++) {
      // Re-point atomically, as a live tree changes under a running agent.
      symlinkSync(join(REPLAY, `proc${i}`), `${root}.next`);
      renameSync(`${root}.next`, root);
      seen.push((await driver.poll(new AbortController().signal)).readings);
    }

    expect(seen.map((r) => Object.fromEntries(Object.keys(expected[0]!).map((k) => [k, r[k]])))).toEqual(expected);
    expect(seen.map((r) => r['battery.level_pct'])).toEqual([25, 21, 19, 4]);
  });
});
