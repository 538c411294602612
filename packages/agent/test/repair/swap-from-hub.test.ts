import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { recordingLogger } from '../../../../test/support/recording-logger.js';
import { makeHeartbeat } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { openOutbox } from '../../src/report/outbox.js';
import { readOutboxLastSeq } from '../../src/report/outbox/read-only-stats.js';
import { Uplink } from '../../src/report/uplink.js';
import { decodeSwapFile, SwapFileError, type SwapFile } from '../../src/repair/swap-file.js';
import { mergeOnto } from '../../src/repair/swap-import.js';
import { readSwapMarker } from '../../src/repair/swap-marker.js';
import { readWorkOrder } from '../../src/repair/work-order.js';
import { faultDraft } from '../helpers/outbox-drafts.js';
import { MemoryOutbox } from '../helpers/memory-outbox.js';
import { runCli } from '../helpers/run-cli.js';
import { runPosdiag } from '../helpers/cli-process.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

/**
 * A swap file the hub made for a dead unit (`GET /api/terminals/ID/swap`, `"source": "hub"`), imported
 * on a spare: the file comes from a real hub that heard the unit's hello and reports, so what is tested
 * is that this agent takes what that hub makes. The spare keeps its own config and takes the slot's
 * terminal id and token; its reports go on after the hub's last seq.
 */
