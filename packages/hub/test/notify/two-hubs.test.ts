import { afterEach, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../src/server.js';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { recordingLogger, type RecordingLogger } from '../../../../test/support/recording-logger.js';
import { makeFaultReport } from '../../../../test/support/reports.js';
import { createTestDatabase, TEST_BACKEND } from '../../../../test/support/test-db.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { parseNotifyConfig } from '../../src/notify/config.js';
import { TestAgent } from '../helpers/hub-agent.js';
import { ok, startLoopbackReceiver } from './receivers/support/loopback-http.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * Two hubs on one PostgreSQL database notify as one (Alertmanager's cluster, its notification log in
 * the database): a region's terminals connected to different hubs are one group and one notice, sent
 * once; an acknowledgement made on either hub stops the escalation wherever it would fire.
 */
describe.runIf(TEST_BACKEND === 'postgres')('notifications from two hubs on one database', () => {
  it('group across hubs, notify once, and stop escalating on an acknowledgement made on the other hub', async () => {
    const hooks = await Promise.all(['team', 'lead'].map(() => startLoopbackReceiver(() => ok({}))));
    for (const hook of hooks) cleanups.push(() => hook.close());
    const [team, lead] = hooks as [(typeof hooks)[0], (typeof hooks)[0]];
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const notify = parseNotifyConfig({
      route: { receiver: 'team', group_by: ['region'], group_wait: '30s', group_interval: '5m', escalate: [{ after: '15m', receiver: 'lead' }] },
      receivers: [
        { name: 'team', webhook: { url: team.url, secret: 't' } },
        { name: 'lead', webhook: { url: lead.url, secret: 'l' } },
      ],
    });
    const tokens = { 'T-0001': 'token-one', 'T-0002': 'token-two' };
    // The fake clock runs 20 minutes while pongs come in real time: a keep-alive sweep may drop an agent,
    // whose terminal.silent would then be news to the team. Silence is not what this test is about.
    const options = { host: '127.0.0.1', port: 0, db: database.db, tokens, clock, notify, notifyLocale: 'en' as const, silenceAfterMs: 24 * 3_600_000 };
    const logs = { a: recordingLogger(), b: recordingLogger() };
    // What a hub heard from the other: its dispatcher has it once this is logged.
    const heard = (log: RecordingLogger, key: string, n = 1) =>
      waitFor(() => (log.entries.filter((e) => e.msg === 'notify message from another hub' && e.fields.key === key).length >= n ? true : undefined), `${key} shared`);
    const a: Hub = await startHub({ ...options, instance: 'hub-a', log: logs.a });
    cleanups.push(() => a.close());
    const b: Hub = await startHub({ ...options, instance: 'hub-b', log: logs.b });
    cleanups.push(() => b.close());
    const api = (hub: Hub) => `http://127.0.0.1:${hub.address.port}/api`;
    for (const terminal of ['T-0001', 'T-0002']) {
      const res = await fetch(`${api(a)}/terminals/${terminal}/labels`, { method: 'PUT', body: '{"labels":{"region":"north"}}' });
      expect(res.status).toBe(200);
    }
    const since = new Date(clock.now()).toISOString();
    for (const [hub, terminal] of [[a, 'T-0001'], [b, 'T-0002']] as const) {
      const agent = await TestAgent.connect(hub.url, terminal, tokens[terminal]);
      cleanups.push(() => agent.close());
      await agent.next();
      expect((await agent.report(makeFaultReport({ terminal, seq: 1, since }))).type).toBe('ack');
      await hub.notifierFed();
    }
    await heard(logs.b, 'T-0001|printer.paper_end|');
    await heard(logs.a, 'T-0002|printer.paper_end|');
    await clock.advance(30_000);
    await waitFor(() => (team.requests.length >= 1 ? true : undefined), "the team's notice");
    // A second hub's copy of the notice, had it been queued, would be sent within the same rounds.
    for (let step = 0; step < 3; step++) await clock.advance(1_000);
    await a.notifierFed();
    expect(team.requests).toHaveLength(1);
    expect(JSON.parse(team.requests[0]!.body).alerts.map((x: any) => x.labels.terminal).sort()).toEqual(['T-0001', 'T-0002']);

    const alarms = (await (await fetch(`${api(a)}/alarms?code=printer.paper_end`)).json()) as { alarms: { id: number; terminal: string }[] };
    const first = alarms.alarms.find((x) => x.terminal === 'T-0001')!;
    expect((await fetch(`${api(b)}/alarms/${first.id}/ack`, { method: 'POST', body: '{"comment":"on it"}' })).status).toBe(200);
    await b.notifierFed();
    // Hub a, which stored T-0001's alert, hears of its acknowledgement on hub b.
    await heard(logs.a, 'T-0001|printer.paper_end|');
    for (let step = 0; step < 6; step++) await clock.advance(3 * 60_000);
    await waitFor(async () => {
      if (lead.requests.length >= 1) return true;
      await clock.advance(60_000);
      return undefined;
    }, "the lead's notice");
    for (let step = 0; step < 3; step++) await clock.advance(60_000);
    expect(lead.requests).toHaveLength(1);
    expect(JSON.parse(lead.requests[0]!.body).alerts.map((x: any) => x.labels.terminal)).toEqual(['T-0002']);
    expect(team.requests).toHaveLength(1);
  }, 60_000);
});
