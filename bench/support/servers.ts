import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startHubProcess } from '../../test/support/hub-process.js';
import { waitFor } from '../../test/support/wait-for.js';
import { tokensFor } from './terminals.js';

/**
 * The servers the benches load, each a child process of its own so its CPU and RSS are its own, not
 * the bench terminals': the real hub (`posdiag-hub` as installed: the compiled program, `npm run build`
 * first) and the raw `ws` baseline, both run by plain node. Not through tsx: it keeps a property store of
 * its own on every closure, which would count against whichever server makes more of them.
 */
export interface ServerChild {
  /** ws://127.0.0.1:PORT/agent */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Node options of every server child: a full GC on SIGUSR2 (gc-on-signal.mjs), for settledRss. */
const GC_ON_SIGNAL = ['--expose-gc', `--import=${new URL('./gc-on-signal.mjs', import.meta.url).href}`];

/** `posdiag-hub --db DB --tokens FILE` (FILE written in `dir`, a token per terminal), at info level as shipped. */
export async function startHubChild(dir: string, db: string, terminals: readonly string[]): Promise<ServerChild> {
  const tokens = join(dir, 'tokens.json');
  writeFileSync(tokens, JSON.stringify(tokensFor(terminals)));
  // startHubProcess passes our environment on and spawns before its first await: NODE_OPTIONS reach the hub alone.
  const saved = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = [saved, ...GC_ON_SIGNAL].filter(Boolean).join(' ');
  if (!existsSync(BUILT_HUB)) throw new Error('the hub is not built: run `npm run build` first');
  const starting = startHubProcess(['--db', db, '--tokens', tokens], { built: true });
  if (saved === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = saved;
  const hub = await starting;
  return {
    url: hub.url,
    pid: hub.child.pid!,
    stop: async () => {
      const code = await hub.stop();
      if (code !== 0) throw new Error(`posdiag-hub exited ${code}`);
    },
  };
}

const RAW_SERVER = fileURLToPath(new URL('./raw-ws-server.mjs', import.meta.url));
const BUILT_HUB = fileURLToPath(new URL('../../packages/hub/dist/cli/bin.js', import.meta.url));

/** bench/support/raw-ws-server.mjs as a child; resolves once it printed its URL. */
export async function startRawWsChild(): Promise<ServerChild> {
  const child = spawn(process.execPath, [...GC_ON_SIGNAL, RAW_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`raw ws server exited ${child.exitCode}`);
    const line = out.split('\n').find((l) => l.startsWith('{'));
    return line ? (JSON.parse(line) as { url: string }).url : undefined;
  }, 'the raw ws server to listen');
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resident set size of process `pid`, in bytes (VmRSS in /proc/PID/status). */
function rssBytes(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb[1]) * 1024;
}

/**
 * RSS of a server child once settled: a full GC (SIGUSR2, gc-on-signal.mjs) every GC_EVERY_MS, read after
 * each. V8 drops the bytecode of functions not run for several GCs (tsx's startup compilation, the
 * handshake path), and only then does the RSS stop falling (about the 9th GC here), so no reading before
 * MIN_ROUNDS counts; after them, the first reading that agrees within 1% with the two before it (at most
 * MAX_ROUNDS).
 */
export async function settledRss(pid: number): Promise<number> {
  const GC_EVERY_MS = 1_000;
  const MIN_ROUNDS = 12;
  const MAX_ROUNDS = 30;
  const readings: number[] = [];
  for (let round = 1; ; round++) {
    process.kill(pid, 'SIGUSR2');
    await delay(GC_EVERY_MS);
    const now = rssBytes(pid);
    readings.push(now);
    const steady = readings.slice(-3).every((r) => Math.abs(r - now) <= now * 0.01);
    if ((round >= MIN_ROUNDS && steady) || round === MAX_ROUNDS) return now;
  }
}
