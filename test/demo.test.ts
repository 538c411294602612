import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportSchema } from '../src/report/schema.js';
import { runPosdiag } from './helpers/cli-process.js';

const keep = mkdtempSync(join(tmpdir(), 'posdiag-demo-test-'));
afterAll(() => rmSync(keep, { recursive: true, force: true }));

describe('posdiag demo --json (process)', () => {
  it('prints every stored report as one JSON line: paper end raised and cleared, battery low raised', async () => {
    const { code, stdout, stderr } = await runPosdiag(['demo', '--duration', '14', '--json', '--keep', keep], { timeoutMs: 40_000 });
    expect(code, stderr).toBe(0);
    const rows = stdout.trim().split('\n').map((line) => JSON.parse(line));
    for (const row of rows) {
      const { receivedAt, ...report } = row;
      expect(typeof receivedAt).toBe('string');
      reportSchema.parse(report);
    }
    const faults = rows.filter((r) => r.kind === 'fault').map((r) => `${r.code} ${r.state}`);
    expect(faults).toEqual(expect.arrayContaining(['printer.paper_end raised', 'printer.paper_end cleared', 'battery.low raised']));
    expect(faults.indexOf('printer.paper_end raised')).toBeLessThan(faults.indexOf('printer.paper_end cleared'));
    const paperEnd = rows.find((r) => r.code === 'printer.paper_end');
    expect(paperEnd).toMatchObject({ terminal: 'T-DEMO-0001', category: 'io', severity: 'major' });
    // Seqs grow by exactly one: nothing was lost on the way.
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    // --keep leaves the agent's state and logs and the hub's database.
    expect(existsSync(join(keep, 'hub', 'hub.db'))).toBe(true);
    expect(existsSync(join(keep, 'logs', 'posdiag.log'))).toBe(true);
    expect(existsSync(join(keep, 'state', 'outbox'))).toBe(true);
  });
});
