import { afterEach, describe, expect, it } from 'vitest';
import { OPEN_FAULTS_CACHE_MS } from '../../src/metrics/hub-metrics.js';
import { makeFaultReport } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { TestAgent } from '../helpers/hub-agent.js';
import { hubWithTwoWebhooks } from '../helpers/notify-hub.js';
import { parseExposition } from './parse-exposition.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Two receivers get every notice: `ops` takes it, `broken` refuses it for good. */
async function hubWithReceivers() {
  const { h } = await hubWithTwoWebhooks(cleanups);
  const agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
  cleanups.push(() => agent.close());
  await agent.next();
  const samples = async () => parseExposition(await (await fetch(`http://127.0.0.1:${h.hub.address.port}/metrics`)).text()).samples;
  return { h, agent, samples };
}

describe('the alarm and notification metrics', () => {
  it('count notifications delivered and failed by receiver', async () => {
    const { h, agent, samples } = await hubWithReceivers();
    expect((await agent.report(makeFaultReport({ seq: 1, since: new Date(h.clock.now()).toISOString() }))).type).toBe('ack');
    await h.clock.advance(30_000);
    const after = await waitFor(async () => {
      const s = await samples();
      return s.get('posdiag_hub_notification_failures_total{receiver="broken",outcome="failed"}') === 1 && s.get('posdiag_hub_notifications_delivered_total{receiver="ops"}') === 1 ? s : undefined;
    }, 'one delivered, one failed');
    expect(after.get('posdiag_hub_notifications_delivered_total{receiver="broken"}')).toBeUndefined();
    expect(after.get('posdiag_hub_notification_failures_total{receiver="ops",outcome="failed"}')).toBeUndefined();
  });

  it('read the open alarms by severity and code from the store, active and not closed', async () => {
    const { h, agent, samples } = await hubWithReceivers();
    const key = (severity: string, code: string) => `posdiag_hub_open_alarms{severity="${severity}",code="${code}"}`;
    const since = new Date(h.clock.now()).toISOString();
    expect((await samples()).get(key('major', 'printer.paper_end'))).toBeUndefined();
    for (const [seq, code, severity] of [[1, 'printer.paper_end', 'major'], [2, 'printer.cover_open', 'major'], [3, 'network.link_down', 'critical']] as const) {
      expect((await agent.report(makeFaultReport({ seq, code, severity, since }))).type).toBe('ack');
    }
    await activeAlarms(h.api, 3);
    await h.clock.advance(OPEN_FAULTS_CACHE_MS);
    const open = await samples();
    expect(open.get(key('critical', 'network.link_down'))).toBe(1);
    expect(open.get(key('major', 'printer.paper_end'))).toBe(1);
    expect(open.get(key('major', 'printer.cover_open'))).toBe(1);

    expect((await agent.report(makeFaultReport({ seq: 4, since, state: 'cleared' }))).type).toBe('ack');
    await activeAlarms(h.api, 2);
    await h.clock.advance(OPEN_FAULTS_CACHE_MS);
    const later = await samples();
    expect(later.get(key('major', 'printer.paper_end'))).toBeUndefined();
    expect(later.get(key('major', 'printer.cover_open'))).toBe(1);
  });
});

/** The alarms are made after the ack: waited for through the API before the metrics are read. */
const activeAlarms = (api: string, n: number) =>
  waitFor(async () => {
    const { alarms } = (await (await fetch(`${api}/alarms?status=active`)).json()) as { alarms: unknown[] };
    return alarms.length === n ? alarms : undefined;
  }, `${n} active alarms`);
