import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { hubWithTwoWebhooks, raiseAlarm } from '../helpers/notify-hub.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Harness = Awaited<ReturnType<typeof startTestHub>>;

const showAlarm = async (h: Harness, id: number) => (await (await fetch(`${h.api}/alarms/${id}`)).json()) as { deliveries: any[] };

describe('GET /api/alarms/ID: its deliveries', () => {
  it('says who was notified, when, and delivered or why not, each with its attempts', async () => {
    const { h } = await hubWithTwoWebhooks(cleanups);
    const id = await raiseAlarm(h, cleanups);
    expect((await showAlarm(h, id)).deliveries).toEqual([]);

    await h.clock.advance(30_000);
    const deliveries = await waitFor(async () => {
      const { deliveries } = await showAlarm(h, id);
      return deliveries.length === 2 && deliveries.every((d) => d.state !== 'pending') ? deliveries : undefined;
    }, 'both deliveries settled');
    const at = new Date(h.clock.now()).toISOString();
    const byReceiver = Object.fromEntries(deliveries.map((d) => [d.receiver, d]));
    expect(byReceiver.ops).toMatchObject({ state: 'delivered', createdAt: at, attempts: [{ at, outcome: 'delivered' }] });
    expect(byReceiver.broken).toMatchObject({ state: 'failed', createdAt: at, attempts: [{ at, outcome: 'failed', detail: 'HTTP 400: no such hook' }] });
    expect(typeof byReceiver.ops.attempts[0].hub).toBe('string');
  });

  it('is an empty list when the hub has no --notify', async () => {
    const h = await startTestHub();
    cleanups.push(() => h.cleanup());
    const id = await raiseAlarm(h, cleanups);
    await h.clock.advance(60_000);
    expect((await showAlarm(h, id)).deliveries).toEqual([]);
  });
});
