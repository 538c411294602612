import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { makeHeartbeat } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { parseNotifyConfig } from '../../src/notify/config.js';
import { TestAgent } from '../helpers/hub-agent.js';
import { ok, startLoopbackReceiver } from './receivers/support/loopback-http.js';

const SILENCE_MS = 60_000;
const HOUR = 3_600_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** ThingsBoard #7898: a terminal that stays silent is brought up again, to the people its routes name. */
describe('reminders of a silent terminal, notified', () => {
  it.each([
    ['left alone: the team is reminded after the hour, once, and told when it is back', false],
    ['acknowledged: nobody is reminded', true],
  ])('%s', async (_what, ack) => {
    const hook = await startLoopbackReceiver(() => ok({}));
    cleanups.push(() => hook.close());
    const notify = parseNotifyConfig({
      // repeat_interval far beyond the test: every notice after the first is the reminder's or the resolution's.
      route: { receiver: 'ops', group_by: ['terminal'], group_wait: '30s', group_interval: '1m', repeat_interval: '1w' },
      receivers: [{ name: 'ops', webhook: { url: hook.url, secret: 's' } }],
    });
    const h = await startTestHub({ notify, notifyLocale: 'en', silenceAfterMs: SILENCE_MS, reminderEveryMs: HOUR });
    cleanups.push(() => h.cleanup());
    const bodies = () => hook.requests.map((r) => JSON.parse(r.body));
    let agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await agent.next();
    await agent.report(makeHeartbeat({ seq: 1 }));
    await agent.close();
    await waitFor(() => (h.hub.connectedTerminals().length === 0 ? true : undefined), 'the agent gone');
    await waitFor(async () => {
      await h.clock.advance(SILENCE_MS / 4);
      return hook.requests.length === 1 ? true : undefined;
    }, 'the silent notice');
    expect(bodies()[0]).toMatchObject({ status: 'firing', alerts: [{ labels: { code: 'terminal.silent', terminal: 'T-0001' } }] });
    if (ack) {
      const [alarm] = ((await (await fetch(`${h.api}/alarms?code=terminal.silent`)).json()) as { alarms: { id: number }[] }).alarms;
      expect((await fetch(`${h.api}/alarms/${alarm!.id}/ack`, { method: 'POST', body: '{"comment":"the shop is closed today"}' })).status).toBe(200);
    }
    for (let step = 0; step < 8; step++) await h.clock.advance(10 * 60_000);
    if (ack) {
      await h.clock.advance(0);
      expect(hook.requests).toHaveLength(1);
      return;
    }
    await waitFor(() => (hook.requests.length === 2 ? true : undefined), 'the reminder');
    expect(bodies()[1]).toMatchObject({ status: 'firing', alerts: [{ labels: { code: 'terminal.silent', terminal: 'T-0001' }, annotations: { summary: expect.stringMatching(/^Still silent: not heard from since 2026-/) } }] });
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    cleanups.push(() => agent.close());
    await waitFor(async () => {
      await h.clock.advance(60_000);
      return hook.requests.length === 3 ? true : undefined;
    }, 'the resolved notice');
    expect(bodies()[2]).toMatchObject({ status: 'resolved' });
  }, 60_000);
});
