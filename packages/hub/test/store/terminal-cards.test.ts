import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { raise } from '../../src/alarms/transitions.js';
import type { HubStore } from '../../src/store/store.js';
import { openTestStore } from '../helpers/store.js';

/** The console's terminals page reads one page of terminals: store.inventory.cards and .search, the same on both backends. */
describe('store.inventory.cards and search', () => {
  let store: HubStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await openTestStore());
    await store.inventory.record('T-0001', { model: 'X990', serial: 'SN-ABC', firmware: null, agentVersion: '0.1.0' }, 1_000);
    await store.inventory.record('T-0002', { model: 'A920', serial: 'sn_50%', firmware: '1.2', agentVersion: '0.1.0' }, 2_000);
    await store.alarms.setLabels('T-0002', { merchant: 'Golden Noodle', region: 'north' });
    await store.alarms.setLabels('T-0003', { merchant: 'Noodle King' });
    for (const code of ['printer.paper_end', 'battery.low']) {
      const key = { terminal: 'T-0001', code, instance: null };
      await store.alarms.updateOpen(key, (current) => raise(current, { ...key, severity: 'major', category: 'io', since: 1_000, seq: 1, reportId: null }, 1_000));
    }
  });
  afterEach(() => dispose());

  it("gives each asked terminal its inventory, labels and open alarms, and nulls for one it knows nothing of", async () => {
    const cards = await store.inventory.cards(['T-0001', 'T-0002', 'T-0009']);
    expect(cards.get('T-0001')).toEqual({ inventory: { model: 'X990', serial: 'SN-ABC', firmware: null, agentVersion: '0.1.0', updatedAt: 1_000 }, labels: {}, openAlarms: 2 });
    expect(cards.get('T-0002')).toEqual({ inventory: { model: 'A920', serial: 'sn_50%', firmware: '1.2', agentVersion: '0.1.0', updatedAt: 2_000 }, labels: { merchant: 'Golden Noodle', region: 'north' }, openAlarms: 0 });
    expect(cards.get('T-0009')).toEqual({ inventory: null, labels: {}, openAlarms: 0 });
    expect((await store.inventory.cards([])).size).toBe(0);
  });

  it('finds terminals by serial, model or label value, ignoring case, in id order, after a cursor and up to a limit', async () => {
    expect(await store.inventory.search('noodle', null, 10)).toEqual(['T-0002', 'T-0003']);
    expect(await store.inventory.search('noodle', 'T-0002', 10)).toEqual(['T-0003']);
    expect(await store.inventory.search('noodle', null, 1)).toEqual(['T-0002']);
    expect(await store.inventory.search('sn-abc', null, 10)).toEqual(['T-0001']);
    expect(await store.inventory.search('x99', null, 10)).toEqual(['T-0001']);
    // % and _ are the text itself, not LIKE's wildcards; a label's name is not its value.
    expect(await store.inventory.search('_50%', null, 10)).toEqual(['T-0002']);
    expect(await store.inventory.search('sn%abc', null, 10)).toEqual([]);
    expect(await store.inventory.search('merchant', null, 10)).toEqual([]);
  });
});
