import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRetain, parseSize } from '../src/cli/hub-command.js';
import { TEST_TOKENS } from '../../../test/support/hub-harness.js';
import { runHubMain } from './helpers/hub-main.js';

describe('posdiag hub --retain and --retain-bundles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-hub-retain-'));
  const tokensFile = join(dir, 'tokens.json');
  writeFileSync(tokensFile, JSON.stringify(TEST_TOKENS));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) => runHubMain(['--tokens', tokensFile, '--db', join(dir, 'hub.db'), ...args]);

  it.each([
    ['--retain', '12h', /--retain must be at least 1d \(got "12h"\)/],
    ['--retain', '90 days', /--retain must be a duration such as 90d or 12w \(got "90 days"\)/],
    ['--retain-bundles', '500', /--retain-bundles must be a size such as 500MB or 2GiB \(got "500"\)/],
    ['--retain-bundles', '2gib', /--retain-bundles must be a size such as 500MB or 2GiB \(got "2gib"\)/],
    ['--retain-bundles', '-1MB', /--retain-bundles must be a size such as 500MB or 2GiB \(got "-1MB"\)/],
    ['--retain-bundles', '0MB', /--retain-bundles must be more than 0 \(got "0MB"\)/],
  ])('exits 64 for %s %s with one line saying why (and the usage line)', async (flag, value, message) => {
    const { code, stderr } = await run([flag, value]);
    expect(code).toBe(64);
    const [line, usage, ...rest] = stderr.trimEnd().split('\n');
    expect(line).toMatch(message);
    expect(usage).toMatch(/^usage: posdiag-hub .*\[--retain DURATION\] \[--retain-bundles SIZE\]/);
    expect(rest).toEqual([]);
  });

  it('reads durations in the one grammar and sizes in decimal or binary units', () => {
    expect(parseRetain('1d')).toBe(86_400_000);
    expect(parseRetain('12w')).toBe(12 * 7 * 86_400_000);
    expect([parseSize('500MB'), parseSize('2GiB'), parseSize('64kB'), parseSize('1B')]).toEqual([500_000_000, 2 * 2 ** 30, 64_000, 1]);
  });
});
