import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Category, Severity } from 'posdiag-protocol';
import { act, raise } from '../../src/alarms/transitions.js';
import type { HubStore } from '../../src/store/store.js';
import { openTestStore } from '../helpers/store.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 20, 12);

/** The console overview's aggregates (store.alarms.stats, store.presenceCounts), the same on both backends. */
describe('the overview aggregates', () => {
  let store: HubStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => ({ store, dispose } = await openTestStore()));
  afterEach(() => dispose());

  async function alarm(terminal: string, code: string, severity: Severity, category: Category, since: number) {
    const key = { terminal, code, instance: null };
    return (await store.alarms.updateOpen(key, (current) => raise(current, { ...key, severity, category, since, seq: 1, reportId: null }, NOW)))!;
  }

  it('counts open alarms by severity and category, alarms per UTC day, and the top codes and models of the week', async () => {
    await store.inventory.record('T-0001', { model: 'X990', serial: null, firmware: null, agentVersion: '1' }, NOW);
    await store.inventory.record('T-0002', { model: 'A920', serial: null, firmware: null, agentVersion: '1' }, NOW);
    await alarm('T-0001', 'printer.paper_end', 'major', 'io', NOW - 1 * DAY);
    await alarm('T-0001', 'battery.low', 'minor', 'hardware', NOW - 2 * DAY);
    await alarm('T-0002', 'printer.paper_end', 'major', 'io', NOW - 2 * DAY + 1);
    await alarm('T-0003', 'printer.paper_end', 'critical', 'io', NOW - 10 * DAY);
    const closed = await alarm('T-0002', 'battery.low', 'minor', 'hardware', NOW);
    await store.alarms.updateById(closed.id, (current) => act(current, { action: 'close' }, 'ops', NOW));

    const stats = await store.alarms.stats({ sinceMs: NOW - 14 * DAY, weekMs: NOW - 7 * DAY, top: 5 });
    expect(stats.openBySeverity).toEqual({ major: 2, minor: 1, critical: 1 });
    expect(stats.openByCategory).toEqual({ io: 3, hardware: 1 });
    const day = (ms: number) => Math.floor(ms / DAY) * DAY;
    expect(stats.perDay).toEqual([
      { day: day(NOW - 10 * DAY), count: 1 },
      { day: day(NOW - 2 * DAY), count: 2 },
      { day: day(NOW - DAY), count: 1 },
      { day: day(NOW), count: 1 },
    ]);
    // The week's: the critical one of ten days ago is not in them; ties by name.
    expect(stats.topCodes).toEqual([{ code: 'battery.low', count: 2 }, { code: 'printer.paper_end', count: 2 }]);
    expect(stats.topModels).toEqual([{ model: 'A920', count: 2 }, { model: 'X990', count: 2 }]);
    expect((await store.alarms.stats({ sinceMs: NOW - 14 * DAY, weekMs: NOW - 7 * DAY, top: 1 })).topCodes).toEqual([{ code: 'battery.low', count: 2 }]);
  });

  it('counts terminals held on a live lease as connected, and silent ones not held', async () => {
    // One lease per hub: the last hold renews it, so the old connection comes first.
    await store.holdTerminal('T-0003', 'hub-a', NOW - 3_600_000, 60_000);
    await store.releaseTerminal('T-0003', 'hub-a', NOW - 3_600_000);
    await store.holdTerminal('T-0001', 'hub-a', NOW, 60_000);
    await store.holdTerminal('T-0002', 'hub-a', NOW, 60_000);
    await store.releaseTerminal('T-0002', 'hub-a', NOW);
    expect(await store.markSilent(NOW - 60_000, NOW, [])).toEqual([{ terminal: 'T-0003', lastHeard: NOW - 3_600_000 }]);
    expect(await store.presenceCounts(NOW)).toEqual({ connected: 1, silent: 1 });
    // Once the hub's lease has run out, nobody holds T-0001 any more.
    expect(await store.presenceCounts(NOW + 120_000)).toEqual({ connected: 0, silent: 1 });
  });
});
