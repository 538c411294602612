import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_FAULTS_CACHE_MS } from '../../src/metrics/hub-metrics.js';
import { startTestHub, TEST_TOKENS } from '../../../../test/support/hub-harness.js';
import { makeFaultReport, makeHeartbeat } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { TestAgent } from '../helpers/hub-agent.js';
import { subscribe } from '../helpers/sse-subscriber.js';
import { parseExposition } from './parse-exposition.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

describe('GET /metrics', () => {
  let h: Harness;
  const agents: TestAgent[] = [];
  beforeAll(async () => {
    h = await startTestHub();
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
  });
  afterAll(() => h.cleanup());

  const metricsUrl = () => `http://127.0.0.1:${h.hub.address.port}/metrics`;
  async function scrape() {
    const res = await fetch(metricsUrl());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parseExposition(await res.text());
  }
  const sample = async (key: string) => (await scrape()).samples.get(key);
  async function connect(terminal = 'T-0001') {
    const agent = await TestAgent.connect(h.hub.url, terminal, TEST_TOKENS[terminal as keyof typeof TEST_TOKENS]);
    agents.push(agent);
    expect((await agent.next()).type).toBe('welcome');
    return agent;
  }

  it('describes every metric with HELP and TYPE, counters ending in _total, the process metrics among them', async () => {
    const { help, type, samples } = await scrape();
    for (const [name, kind] of type) {
      expect(help.get(name), name).toBeTruthy();
      if (kind === 'counter') expect(name).toMatch(/_total$/);
    }
    expect(type.get('posdiag_hub_commit_duration_seconds')).toBe('histogram');
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(samples.get('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(samples.get('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(samples.get('posdiag_hub_reports_refused_total{reason="retryable"}')).toBe(0);
  });

  it('counts the terminals connected now', async () => {
    expect(await sample('posdiag_hub_connected_terminals')).toBe(0);
    const agent = await connect();
    expect(await sample('posdiag_hub_connected_terminals')).toBe(1);
    await agent.close();
    await waitFor(async () => ((await sample('posdiag_hub_connected_terminals')) === 0 ? true : undefined), 'the connection gone');
  });

  it('counts a stored report by kind, its commit in the batch and latency histograms, and a resend as a duplicate', async () => {
    const before = await scrape();
    const agent = await connect();
    const heartbeat = makeHeartbeat({ seq: 1 });
    expect(await agent.report(heartbeat)).toMatchObject({ type: 'ack', duplicate: false });
    expect(await agent.report(heartbeat)).toMatchObject({ type: 'ack', duplicate: true });
    const after = await scrape();
    const moved = (key: string) => after.samples.get(key)! - before.samples.get(key)!;
    expect(moved('posdiag_hub_reports_stored_total{kind="heartbeat"}')).toBe(1);
    expect(moved('posdiag_hub_reports_stored_total{kind="fault"}')).toBe(0);
    expect(moved('posdiag_hub_reports_duplicate_total')).toBe(1);
    expect(moved('posdiag_hub_commit_batch_size_count')).toBe(2);
    expect(moved('posdiag_hub_commit_batch_size_bucket{le="1"}')).toBe(2);
    expect(moved('posdiag_hub_commit_duration_seconds_count')).toBe(2);
  });

  it('reads the open faults by severity from the store, at most once per cache period', async () => {
    const key = 'posdiag_hub_open_faults{severity="critical"}';
    await h.clock.advance(OPEN_FAULTS_CACHE_MS);
    expect(await sample(key)).toBe(0);
    const agent = await connect('T-0002');
    expect(await agent.report(makeFaultReport({ terminal: 'T-0002', seq: 1, severity: 'critical' }))).toMatchObject({ type: 'ack' });
    expect(await sample(key)).toBe(0);
    await h.clock.advance(OPEN_FAULTS_CACHE_MS);
    expect(await sample(key)).toBe(1);
    expect(await sample('posdiag_hub_open_faults{severity="info"}')).toBe(0);
  });

  it('counts API requests by route class and status, and the alert stream subscribers', async () => {
    const key = 'posdiag_hub_api_requests_total{route="/api/bundles",status="404"}';
    const before = (await sample(key)) ?? 0;
    expect((await fetch(`${h.api}/bundles/no-such-bundle`)).status).toBe(404);
    expect((await fetch(`${h.api}/no-such-route-${Date.now()}`)).status).toBe(404);
    const { samples } = await scrape();
    expect(samples.get(key)).toBe(before + 1);
    expect([...samples.keys()].filter((k) => k.includes('no-such-route'))).toEqual([]);
    expect(samples.get('posdiag_hub_api_requests_total{route="other",status="404"}')).toBeGreaterThanOrEqual(1);

    const stream = await subscribe(`${h.api}/alerts`);
    expect(await sample('posdiag_hub_sse_subscribers')).toBe(1);
    stream.res.destroy();
    await waitFor(async () => ((await sample('posdiag_hub_sse_subscribers')) === 0 ? true : undefined), 'the stream closed');
  });
});

describe('who may read /metrics', () => {
  it('needs a token, of any role, once the API does; /healthz still does not', async () => {
    const h = await startTestHub({ apiToken: 'operator-secret' });
    try {
      const url = `http://127.0.0.1:${h.hub.address.port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      const res = await fetch(url, { headers: { authorization: 'Bearer operator-secret' } });
      expect(res.status).toBe(200);
      expect(parseExposition(await res.text()).type.get('posdiag_hub_connected_terminals')).toBe('gauge');
      expect((await fetch(`http://127.0.0.1:${h.hub.address.port}/healthz?ready=1`)).status).toBe(200);
    } finally {
      await h.cleanup();
    }
  });
});
