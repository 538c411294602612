import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfTestResultSchema } from 'posdiag-protocol';
import type { EscPosPrinterEmulator } from '../../src/devices/printer/emulator/escpos-printer.js';
import { asciiWordsOutside } from '../helpers/ascii-words.js';
import { runPosdiag } from '../helpers/cli-process.js';
import type { PtyPrinter } from '../helpers/pty-printer.js';
import { ptyTerminal } from '../helpers/pty-terminal.js';

/**
 * A zh-CN terminal reads Chinese: `posdiag self-test` (progress, summary, verdict receipt) and `posdiag
 * status`, run as processes, leave no English word outside the identifiers a technician looks up
 * (fault codes, reading names, the terminal's id, model and serial, the battery's kernel name, units).
 */
const dir = mkdtempSync(join(tmpdir(), 'posdiag-zh-'));
let configFile: string;
const TERMINAL = ['T-ZH-1', 'X990', 'SN-ZH'];
/** The power_supply directory the emulated battery lives in: a kernel name, shown as `battery.supply`. */
const SUPPLY = 'BAT0';
let ptyPrinter: PtyPrinter;
let printer: EscPosPrinterEmulator;

beforeAll(async () => {
  ({ configFile, ptyPrinter } = await ptyTerminal(dir, {
    terminal: { id: 'T-ZH-1', model: 'X990', serial: 'SN-ZH' },
    locale: 'zh-CN',
    battery: { levelPct: 15, status: 'discharging' },
    uplink: true,
  }));
  printer = ptyPrinter.printer;
});

afterAll(async () => {
  await ptyPrinter.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('zh-CN output', () => {
  it('self-test: the progress, the summary and the verdict receipt are Chinese', async () => {
    const before = printer.receipts.length;
    const { code, stdout, stderr } = await runPosdiag(['self-test', '--print', '--config', configFile]);
    expect(code).toBe(1);
    const json = await runPosdiag(['self-test', '--json', '--config', configFile]);
    const result = selfTestResultSchema.parse(JSON.parse(json.stdout));
    const ref = /服务商查询参考号: ([0-9A-F]{8})/.exec(stdout)?.[1];
    const identifiers = [...TERMINAL, ...result.faults.map((f) => f.code), ref!];
    expect(stderr).toMatch(/✗ 电池\s+状态\s+电池电量低/);
    expect(stdout).toContain('battery.low — 次要（硬件）');
    expect(asciiWordsOutside(stdout + stderr, identifiers)).toEqual([]);
    const verdict = printer.receipts[before]!.lines;
    expect(verdict).toEqual(expect.arrayContaining(['级别: 快速', '[通过] 打印机 状态', '[未通过] 电池 状态: 电池电量低']));
    expect(asciiWordsOutside(verdict.join('\n'), identifiers)).toEqual([]);
  });

  it('the full level: the receipt check and the level are Chinese too', async () => {
    const { stdout, stderr } = await runPosdiag(['self-test', '--level', 'full', '--config', configFile]);
    expect(stderr).toMatch(/✓ 打印机\s+测试小票\s+已打印并切纸/);
    expect(stdout).toContain('自检（完整）');
    expect(asciiWordsOutside(stdout + stderr, [...TERMINAL, 'battery.low', /: ([0-9A-F]{8})$/m.exec(stdout)![1]!])).toEqual([]);
  });

  it('status: labels, values, severities, categories, steps and states are Chinese', async () => {
    printer.set({ paper: 'end' });
    const { code, stdout } = await runPosdiag(['status', '--config', configFile]);
    printer.set({ paper: 'ok' });
    expect(code).toBe(0);
    const json = JSON.parse((await runPosdiag(['status', '--json', '--config', configFile])).stdout);
    expect(stdout).toContain('printer.paper_end  重要（输入输出）  开始时间未知（单次轮询）');
    expect(stdout).toMatch(/^ {2}printer\.paper\s+已用完$/m);
    expect(stdout).toContain('上报链路：未运行');
    expect(stdout).toMatch(/^待发报告：0 份，0 字节，存于磁盘$/m);
    expect(asciiWordsOutside(stdout, [...TERMINAL, SUPPLY, 'printer.paper_end', 'battery.low', ...Object.keys(json.readings)])).toEqual([]);
  });
});