describe('posdiag swap import of a swap file from the hub', () => {
  let h: Harness;
  let text: string;
  let swap: SwapFile;
  let ref: string;

  beforeAll(async () => {
    h = await startTestHub();
    // The unit in the slot, heard by the hub: its hello names serial SN-DEAD, and three reports.
    const outbox = new MemoryOutbox();
    const uplink = new Uplink({ url: h.hub.url, terminal: 'T-0001', token: 'token-one', outbox, clock: new FakeClock(), log: recordingLogger(), agentVersion: '1.0.0', inventory: { model: 'X990', serial: 'SN-DEAD' } });
    for (let i = 0; i < 3; i++) await outbox.record(makeHeartbeat());
    uplink.start();
    await outbox.whenAcked(3);
    await waitFor(async () => ((await (await fetch(`${h.api}/terminals`)).json()) as { id: string; inventory: { serial: string } | null }[]).find((t) => t.id === 'T-0001')?.inventory?.serial, 'the hello\'s inventory at the hub');
    ref = ((await (await fetch(`${h.api}/workorders`, { method: 'POST', body: JSON.stringify({ terminal: 'T-0001', comment: 'screen dead' }) })).json()) as { ref: string }).ref;
    // Then it died.
    await uplink.stop();
    const res = await fetch(`${h.api}/terminals/T-0001/swap`);
    expect(res.status).toBe(200);
    text = await res.text();
    swap = decodeSwapFile(text);
  });
  afterAll(() => h.cleanup());

  let dir: string;
  const configB = () => join(dir, 'config.json');
  const swapFile = () => join(dir, 'swap-T-0001.json');
  const state = () => join(dir, 'state');
  // The spare, SPARE-07: its own hub url and CA file, paths, devices and serial.
  const spare = () => ({
    terminal: { id: 'SPARE-07', model: 'X990', serial: 'SN-B' },
    paths: { state: state(), logs: join(dir, 'logs') },
    control: { socket: join(dir, 'control.sock') },
    uplink: { url: 'wss://127.0.0.1:9/agent', token: 'spare-token', ca: join(dir, 'hub-ca.pem') },
    devices: { battery: { source: 'sysfs', interval: '30s' } },
    locale: 'zh-CN',
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posdiag-swap-hub-'));
    writeFileSync(join(dir, 'hub-ca.pem'), '-----BEGIN CERTIFICATE-----\nSPARE CA\n-----END CERTIFICATE-----\n');
    writeFileSync(swapFile(), text);
    const own = await openOutbox({ dir: join(state(), 'outbox'), maxBytes: 1024 * 1024, memoryRing: 16 });
    await own.record(faultDraft());
    await own.close();
    return () => rmSync(dir, { recursive: true, force: true });
  });

  it('is a swap file this agent reads: the hub\'s, with what the hub knows of the slot and a partial config', () => {
    expect(swap).toMatchObject({ format: 'posdiag-swap', version: 1, source: 'hub', slot: { terminal: 'T-0001', fromSerial: 'SN-DEAD', lastSeq: 3 }, credentials: {}, workOrder: { ref, state: 'submitted' } });
    expect(swap.config).toEqual({ terminal: { id: 'T-0001' }, uplink: { token: 'token-one' } });
    // Only "hub" is a source; an agent's own export has none.
    expect(() => decodeSwapFile(JSON.stringify({ ...swap, source: 'agent' }))).toThrow(SwapFileError);
  });

  it('keeps the spare\'s own config but for the slot\'s id and token, and goes on after the hub\'s last seq', async () => {
    writeFileSync(configB(), JSON.stringify(spare()));
    expect((await runCli(['swap', 'import', swapFile(), '--config', configB()])).code).toBe(73);
    const { code, stdout, stderr } = await runCli(['swap', 'import', swapFile(), '--config', configB(), '--force']);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toContain('this unit (serial SN-B) is now terminal T-0001 (was SPARE-07)');
    const config = JSON.parse(readFileSync(configB(), 'utf8'));
    const expected = spare();
    expected.terminal.id = 'T-0001';
    expected.uplink.token = 'token-one';
    expect(config).toEqual(expected);
    // No PEM files: the spare's CA stays where its config names it.
    expect(existsSync(join(state(), 'credentials'))).toBe(false);
    expect(await readOutboxLastSeq(join(state(), 'outbox'))).toBe(3);
    const reopened = await openOutbox({ dir: join(state(), 'outbox'), maxBytes: 1024 * 1024, memoryRing: 16 });
    expect(reopened.pending()).toEqual([]);
    expect((await reopened.record(faultDraft())).seq).toBe(4);
    await reopened.close();
    expect(readWorkOrder(state())).toEqual(swap.workOrder);
    expect(readSwapMarker(state())).toMatchObject({ swapId: swap.swapId, terminal: 'T-0001', fromSerial: 'SN-DEAD', unitSerial: 'SN-B', reenrolled: false, acceptance: null });
  });

  it('refuses a spare without a config (66) and one without a hub url for the token (78), in one line, writing nothing', async () => {
    const none = await runCli(['swap', 'import', swapFile(), '--config', configB()]);
    expect(none.code).toBe(66);
    expect(none.stderr).toBe(`posdiag swap import: ${swapFile()}: no config at ${configB()}: a swap file from the hub holds only the slot's terminal id and token, which go onto this unit's own config (its hub url, TLS files, paths); give it with --config\n`);
    expect(existsSync(configB())).toBe(false);

    const { uplink: _, ...offline } = spare();
    writeFileSync(configB(), JSON.stringify(offline));
    const noUrl = await runCli(['swap', 'import', swapFile(), '--config', configB(), '--force']);
    expect(noUrl.code).toBe(78);
    expect(noUrl.stderr).toMatch(/^posdiag swap import: config file .* with the swap file's terminal id and token: .*uplink\.url.*\n$/);
    expect(JSON.parse(readFileSync(configB(), 'utf8'))).toEqual(offline);
    expect(existsSync(join(state(), 'swap-import.json'))).toBe(false);
  });

  it('as a process: posdiag swap import of the hub\'s file onto the spare\'s config exits 0', async () => {
    writeFileSync(configB(), JSON.stringify({ ...spare(), terminal: { id: 'T-0001', serial: 'SN-B' } }));
    const { code, stderr } = await runPosdiag(['swap', 'import', swapFile(), '--config', configB()]);
    expect([code, stderr]).toEqual([0, '']);
    expect(JSON.parse(readFileSync(configB(), 'utf8')).uplink).toEqual({ ...spare().uplink, token: 'token-one' });
  });
});

describe('mergeOnto', () => {
  it('merges objects key by key and replaces anything else, leaving its inputs alone', () => {
    const own = { terminal: { id: 'A', serial: 'SN-B' }, uplink: { url: 'wss://h/agent', token: 'old' }, devices: { list: [1, 2] } };
    const partial = { terminal: { id: 'T-0001' }, uplink: { token: 'new' }, devices: { list: [3] } };
    expect(mergeOnto(own, partial)).toEqual({ terminal: { id: 'T-0001', serial: 'SN-B' }, uplink: { url: 'wss://h/agent', token: 'new' }, devices: { list: [3] } });
    expect(own.uplink.token).toBe('old');
  });
});

