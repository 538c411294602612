import { constants, createWriteStream, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SelfTestResult } from 'posdiag-protocol';
import { requestDaemon } from '../../../src/control/client.js';
import type { StatusAnswer } from '../../../src/control/status-answer.js';
import { TEST_CARDS, track1, track2 } from '../../../src/devices/card-reader/emulator/hid-card-reader.js';
import { startDaemonProcess, type DaemonProcess } from '../../helpers/daemon-process.js';
import { createPtyPair, type PtyPair } from '../../helpers/pty.js';
import { runPosdiag } from '../../helpers/cli-process.js';
import { startTestHub, TEST_TOKENS } from '../../../../../test/support/hub-harness.js';
import { waitFor } from '../../../../../test/support/wait-for.js';

/**
 * Issue 16, "is it the card or the reader?", with the real program: `posdiag run` as a process with a
 * serial magstripe reader on a real pty, delivering to a hub. A damaged card failing among good ones
 * raises nothing at the hub and is told to the merchant on the terminal (status, self-test); failures
 * that no card explains raise card_reader.read_errors_high at the hub. Nothing of a card, nor the
 * hint, leaves the terminal.
 */

const dir = mkdtempSync(join(tmpdir(), 'posdiag-card-or-reader-process-'));
let hub: Awaited<ReturnType<typeof startTestHub>>;
let daemon: DaemonProcess;
let pty: PtyPair;
let line: WriteStream;
const socket = join(dir, 'control.sock');

beforeAll(async () => {
  hub = await startTestHub();
  pty = await createPtyPair(join(dir, 'reader-host'), join(dir, 'reader-device'));
  line = createWriteStream('', { fd: openSync(pty.b, constants.O_WRONLY | constants.O_NOCTTY) });
  daemon = await startDaemonProcess(dir, {
    terminal: { id: 'T-0001', model: 'X990', serial: 'SN-CARDS' },
    paths: { state: join(dir, 'state'), logs: join(dir, 'logs') },
    devices: { cardReader: { transport: 'serial', path: pty.a, interval: '200ms' } },
    uplink: { url: hub.hub.url, token: TEST_TOKENS['T-0001'] },
    control: { socket },
    log: { level: 'debug' },
    locale: 'en',
  });
});

afterAll(async () => {
  await daemon?.stop();
  await new Promise<void>((resolve) => (line ? line.end(() => resolve()) : resolve()));
  await pty?.kill();
  await hub?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const status = async () => (await requestDaemon(socket, 'status', {})) as StatusAnswer;
/** Swipes one line of track text and waits until the daemon counted it. */
async function swipe(text: string): Promise<StatusAnswer> {
  const before = (await status()).readings['card_reader.swipes'] ?? 0;
  line.write(`${text}\r\n`);
  return waitFor(async () => {
    const s = await status();
    return s.readings['card_reader.swipes'] === Number(before) + 1 ? s : undefined;
  }, 'the swipe to be counted');
}
const good = (pan: string) => `${track1(pan)}${track2(pan)}`;
/** Track 2 worn away: track 1 still reads (and names the card). */
const worn = (pan: string) => `${track1(pan)};E?`;

describe('posdiag run with a serial reader: card or reader? (issue 16)', () => {
  it('a damaged card among good ones is a hint on the terminal, never a fault; failures no card explains raise read_errors_high at the hub', async () => {
    await waitFor(async () => ((await status()).readings['card_reader.connected'] === true ? true : undefined), 'the reader port to open');
    await swipe(good(TEST_CARDS.visa));
    await swipe(worn(TEST_CARDS.amex));
    await swipe(good(TEST_CARDS.mastercard));
    await swipe(worn(TEST_CARDS.amex));
    await swipe(worn(TEST_CARDS.amex));
    const afterCard = await swipe(worn(TEST_CARDS.amex));
    expect(afterCard.readings).toMatchObject({ 'card_reader.window_swipes': 6, 'card_reader.window_failures': 0, 'card_reader.read_errors': 4 });
    expect(afterCard.hints?.map((h) => h.en)).toEqual([expect.stringMatching(/^One card failed to read 4 times while other cards read fine: that card is damaged, not the reader/)]);
    expect(afterCard.faults).toEqual([]);
    const shown = await runPosdiag(['status', '--config', daemon.configFile]);
    expect(shown.stdout).toMatch(/for the merchant \(no terminal fault\):\n {2}One card failed to read 4 times/);

    // The merchant's self-test says it too (on the terminal); the hub's copy does not.
    const result = (await requestDaemon(socket, 'self_test', { level: 'quick' })) as SelfTestResult;
    expect(result.checks).toEqual(expect.arrayContaining([{ device: 'cardReader', name: 'hint', passed: true, detail: expect.stringMatching(/that card is damaged/) }]));
    const sent = await waitFor(() => hub.stored.find((r) => r.kind === 'self_test'), 'the self-test report');
    expect(JSON.stringify(sent)).not.toMatch(/damaged/);

    // A dirty head: four failures that name no card, among the other cards' reads.
    for (let i = 0; i < 4; i++) await swipe('%E?;E?');
    const raised = await waitFor(() => hub.stored.find((r) => r.kind === 'fault' && r.code === 'card_reader.read_errors_high'), 'read_errors_high at the hub');
    expect(raised).toMatchObject({ state: 'raised', evidence: { 'card_reader.window_failures': 4 } });
    expect(hub.stored.filter((r) => r.kind === 'fault').map((r) => (r.kind === 'fault' ? r.code : ''))).toEqual(['card_reader.read_errors_high']);

    // No card, no card's hash, no hint beyond the terminal: the hub's rows, and every file the daemon wrote.
    const everything = [JSON.stringify(hub.stored), ...readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('reader-')).map((e) => readFileSync(join(e.parentPath, e.name), 'latin1'))].join('\n');
    for (const pan of Object.values(TEST_CARDS)) expect(everything).not.toContain(pan);
    expect(everything).toMatch(/"outcome":"partial"/);
  }, 90_000);
});
