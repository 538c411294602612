import { checkSilence } from '../../src/notify/silences.js';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { parseNotifyConfig } from '../../src/notify/config.js';
import { Dispatcher } from '../../src/notify/dispatcher.js';
import type { GroupNotice, NotifyAlert } from '../../src/notify/group-notice.js';

const S = 1000;
const M = 60 * S;

const receivers = ['team', 'critical', 'lead', 'quiet'].map((name) => ({
  name,
  ...(name === 'quiet' ? { send_resolved: false } : {}),
  webhook: { url: 'http://127.0.0.1:9/hook', secret: 's' },
}));

function setup(route: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const clock = new FakeClock();
  const sent: GroupNotice[] = [];
  const config = parseNotifyConfig({ route: { receiver: 'team', group_by: ['region'], ...route }, receivers, ...extra });
  const dispatcher = new Dispatcher({ config, clock, onNotify: (receiver, n) => sent.push({ ...n, receiver }) });
  const fire = (terminal: string, labels: Record<string, string> = {}, code = 'printer.paper_out'): NotifyAlert => {
    const alert: NotifyAlert = {
      key: `${terminal}|${code}|`,
      status: 'firing',
      labels: { terminal, code, severity: 'major', region: 'north', ...labels },
      annotations: { summary: code },
      startsAt: clock.now(),
    };
    dispatcher.alert(alert);
    return alert;
  };
  const resolve = (alert: NotifyAlert) => dispatcher.alert({ ...alert, status: 'resolved', endsAt: clock.now() });
  const notices = () => sent.splice(0);
  const take = () => notices().map((n) => ({ receiver: n.receiver, status: n.status, alerts: n.alerts.map((a) => `${a.labels.terminal ?? a.labels.code}:${a.status}`), stage: n.escalationStage }));
  return { clock, dispatcher, fire, resolve, take, notices };
}

