import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'posdiag-rules-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FIXTURES = fileURLToPath(new URL('../../fixtures/rules/', import.meta.url));
const NETWORK_RULE_TEST = fileURLToPath(new URL('../../src/devices/network/rule-tests/network.json', import.meta.url));

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), color: false, signal: new AbortController().signal });
  return { code, stdout, stderr };
}

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('posdiag rules check', () => {
  it('accepts the built-in rules; a site file redefining a built-in code is refused at its own rule index', async () => {
    expect((await run('rules', 'check', fileURLToPath(new URL('../../rules/default.json', import.meta.url)))).code).toBe(0);
    const site = file('site.json', { rules: [{ code: 'system.disk_low', when: { reading: 'system.disk_free_pct', lt: { threshold: 'system.disk_low_pct' } } }] });
    const res = await run('rules', 'check', site);
    expect(res.code).toBe(78);
    expect(res.stderr).toBe(`${site}: rules[0] (system.disk_low) code: the built-in rules already define "system.disk_low"\n`);
  });

  it('names the rule and key of every problem and exits 78', async () => {
    const bad = file('bad.json', {
      rules: [
        { code: 'site.one', when: { reading: 'x.y', eq: 1 } },
        { code: 'printer.offline', when: { all: [{ reading: 'printer.online', lt: { threshold: 'nope' } }] }, inhibitedBy: [{ code: 'printer.disconnected', scope: 'sideways' }] },
      ],
    });
    const res = await run('rules', 'check', bad);
    expect(res.code).toBe(78);
    expect(res.stderr).toContain(`${bad}: rules[1] (printer.offline) inhibitedBy[0]: a fault code, or {"code": code`);
    const compiled = file('compiled.json', { rules: [{ code: 'site.one', when: { reading: 'x.y', lt: { threshold: 'nope' } } }] });
    expect((await run('rules', 'check', compiled)).stderr.split('\n').filter(Boolean)).toEqual([
      `${compiled}: rules[0] (site.one) when.lt: unknown threshold "nope"`,
      `${compiled}: rules[0] (site.one) code: no catalog entry for "site.one"`,
    ]);
    expect((await run('rules', 'check', file('broken.json', '{'))).code).toBe(78);
  });

  it('is a usage error without an action or a file', async () => {
    expect((await run('rules', 'check')).code).toBe(64);
    expect((await run('rules', 'lint', 'x.json')).code).toBe(64);
  });
});

describe('posdiag rules test', () => {
  it('passes the shipped fixtures', async () => {
    const res = await run('rules', 'test', NETWORK_RULE_TEST, join(FIXTURES, 'flapping.json'));
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^ok {3}.*network\.json: /m);
  });

  it('reports the step whose events differ and exits 1', async () => {
    const wrong = file('wrong-test.json', {
      description: 'paper end expected too late',
      interval: '1s',
      series: { 'printer.paper': 'ok end end' },
      expect: [{ at: '2s', events: [{ code: 'printer.paper_end', state: 'raised' }] }],
    });
    const res = await run('rules', 'test', wrong);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe(
      `FAIL ${wrong}: paper end expected too late\n` +
        '  at 1s: expected [], got [raised printer.paper_end]\n' +
        '  at 2s: expected [raised printer.paper_end], got []\n',
    );
  });

  it('runs a site rule file named by the test, and rejects an invalid test with 78', async () => {
    file('site-rules.json', { thresholds: { 'site.slow_ms': 100 }, rules: [{ code: 'site.slow', when: { reading: 'site.ms', gt: { threshold: 'site.slow_ms' } } }] });
    const t = file('site-test.json', { description: 'd', rules: ['site-rules.json'], interval: '1s', series: { 'site.ms': '1' }, expect: [] });
    // site.slow has no catalog entry: the rule file is invalid, which is a configuration error.
    const res = await run('rules', 'test', t);
    expect(res.code).toBe(78);
    expect(res.stderr).toContain('rules[0] (site.slow) code: no catalog entry');
    const bad = file('bad-test.json', { description: 'd', interval: '1 s', series: {}, expect: [] });
    const res2 = await run('rules', 'test', bad);
    expect(res2.code).toBe(78);
    expect(res2.stderr).toContain(`${bad}: interval: a duration`);
  });
});
