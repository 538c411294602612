import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { parseExposition } from './parse-exposition.js';

describe('MetricsRegistry', () => {
  it('writes HELP and TYPE before each metric, and a counter without labels as 0 from the start', async () => {
    const r = new MetricsRegistry();
    r.counter({ name: 'jobs_total', help: 'Jobs done.' });
    r.gauge({ name: 'queue_depth', help: 'Waiting.' }).set({}, 3);
    expect(await r.expose()).toBe('# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 0\n# HELP queue_depth Waiting.\n# TYPE queue_depth gauge\nqueue_depth 3\n');
  });

  it('escapes label values (backslash, quote, line feed) and help text (backslash, line feed) as the format says', async () => {
    const r = new MetricsRegistry();
    r.counter({ name: 'odd_total', help: 'a\\b\nc "d"', labelNames: ['v'] }).inc({ v: 'x\\y"z\nw' });
    const text = await r.expose();
    expect(text).toContain('# HELP odd_total a\\\\b\\nc "d"\n');
    expect(text).toContain('odd_total{v="x\\\\y\\"z\\nw"} 1\n');
    expect(parseExposition(text).samples.get('odd_total{v="x\\y"z\nw"}')).toBe(1);
  });

  it('keeps one series per label values, in the declared label order', async () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: 'req_total', help: 'h', labelNames: ['route', 'status'] });
    c.inc({ status: '200', route: '/a' });
    c.inc({ route: '/a', status: '200' }, 2);
    c.inc({ route: '/b', status: '404' }, 0);
    const { samples } = parseExposition(await r.expose());
    expect(samples.get('req_total{route="/a",status="200"}')).toBe(3);
    expect(samples.get('req_total{route="/b",status="404"}')).toBe(0);
  });

  it('writes histograms with cumulative buckets, +Inf, _sum and _count', async () => {
    const r = new MetricsRegistry();
    const h = r.histogram({ name: 'took_seconds', help: 'h', buckets: [0.1, 1] });
    expect(parseExposition(await r.expose()).samples.get('took_seconds_bucket{le="+Inf"}')).toBe(0);
    for (const v of [0.05, 0.1, 0.5, 7]) h.observe({}, v);
    const { samples, type } = parseExposition(await r.expose());
    expect(type.get('took_seconds')).toBe('histogram');
    expect(samples.get('took_seconds_bucket{le="0.1"}')).toBe(2);
    expect(samples.get('took_seconds_bucket{le="1"}')).toBe(3);
    expect(samples.get('took_seconds_bucket{le="+Inf"}')).toBe(4);
    expect(samples.get('took_seconds_sum')).toBeCloseTo(7.65);
    expect(samples.get('took_seconds_count')).toBe(4);
  });

  it('runs the beforeExpose hooks at each exposition, and a reset gauge shows no series', async () => {
    const r = new MetricsRegistry();
    const g = r.gauge({ name: 'now_open', help: 'h', labelNames: ['kind'] });
    let open = 2;
    r.beforeExpose(async () => {
      g.reset();
      if (open > 0) g.set({ kind: 'a' }, open);
    });
    expect(parseExposition(await r.expose()).samples.get('now_open{kind="a"}')).toBe(2);
    open = 0;
    expect([...parseExposition(await r.expose()).samples.keys()]).toEqual([]);
  });

  it('refuses what the format or the metric does not allow', () => {
    const r = new MetricsRegistry();
    expect(() => r.counter({ name: 'jobs', help: 'h' })).toThrow(/ends in _total/);
    expect(() => r.gauge({ name: '1bad', help: 'h' })).toThrow(/bad metric name/);
    expect(() => r.gauge({ name: 'g', help: 'h', labelNames: ['__x'] })).toThrow(/bad label name/);
    expect(() => r.histogram({ name: 'h', help: 'h', buckets: [1, 1] })).toThrow(/increasing/);
    expect(() => r.histogram({ name: 'h2', help: 'h', labelNames: ['le'], buckets: [1] })).toThrow(/bucket label/);
    const c = r.counter({ name: 'c_total', help: 'h', labelNames: ['a'] });
    expect(() => r.counter({ name: 'c_total', help: 'h' })).toThrow(/registered already/);
    expect(() => c.inc({ a: 'x' }, -1)).toThrow(/only goes up/);
    expect(() => c.inc({ b: 'x' } as never)).toThrow(/takes the labels \[a\]/);
  });
});
