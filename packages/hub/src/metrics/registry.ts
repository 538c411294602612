import { checkLabelName, checkMetricName, escapeHelp, formatLabels, formatValue } from './exposition.js';

/**
 * A small metrics registry: counters, gauges and histograms with labels, written out in the Prometheus
 * text format (exposition.ts). No dependency and no process-wide state: each hub has its own registry,
 * so several hubs in one process (the tests) never mix their numbers.
 *
 * Invariants: a name is registered once; a counter's name ends in `_total` and it only goes up; every
 * sample carries exactly the label names its metric declared (anything else is a programming error and
 * throws); a metric without labels is shown from the start, one with labels once a series has been
 * touched (`inc(labels, 0)` makes one show 0). What is
 * read at scrape time (a gauge of what is connected now) is set by a `beforeExpose` hook.
 */
export type LabelValues<L extends string> = [L] extends [never] ? Record<string, never> : Readonly<Record<L, string>>;

type Collect = () => void | Promise<void>;

interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

abstract class Metric<L extends string, V> {
  protected readonly series = new Map<string, { labels: [string, string][]; value: V }>();
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  abstract readonly type: 'counter' | 'gauge' | 'histogram';

  constructor(options: MetricOptions<L>) {
    checkMetricName(options.name);
    for (const label of options.labelNames ?? []) checkLabelName(options.name, label);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
  }

  /** Forgets every series (a scrape-time gauge whose source is gone says nothing rather than something stale). */
  reset(): void {
    this.series.clear();
  }

  protected entry(labels: LabelValues<L>, initial: () => V): { value: V } {
    const given = labels as Readonly<Record<string, string>>;
    const names = Object.keys(given);
    if (names.length !== this.labelNames.length || !this.labelNames.every((n) => typeof given[n] === 'string')) {
      throw new RangeError(`${this.name} takes the labels [${this.labelNames.join(', ')}], got [${names.join(', ')}]`);
    }
    const pairs = this.labelNames.map((n): [string, string] => [n, given[n]!]);
    const key = JSON.stringify(pairs.map(([, v]) => v));
    let found = this.series.get(key);
    if (!found) this.series.set(key, (found = { labels: pairs, value: initial() }));
    return found;
  }

  /** The sample lines, without HELP and TYPE. */
  abstract lines(): string[];

  write(): string {
    return [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`, ...this.lines()].join('\n');
  }
}

export class Counter<L extends string = never> extends Metric<L, number> {
  readonly type = 'counter';

  constructor(options: MetricOptions<L>) {
    super(options);
    if (!options.name.endsWith('_total')) throw new RangeError(`counter ${options.name}: a counter's name ends in _total`);
    // One without labels is a single series, shown as 0 until it moves.
    if (this.labelNames.length === 0) this.inc({} as LabelValues<L>, 0);
  }

  inc(labels: LabelValues<L>, by = 1): void {
    if (!(by >= 0)) throw new RangeError(`${this.name} only goes up (inc by ${by})`);
    this.entry(labels, () => 0).value += by;
  }

  lines(): string[] {
    return [...this.series.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
}

export class Gauge<L extends string = never> extends Metric<L, number> {
  readonly type = 'gauge';

  set(labels: LabelValues<L>, value: number): void {
    this.entry(labels, () => 0).value = value;
  }

  inc(labels: LabelValues<L>, by = 1): void {
    this.entry(labels, () => 0).value += by;
  }

  dec(labels: LabelValues<L>, by = 1): void {
    this.inc(labels, -by);
  }

  lines(): string[] {
    return [...this.series.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
}

interface HistogramValue {
  /** Per bucket, not cumulative; the last is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram<L extends string = never> extends Metric<L, HistogramValue> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(options: MetricOptions<L> & { buckets: readonly number[] }) {
    super(options);
    if ((options.labelNames as readonly string[] | undefined)?.includes('le')) throw new RangeError(`histogram ${options.name}: le is the bucket label`);
    const { buckets } = options;
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) {
      throw new RangeError(`histogram ${options.name}: buckets must be finite and increasing`);
    }
    this.buckets = [...buckets];
    // As a counter: one without labels is shown, all zero, before its first observation.
    if (this.labelNames.length === 0) this.entry({} as LabelValues<L>, () => this.empty());
  }

  private empty(): HistogramValue {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(labels: LabelValues<L>, value: number): void {
    const h = this.entry(labels, () => this.empty()).value;
    const at = this.buckets.findIndex((b) => value <= b);
    h.counts[at === -1 ? this.buckets.length : at]! += 1;
    h.sum += value;
    h.count += 1;
  }

  lines(): string[] {
    const out: string[] = [];
    for (const { labels, value } of this.series.values()) {
      let cumulative = 0;
      [...this.buckets, Infinity].forEach((bound, i) => {
        cumulative += value.counts[i]!;
        out.push(`${this.name}_bucket${formatLabels([...labels, ['le', formatValue(bound)]])} ${cumulative}`);
      });
      out.push(`${this.name}_sum${formatLabels(labels)} ${formatValue(value.sum)}`, `${this.name}_count${formatLabels(labels)} ${value.count}`);
    }
    return out;
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric<string, unknown>>();
  private readonly hooks: Collect[] = [];

  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.add(new Counter(options));
  }

  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
    return this.add(new Gauge(options));
  }

  histogram<L extends string = never>(options: MetricOptions<L> & { buckets: readonly number[] }): Histogram<L> {
    return this.add(new Histogram(options));
  }

  /** `collect` runs at each exposition, before anything is written (all hooks at once): it sets what is read at scrape time. */
  beforeExpose(collect: Collect): void {
    this.hooks.push(collect);
  }

  /** Every metric in the order registered, once the hooks have run. */
  async expose(): Promise<string> {
    await Promise.all(this.hooks.map((collect) => collect()));
    return `${[...this.metrics.values()].map((m) => m.write()).join('\n')}\n`;
  }

  private add<M extends Metric<string, unknown>>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new RangeError(`metric ${metric.name} is registered already`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}
