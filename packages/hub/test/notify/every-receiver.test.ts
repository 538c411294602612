import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { makeFaultReport } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { parseNotifyConfig } from '../../src/notify/config.js';
import { TestAgent } from '../helpers/hub-agent.js';
import { ok, startLoopbackReceiver, type RecordedRequest } from './receivers/support/loopback-http.js';
import { startLoopbackSmtp } from './receivers/support/loopback-smtp.js';
import { verifyDingtalkSign, verifyFeishuSign, verifyPosdiagSignature } from './receivers/support/verify-signatures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * The "done when": an agent's fault reaches a webhook, WeCom, DingTalk, Feishu and e-mail within
 * group_wait, once each, signed, and the resolved notice follows. The route picks the five by the
 * terminal's region label, set by an operator: the hub adds a terminal's labels to its alerts.
 */
describe('one fault, every kind of receiver', () => {
  it('the north team hears of T-0001 through all five, signed, once after group_wait; then resolved', async () => {
    let now = () => 0;
    const refuse = { status: 401, body: 'bad signature' };
    const webhook = await startLoopbackReceiver((req) => (verifyPosdiagSignature('hook-secret', header(req, 'x-posdiag-signature'), req.body, now()) ? ok({}) : refuse));
    const wecom = await startLoopbackReceiver(() => ok({ errcode: 0, errmsg: 'ok' }), '/cgi-bin/webhook/send');
    const dingtalk = await startLoopbackReceiver(
      (req) => (verifyDingtalkSign('ding-secret', req.url, now()) ? ok({ errcode: 0, errmsg: 'ok' }) : ok({ errcode: 310000, errmsg: 'sign not match' })),
      '/robot/send',
    );
    const feishu = await startLoopbackReceiver((req) =>
      verifyFeishuSign('lark-secret', JSON.parse(req.body), now()) ? ok({ code: 0, msg: 'success', data: {} }) : ok({ code: 19021, msg: 'sign match fail' }),
    );
    const smtp = await startLoopbackSmtp();
    const silentSouth = await startLoopbackReceiver(() => ok({}));
    for (const r of [webhook, wecom, dingtalk, feishu, smtp, silentSouth]) cleanups.push(() => r.close());
    const all = ['hook', 'wecom', 'dingtalk', 'feishu', 'mail'];
    const notify = parseNotifyConfig({
      route: {
        receiver: 'south',
        group_by: ['region', 'code'],
        group_wait: '30s',
        routes: all.map((receiver) => ({ matchers: { region: 'north' }, receiver, continue: true })),
      },
      receivers: [
        { name: 'hook', webhook: { url: webhook.url, secret: 'hook-secret' } },
        { name: 'wecom', wecom: { url: `${wecom.url}?key=k` } },
        { name: 'dingtalk', dingtalk: { url: `${dingtalk.url}?access_token=t`, secret: 'ding-secret' } },
        { name: 'feishu', feishu: { url: feishu.url, secret: 'lark-secret' } },
        { name: 'mail', email: { smtp: smtp.url, from: 'hub@posdiag.test', to: ['north-ops@posdiag.test'] } },
        { name: 'south', webhook: { url: silentSouth.url, secret: 'south-secret' } },
      ],
    });
    const h = await startTestHub({ notify, notifyLocale: 'en' });
    cleanups.push(() => h.cleanup());
    now = () => h.clock.now();
    const labelled = await fetch(`${h.api}/terminals/T-0001/labels`, { method: 'PUT', body: JSON.stringify({ labels: { region: 'north', merchant: 'Li' } }) });
    expect(labelled.status).toBe(200);
    const agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    cleanups.push(() => agent.close());
    await agent.next();

    const since = new Date(h.clock.now()).toISOString();
    expect((await agent.report(makeFaultReport({ seq: 1, since }))).type).toBe('ack');
    await h.hub.notifierFed();
    const http = [webhook, wecom, dingtalk, feishu];
    const heard = () => [...http.map((r) => r.requests.length), smtp.mails.length];
    await h.clock.advance(29_000);
    expect(heard()).toEqual([0, 0, 0, 0, 0]);
    await h.clock.advance(1_000);
    await waitFor(() => (heard().every((n) => n === 1) ? true : undefined), 'all five told');

    expect(JSON.parse(webhook.requests[0]!.body)).toMatchObject({
      version: '4',
      status: 'firing',
      groupLabels: { region: 'north', code: 'printer.paper_end' },
      alerts: [{ status: 'firing', labels: { terminal: 'T-0001', code: 'printer.paper_end', region: 'north', merchant: 'Li' } }],
    });
    // WeCom's markdown is `content`, DingTalk's `text` (their robots' message formats).
    expect(JSON.parse(wecom.requests[0]!.body).markdown.content).toContain('T-0001');
    expect(JSON.parse(dingtalk.requests[0]!.body).markdown.text).toContain('T-0001');
    expect(feishu.requests[0]!.body).toContain('T-0001');
    expect(smtp.mails[0]!.subject).toContain('[FIRING:1] printer.paper_end');
    expect(smtp.mails[0]!.to).toMatchObject({ text: 'north-ops@posdiag.test' });

    expect((await agent.report(makeFaultReport({ seq: 2, since, state: 'cleared' }))).type).toBe('ack');
    await waitFor(async () => {
      await h.clock.advance(10_000);
      return heard().every((n) => n === 2) ? true : undefined;
    }, 'all five told it resolved');
    expect(JSON.parse(webhook.requests[1]!.body)).toMatchObject({ status: 'resolved' });
    expect(JSON.parse(wecom.requests[1]!.body).markdown.content).toMatch(/RESOLVED/);
    expect(JSON.parse(dingtalk.requests[1]!.body).markdown.text).toMatch(/RESOLVED/);
    expect(feishu.requests[1]!.body).toMatch(/RESOLVED/);
    expect(smtp.mails[1]!.subject).toContain('[RESOLVED:1] printer.paper_end');
    // Once each: a few more group intervals send nothing more, and the region's route kept it from the root's.
    for (let step = 0; step < 4; step++) await h.clock.advance(60_000);
    expect(heard()).toEqual([2, 2, 2, 2, 2]);
    expect(silentSouth.requests).toEqual([]);
  }, 60_000);
});

function header(req: RecordedRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
