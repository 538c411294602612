import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubStore } from '../../src/store/store.js';
import { DEFAULT_SLA } from '../../src/workorders/sla.js';
import { WorkOrders } from '../../src/workorders/workorders.js';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { recordingLogger } from '../../../../test/support/recording-logger.js';
import { openTestStore } from '../helpers/store.js';

/** A work order found by its short reference (the console's `ref=`), the same on both backends. */
describe('store.workorders.byRef', () => {
  let store: HubStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => ({ store, dispose } = await openTestStore()));
  afterEach(() => dispose());

  it('finds each order by its own ref, exactly, and nothing for another', async () => {
    const orders = new WorkOrders({ store, commands: { post: async () => 'sent' as const }, clock: new FakeClock(0), log: recordingLogger(), sla: DEFAULT_SLA });
    const open = (terminal: string) => orders.open({ terminal, kind: 'repair', code: 'printer.head_failure', severity: 'major', serial: null, repairRequest: null, reportId: null, alarmId: null, comment: null, actor: 'otto' });
    const a = await open('T-0001');
    const b = await open('T-0002');
    expect(a.ref).not.toBe(b.ref);
    expect(await store.workorders.byRef(a.ref)).toMatchObject({ id: a.id, terminal: 'T-0001' });
    expect(await store.workorders.byRef(b.ref)).toMatchObject({ id: b.id, terminal: 'T-0002' });
    expect(await store.workorders.byRef(a.ref.toLowerCase())).toBeUndefined();
    expect(await store.workorders.byRef('WO-XXXXXX')).toBeUndefined();
  });
});
