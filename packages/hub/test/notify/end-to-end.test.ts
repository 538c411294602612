import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { makeFaultReport } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { parseNotifyConfig } from '../../src/notify/config.js';
import { openStore } from '../../src/store/open-store.js';
import type { HubStore } from '../../src/store/store.js';
import { TestAgent } from '../helpers/hub-agent.js';
import { ok, startLoopbackReceiver } from './receivers/support/loopback-http.js';
import { verifyDingtalkSign } from './receivers/support/verify-signatures.js';
import { raiseAlarm } from '../helpers/notify-hub.js';

const SECRET = 'SECend-to-end';
const KEY = 'T-0001|printer.paper_end|';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('from an agent fault to a signed DingTalk message', () => {
  it('a raised fault reaches the robot once, after group_wait on the hub clock; its clear sends the resolved notice', async () => {
    let now = () => 0;
    const robot = await startLoopbackReceiver((req) => (verifyDingtalkSign(SECRET, req.url, now()) ? ok({ errcode: 0, errmsg: 'ok' }) : ok({ errcode: 310000, errmsg: 'sign not match' })), '/robot/send');
    cleanups.push(() => robot.close());
    const notify = parseNotifyConfig({
      route: { receiver: 'ops', group_by: ['code'], group_wait: '30s', group_interval: '1m' },
      receivers: [{ name: 'ops', dingtalk: { url: `${robot.url}?access_token=t`, secret: SECRET } }],
    });
    const h = await startTestHub({ notify, notifyLocale: 'en' });
    cleanups.push(() => h.cleanup());
    now = () => h.clock.now();
    // A second connection to the hub's database, to read the delivery log as the alarms will show it.
    const store: HubStore = await openStore(h.db);
    cleanups.push(() => store.close());
    const agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    cleanups.push(() => agent.close());
    await agent.next();

    const since = new Date(h.clock.now()).toISOString();
    expect((await agent.report(makeFaultReport({ seq: 1, since }))).type).toBe('ack');
    // The alert waits for the terminal's labels from the store before the dispatcher has it: its group_wait counts from then.
    await h.hub.notifierFed();
    await h.clock.advance(29_000);
    expect(await store.deliveries.deliveriesFor(KEY)).toEqual([]);
    await h.clock.advance(1_000);
    const [sent] = await waitFor(async () => {
      const records = await store.deliveries.deliveriesFor(KEY);
      return records.some((r) => r.state === 'delivered') ? records : undefined;
    }, 'the firing notice delivered');
    expect(sent!.receiver).toBe('ops');
    expect(sent!.attempts.map((a) => a.outcome)).toEqual(['delivered']);
    expect(robot.requests).toHaveLength(1);
    expect(JSON.parse(robot.requests[0]!.body).markdown.title).toBe('[FIRING:1] printer.paper_end — T-0001');

    expect((await agent.report(makeFaultReport({ seq: 2, since, state: 'cleared' }))).type).toBe('ack');
    const records = await waitFor(async () => {
      await h.clock.advance(10_000);
      const all = await store.deliveries.deliveriesFor(KEY);
      return all.length === 2 && all[1]!.state === 'delivered' ? all : undefined;
    }, 'the resolved notice delivered');
    expect(records.map((r) => r.state)).toEqual(['delivered', 'delivered']);
    expect(robot.requests).toHaveLength(2);
    const body = JSON.parse(robot.requests[1]!.body);
    expect(body.markdown.title).toBe('[RESOLVED:1] printer.paper_end — T-0001');
    expect(body.markdown.text).toContain('Printer is out of paper');
  });

  it.each([
    ['acknowledged within 15 minutes: the on-call lead is never told', true],
    ['left unacknowledged: the lead is told after 15 minutes, once', false],
  ])('escalation, %s', async (_what, ack) => {
    const robots = await Promise.all(['ops', 'lead'].map(() => startLoopbackReceiver(() => ok({ errcode: 0, errmsg: 'ok' }), '/robot/send')));
    for (const robot of robots) cleanups.push(() => robot.close());
    const [ops, lead] = robots as [(typeof robots)[0], (typeof robots)[0]];
    const notify = parseNotifyConfig({
      route: { receiver: 'ops', group_by: ['code'], group_wait: '30s', escalate: [{ after: '15m', receiver: 'lead' }] },
      receivers: [
        { name: 'ops', dingtalk: { url: `${ops.url}?access_token=o` } },
        { name: 'lead', dingtalk: { url: `${lead.url}?access_token=l` } },
      ],
    });
    const h = await startTestHub({ notify, notifyLocale: 'en' });
    cleanups.push(() => h.cleanup());
    const alarm = await raiseAlarm(h, cleanups);
    await h.clock.advance(30_000);
    await waitFor(() => (ops.requests.length === 1 ? true : undefined), 'the team told');
    if (ack) {
      const res = await fetch(`${h.api}/alarms/${alarm}/ack`, { method: 'POST', body: JSON.stringify({ comment: 'on it' }) });
      expect(res.status).toBe(200);
      await h.hub.notifierFed();
    }
    // Past the stage's 15 minutes, a few minutes at a time so the dispatcher and the delivery worker run between.
    for (let step = 0; step < 6; step++) await h.clock.advance(3 * 60_000);
    if (ack) {
      // Give a wrongly sent escalation every chance to arrive before saying it did not.
      for (let step = 0; step < 2; step++) await h.clock.advance(3 * 60_000);
      await h.clock.advance(0);
      expect(lead.requests).toHaveLength(0);
    } else {
      await waitFor(async () => {
        if (lead.requests.length === 1) return true;
        await h.clock.advance(60_000);
        return undefined;
      }, 'the lead told');
      expect(JSON.parse(lead.requests[0]!.body).markdown.title).toBe('[FIRING:1] printer.paper_end — T-0001');
    }
    expect(ops.requests).toHaveLength(1);
  }, 90_000);
});
