import { readFileSync } from 'node:fs';
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

// A third-party validator (ajv, draft 2020-12) must accept our schemas and judge documents like zod does.
function compile(schema: object) {
  const ajv = new Ajv2020({ strict: true, validateFormats: false, strictTypes: false, allowUnionTypes: true });
  return ajv.compile(schema);
}

describe('posdiag schema', () => {
  it('prints the config schema, which a third-party validator accepts', async () => {
    const { code, stdout } = await runCli(['schema', 'config']);
    expect(code).toBe(0);
    const schema = JSON.parse(stdout);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const validate = compile(schema);
    expect(validate(JSON.parse(readFileSync(new URL('../../fixtures/config/full.json', import.meta.url), 'utf8')))).toBe(true);
    expect(validate({ terminal: { id: 'T-1' }, devices: { printer: { transport: 'serial', path: '/dev/x', bogus: 1 } } })).toBe(false);
  });

  it('prints the protocol schema covering both directions', async () => {
    const { code, stdout } = await runCli(['schema', 'protocol']);
    expect(code).toBe(0);
    const validate = compile(JSON.parse(stdout));
    expect(validate({ type: 'hello', terminal: 'T-1', agentVersion: '0.1.0', lastSeq: 0 })).toBe(true);
    expect(validate({ type: 'ack', id: '8c8a4a4e-3c1f-4d1e-9a3e-1a2b3c4d5e6f', seq: 3, duplicate: false })).toBe(true);
    expect(validate({ type: 'command', id: 'c1', name: 'rm -rf', args: {} })).toBe(false);
    expect(validate({ type: 'hello', terminal: 'T-1' })).toBe(false);
  });

  it('is a usage error without a valid subject', async () => {
    expect((await runCli(['schema'])).code).toBe(64);
    expect((await runCli(['schema', 'rules'])).code).toBe(64);
    expect((await runCli(['schema', '--bogus'])).code).toBe(64);
  });

  it('answers --help and rejects unknown commands', async () => {
    const help = await runCli(['schema', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: posdiag schema/);
    expect((await runCli(['frobnicate'])).code).toBe(64);
  });
});
