import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signalChild } from '../../src/core/signal-child.js';
import { createSysfsBattery, type SysfsBattery } from '../../src/devices/battery/emulator/sysfs-battery.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { FROM_SOURCE } from '../../../../test/support/from-source.js';

const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));

export interface DaemonProcess {
  child: ChildProcess;
  configFile: string;
  socket: string;
  /** What the daemon wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, then waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface DaemonPaths {
  state: string;
  logs: string;
  socket: string;
}

/**
 * The config of a small terminal under `dir`: a sysfs battery (real files, no hardware needed; the
 * emulator is returned), the given state/logs/socket paths, and `extra` merged on top (an uplink, say).
 */
export function batteryTerminal(dir: string, paths: DaemonPaths, extra: Record<string, unknown> = {}): { config: Record<string, unknown>; battery: SysfsBattery } {
  const sysfs = join(dir, 'sysfs');
  const battery = createSysfsBattery(sysfs);
  const config = {
    terminal: { id: 'T-0001', model: 'X990', serial: 'SN-1' },
    paths: { sysfs, state: paths.state, logs: paths.logs },
    devices: { battery: { source: 'sysfs', interval: '200ms' } },
    control: { socket: paths.socket },
    locale: 'en',
    ...extra,
  };
  return { config, battery };
}

/** The config alone of `batteryTerminal`. */
export function batteryTerminalConfig(dir: string, paths: DaemonPaths, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return batteryTerminal(dir, paths, extra).config;
}

/**
 * `posdiag run` as a real process on `config` (written to DIR/config.json), started through a shell
 * with `umask` when given, as a service manager would, in `env` when given. Resolves once the control
 * socket answers.
 */
export async function startDaemonProcess(dir: string, config: Record<string, unknown>, options: { umask?: string; env?: NodeJS.ProcessEnv } = {}): Promise<DaemonProcess> {
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const socket = (config.control as { socket: string }).socket;
  const args = [...FROM_SOURCE, BIN, 'run', '--config', configFile];
  const spawnOptions = { stdio: ['ignore', 'ignore', 'pipe'] as ['ignore', 'ignore', 'pipe'], ...(options.env ? { env: options.env } : {}) };
  const child =
    options.umask === undefined
      ? spawn(process.execPath, args, spawnOptions)
      : spawn('/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, ...args], spawnOptions);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve((exitCode = code))));
  const outcome = await waitFor(
    () => (exitCode !== undefined ? 'exited' : existsSync(socket) && stderr.includes('agent running') ? 'running' : undefined),
    'the daemon to serve its control socket',
  );
  if (outcome === 'exited') throw new Error(`posdiag run exited with ${exitCode}: ${stderr}`);
  return {
    child,
    configFile,
    socket,
    stderr: () => stderr,
    async stop() {
      signalChild(child, 'SIGTERM');
      return exited;
    },
  };
}
