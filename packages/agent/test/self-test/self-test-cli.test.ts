import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, UsageError } from 'posdiag-protocol/cli';
import { selfTestMain } from '../../src/cli/commands/self-test.js';
import type { Prompter, SelfTestPrompt } from '../../src/self-test/self-test-prompts.js';
import { selfTestResultSchema } from 'posdiag-protocol';
import { EscPosPrinterEmulator } from '../../src/devices/printer/emulator/escpos-printer.js';
import { printerOnPty, type PtyPrinter } from '../helpers/pty-printer.js';

/** `posdiag self-test` in-process (no daemon): an injected prompter stands in for the person at the terminal. */
const dir = mkdtempSync(join(tmpdir(), 'posdiag-selftest-cli-'));
const configFile = join(dir, 'config.json');
let ptyPrinter: PtyPrinter;
let printer: EscPosPrinterEmulator;

beforeAll(async () => {
  ptyPrinter = await printerOnPty(dir);
  printer = ptyPrinter.printer;
  writeFileSync(
    configFile,
    JSON.stringify({
      terminal: { id: 'T-CLI-1', model: 'X990', serial: 'SN-1' },
      paths: { state: join(dir, 'state'), logs: join(dir, 'logs') },
      devices: { printer: { transport: 'serial', path: ptyPrinter.path, timeout: '3s' } },
      control: { socket: join(dir, 'no-daemon.sock') },
      locale: 'zh-CN',
    }),
  );
});

afterAll(async () => {
  await ptyPrinter.close();
  rmSync(dir, { recursive: true, force: true });
});

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', color: false, signal: new AbortController().signal, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('posdiag self-test in-process', () => {
  it('interactive: prints the test page, asks the injected prompter, and passes on "yes"', async () => {
    const asked: SelfTestPrompt[] = [];
    const prompter: Prompter = { ask: async (prompt) => (asked.push(prompt), prompt.kind === 'yes_no' ? true : undefined) };
    const io = capture();
    const before = printer.receipts.length;
    const code = await selfTestMain({ level: 'interactive', config: configFile, json: true, lang: 'en' }, io, { prompter, stdinIsTTY: false });
    expect(code).toBe(0);
    const result = selfTestResultSchema.parse(JSON.parse(io.out));
    expect(result.checks.map((c) => [c.name, c.passed])).toEqual([['status', true], ['receipt', true], ['legible', true]]);
    expect(asked.map((p) => p.kind)).toEqual(['yes_no']);
    expect(printer.receipts.slice(before).map((r) => [r.lines[0], r.cut])).toEqual([['PRINTER TEST', true]]);
  });

  it('human output in Chinese: each check as it runs on stderr, the verdict and the reference; --print prints the verdict', async () => {
    const io = capture();
    const before = printer.receipts.length;
    const code = await selfTestMain({ print: true, config: configFile }, io);
    expect(code).toBe(0);
    expect(io.err).toMatch(/✓ 打印机\s+状态\s+正常/);
    const ref = /服务商查询参考号: ([0-9A-F]{8})/.exec(io.out)?.[1];
    expect(io.out).toContain('自检: 通过');
    const verdict = printer.receipts[before]!;
    expect(verdict.lines[0]).toBe('终端自检');
    expect(verdict.lines).toEqual(expect.arrayContaining(['终端: T-CLI-1', '结果: 通过', `参考号: ${ref}`]));
  });

  it('refuses interactive without a terminal to ask on', async () => {
    await expect(selfTestMain({ level: 'interactive', config: configFile }, capture(), { stdinIsTTY: false })).rejects.toBeInstanceOf(UsageError);
  });
});
