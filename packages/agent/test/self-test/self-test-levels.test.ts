import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import type { DeviceKind, Observation } from '../../src/core/readings.js';
import type { Driver } from '../../src/drivers/contract.js';
import type { SwipeResult } from '../../src/devices/card-reader/swipe.js';
import { receiptResult, type ReceiptResult } from '../../src/devices/printer/printer-receipt-result.js';
import { loadDefaultRules } from '../../src/rules/rule-files.js';
import { RuleEngine } from '../../src/rules/rule-engine.js';
import { runSelfTest, type RunSelfTestOptions } from '../../src/self-test/self-test.js';
import { ANSWER_TIMEOUT_MS, type Prompter, type SelfTestPrompt } from '../../src/self-test/self-test-prompts.js';
import { firstRemedy, selfTestRef, testReceiptLines, verdictReceiptLines } from '../../src/self-test/self-test-receipt.js';
import { SWIPE_TIMEOUT_MS } from '../../src/devices/card-reader/self-test.js';
import { canPrompt, parseYesNo, ttyPrompter } from '../../src/self-test/self-test-tty-prompter.js';
import { ConnectionPrompts } from '../../src/control/connection-prompts.js';
import type { ControlLine } from '../../src/control/protocol.js';
import { selfTestResultSchema, type SelfTestResult } from 'posdiag-protocol';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';

const terminal = { id: 'T-0001', model: 'X990', serial: 'SN123' };
const TEST_ID = 'abcdef01-2345-4678-9abc-def012345678';
const HEALTHY_PRINTER = { 'printer.connected': true, 'printer.online': true, 'printer.paper': 'ok' } as const;

/** A network target configured with `tls`: the full level checks its handshake. */
const tlsTarget = (name: string) => ({ name, host: `${name}.example`, port: 443, tls: true, httpDate: false });

function fakeDriver(kind: DeviceKind, extra: object = {}): Driver {
  return { kind, name: kind, intervalMs: 1000, timeoutMs: 500, poll: () => Promise.reject(new Error('polled through pollAll')), close: async () => {}, ...extra };
}

/** A printer driver that records what it was asked to print and answers with `after` as its status. */
function fakePrinter(after: Observation['readings'] = HEALTHY_PRINTER) {
  const printed: string[][] = [];
  const driver = fakeDriver('printer', {
    printReceipt: async (lines: readonly string[]): Promise<ReceiptResult> => {
      printed.push([...lines]);
      return receiptResult({ readings: after });
    },
  });
  return { driver, printed };
}

/** A card reader whose swipes the test fires. */
function fakeReader() {
  const listeners = new Set<(s: SwipeResult) => void>();
  const driver = fakeDriver('cardReader', {
    onSwipe: (l: (s: SwipeResult) => void) => (listeners.add(l), () => listeners.delete(l)),
  });
  return { driver, swipe: (s: SwipeResult) => [...listeners].forEach((l) => l(s)), listening: () => listeners.size };
}

/** Answers yes/no prompts with `answers` in turn (undefined: never answers); records every prompt. */
function scriptedPrompter(answers: (boolean | undefined)[], onPrompt: (p: SelfTestPrompt) => void = () => {}) {
  const prompts: SelfTestPrompt[] = [];
  const prompter: Prompter = {
    ask: (prompt, signal) => {
      prompts.push(prompt);
      onPrompt(prompt);
      if (prompt.kind !== 'yes_no') return Promise.resolve(undefined);
      const answer = answers.shift();
      if (answer !== undefined) return Promise.resolve(answer);
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined)));
    },
  };
  return { prompter, prompts };
}

async function run(outcomes: [Driver, Observation | Error][], extra: Partial<RunSelfTestOptions> & Pick<RunSelfTestOptions, 'level'>, clock = new FakeClock(Date.UTC(2026, 0, 1, 9))) {
  return runSelfTest({
    testId: TEST_ID,
    drivers: outcomes.map(([d]) => d),
    pollAll: async () => new Map(outcomes),
    engine: new RuleEngine(await loadDefaultRules(), { catalog: FAULT_CATALOG }),
    catalog: FAULT_CATALOG,
    clock,
    terminal,
    locale: 'en',
    ...extra,
  });
}

