/**
 * A strict reader of the Prometheus text format 0.0.4 for the tests: every line is a HELP, a TYPE or a
 * sample of a metric whose TYPE came first; label values are unescaped. Anything else throws, so a
 * malformed exposition fails the test that reads it.
 */
export interface Exposition {
  help: Map<string, string>;
  type: Map<string, string>;
  /** `name{a="x",b="y"}` (labels in the order written) → value. */
  samples: Map<string, number>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function value(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const n = Number(text);
  if (text !== 'NaN' && Number.isNaN(n)) throw new Error(`bad sample value ${text}`);
  return n;
}

/** The metric family a sample belongs to: a histogram's _bucket, _sum and _count are its own. */
function family(name: string, type: Map<string, string>): string {
  if (type.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  if (type.get(base) === 'histogram') return base;
  throw new Error(`sample ${name} has no TYPE line before it`);
}

export function parseExposition(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a line feed');
  const out: Exposition = { help: new Map(), type: new Map(), samples: new Map() };
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') out.help.set(meta[2]!, meta[3]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
      else out.type.set(meta[2]!, meta[3]!);
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${JSON.stringify(line)}`);
    const [, name, labelText = '', valueText] = sample;
    family(name!, out.type);
    const labels: string[] = [];
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const m = LABEL.exec(labelText);
      if (!m) throw new Error(`bad labels in ${JSON.stringify(line)}`);
      labels.push(`${m[1]}="${unescape(m[2]!)}"`);
    }
    const key = labels.length > 0 ? `${name}{${labels.join(',')}}` : name!;
    if (out.samples.has(key)) throw new Error(`sample ${key} given twice`);
    out.samples.set(key, value(valueText!));
  }
  return out;
}
