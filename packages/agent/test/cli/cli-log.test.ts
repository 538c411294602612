import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { createFileLogger } from '../../src/log/file-logger.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'posdiag-cli-log-'));
const clock = new FakeClock(Date.now() - 60 * 60_000);

beforeAll(async () => {
  const file = createFileLogger({ dir, level: 'debug', maxBytes: 1 << 20, keep: 2, clock });
  file.logger.info({ device: 'battery' }, 'an hour ago');
  await clock.advance(59 * 60_000);
  file.logger.warn({ device: 'printer', fault: 'printer.paper_end', evidence: { 'printer.paper': 'end' } }, 'printer.paper_end raised');
  file.logger.debug({ device: 'printer' }, 'poll');
  file.logger.error({ device: 'battery', fault: 'battery.failure' }, 'battery.failure raised');
  await file.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('posdiag log', () => {
  it('prints human lines, oldest first', async () => {
    const { code, stdout } = await runCli(['log', '--dir', dir]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/INFO.*battery.*an hour ago/);
    expect(lines[1]).toMatch(/WARN.*printer.*printer\.paper_end/);
  });

  it('filters by level, device, fault and since; --json gives entries', async () => {
    const byLevel = await runCli(['log', '--dir', dir, '--level', 'warn', '--json']);
    expect(byLevel.stdout.trim().split('\n').map((l) => JSON.parse(l).msg)).toEqual(['printer.paper_end raised', 'battery.failure raised']);
    const byDevice = await runCli(['log', '--dir', dir, '--device', 'printer', '--json']);
    expect(byDevice.stdout.trim().split('\n').map((l) => JSON.parse(l).msg)).toEqual(['printer.paper_end raised', 'poll']);
    const byFault = await runCli(['log', '--dir', dir, '--fault', 'battery.failure', '--json']);
    expect(byFault.stdout.trim().split('\n').map((l) => JSON.parse(l).level)).toEqual(['error']);
    const recent = await runCli(['log', '--dir', dir, '--since', '10m', '--json']);
    expect(recent.stdout).not.toContain('an hour ago');
    expect(recent.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('refuses a bad --since or --level with exit 64', async () => {
    const since = await runCli(['log', '--dir', dir, '--since', 'yesterday']);
    expect(since.code).toBe(64);
    expect(since.stderr).toMatch(/invalid --since "yesterday"/);
    expect((await runCli(['log', '--dir', dir, '--level', 'loud'])).code).toBe(64);
  });

  it('follows until interrupted', async () => {
    const controller = new AbortController();
    const running = runCli(['log', '--dir', dir, '--follow', '--json', '--fault', 'battery.failure'], controller.signal);
    setTimeout(() => controller.abort(), 300);
    const { code, stdout } = await running;
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });
});