describe('full self-test', () => {
  it('prints a test receipt, checks each TLS target and the modem registration, streaming each check', async () => {
    const printer = fakePrinter();
    const seen: string[] = [];
    const result = await run(
      [
        [printer.driver, { readings: HEALTHY_PRINTER }],
        [fakeDriver('network'), { readings: { 'network.target.acquirer.reachable': true, 'network.target.acquirer.dns_ok': true, 'network.target.acquirer.tls_ms': 42, 'network.target.tms.reachable': false, 'network.target.tms.dns_ok': true, 'network.target.tms.error': 'cert_untrusted' } }],
        [fakeDriver('modem'), { readings: { 'modem.responding': true, 'modem.sim': 'ready', 'modem.registration': 'roaming', 'modem.signal_dbm': -81 } }],
      ],
      { level: 'full', devices: { network: { interfaces: [], targets: ['acquirer', 'tms'].map(tlsTarget) } }, onCheck: (c) => seen.push(`${c.device}.${c.name}`) },
    );
    selfTestResultSchema.parse(result);
    expect(result.checks.slice(3)).toEqual([
      { device: 'printer', name: 'receipt', passed: true, detail: 'printed and cut' },
      { device: 'network', name: 'tls:acquirer', passed: true, detail: 'TLS handshake 42 ms' },
      { device: 'network', name: 'tls:tms', passed: false, detail: 'cert_untrusted' },
      { device: 'modem', name: 'registration', passed: true, detail: 'roaming -81 dBm' },
    ]);
    expect(seen).toEqual(['printer.status', 'network.status', 'modem.status', 'printer.receipt', 'network.tls:acquirer', 'network.tls:tms', 'modem.registration']);
    expect(result.passed).toBe(false);
    expect(printer.printed).toHaveLength(1);
    expect(printer.printed[0]).toEqual(expect.arrayContaining(['PRINTER TEST', 'Terminal: T-0001', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ']));
    expect(result).toMatchObject({ level: 'full', testId: TEST_ID, ref: 'ABCDEF01' });
  });

  it('fails the receipt check with the printer status read after printing, and the modem when not registered', async () => {
    const printer = fakePrinter({ ...HEALTHY_PRINTER, 'printer.online': false, 'printer.paper': 'end' });
    const result = await run(
      [
        [printer.driver, { readings: HEALTHY_PRINTER }],
        [fakeDriver('modem'), { readings: { 'modem.responding': true, 'modem.registration': 'searching' } }],
      ],
      { level: 'full' },
    );
    expect(result.checks).toEqual([
      { device: 'printer', name: 'status', passed: true, detail: 'ok' },
      { device: 'modem', name: 'status', passed: false, detail: 'Not connected to the mobile network' },
      { device: 'printer', name: 'receipt', passed: false, detail: 'Printer is out of paper' },
      { device: 'modem', name: 'registration', passed: false, detail: 'searching' },
    ]);
  });

  it('verifies the faults firing when it started: which ones the test no longer finds', async () => {
    const result = await run(
      [
        [fakeDriver('printer'), { readings: { ...HEALTHY_PRINTER, 'printer.paper': 'end', 'printer.online': false } }],
        [fakeDriver('battery'), { readings: { 'battery.status': 'discharging', 'battery.level_pct': 22 } }],
      ],
      { level: 'full', firingAtStart: [{ code: 'battery.low', instance: null }, { code: 'printer.paper_end', instance: null }] },
    );
    selfTestResultSchema.parse(result);
    expect(result.verification).toEqual([
      { code: 'battery.low', instance: null, stillPresent: false },
      { code: 'printer.paper_end', instance: null, stillPresent: true },
    ]);
  });

  it('leaves verification out of a quick test', async () => {
    const result = await run([[fakeDriver('battery'), { readings: { 'battery.status': 'charging', 'battery.level_pct': 90 } }]], {
      level: 'quick',
      firingAtStart: [{ code: 'battery.low', instance: null }],
    });
    expect(result.verification).toBeUndefined();
  });
});

describe('interactive self-test', () => {
  const GOOD_SWIPE: SwipeResult = { outcome: 'good', tracks: [{ status: 'ok', length: 76 }, { status: 'ok', length: 37 }, { status: 'empty', length: 0 }], encodeType: 'iso' };

  it('asks whether the receipt is legible and for a test swipe, reporting each track', async () => {
    const reader = fakeReader();
    const { prompter, prompts } = scriptedPrompter([true], (p) => {
      if (p.kind === 'swipe') queueMicrotask(() => reader.swipe(GOOD_SWIPE));
    });
    const result = await run(
      [
        [fakePrinter().driver, { readings: HEALTHY_PRINTER }],
        [reader.driver, { readings: { 'card_reader.connected': true } }],
      ],
      { level: 'interactive', prompter },
    );
    expect(prompts.map((p) => [p.kind, p.text])).toEqual([
      ['yes_no', 'Is the test receipt legible? (yes/no)'],
      ['swipe', 'Swipe the test card within 30 s'],
    ]);
    expect(result.checks.slice(2)).toEqual([
      { device: 'printer', name: 'receipt', passed: true, detail: 'printed and cut' },
      { device: 'printer', name: 'legible', passed: true, detail: 'legible' },
      { device: 'cardReader', name: 'swipe', passed: true, detail: 'good: t1=ok(76) t2=ok(37) t3=empty' },
    ]);
    expect(result.passed).toBe(true);
    expect(reader.listening()).toBe(0);
  });

  it('fails a question nobody answers with "no answer", and a swipe that never comes', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 9));
    const reader = fakeReader();
    const asked: Record<string, () => void> = {};
    const wasAsked = (kind: SelfTestPrompt['kind']) => new Promise<void>((resolve) => (asked[kind] = resolve));
    const legibleAsked = wasAsked('yes_no');
    const swipeAsked = wasAsked('swipe');
    const { prompter } = scriptedPrompter([undefined], (p) => asked[p.kind]!());
    const pending = run(
      [
        [fakePrinter().driver, { readings: HEALTHY_PRINTER }],
        [reader.driver, { readings: { 'card_reader.connected': true } }],
      ],
      { level: 'interactive', prompter },
      clock,
    );
    await legibleAsked;
    await clock.advance(ANSWER_TIMEOUT_MS);
    await swipeAsked;
    await clock.advance(SWIPE_TIMEOUT_MS);
    const result = await pending;
    expect(result.checks.slice(3)).toEqual([
      { device: 'printer', name: 'legible', passed: false, detail: 'no answer' },
      { device: 'cardReader', name: 'swipe', passed: false, detail: 'no swipe within 30 s' },
    ]);
    expect(result.passed).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('records a "no" as an illegible receipt', async () => {
    const { prompter } = scriptedPrompter([false]);
    const result = await run([[fakePrinter().driver, { readings: HEALTHY_PRINTER }]], { level: 'interactive', prompter });
    expect(result.checks.at(-1)).toEqual({ device: 'printer', name: 'legible', passed: false, detail: 'not legible' });
  });

  it('refuses to start without anyone to answer', async () => {
    await expect(run([[fakePrinter().driver, { readings: HEALTHY_PRINTER }]], { level: 'interactive' })).rejects.toThrow(/answer its prompts/);
  });
});

describe('self-test receipts', () => {
  const failing: SelfTestResult = {
    level: 'quick',
    startedAt: '2026-01-01T09:00:00.000Z',
    finishedAt: '2026-01-01T09:00:00.400Z',
    passed: false,
    terminal,
    checks: [
      { device: 'printer', name: 'status', passed: false, detail: 'Printer is out of paper' },
      { device: 'battery', name: 'status', passed: true, detail: 'ok' },
    ],
    readings: {},
    faults: [
      { code: 'printer.disconnected', instance: null, category: 'hardware', severity: 'major', inhibitedBy: 'network.link_down', remediation: [{ text: 'Not this one', automatic: false }] },
      { code: 'printer.paper_end', instance: null, category: 'io', severity: 'major', inhibitedBy: null, remediation: [{ text: 'Retried', automatic: true }, { text: 'Load a new paper roll.', automatic: false }] },
    ],
    testId: TEST_ID,
    ref: selfTestRef(TEST_ID),
  };

  it('the verdict names the terminal, each check, the verdict, the first remedy and the reference', () => {
    const lines = verdictReceiptLines(failing, 'en');
    expect(lines[0]).toBe('SELF-TEST');
    expect(lines).toContain('Terminal: T-0001');
    expect(lines.find((l) => l.startsWith('Time: '))).toMatch(/^Time: 2026-01-0[12] \d\d:\d\d$/);
    expect(lines).toContain('[X] printer status: Printer is out of paper');
    expect(lines).toContain('[OK] battery status');
    expect(lines.slice(-3)).toEqual(['Result: FAILED', 'What to do: Load a new paper roll.', 'Ref: ABCDEF01']);
    expect(firstRemedy(failing)).toBe('Load a new paper roll.');
  });

  it('in Chinese, with the hotline fallback when no fault says what to do', () => {
    const lines = verdictReceiptLines({ ...failing, faults: [] }, 'zh-CN');
    expect(lines[0]).toBe('终端自检');
    expect(lines.slice(-3)).toEqual(['结果: 未通过', '处理方法: 请联系服务商并告知下方参考号。', '参考号: ABCDEF01']);
    expect(verdictReceiptLines({ ...failing, passed: true, faults: [] }, 'zh-CN')).toContain('结果: 通过');
  });

  it('the open work order the hub told of goes under the reference: its ref, and its page on a line of its own', () => {
    const workOrder = { ref: 'WO-7K2QF', state: 'in_repair', url: 'https://hub.example/wo/q8Zr1' };
    expect(verdictReceiptLines(failing, 'en', workOrder).slice(-3)).toEqual(['Ref: ABCDEF01', 'Work order: WO-7K2QF', 'https://hub.example/wo/q8Zr1']);
    expect(verdictReceiptLines(failing, 'zh-CN', { ref: 'WO-7K2QF', state: 'submitted' }).slice(-2)).toEqual(['参考号: ABCDEF01', '维修单号: WO-7K2QF']);
    expect(verdictReceiptLines(failing, 'en', null).at(-1)).toBe('Ref: ABCDEF01');
  });

  it('the test page carries Chinese text only in zh-CN', () => {
    const at = new Date(Date.UTC(2026, 0, 1, 9));
    expect(testReceiptLines('T-0001', at, 'zh-CN').some((l) => /[\u4e00-\u9fff]/.test(l))).toBe(true);
    expect(testReceiptLines('T-0001', at, 'en').every((l) => /^[\x20-\x7e]*$/.test(l))).toBe(true);
  });
});

describe('prompts', () => {
  it('reads yes/no answers in English or Chinese; needs a TTY', () => {
    expect([parseYesNo('Yes'), parseYesNo(' n '), parseYesNo('是'), parseYesNo('否'), parseYesNo('maybe')]).toEqual([true, false, true, false, undefined]);
    expect(canPrompt({ isTTY: true })).toBe(true);
    expect(canPrompt({})).toBe(false);
  });

  it('the terminal prompter asks again until it gets a yes or a no', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (c: Buffer) => (shown += c.toString()));
    const answer = ttyPrompter(input, output).ask({ promptId: 'p1', text: 'Legible?', kind: 'yes_no' }, new AbortController().signal);
    input.write('perhaps\n');
    input.write('y\n');
    expect(await answer).toBe(true);
    expect(shown.match(/» Legible\?/g)).toHaveLength(2);
  });

  it('the terminal prompter gives up when the test stops waiting', async () => {
    const controller = new AbortController();
    const answer = ttyPrompter(new PassThrough(), new PassThrough()).ask({ promptId: 'p1', text: 'Legible?', kind: 'yes_no' }, controller.signal);
    controller.abort(new Error('timeout'));
    expect(await answer).toBeUndefined();
  });

  it('a control connection sends prompt events and settles them with its answers; closing it leaves none hanging', async () => {
    const sent: ControlLine[] = [];
    const prompts = new ConnectionPrompts((line) => sent.push(line));
    const prompter = prompts.prompter(5);
    const never = new AbortController().signal;
    const first = prompter.ask({ promptId: 'a', text: 'Legible?', kind: 'yes_no' }, never);
    expect(await prompter.ask({ promptId: 'b', text: 'Swipe', kind: 'swipe' }, never)).toBeUndefined();
    expect(sent).toEqual([
      { id: 5, event: 'prompt', promptId: 'a', text: 'Legible?', kind: 'yes_no' },
      { id: 5, event: 'prompt', promptId: 'b', text: 'Swipe', kind: 'swipe' },
    ]);
    expect(prompts.answer('nope', true)).toBe(false);
    expect(prompts.answer('a', false)).toBe(true);
    expect(await first).toBe(false);
    expect(prompts.answer('a', true)).toBe(false);
    const orphan = prompter.ask({ promptId: 'c', text: 'Legible?', kind: 'yes_no' }, never);
    prompts.close();
    expect(await orphan).toBeUndefined();
  });
});
