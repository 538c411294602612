import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalChild } from '../../src/core/signal-child.js';
import { runPosdiag, type ProcessResult } from '../helpers/cli-process.js';
import type { PtyPrinter } from '../helpers/pty-printer.js';
import { ptyTerminal } from '../helpers/pty-terminal.js';
import { FROM_SOURCE } from '../../../../test/support/from-source.js';

/**
 * `posdiag self-test` as a real process on a real terminal (util-linux `script` gives it a pty for
 * stdin, stdout and stderr): each check shows once, as its progress line, and the summary adds only
 * what to do and the verdict. Piped apart, stdout still carries the whole summary.
 */
const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'posdiag-selftest-tty-'));
let configFile: string;
let ptyPrinter: PtyPrinter;

beforeAll(async () => {
  ({ configFile, ptyPrinter } = await ptyTerminal(dir, {
    terminal: { id: 'T-TTY-1', model: 'X990', serial: 'SN-TTY' },
    locale: 'en',
    printer: { paper: 'end' },
    battery: { levelPct: 80, status: 'discharging' },
  }));
});

afterAll(async () => {
  await ptyPrinter.close();
  rmSync(dir, { recursive: true, force: true });
});

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
const commandLine = (args: string[]) => [process.execPath, ...FROM_SOURCE, BIN, ...args].map(quote).join(' ');

/** Runs `file args` and collects its stdout (line ends as a terminal would have them, made plain). */
function collect(file: string, args: string[]): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => signalChild(child, 'SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stdout.replace(/\r\n/g, '\n'), stderr });
    });
  });
}

/** `script -qec CMD /dev/null`: the command's stdin, stdout and stderr are one pseudo-terminal. */
const onTerminal = (args: string[]) => collect('script', ['-qec', commandLine(args), '/dev/null']);

/** The lines that show a check: its ✓ or ✗, its device and its name. */
const checkLines = (text: string) => text.split('\n').filter((l) => /^\s+[✓✗] /.test(l));
const mentions = (text: string, device: string) => text.split('\n').filter((l) => new RegExp(`${device}\\s+status`).test(l));

describe('posdiag self-test on a terminal', () => {
  it('shows each check once: the progress line is the result, the summary only what to do and the verdict', async () => {
    const { code, stdout } = await onTerminal(['self-test', '--config', configFile]);
    expect(code).toBe(1);
    expect(checkLines(stdout)).toEqual([expect.stringMatching(/✗ printer\s+status\s+Printer is out of paper/), expect.stringMatching(/✓ battery\s+status\s+ok/)]);
    expect(mentions(stdout, 'printer')).toHaveLength(1);
    expect(mentions(stdout, 'battery')).toHaveLength(1);
    expect(stdout).toContain('printer.paper_end — major (io)');
    expect(stdout).toMatch(/1\. Load a new paper roll/);
    expect(stdout).toContain('Self-test: FAILED');
  });

  it('in Chinese too', async () => {
    const { code, stdout } = await onTerminal(['self-test', '--config', configFile, '--lang', 'zh-CN']);
    expect(code).toBe(1);
    expect(checkLines(stdout)).toEqual([expect.stringMatching(/✗ 打印机\s+状态\s+打印纸已用完/), expect.stringMatching(/✓ 电池\s+状态\s+正常/)]);
    expect(stdout).toContain('自检: 未通过');
  });

  it('with stdout and stderr apart (a pipe each), stdout keeps the whole summary and stderr the progress', async () => {
    const { code, stdout, stderr } = await runPosdiag(['self-test', '--config', configFile]);
    expect(code).toBe(1);
    expect(checkLines(stderr)).toHaveLength(2);
    expect(checkLines(stdout)).toEqual(checkLines(stderr));
  });

  it('with stderr joined to stdout (2>&1 into one pipe), each check shows once', async () => {
    const { stdout } = await collect('sh', ['-c', `${commandLine(['self-test', '--config', configFile])} 2>&1`]);
    expect(checkLines(stdout)).toHaveLength(2);
    expect(mentions(stdout, 'printer')).toHaveLength(1);
  });

  it('--json is one document, with no progress lines', async () => {
    const { code, stdout } = await onTerminal(['self-test', '--config', configFile, '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).checks.map((c: { device: string }) => c.device)).toEqual(['printer', 'battery']);
  });
});
