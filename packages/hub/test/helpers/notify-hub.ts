import { parseNotifyConfig } from '../../src/notify/config.js';
import { expect } from 'vitest';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { makeFaultReport } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { TestAgent } from './hub-agent.js';
import { startLoopbackReceiver, type Answer } from '../notify/receivers/support/loopback-http.js';

/**
 * A test hub whose every major notice goes to two loopback webhooks: `ops` takes it, `broken` refuses
 * it for good (400). What it starts is pushed on `cleanups`, last first.
 */
export async function hubWithTwoWebhooks(cleanups: (() => Promise<void>)[]) {
  const receiver = (answer: Answer) => startLoopbackReceiver(() => answer);
  const [ops, broken] = await Promise.all([receiver({ status: 200, body: '{}' }), receiver({ status: 400, body: 'no such hook' })]);
  cleanups.push(() => ops.close(), () => broken.close());
  const notify = parseNotifyConfig({
    route: {
      receiver: 'ops',
      group_by: ['code'],
      group_wait: '30s',
      routes: [
        { matchers: { severity: 'major' }, receiver: 'ops', continue: true },
        { matchers: { severity: 'major' }, receiver: 'broken' },
      ],
    },
    receivers: [
      { name: 'ops', webhook: { url: ops.url, secret: 'ops-secret' } },
      { name: 'broken', webhook: { url: broken.url, secret: 'broken-secret' } },
    ],
  });
  const h = await startTestHub({ notify, notifyLocale: 'en' });
  cleanups.push(() => h.cleanup());
  return { h, ops, broken };
}

type Harness = Awaited<ReturnType<typeof startTestHub>>;

/** T-0001 connects and reports a raised fault; resolves with the id of the alarm it opened. */
export async function raiseAlarm(h: Harness, cleanups: (() => Promise<void>)[]): Promise<number> {
  const agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
  cleanups.push(() => agent.close());
  await agent.next();
  expect((await agent.report(makeFaultReport({ seq: 1, since: new Date(h.clock.now()).toISOString() }))).type).toBe('ack');
  await h.hub.notifierFed();
  const [alarm] = await waitFor(async () => {
    const { alarms } = (await (await fetch(`${h.api}/alarms?terminal=T-0001`)).json()) as { alarms: { id: number }[] };
    return alarms.length === 1 ? alarms : undefined;
  }, 'the alarm');
  return alarm!.id;
}
