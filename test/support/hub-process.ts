import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FROM_SOURCE } from './from-source.js';
import { waitFor } from './wait-for.js';

/** The hub's own program, `posdiag-hub`: the command `posdiag hub` runs too. */
const BIN = fileURLToPath(new URL('../../packages/hub/src/cli/bin.ts', import.meta.url));
/** The same program as installed: its compiled dist/ (`npm run build`), run by plain node. */
const BUILT_BIN = fileURLToPath(new URL('../../packages/hub/bin/posdiag-hub.js', import.meta.url));

/** One JSON line the hub wrote to stderr (pino: level, msg and the fields). */
export type HubLine = Record<string, unknown> & { level?: string; msg?: string };

/**
 * Signals a child only while it runs. A child whose spawn failed has no pid, and kill() on it signals
 * our own process group (the agent's src/core/signal-child.ts tells that story for its children).
 */
function signalRunning(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill(signal);
}

/**
 * `posdiag-hub ARGS` as a real process (from source, through tsx; `built`: the compiled program, as the
 * benchmarks measure it), listening on an ephemeral loopback port unless ARGS say otherwise. Resolves
 * once it logs its URL; `lines` holds every stderr line so far.
 */
export async function startHubProcess(args: string[], options: { built?: boolean } = {}) {
  const program = options.built ? [BUILT_BIN] : [...FROM_SOURCE, BIN];
  const child: ChildProcess = spawn(process.execPath, [...program, '--listen', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const lines: HubLine[] = [];
  let stderr = '';
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    partial += chunk.toString();
    const complete = partial.split('\n');
    partial = complete.pop()!;
    for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line) as HubLine);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`posdiag-hub exited ${child.exitCode}: ${stderr}`);
    const listening = lines.find((l) => typeof l.url === 'string');
    return listening ? (listening.url as string) : undefined;
  }, 'posdiag-hub to listen');
  const base = url.replace(/^ws:/, 'http:').replace(/\/agent$/, '');
  return {
    child,
    url,
    /** http://127.0.0.1:PORT */
    base,
    lines,
    exited,
    /** The stderr lines with this message. */
    logged: (msg: string) => lines.filter((l) => l.msg === msg),
    signal: (signal: NodeJS.Signals) => signalRunning(child, signal),
    /** SIGTERM, then the exit code. */
    async stop(): Promise<number | null> {
      signalRunning(child, 'SIGTERM');
      return exited;
    },
  };
}

export type HubProcess = Awaited<ReturnType<typeof startHubProcess>>;
