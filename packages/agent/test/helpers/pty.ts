import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { signalChild } from '../../src/core/signal-child.js';

/**
 * A pseudo-terminal pair joined by socat: whatever is written to one link path is read at the other,
 * through real ttys, so the real serialport bindings can be exercised. socat removes both links when
 * it exits, which is how a test unplugs the "cable".
 */
export interface PtyPair {
  /** Link paths of the two ends. */
  a: string;
  b: string;
  /** Kills socat and waits until it has exited (both links gone). Idempotent. */
  kill(): Promise<void>;
}

/** Starts `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B` and resolves once both links exist. */
export async function createPtyPair(a: string, b: string): Promise<PtyPair> {
  const child = spawn('/usr/bin/socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntilReady(child, a, b);
  return {
    a,
    b,
    async kill() {
      signalChild(child, 'SIGTERM');
      await exited;
    },
  };
}

/** socat logs "starting data transfer loop" after it has created both ptys and their links. */
function waitUntilReady(child: ChildProcess, a: string, b: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('starting data transfer loop')) {
        child.stderr!.off('data', onData);
        child.stderr!.resume(); // keep draining so socat never blocks on a full pipe
        if (existsSync(a) && existsSync(b)) resolve();
        else reject(new Error(`socat started but links are missing:\n${log}`));
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`socat exited (${code}) before it was ready:\n${log}`)));
    child.once('error', reject);
  });
}
