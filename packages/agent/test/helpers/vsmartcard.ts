import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { until } from './delivery-wait.js';
import { signalChild } from '../../src/core/signal-child.js';

/**
 * A real PC/SC stack for tests: Debian's pcscd with the vsmartcard virtual reader (vpcd) on a port of
 * our own, and the virtual card (vicc) that connects to it to "insert" a card and exits to remove it.
 *
 * pcsc-lite 1.9's daemon always serves /run/pcscd/pcscd.comm (it ignores PCSCLITE_CSOCK_NAME), so only
 * one can run: test runs take turns through a lock file, and `start` refuses to run beside a pcscd it did
 * not start instead of talking to it. Debian packaging traps (toolchain.md): vicc must
 * run under /usr/bin/python3, with its library folder and a `Crypto` → Cryptodome shim on PYTHONPATH.
 */

const PCSCD_PID_FILE = '/run/pcscd/pcscd.pid';
const LOCK_FILE = join(tmpdir(), 'posdiag-pcscd-test.lock');
/** Bounds a hang only: another run's pcscd test takes a few seconds. */
export const LOCK_WAIT_MS = 90_000;
const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
const VICC_LIBRARY = '/usr/lib/python3/site-packages/virtualsmartcard';
const CRYPTODOME = '/usr/lib/python3/dist-packages/Cryptodome';
/** vpcd names its readers after the FRIENDLYNAME plus slot numbers: "Virtual PCD 00 00", "… 00 01". */
export const VIRTUAL_READER = 'Virtual PCD 00 00';
/** The ATR of `vicc -t iso7816` (toolchain.md): T=1, 5 historical bytes, TCK. */
export const VIRTUAL_CARD_ATR = [0x3b, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xff, 0x01, 0x00, 0x0b];

export interface VirtualPcsc {
  insertCard(): void;
  removeCard(): Promise<void>;
  /** Stops pcscd (and the card); idempotent. */
  stop(): Promise<void>;
  /** What pcscd and vicc printed, for failure messages. */
  output(): string;
}

/**
 * A free TCP port below Linux's ephemeral range (32768 and up), for vpcd. A port asked of the kernel
 * (port 0, freePort) is ephemeral, and between our probe and pcscd's bind any loopback server or client
 * of the suite could be given the same one ("Address already in use", seen once in a full CI run);
 * below that range only a fixed port could collide, and the suite binds none there.
 */
async function portBelowEphemeral(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '0.0.0.0', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port between 20000 and 32000 for vpcd');
}

export async function startVirtualPcsc(): Promise<VirtualPcsc> {
  await until(tryLock, LOCK_WAIT_MS, 'the pcscd test lock (another test run on this machine uses pcscd)');
  const running = runningPcscd();
  if (running) {
    releaseLock();
    throw new Error(`another pcscd (pid ${running}) serves /run/pcscd: stop it before this test`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-pcsc-'));
  const port = await portBelowEphemeral();
  const confDir = join(dir, 'reader.conf.d');
  mkdirSync(confDir);
  const channel = `0x${port.toString(16)}`;
  writeFileSync(
    join(confDir, 'vpcd'),
    `FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:${channel}\nLIBPATH ${VPCD_DRIVER}\nCHANNELID ${channel}\n`,
  );
  const shim = join(dir, 'pyshim');
  mkdirSync(shim);
  symlinkSync(CRYPTODOME, join(shim, 'Crypto'));

  let log = '';
  const collect = (child: ChildProcess, who: string) => {
    child.stdout?.on('data', (d: Buffer) => (log += `[${who}] ${d.toString()}`));
    child.stderr?.on('data', (d: Buffer) => (log += `[${who}] ${d.toString()}`));
    // A missing binary (apt package not installed) is an 'error' event: keep it for the failure message.
    child.on('error', (err) => (log += `[${who}] ${err.message}\n`));
  };
  const pcscd = spawn('pcscd', ['--foreground', '--config', confDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  collect(pcscd, 'pcscd');
  let card: ChildProcess | undefined;
  let stopped = false;

  const removeCard = async () => {
    if (card) await terminate(card);
    card = undefined;
  };
  return {
    insertCard() {
      if (card) throw new Error('the virtual card is already inserted');
      card = spawn('/usr/bin/python3', ['/usr/bin/vicc', '-t', 'iso7816', '-H', '127.0.0.1', '-P', String(port)], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PYTHONPATH: `${VICC_LIBRARY}:${shim}` },
      });
      collect(card, 'vicc');
    },
    removeCard,
    async stop() {
      if (stopped) return;
      stopped = true;
      await removeCard();
      await terminate(pcscd);
      rmSync(dir, { recursive: true, force: true });
      releaseLock();
    },
    output: () => log,
  };
}

/** The pid of a live pcscd that owns /run/pcscd, if any (a stale pid file is not one). */
function runningPcscd(): number | null {
  if (!existsSync(PCSCD_PID_FILE)) return null;
  const pid = Number(readFileSync(PCSCD_PID_FILE, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
}

/**
 * pcscd is machine-wide, so test runs on one machine (several vitest runs at once) take turns through
 * a lock file holding the owner's pid; the lock of a process that died is taken over.
 */
function tryLock(): boolean {
  try {
    writeFileSync(LOCK_FILE, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    // An empty file is a lock being written right now, a missing one was just released: retry either way.
    const owner = Number(readIfPresent(LOCK_FILE).trim());
    if (owner > 0 && !alive(owner)) rmSync(LOCK_FILE, { force: true });
    return false;
  }
}

function readIfPresent(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Removes the lock only while it is still ours. */
function releaseLock(): void {
  if (readIfPresent(LOCK_FILE).trim() === String(process.pid)) rmSync(LOCK_FILE, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then waits for the exit (SIGKILL if it lingers: a stuck child must not outlive the test). */
function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => signalChild(child, 'SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    signalChild(child, 'SIGTERM');
  });
}
