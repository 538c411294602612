import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';
import { parseDuration } from '../../src/config/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'posdiag-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(value: unknown): string {
  try {
    parseConfig(value);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('accepts the SPEC example and fills defaults', () => {
    const config = loadConfig(new URL('../../fixtures/config/full.json', import.meta.url).pathname);
    expect(config.terminal.id).toBe('T-0001');
    expect(config.devices.printer).toMatchObject({ transport: 'serial', path: '/dev/ttyS1' });
    expect(config.devices.network?.targets[0]).toMatchObject({ name: 'acquirer', tls: true });
    expect(config.outbox.maxBytes).toBeGreaterThan(0);
  });

  it('a minimal config monitors nothing and uses the real system paths', () => {
    const config = parseConfig({ terminal: { id: 'T-1' } });
    expect(config.paths).toEqual({ sysfs: '/sys', procfs: '/proc', state: '/var/lib/posdiag', logs: '/var/log/posdiag' });
    expect(config.devices).toEqual({});
    expect(config.locale).toBe('zh-CN');
  });

  it('names an unknown key with its path', () => {
    expect(errorOf({ terminal: { id: 'T-1' }, devices: { printer: { transport: 'serial', path: '/dev/x', baudrate: 9600 } } })).toMatch(
      /devices\.printer: unknown key "baudrate"/,
    );
    expect(errorOf({ terminal: { id: 'T-1' }, extra: 1 })).toMatch(/\(top level\): unknown key "extra"/);
  });

  it('names a wrong type and what was expected', () => {
    const message = errorOf({ terminal: { id: 'T-1' }, devices: { printer: { transport: 'serial', path: '/dev/x', baudRate: 'fast' } } });
    expect(message).toMatch(/devices\.printer\.baudRate: .*expected number/);
    expect(errorOf({ terminal: { id: 'T-1' }, devices: { network: { targets: [{ name: 'a b', host: 'h', port: 0 }] } } })).toMatch(
      /devices\.network\.targets\[0\]\.name: letters, digits/,
    );
    expect(errorOf({ terminal: { id: 'T-1' }, devices: { printer: { transport: 'parallel' } } })).toMatch(/devices\.printer\.transport/);
    expect(errorOf({})).toMatch(/terminal: /);
  });

  it('reports unreadable and non-JSON files clearly', () => {
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(/cannot read config file .*missing\.json/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "terminal": ');
    expect(() => loadConfig(bad)).toThrow(/bad\.json is not valid JSON/);
  });

  it('parses durations', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(() => parseDuration('5 minutes')).toThrow();
  });
});
