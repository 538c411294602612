import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'posdiag-enroll-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('posdiag enroll', () => {
  const state = join(dir, 'state');
  const config = join(dir, 'config.json');
  mkdirSync(state);
  writeFileSync(config, JSON.stringify({ terminal: { id: 'T-E' }, paths: { state } }));

  it('forgets the enrolled card reader and USB devices', async () => {
    const enrolled = { version: 1, enrolledAt: '2026-11-01T00:00:00.000Z', reader: { bus: 'pcsc', name: 'ACS ACR39U ICC Reader' } };
    writeFileSync(join(state, 'card-reader-enrolled.json'), JSON.stringify(enrolled));
    writeFileSync(join(state, 'usb-enrolled.json'), '{}');
    const reader = await runCli(['enroll', 'card-reader', '--config', config]);
    expect(reader.code).toBe(0);
    expect(reader.stdout).toBe('forgot the enrolled card reader pcsc:"ACS ACR39U ICC Reader"; the next reader seen is enrolled\n');
    expect(existsSync(join(state, 'card-reader-enrolled.json'))).toBe(false);
    const usb = await runCli(['enroll', 'usb', '--config', config]);
    expect(usb.code).toBe(0);
    expect(usb.stdout).toMatch(/forgot 0 enrolled USB device/);
    expect(existsSync(join(state, 'usb-enrolled.json'))).toBe(false);
  });

  it('is a usage error without a known subject', async () => {
    expect((await runCli(['enroll', 'printer', '--config', config])).code).toBe(64);
  });
});
