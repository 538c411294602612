import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from 'posdiag-protocol';
import { TestAgent } from './helpers/hub-agent.js';
import { TEST_BACKEND } from '../../../test/support/test-db.js';
import { startTestHub } from '../../../test/support/hub-harness.js';
import { makeFaultReport, makeHeartbeat } from '../../../test/support/reports.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

describe('hub report intake', () => {
  let h: Harness;
  let agent: TestAgent;
  beforeEach(async () => {
    h = await startTestHub();
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    expect(await agent.next()).toMatchObject({ type: 'welcome', lastSeq: 0 });
  });
  afterEach(async () => {
    await agent.close();
    await h.cleanup();
  });

  const storedIds = async (terminal = 'T-0001') =>
    ((await (await fetch(`${h.api}/reports?terminal=${terminal}`)).json()) as { id: string }[]).map((r) => r.id);

  it('acks a valid report after storing it, and a resent id as a duplicate stored once', async () => {
    const report = makeFaultReport({ seq: 1 });
    expect(await agent.report(report)).toEqual({ type: 'ack', id: report.id, seq: 1, duplicate: false });
    expect(h.stored).toEqual([{ ...report, receivedAt: '2026-01-02T03:04:05.000Z' }]);
    expect(await agent.report(report)).toEqual({ type: 'ack', id: report.id, seq: 1, duplicate: true });
    expect(await storedIds()).toEqual([report.id]);
    expect(h.stored).toHaveLength(1);
  });

  it.each([
    ['malformed JSON', '{"type":"report",', /^invalid JSON: /, null],
    ['an unknown message type', JSON.stringify({ type: 'launch' }), /^invalid message: type: /, null],
  ])('answers %s with an error and keeps the connection usable', async (_name, frame, reason, ref) => {
    agent.send(frame);
    const error = await agent.next();
    expect(error).toMatchObject({ type: 'error', ref });
    expect(error.type === 'error' && error.reason).toMatch(reason);
    expect(await agent.report(makeHeartbeat({ seq: 1 }))).toMatchObject({ type: 'ack', duplicate: false });
  });

  it('names every schema issue by path and refers to the report id', async () => {
    const report = { ...makeFaultReport({ seq: 1 }), seq: 0, severity: 'dire' };
    const error = await agent.report(report);
    expect(error).toMatchObject({ type: 'error', ref: report.id });
    if (error.type !== 'error') throw new Error('expected an error');
    expect(error.reason).toContain('report.seq:');
    expect(error.reason).toContain('report.severity:');
    expect(await storedIds()).toEqual([]);
  });

  it('refuses binary frames', async () => {
    agent.ws.send(Buffer.from(JSON.stringify({ type: 'report', report: makeHeartbeat() })));
    expect(await agent.next()).toMatchObject({ type: 'error', reason: expect.stringMatching(/binary/), ref: null });
    expect(await agent.report(makeHeartbeat({ seq: 1 }))).toMatchObject({ type: 'ack' });
  });

  it("refuses a report for another terminal and never stores it", async () => {
    const foreign = makeHeartbeat({ terminal: 'T-0002', seq: 1 });
    expect(await agent.report(foreign)).toMatchObject({ type: 'error', ref: foreign.id, reason: expect.stringMatching(/T-0002.*T-0001/) });
    expect(await storedIds('T-0002')).toEqual([]);
    expect(h.stored).toEqual([]);
  });

  it('refuses an id already stored under another seq instead of acking it, for good', async () => {
    const first = makeHeartbeat({ seq: 1 });
    await agent.report(first);
    expect(await agent.report({ ...first, seq: 2 })).toMatchObject({ type: 'error', ref: first.id, retryable: false });
  });

  it("answers a report whose id another terminal used without a word about that terminal or its seq", async () => {
    const theirs = makeHeartbeat({ seq: 41 });
    await agent.report(theirs);
    const other = await TestAgent.connect(h.hub.url, 'T-0002', 'token-two');
    await other.next();
    const answer = await other.report({ ...theirs, terminal: 'T-0002', seq: 1 });
    await other.close();
    expect(answer).toMatchObject({ type: 'error', ref: theirs.id, retryable: false });
    const said = JSON.stringify(answer).replaceAll(theirs.id, '');
    expect(said).not.toContain('T-0001');
    expect(said).not.toContain('41');
    // The operator still learns who holds it.
    expect(h.log.entries).toContainEqual(
      expect.objectContaining({ msg: 'report id already stored for another report', fields: expect.objectContaining({ terminal: 'T-0002', heldBy: { terminal: 'T-0001', seq: 41 } }) }),
    );
  });

  // SQLite's lock: another process's exclusive transaction. (PostgreSQL makes the hub wait for a lock instead;
  // its unavailable database is store/postgres-restart.test.ts.)
  it.runIf(TEST_BACKEND === 'sqlite')('refuses a report it cannot store while another connection locks the database, as worth retrying, and stores it once retried', async () => {
    const locker = new Database(h.db);
    const report = makeFaultReport({ seq: 1 });
    try {
      locker.exec('BEGIN EXCLUSIVE');
      const answer = await agent.report(report);
      expect(answer).toMatchObject({ type: 'error', ref: report.id, retryable: true, reason: expect.stringMatching(/could not store.*locked/) });
      expect(h.stored).toEqual([]);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    expect(await agent.report(report)).toMatchObject({ type: 'ack', id: report.id, duplicate: false });
    expect(h.stored.map((r) => r.id)).toEqual([report.id]);
  });

  it('refuses a hello that names another terminal, accepts its own', async () => {
    agent.send({ type: 'hello', terminal: 'T-0002', agentVersion: '0.1.0', lastSeq: 0 });
    expect(await agent.next()).toMatchObject({ type: 'error', reason: expect.stringMatching(/T-0002/) });
    agent.send({ type: 'hello', terminal: 'T-0001', agentVersion: '0.1.0', lastSeq: 0 });
    expect(await agent.report(makeHeartbeat({ seq: 1 }))).toMatchObject({ type: 'ack' });
  });

  it('logs a command result', async () => {
    agent.send({ type: 'command_result', commandId: 'c-1', ok: true, detail: 'done' });
    await agent.report(makeHeartbeat({ seq: 1 }));
    expect(h.log.entries).toContainEqual(expect.objectContaining({ msg: 'command result', fields: expect.objectContaining({ commandId: 'c-1', ok: true }) }));
  });

  it('closes an oversize frame with 1009 and keeps serving other agents', async () => {
    const other = await TestAgent.connect(h.hub.url, 'T-0002', 'token-two');
    await other.next();
    agent.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect((await agent.closed).code).toBe(1009);
    expect(await other.report(makeHeartbeat({ terminal: 'T-0002', seq: 1 }))).toMatchObject({ type: 'ack' });
    await other.close();
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    expect(await agent.next()).toMatchObject({ type: 'welcome' });
  });

  it('stores a report past a seq gap and warns with the missing range; a late report fills it silently', async () => {
    await agent.report(makeHeartbeat({ seq: 1 }));
    expect(await agent.report(makeHeartbeat({ seq: 4 }))).toMatchObject({ type: 'ack', seq: 4, duplicate: false });
    const gaps = () => h.log.entries.filter((e) => e.msg?.startsWith('seq gap'));
    expect(gaps().map((e) => e.fields.missingSeqs)).toEqual([{ from: 2, to: 3 }]);
    expect(await agent.report(makeHeartbeat({ seq: 2 }))).toMatchObject({ type: 'ack', seq: 2, duplicate: false });
    expect(gaps()).toHaveLength(1);
    const seqs = ((await (await fetch(`${h.api}/reports`)).json()) as { seq: number }[]).map((r) => r.seq);
    expect(seqs).toEqual([1, 2, 4]);
  });

  it('stores a new id that reuses a stored seq (agent state reset) and warns', async () => {
    await agent.report(makeHeartbeat({ seq: 1 }));
    expect(await agent.report(makeHeartbeat({ seq: 1 }))).toMatchObject({ type: 'ack', seq: 1, duplicate: false });
    expect(await storedIds()).toHaveLength(2);
    expect(h.log.entries.filter((e) => e.level === 'warn' && e.msg?.startsWith('seq reused'))).toHaveLength(1);
  });

  it('alerts only for non-inhibited raised faults', async () => {
    const metas: boolean[] = [];
    h.hub.onStored((_row, meta) => metas.push(meta.alert));
    await agent.report(makeFaultReport({ seq: 1, code: 'network.link_down', instance: 'eth0', category: 'network', severity: 'critical' }));
    await agent.report(
      makeFaultReport({ seq: 2, code: 'network.dns_failure', instance: 'acquirer', category: 'network', inhibitedBy: 'network.link_down' }),
    );
    await agent.report(makeFaultReport({ seq: 3, code: 'network.link_down', instance: 'eth0', category: 'network', state: 'cleared' }));
    await agent.report(makeHeartbeat({ seq: 4 }));
    expect(metas).toEqual([true, false, false, false]);
    const alerts = h.log.entries.filter((e) => e.msg === 'alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ level: 'warn', fields: { terminal: 'T-0001', code: 'network.link_down', instance: 'eth0' } });
  });

  it('keeps lastSeq and dedup across a hub restart on the same database', async () => {
    const reports = [makeHeartbeat({ seq: 1 }), makeFaultReport({ seq: 2 })];
    for (const r of reports) await agent.report(r);
    await h.restart();
    expect((await agent.closed).code).toBe(1006);

    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    expect(await agent.next()).toMatchObject({ type: 'welcome', lastSeq: 2 });
    expect(await agent.report(reports[1])).toEqual({ type: 'ack', id: reports[1]!.id, seq: 2, duplicate: true });
    expect(await agent.report(makeHeartbeat({ seq: 3, id: randomUUID() }))).toMatchObject({ type: 'ack', duplicate: false });
    expect(await storedIds()).toEqual([reports[0]!.id, reports[1]!.id, expect.any(String)]);
  });
});
