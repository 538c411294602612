import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';
import { parseDuration } from '../../src/config/schema.js';
import { jsonSchemaOf } from '../../src/cli/commands/schema.js';

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
    expect(config.paths).toEqual({ sysfs: '/sys', procfs: '/proc', dev: '/dev', state: '/var/lib/posdiag', logs: '/var/log/posdiag' });
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

  it('takes uplink.url as one hub or a list of hubs, kept as given', () => {
    const uplinkOf = (url: unknown) => parseConfig({ terminal: { id: 'T-1' }, uplink: { url, token: 't' } }).uplink;
    expect(uplinkOf('wss://hub.example.com/agent')).toEqual({ url: 'wss://hub.example.com/agent', token: 't' });
    expect(uplinkOf(['wss://a.example.com/agent', 'ws://127.0.0.1:8080/agent'])?.url).toEqual(['wss://a.example.com/agent', 'ws://127.0.0.1:8080/agent']);
  });

  it('refuses an empty hub list, a URL that is not ws:// or wss://, and a hub listed twice, naming the key', () => {
    const errorFor = (url: unknown) => errorOf({ terminal: { id: 'T-1' }, uplink: { url } });
    expect(errorFor([])).toBe('config: uplink.url: at least one hub URL');
    expect(errorFor('https://hub.example.com/agent')).toBe('config: uplink.url: a ws:// or wss:// URL');
    expect(errorFor(['wss://a.example.com/agent', 'http://b.example.com/agent'])).toBe('config: uplink.url[1]: a ws:// or wss:// URL');
    expect(errorFor(42)).toBe('config: uplink.url: a ws:// or wss:// URL, or a non-empty list of them');
    // The same hub however it is spelt: host case and the scheme's default port do not make another.
    expect(errorFor(['wss://a.example.com/agent', 'wss://b.example.com/agent', 'WSS://A.example.com:443/agent'])).toBe(
      'config: uplink.url[2]: the same hub as uplink.url[0]',
    );
  });

  it('publishes uplink.url in `posdiag schema config` as a URL or a non-empty list of them', () => {
    const schema = jsonSchemaOf('config') as { properties: { uplink: { properties: { url: unknown } } } };
    expect(schema.properties.uplink.properties.url).toMatchObject({
      anyOf: [
        { type: 'string', format: 'uri' },
        { type: 'array', minItems: 1, items: { type: 'string', format: 'uri' } },
      ],
    });
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
