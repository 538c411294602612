import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../src/notify/config.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { TestAgent } from '../helpers/hub-agent.js';
import { subscribe } from '../helpers/sse-subscriber.js';
import { startLoopbackReceiver, type LoopbackReceiver } from '../notify/receivers/support/loopback-http.js';
import { apiClient, isCommand, nextMatching } from './support.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

/** Every webhook notice the receiver got, as Alertmanager v4 JSON, flattened to its alerts' labels. */
const noticedLabels = (ops: LoopbackReceiver) => ops.requests.flatMap((r) => (JSON.parse(r.body) as { alerts: { labels: Record<string, string>; annotations: { summary: string } }[] }).alerts);

describe('lost terminals and SLA breaches, through the alert stream and the notification routes', () => {
  let h: Harness;
  let ops: LoopbackReceiver;
  const api = apiClient(() => h.api);
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    ops = await startLoopbackReceiver(() => ({ status: 200, body: '{}' }));
    const notify = parseNotifyConfig({ route: { receiver: 'ops', group_by: ['code'], group_wait: '30s' }, receivers: [{ name: 'ops', webhook: { url: ops.url, secret: 's' } }] });
    h = await startTestHub({ notify, notifyLocale: 'en', workOrders: { sla: { major: { acceptMs: 10 * 60_000 } } } });
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await h.cleanup();
    await ops.close();
  });

  it('locks a terminal marked lost at once, alerts when it connects again (lock first), refuses other commands, and unlocks it', async () => {
    const agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    expect((await agent.next()).type).toBe('welcome');
    expect(await api.post('/terminals/T-0001/lost', {})).toMatchObject({ status: 400 });
    const marked = await api.post('/terminals/T-0001/lost', { comment: 'stolen from the shop overnight' });
    expect(marked).toMatchObject({ status: 201, body: { terminal: 'T-0001', kind: 'lost', state: 'submitted', severity: 'critical' } });
    const ref = marked.body.ref as string;
    expect((await nextMatching(agent, isCommand('lock'))).message).toMatchObject({ args: { reason: `marked lost (work order ${ref})` } });
    expect(await api.post('/terminals/T-0001/lost', { comment: 'again' })).toMatchObject({ status: 409 });
    expect(await api.post('/terminals/T-0001/commands', { name: 'ping' })).toMatchObject({ status: 409, body: { error: `terminal T-0001 is marked lost (work order ${ref}): it is sent only lock and unlock` } });
    expect(await api.post('/terminals/T-0001/commands', { name: 'self_test', args: { level: 'full' } })).toMatchObject({ status: 409 });
    expect(await api.post(`/workorders/${marked.body.id}/transition`, { to: 'closed' })).toMatchObject({ status: 409, body: { error: expect.stringMatching(/closes when the terminal is unlocked/) } });
    await agent.close();

    const stream = await subscribe(`${h.api}/alerts`);
    cleanups.push(async () => void stream.res.destroy());
    const again = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    cleanups.push(() => again.close());
    // Before anything else, the welcome too.
    expect(await again.next()).toMatchObject({ type: 'command', name: 'lock' });
    expect((await again.next()).type).toBe('welcome');
    const alert = await waitFor(() => stream.events.find((e) => e.event === 'alert' && e.data.code === 'terminal.lost_online'), 'the lost_online alert');
    expect(alert.data).toMatchObject({ terminal: 'T-0001', severity: 'critical', category: 'security', remote: '127.0.0.1', workOrder: ref, since: new Date(h.clock.now()).toISOString() });

    await h.hub.notifierFed();
    await h.clock.advance(30_000);
    const told = await waitFor(() => noticedLabels(ops).find((a) => a.labels.code === 'terminal.lost_online'), 'the notice of the lost terminal');
    expect(told.labels).toMatchObject({ terminal: 'T-0001', severity: 'critical', ref });
    // When and from where, in the summary the receivers show.
    expect(told.annotations.summary).toBe(`Terminal T-0001, marked lost (${ref}), connected at ${alert.data.since} from 127.0.0.1; it was sent lock`);

    const history = (await api.get(`/workorders/${marked.body.id}`)).body.history;
    expect(history.at(-1)).toMatchObject({ action: 'lost_online', detail: { remote: '127.0.0.1' } });

    expect(await api.post('/terminals/T-0001/unlock', { comment: 'found, returned by the police' })).toMatchObject({ status: 200, body: { state: 'closed', kind: 'lost' } });
    expect((await nextMatching(again, isCommand('unlock'))).message).toMatchObject({ args: {} });
    expect(await api.post('/terminals/T-0001/unlock', {})).toMatchObject({ status: 409, body: { error: 'terminal T-0001 is not marked lost' } });
    expect(await api.post('/terminals/T-0001/commands', { name: 'ping' })).toMatchObject({ status: 202 });
  });

  it('notes an SLA breach on the order once, and sends it through the routes', async () => {
    const stream = await subscribe(`${h.api}/alerts`);
    cleanups.push(async () => void stream.res.destroy());
    const opened = await api.post('/workorders', { terminal: 'T-0002', comment: 'display dead' });
    expect(opened.status).toBe(201);
    expect(await h.hub.checkSla()).toBe(0);
    await h.clock.advance(10 * 60_000);
    // The job on the hub's clock may have claimed it meanwhile; then this finds nothing left.
    const claimed = await h.hub.checkSla();
    const order = await waitFor(async () => {
      const { body } = await api.get(`/workorders/${opened.body.id}`);
      return body.acceptBreachedAt ? body : undefined;
    }, 'the breach on the order');
    expect(claimed).toBeLessThanOrEqual(1);
    expect(await h.hub.checkSla()).toBe(0);
    expect(order.history.filter((e: { action: string }) => e.action === 'sla_breached')).toMatchObject([{ actor: 'system', detail: { sla: 'accept' } }]);
    const streamed = await waitFor(() => stream.events.find((e) => e.event === 'alert' && e.data.code === 'workorder.sla_breached'), 'the breach on the alert stream');
    expect(streamed.data).toMatchObject({ terminal: 'T-0002', severity: 'major', workOrder: opened.body.ref, sla: 'accept', orderState: 'submitted' });
    expect(stream.events.filter((e) => e.data.code === 'workorder.sla_breached')).toHaveLength(1);

    await h.hub.notifierFed();
    await h.clock.advance(30_000);
    const told = await waitFor(() => noticedLabels(ops).find((a) => a.labels.code === 'workorder.sla_breached'), 'the notice of the breach');
    expect(told.labels).toMatchObject({ terminal: 'T-0002', severity: 'major', ref: opened.body.ref, sla: 'accept' });
    expect(told.annotations.summary).toMatch(new RegExp(`^Work order ${opened.body.ref} not accepted by `));
  });
});
