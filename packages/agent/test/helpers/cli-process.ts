import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { signalChild } from '../../src/core/signal-child.js';
import { FROM_SOURCE } from '../../../../test/support/from-source.js';

const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Run as this user and group (the tests run as root; permission paths need someone else). */
  uid?: number;
  gid?: number;
}

/** Runs `posdiag ARGS` as a real process (from source, through tsx) and collects its output. */
export function runPosdiag(args: string[], options: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...FROM_SOURCE, BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => signalChild(child, 'SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
