import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openOutbox } from '../../src/report/outbox.js';
import { readOutboxLastSeq } from '../../src/report/outbox/read-only-stats.js';
import { decodeSwapFile, encodeSwapFile, SwapFileError, type SwapFile } from '../../src/repair/swap-file.js';
import { readSwapMarker } from '../../src/repair/swap-marker.js';
import { readWorkOrder, writeWorkOrder } from '../../src/repair/work-order.js';
import { faultDraft } from '../helpers/outbox-drafts.js';
import { runCli } from '../helpers/run-cli.js';

const SWAP: SwapFile = {
  format: 'posdiag-swap',
  version: 1,
  swapId: '0b7f9c4e-2d1a-4f3b-9e8d-7c6b5a493827',
  exportedAt: '2026-03-01T08:00:00.000Z',
  slot: { terminal: 'T-0001', fromSerial: 'SN-A', lastSeq: 41 },
  config: { terminal: { id: 'T-0001', model: 'X990', serial: 'SN-A' }, uplink: { url: 'ws://127.0.0.1:9/agent', token: 'token-one' }, locale: 'en' },
  credentials: {},
  workOrder: { ref: 'WO-7K2QF', state: 'spare_sent' },
};

describe('the swap file codec', () => {
  it('round-trips', () => {
    expect(decodeSwapFile(encodeSwapFile(SWAP))).toEqual(SWAP);
  });

  it('refuses another version, a file that is not one, and a bad field, each in one line', () => {
    const refusal = (text: string) => {
      try {
        decodeSwapFile(text);
      } catch (err) {
        expect(err).toBeInstanceOf(SwapFileError);
        expect((err as Error).message).not.toContain('\n');
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal(JSON.stringify({ ...SWAP, version: 2 }))).toBe('swap file version 2 is not one this agent reads (it reads version 1); export it again with this agent\'s version');
    expect(refusal('{"format": "posdiag-swap", "vers')).toMatch(/^not JSON: /);
    expect(refusal(JSON.stringify({ terminal: { id: 'T-0001' } }))).toBe('not a posdiag swap file (no "format": "posdiag-swap")');
    expect(refusal(JSON.stringify({ ...SWAP, slot: { ...SWAP.slot, terminal: 'no spaces allowed' } }))).toMatch(/^invalid swap file: slot\.terminal: /);
    expect(refusal(JSON.stringify({ ...SWAP, extra: true }))).toMatch(/^invalid swap file: /);
  });
});

describe('posdiag swap export and import (in-process CLI)', () => {
  let dir: string;
  const unitA = () => join(dir, 'a');
  const unitB = () => join(dir, 'b');
  const configA = () => join(unitA(), 'config.json');
  const configB = () => join(unitB(), 'config.json');
  const swapFile = () => join(dir, 'swap.json');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posdiag-swap-'));
    mkdirSync(unitA());
    mkdirSync(unitB());
    writeFileSync(join(unitA(), 'hub-ca.pem'), '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
    writeFileSync(join(unitA(), 'client.key'), '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n');
    writeFileSync(join(unitA(), 'client.pem'), '-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n');
    const uplink = { url: 'wss://127.0.0.1:9/agent', token: 'token-one', ca: join(unitA(), 'hub-ca.pem'), cert: join(unitA(), 'client.pem'), key: join(unitA(), 'client.key') };
    writeFileSync(configA(), JSON.stringify({ terminal: { id: 'T-0001', model: 'X990', serial: 'SN-A', purchaseDate: '2024-05-01' }, paths: { state: join(unitA(), 'state'), logs: join(unitA(), 'logs') }, control: { socket: join(unitA(), 'control.sock') }, uplink, locale: 'en' }));
    // A's outbox reached seq 3; its work order is open.
    const outbox = await openOutbox({ dir: join(unitA(), 'state', 'outbox'), maxBytes: 1024 * 1024, memoryRing: 16 });
    for (let i = 0; i < 3; i++) await outbox.record(faultDraft());
    await outbox.close();
    writeWorkOrder(join(unitA(), 'state'), { ref: 'WO-7K2QF', state: 'spare_sent', url: 'https://hub.example/wo/q8Zr1' }, Date.now());
    // B, the spare, ran as SPARE-07: its own outbox, wear counters and paths.
    writeFileSync(configB(), JSON.stringify({ terminal: { id: 'SPARE-07', model: 'X990', serial: 'SN-B' }, paths: { state: join(unitB(), 'state'), logs: join(unitB(), 'logs') }, control: { socket: join(unitB(), 'control.sock') }, locale: 'en' }));
    const spareOutbox = await openOutbox({ dir: join(unitB(), 'state', 'outbox'), maxBytes: 1024 * 1024, memoryRing: 16 });
    await spareOutbox.record(faultDraft());
    await spareOutbox.close();
    writeFileSync(join(unitB(), 'state', 'lifetime-counters.json'), '{"printer": "B\'s own wear"}\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('export writes mode 0600 with the slot, the config as written, the PEM contents and the work order, nothing of the unit', async () => {
    const { code, stdout, stderr } = await runCli(['swap', 'export', '-o', swapFile(), '--config', configA()]);
    expect(stderr).toContain('slot T-0001 (unit SN-A, seq 3, work order WO-7K2QF) written');
    expect([code, stdout]).toEqual([0, `${swapFile()}\n`]);
    expect(statSync(swapFile()).mode & 0o777).toBe(0o600);
    const swap = decodeSwapFile(readFileSync(swapFile(), 'utf8'));
    expect(swap.slot).toEqual({ terminal: 'T-0001', fromSerial: 'SN-A', lastSeq: 3 });
    expect(swap.config).toEqual(JSON.parse(readFileSync(configA(), 'utf8')));
    expect(swap.credentials.key).toContain('KEY');
    expect(swap.workOrder).toEqual({ ref: 'WO-7K2QF', state: 'spare_sent', url: 'https://hub.example/wo/q8Zr1' });
    expect(Object.keys(swap).sort()).toEqual(['config', 'credentials', 'exportedAt', 'format', 'slot', 'swapId', 'version', 'workOrder']);
  });

  it('export: usage 64 without -o, 73 into a missing directory, 66 for a missing config', async () => {
    expect((await runCli(['swap', 'export', '--config', configA()])).code).toBe(64);
    const missingDir = await runCli(['swap', 'export', '-o', join(dir, 'nope', 'swap.json'), '--config', configA()]);
    expect(missingDir.code).toBe(73);
    expect(missingDir.stderr).toMatch(/^posdiag swap export: -o .*: cannot create it: the directory .* does not exist\n$/);
    expect((await runCli(['swap', 'export', '-o', swapFile(), '--config', join(dir, 'none.json')])).code).toBe(66);
  });

  it('import over another terminal id needs --force (73); with it the spare takes the slot and keeps what is its own', async () => {
    expect((await runCli(['swap', 'export', '-o', swapFile(), '--config', configA()])).code).toBe(0);
    const refused = await runCli(['swap', 'import', swapFile(), '--config', configB()]);
    expect(refused.code).toBe(73);
    expect(refused.stderr).toBe(`posdiag swap import: ${configB()} is the config of terminal SPARE-07, not T-0001: give --force to make this unit T-0001\n`);
    expect(JSON.parse(readFileSync(configB(), 'utf8')).terminal.id).toBe('SPARE-07');

    const { code, stdout } = await runCli(['swap', 'import', swapFile(), '--config', configB(), '--force']);
    expect(code).toBe(0);
    expect(stdout).toContain('this unit (serial SN-B) is now terminal T-0001 (was SPARE-07); its lifetime counters are its own and stay\n');
    const config = JSON.parse(readFileSync(configB(), 'utf8'));
    const state = join(unitB(), 'state');
    // The slot's id, uplink and locale; the unit's serial, paths and socket; the old unit's purchase date gone.
    expect(config.terminal).toEqual({ id: 'T-0001', model: 'X990', serial: 'SN-B' });
    expect(config.paths).toEqual({ state, logs: join(unitB(), 'logs') });
    expect(config.control).toEqual({ socket: join(unitB(), 'control.sock') });
    expect(config.uplink).toEqual({ url: 'wss://127.0.0.1:9/agent', token: 'token-one', ca: join(state, 'credentials', 'ca.pem'), cert: join(state, 'credentials', 'cert.pem'), key: join(state, 'credentials', 'key.pem') });
    expect(readFileSync(config.uplink.key, 'utf8')).toContain('KEY');
    expect(statSync(config.uplink.key).mode & 0o777).toBe(0o600);
    expect(readFileSync(config.uplink.ca, 'utf8')).toContain('CA');
    // Its wear stays; its former outbox is set aside; the new one goes on from the slot's seq.
    expect(readFileSync(join(state, 'lifetime-counters.json'), 'utf8')).toBe('{"printer": "B\'s own wear"}\n');
    expect(await readOutboxLastSeq(join(state, 'outbox'))).toBe(3);
    const reopened = await openOutbox({ dir: join(state, 'outbox'), maxBytes: 1024 * 1024, memoryRing: 16 });
    expect(reopened.pending()).toEqual([]);
    expect((await reopened.record(faultDraft())).seq).toBe(4);
    await reopened.close();
    expect(stdout).toMatch(/its former outbox is set aside in .*outbox\.before-swap-/);
    expect(readWorkOrder(state)).toEqual({ ref: 'WO-7K2QF', state: 'spare_sent', url: 'https://hub.example/wo/q8Zr1' });
    expect(readSwapMarker(state)).toMatchObject({ terminal: 'T-0001', fromSerial: 'SN-A', unitSerial: 'SN-B', reenrolled: false, acceptance: null });
  });

  it('import: 66 for a missing file, 65 for one that is not a swap file or of another version, 64 without FILE', async () => {
    expect((await runCli(['swap', 'import', join(dir, 'none.json'), '--config', configB()])).code).toBe(66);
    writeFileSync(swapFile(), '{"format": "posdiag-swap"');
    const notJson = await runCli(['swap', 'import', swapFile(), '--config', configB()]);
    expect(notJson.code).toBe(65);
    expect(notJson.stderr).toMatch(/^posdiag swap import: .*swap\.json: not JSON: .*\n$/);
    writeFileSync(swapFile(), JSON.stringify({ ...SWAP, version: 2 }));
    expect(await runCli(['swap', 'import', swapFile(), '--config', configB()])).toMatchObject({ code: 65, stderr: expect.stringContaining('swap file version 2 is not one this agent reads') });
    // A swap whose config does not validate: nothing is written.
    writeFileSync(swapFile(), JSON.stringify({ ...SWAP, slot: { ...SWAP.slot, terminal: 'SPARE-07' }, config: { ...SWAP.config, terminal: { id: 'SPARE-07' }, heartbeat: 'soon' } }));
    const badConfig = await runCli(['swap', 'import', swapFile(), '--config', configB()]);
    expect(badConfig.code).toBe(65);
    expect(badConfig.stderr).toMatch(/heartbeat/);
    expect(existsSync(join(unitB(), 'state', 'swap-import.json'))).toBe(false);
    expect((await runCli(['swap', 'import', '--config', configB()])).code).toBe(64);
    expect((await runCli(['swap'])).code).toBe(64);
  });
});
