import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultReport } from 'posdiag-protocol';
import { Alarms } from '../../src/alarms/alarms.js';
import type { AlarmEvent } from '../../src/alarms/alarm-events.js';
import { SilentReminders } from '../../src/alarms/reminders.js';
import { ActionConflict } from '../../src/alarms/transitions.js';
import type { HubStore } from '../../src/store/store.js';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { recordingLogger } from '../../../../test/support/recording-logger.js';
import { makeFaultReport } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { openTestStore } from '../helpers/store.js';

const START = Date.UTC(2026, 0, 2, 3, 4, 5);
const RAISED = { alert: true, cleared: false, gap: null };
const CLEARED = { alert: false, cleared: true, gap: null };
const NEITHER = { alert: false, cleared: false, gap: null };

describe('alarms from fault reports and presence (the store, both backends)', () => {
  let store: HubStore;
  let dispose: () => Promise<void>;
  let clock: FakeClock;
  let alarms: Alarms;
  let events: AlarmEvent[];
  beforeEach(async () => {
    ({ store, dispose } = await openTestStore());
    clock = new FakeClock(START);
    alarms = new Alarms(store.alarms, clock, recordingLogger());
    events = [];
    alarms.events.on((e) => events.push(e));
  });
  afterEach(() => dispose());

  const fault = (seq: number, overrides: Partial<FaultReport> = {}) => ({ ...makeFaultReport({ seq, ...overrides }), receivedAt: new Date(clock.now()).toISOString() });
  const apply = async (...items: [ReturnType<typeof fault>, typeof RAISED][]) => {
    for (const [row, meta] of items) alarms.stored(row, meta);
    await alarms.flushed();
  };
  const all = () => store.alarms.list({ limit: 100 });

  it('raises one alarm per key, repeats it, ignores stale and inhibited reports, clears and re-activates it', async () => {
    const first = fault(1);
    await apply([first, RAISED]);
    await clock.advance(1000);
    await apply([fault(2, { severity: 'critical' }), RAISED], [fault(3, { code: 'printer.cover_open' }), NEITHER]);
    let [alarm, ...others] = await all();
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({ terminal: 'T-0001', code: 'printer.paper_end', instance: null, status: 'active', acknowledged: false, count: 2, severity: 'critical', reportId: first.id, lastSeen: START + 1000 });
    // Seq 1 again (a report older than the one applied) changes nothing.
    await apply([fault(1, { state: 'cleared' }), CLEARED]);
    expect((await store.alarms.alarm(alarm!.id))!.status).toBe('active');
    await apply([fault(4, { state: 'cleared' }), CLEARED]);
    expect(await store.alarms.alarm(alarm!.id)).toMatchObject({ status: 'cleared', clearedAt: START + 1000 });
    await alarms.act(alarm!.id, { action: 'ack' }, 'otto');
    await apply([fault(5), RAISED]);
    [alarm, ...others] = await all();
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({ status: 'active', acknowledged: false, clearedAt: null, count: 3 });
    expect(events.map((e) => e.type)).toEqual(['raised', 'repeated', 'cleared', 'ack', 'reactivated']);
    const log = await store.alarms.log(alarm!.id);
    expect(log.filter((e) => e.kind === 'history').map((e) => [e.action, e.actor])).toEqual([
      ['raised', 'system'],
      ['repeated', 'system'],
      ['cleared', 'system'],
      ['ack', 'otto'],
      ['reactivated', 'system'],
    ]);
  });

  it('applies operators\' actions with system comments, refuses what makes no sense, and a closed alarm is never reopened', async () => {
    await apply([fault(1), RAISED]);
    const id = (await all())[0]!.id;
    await alarms.act(id, { action: 'ack', comment: 'on it' }, 'otto');
    await expect(alarms.act(id, { action: 'ack' }, 'otto')).rejects.toThrow(ActionConflict);
    await alarms.act(id, { action: 'assign', user: 'tess' }, 'otto');
    await alarms.act(id, { action: 'severity', severity: 'minor' }, 'otto');
    // An operator's severity stays when the fault is raised again.
    await apply([fault(2, { severity: 'critical' }), RAISED]);
    expect(await store.alarms.alarm(id)).toMatchObject({ severity: 'minor', severitySetBy: 'otto', assignee: 'tess', acknowledged: true });
    await alarms.act(id, { action: 'comment', comment: 'paper ordered' }, 'tess');
    await alarms.act(id, { action: 'close' }, 'otto');
    await expect(alarms.act(id, { action: 'close' }, 'otto')).rejects.toThrow('alarm is closed');
    expect(await alarms.act(999_999, { action: 'ack' }, 'otto')).toBeUndefined();
    const comments = (await store.alarms.log(id)).filter((e) => e.kind === 'comment').map((e) => [e.actor, e.detail]);
    expect(comments).toEqual([
      ['system', 'Raised (major)'],
      ['system', 'Acknowledged by otto'],
      ['otto', 'on it'],
      ['system', 'Assigned to tess by otto'],
      ['system', 'Severity set to minor by otto'],
      ['tess', 'paper ordered'],
      ['system', 'Closed by otto'],
    ]);
    await apply([fault(3), RAISED]);
    const [fresh, closed] = await all();
    expect(closed).toMatchObject({ id, status: 'cleared', closedAt: START });
    expect(fresh).toMatchObject({ status: 'active', count: 1, severity: 'major' });
    expect(fresh!.id).toBeGreaterThan(id);
  });

  it('filters by status, acknowledgement, severity, code, terminal, labels and onset, newest first with keyset paging', async () => {
    await apply([fault(1), RAISED], [fault(2, { code: 'printer.cover_open', severity: 'critical' }), RAISED], [fault(1, { terminal: 'T-0002' }), RAISED]);
    await store.alarms.setLabels('T-0002', { region: 'north', carrier: 'cm' });
    await store.alarms.setLabels('T-0001', { region: 'south' });
    const [t2, cover, paper] = await all();
    await alarms.act(cover!.id, { action: 'ack' }, 'otto');
    const ids = async (q: object) => (await store.alarms.list({ limit: 100, ...q })).map((a) => a.id);
    expect(await ids({ terminal: 'T-0001' })).toEqual([cover!.id, paper!.id]);
    expect(await ids({ acknowledged: true })).toEqual([cover!.id]);
    expect(await ids({ acknowledged: false, status: 'active' })).toEqual([t2!.id, paper!.id]);
    expect(await ids({ severity: 'critical' })).toEqual([cover!.id]);
    expect(await ids({ code: 'printer.paper_end' })).toEqual([t2!.id, paper!.id]);
    expect(await ids({ labels: { region: 'north' } })).toEqual([t2!.id]);
    expect(await ids({ labels: { region: 'north', carrier: 'ct' } })).toEqual([]);
    expect(await ids({ status: 'cleared' })).toEqual([]);
    expect(await ids({ sinceMs: Date.parse('2026-01-01T00:00:00.000Z'), untilMs: Date.parse('2026-01-01T00:00:00.001Z') })).toHaveLength(3);
    expect(await ids({ limit: 2 })).toEqual([t2!.id, cover!.id]);
    expect(await ids({ limit: 2, before: cover!.id })).toEqual([paper!.id]);
    expect(await store.alarms.openCounts()).toEqual(new Map([['T-0001', 2], ['T-0002', 1]]));
    await store.alarms.setLabels('T-0001', {});
    expect(await store.alarms.labels()).toEqual(new Map([['T-0002', { region: 'north', carrier: 'cm' }]]));
  });

  describe('terminal.silent', () => {
    const heardAt = (ms: number) => new Date(ms).toISOString();
    /** The terminal was heard at `ms` and is held by nobody now, as presence leaves it. */
    const heard = async (ms: number) => {
      await store.holdTerminal('T-0001', 'hub-a', ms, 1);
      await store.releaseTerminal('T-0001', 'hub-a', ms);
    };

    it('is raised by silent and cleared by back, whatever its acknowledgement', async () => {
      await heard(START - 60_000);
      alarms.presence({ type: 'silent', terminal: 'T-0001', lastHeard: heardAt(START - 60_000) });
      await alarms.flushed();
      const [alarm] = await all();
      expect(alarm).toMatchObject({ code: 'terminal.silent', instance: null, status: 'active', since: START - 60_000, category: 'network' });
      await alarms.act(alarm!.id, { action: 'ack' }, 'otto');
      await heard(START);
      alarms.presence({ type: 'back', terminal: 'T-0001', lastHeard: heardAt(START) });
      await alarms.flushed();
      expect(await store.alarms.alarm(alarm!.id)).toMatchObject({ status: 'cleared', acknowledged: true });
    });

    it('a back applied before its silent leaves no active alarm: the terminal was heard after the silence began', async () => {
      await heard(START - 60_000);
      // The terminal reconnected (presence says so) before the silence was applied here.
      await heard(START);
      alarms.presence({ type: 'back', terminal: 'T-0001', lastHeard: heardAt(START) });
      alarms.presence({ type: 'silent', terminal: 'T-0001', lastHeard: heardAt(START - 60_000) });
      await alarms.flushed();
      expect(await all()).toEqual([]);
      // A later silence, after that last hearing, is raised.
      alarms.presence({ type: 'silent', terminal: 'T-0001', lastHeard: heardAt(START) });
      await alarms.flushed();
      expect(await all()).toMatchObject([{ status: 'active', since: START }]);
    });

    it('reminds every period while it stays silent, once per period across hubs, and never after the clear', async () => {
      await heard(START - 60_000);
      alarms.presence({ type: 'silent', terminal: 'T-0001', lastHeard: heardAt(START - 60_000) });
      await alarms.flushed();
      const hourly = { store: store.alarms, events: alarms.events, clock, log: recordingLogger(), everyMs: 3_600_000 };
      const [a, b] = [new SilentReminders(hourly), new SilentReminders(hourly)];
      await clock.advance(3_599_999);
      expect(await a.check()).toBe(0);
      await clock.advance(1);
      expect([await a.check(), await b.check()]).toEqual([1, 0]);
      a.start();
      await clock.advance(3_600_000);
      a.stop();
      // The timer's check is a database round trip that may outlast the fake clock's turn.
      const reminders = await waitFor(() => {
        const found = events.filter((e) => e.type === 'reminder');
        return found.length === 2 ? found : undefined;
      }, 'the timer\'s reminder');
      expect(reminders.map((e) => e.alarm.remindedAt)).toEqual([START + 3_600_000, START + 7_200_000]);
      alarms.presence({ type: 'back', terminal: 'T-0001', lastHeard: heardAt(clock.now()) });
      await alarms.flushed();
      await clock.advance(3_600_000);
      expect(await a.check()).toBe(0);
    });
  });
});