describe('the dispatcher', () => {
  it('batches two alerts of one group into one notification after group_wait', async () => {
    const { clock, fire, take } = setup({});
    fire('T1');
    await clock.advance(10 * S);
    fire('T2');
    await clock.advance(19 * S);
    expect(take()).toEqual([]);
    await clock.advance(1 * S);
    expect(take()).toEqual([{ receiver: 'team', status: 'firing', alerts: ['T1:firing', 'T2:firing'], stage: undefined }]);
  });

  it('keeps groups apart by their group_by values and names them as Alertmanager does', async () => {
    const { clock, fire, notices } = setup({});
    fire('T1');
    fire('T2', { region: 'south' });
    await clock.advance(30 * S);
    expect(notices().map((n) => [n.groupKey, n.groupLabels, n.commonLabels.region])).toEqual([
      ['{}:{region="north"}', { region: 'north' }, 'north'],
      ['{}:{region="south"}', { region: 'south' }, 'south'],
    ]);
  });

  it('tells a change at most every group_interval, and repeats an unchanged group after repeat_interval', async () => {
    const { clock, fire, take } = setup({ repeat_interval: '1h' });
    fire('T1');
    await clock.advance(30 * S);
    expect(take()).toHaveLength(1);
    await clock.advance(1 * M);
    fire('T2');
    await clock.advance(3 * M + 59 * S);
    expect(take()).toEqual([]);
    await clock.advance(1 * S); // 5 min after the first flush
    expect(take()).toEqual([{ receiver: 'team', status: 'firing', alerts: ['T1:firing', 'T2:firing'], stage: undefined }]);
    await clock.advance(55 * M);
    expect(take()).toEqual([]);
    await clock.advance(5 * M); // an hour after the last notice
    expect(take()).toEqual([{ receiver: 'team', status: 'firing', alerts: ['T1:firing', 'T2:firing'], stage: undefined }]);
  });

  it('sends the resolved notice and then forgets the alert', async () => {
    const { clock, fire, resolve, take } = setup({});
    const t1 = fire('T1');
    const t2 = fire('T2');
    await clock.advance(30 * S);
    take();
    resolve(t1);
    await clock.advance(5 * M);
    expect(take()).toEqual([{ receiver: 'team', status: 'firing', alerts: ['T1:resolved', 'T2:firing'], stage: undefined }]);
    resolve(t2);
    await clock.advance(5 * M);
    expect(take()).toEqual([{ receiver: 'team', status: 'resolved', alerts: ['T2:resolved'], stage: undefined }]);
    await clock.advance(5 * M);
    expect(take()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('sends no resolved alerts to a receiver with send_resolved false, and nothing for an alert resolved within group_wait', async () => {
    const { clock, fire, resolve, take } = setup({ receiver: 'quiet' });
    const t1 = fire('T1');
    const t2 = fire('T2', { region: 'south' });
    resolve(t2);
    await clock.advance(30 * S);
    expect(take()).toEqual([{ receiver: 'quiet', status: 'firing', alerts: ['T1:firing'], stage: undefined }]);
    resolve(t1);
    await clock.advance(5 * M);
    expect(take()).toEqual([]);
  });

  it('routes by severity with continue, one group per route', async () => {
    const { clock, fire, take } = setup({ routes: [{ matchers: { severity: ['critical'] }, receiver: 'critical', continue: true }, { matchers: { region: 'north' }, receiver: 'team' }] });
    fire('T1', { severity: 'critical' });
    await clock.advance(30 * S);
    expect(take().map((n) => n.receiver)).toEqual(['critical', 'team']);
  });

  it('an alert that started more than group_wait ago goes out at once', async () => {
    const { clock, dispatcher, take } = setup({});
    await clock.advance(10 * M);
    dispatcher.alert({ key: 'T1|x|', status: 'firing', labels: { terminal: 'T1', region: 'north' }, annotations: {}, startsAt: clock.now() - 5 * M });
    await clock.advance(0);
    expect(take()).toEqual([{ receiver: 'team', status: 'firing', alerts: ['T1:firing'], stage: undefined }]);
  });
});

describe('silences', () => {
  it('mute matching alerts while active; a still-firing alert is news when the silence ends', async () => {
    const { clock, dispatcher, fire, take } = setup({});
    const silence = { id: '1', matchers: { terminal: 'T2' }, startsAt: clock.now(), endsAt: clock.now() + 20 * M, createdBy: 'ops', comment: 'paper being replaced' };
    dispatcher.silences.replace([silence]);
    fire('T1');
    fire('T2');
    await clock.advance(30 * S);
    expect(take()).toEqual([{ receiver: 'team', status: 'firing', alerts: ['T1:firing'], stage: undefined }]);
    await clock.advance(15 * M);
    expect(take()).toEqual([]);
    expect(dispatcher.silences.list(clock.now()).map((s) => [s.id, s.state])).toEqual([[silence.id, 'active']]);
    await clock.advance(4 * M + 59 * S); // the silence is over at 20m; the next flush is at 20m30s
    expect(take()).toEqual([]);
    await clock.advance(1 * S);
    expect(take()).toEqual([{ receiver: 'team', status: 'firing', alerts: ['T1:firing', 'T2:firing'], stage: undefined }]);
  });

  it('a silence expired early (as the store gives it back) mutes no more; a silence needs matchers, a maker and a reason', async () => {
    const { clock, dispatcher, fire, take } = setup({});
    const s = { id: '7', matchers: { region: 'north' }, startsAt: clock.now(), endsAt: clock.now() + 1e9, createdBy: 'ops', comment: 'works' };
    dispatcher.silences.replace([s]);
    fire('T1');
    await clock.advance(30 * S);
    expect(take()).toEqual([]);
    dispatcher.silences.replace([{ ...s, endsAt: clock.now() }]);
    await clock.advance(5 * M);
    expect(take()).toEqual([{ receiver: 'team', status: 'firing', alerts: ['T1:firing'], stage: undefined }]);
    expect(() => checkSilence({ matchers: {}, startsAt: 0, endsAt: 1, createdBy: 'a', comment: 'b' })).toThrow(/at least one matcher/);
    expect(() => checkSilence({ matchers: { a: 'b' }, startsAt: 0, endsAt: 1, createdBy: 'a', comment: ' ' })).toThrow(/comment/);
    expect(() => checkSilence({ matchers: { a: 'b' }, startsAt: 1, endsAt: 1, createdBy: 'a', comment: 'b' })).toThrow(/end after it starts/);
  });
});

describe('escalation', () => {
  const route = { escalate: [{ after: '15m', receiver: 'lead' }] };

  it('tells the lead 15 min after the team heard, if nobody acknowledged, and the resolution after', async () => {
    const { clock, fire, resolve, take } = setup(route);
    const t1 = fire('T1');
    await clock.advance(30 * S);
    expect(take().map((n) => n.receiver)).toEqual(['team']);
    await clock.advance(15 * M - 1);
    expect(take()).toEqual([]);
    await clock.advance(1);
    expect(take()).toEqual([{ receiver: 'lead', status: 'firing', alerts: ['T1:firing'], stage: 1 }]);
    await clock.advance(30 * M);
    expect(take().filter((n) => n.receiver === 'lead')).toEqual([]);
    resolve(t1);
    await clock.advance(5 * M);
    expect(take()).toEqual([
      { receiver: 'team', status: 'resolved', alerts: ['T1:resolved'], stage: undefined },
      { receiver: 'lead', status: 'resolved', alerts: ['T1:resolved'], stage: 1 },
    ]);
  });

  it('stops on acknowledgement; an unack restarts the count', async () => {
    const { clock, dispatcher, fire, take } = setup(route);
    const t1 = fire('T1');
    fire('T2');
    await clock.advance(30 * S);
    take();
    await clock.advance(10 * M);
    dispatcher.acknowledged(t1.key);
    await clock.advance(5 * M);
    expect(take()).toEqual([{ receiver: 'lead', status: 'firing', alerts: ['T2:firing'], stage: 1 }]);
    await clock.advance(60 * M);
    expect(take().filter((n) => n.receiver === 'lead')).toEqual([]);
    dispatcher.unacknowledged(t1.key);
    await clock.advance(15 * M);
    expect(take().filter((n) => n.receiver === 'lead')).toEqual([{ receiver: 'lead', status: 'firing', alerts: ['T1:firing'], stage: 1 }]);
  });
});

describe('fleet correlation', () => {
  const correlate = { correlate: { labels: ['region'], codes: ['terminal.silent', 'network.link_down'], min: 5, window: '2m' } };

  it('folds 5 terminals of one region going silent into one incident, and releases the rest when it resolves', async () => {
    const { clock, fire, resolve, take } = setup({ group_by: ['region', 'code'] }, correlate);
    const alerts: NotifyAlert[] = [];
    for (const t of ['T1', 'T2', 'T3', 'T4', 'T5']) {
      alerts.push(fire(t, {}, t === 'T3' ? 'network.link_down' : 'terminal.silent'));
      await clock.advance(5 * S);
    }
    fire('T6', { region: 'south' }, 'terminal.silent'); // another region: its own notice
    await clock.advance(30 * S);
    expect(take()).toEqual([
      { receiver: 'team', status: 'firing', alerts: ['fleet.incident:firing'], stage: undefined },
      { receiver: 'team', status: 'firing', alerts: ['T6:firing'], stage: undefined },
    ]);
    alerts.push(fire('T7', {}, 'terminal.silent')); // joins the open incident: held too
    await clock.advance(5 * M);
    expect(take()).toEqual([]);
    resolve(alerts[0]!); // held: dropped, 5 terminals still fire
    resolve(alerts[1]!); // 4 still fire: the incident resolves and T3, T4, T5, T7 are released
    await clock.advance(0);
    expect(take()).toEqual([
      { receiver: 'team', status: 'firing', alerts: ['T3:firing'], stage: undefined },
      { receiver: 'team', status: 'firing', alerts: ['T4:firing', 'T5:firing', 'T7:firing'], stage: undefined },
    ]);
    await clock.advance(5 * M);
    expect(take()).toEqual([{ receiver: 'team', status: 'resolved', alerts: ['fleet.incident:resolved'], stage: undefined }]);
  });

  it('counts only terminals within the window, and leaves alerts already told to their groups', async () => {
    const { clock, fire, take } = setup({ group_interval: '1m' }, correlate);
    fire('T1', {}, 'terminal.silent');
    await clock.advance(30 * S);
    expect(take()).toEqual([{ receiver: 'team', status: 'firing', alerts: ['T1:firing'], stage: undefined }]);
    await clock.advance(2 * M); // T1 is now outside the window
    for (const t of ['T2', 'T3', 'T4', 'T5']) fire(t, {}, 'terminal.silent'); // 5 firing, 4 within the window
    await clock.advance(1 * M);
    expect(take()).toEqual([{ receiver: 'team', status: 'firing', alerts: ['T1:firing', 'T2:firing', 'T3:firing', 'T4:firing', 'T5:firing'], stage: undefined }]);
    fire('T6', {}, 'terminal.silent'); // T2..T6 within 2 min: the incident opens; T6, told nowhere yet, is held
    await clock.advance(1 * M); // the incident shares the group (region="north") of the alerts already told
    expect(take()).toEqual([
      { receiver: 'team', status: 'firing', alerts: ['T1:firing', 'T2:firing', 'T3:firing', 'T4:firing', 'T5:firing', 'fleet.incident:firing'], stage: undefined },
    ]);
    await clock.advance(4 * M);
    expect(take()).toEqual([]);
  });
});
