import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPosdiag, type ProcessResult } from '../helpers/cli-process.js';
import { runCli } from '../helpers/run-cli.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { signalChild } from '../../src/core/signal-child.js';
import { FROM_SOURCE } from '../../../../test/support/from-source.js';

/**
 * Every documented error path of the CLI, run as a real process: the exit code (README "Exit codes"),
 * exactly one line on stderr that says what is wrong and where (a usage error adds its "usage:" line),
 * and never a stack trace.
 */
const dir = mkdtempSync(join(tmpdir(), 'posdiag-cli-errors-'));
// Readable by the unprivileged user of the permission tests (mkdtemp makes it 0700).
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOBODY = 65534;

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  chmodSync(path, 0o644);
  return path;
}

/** A config with nothing to poll: the errors under test come before any device would be opened. */
function config(name: string, extra: Record<string, unknown> = {}): string {
  return file(name, {
    terminal: { id: 'T-ERR' },
    paths: { state: join(dir, `${name}-state`), logs: join(dir, `${name}-logs`) },
    control: { socket: join(dir, `${name}.sock`) },
    locale: 'en',
    ...extra,
  });
}

const tokens = file('tokens.json', { 'T-ERR': 'secret-token' });

/** The one line on stderr; fails when there is no line, more than one, or a stack. */
function oneLine(result: ProcessResult, { usage = false } = {}): string {
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  if (usage) expect(lines.pop()).toMatch(/^usage: posdiag /);
  expect(lines, result.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('usage errors exit 64 with a suggestion', () => {
  it('a misspelt command', async () => {
    const result = await runPosdiag(['stauts']);
    expect(result.code).toBe(64);
    expect(oneLine(result, { usage: true })).toBe('posdiag: unknown command "stauts"; did you mean "status"?');
  });

  it('a misspelt flag', async () => {
    const result = await runPosdiag(['status', '--jsn']);
    expect(result.code).toBe(64);
    expect(oneLine(result, { usage: true })).toBe('posdiag status: unknown option --jsn; did you mean --json?');
  });

  it('a bad duration', async () => {
    const result = await runPosdiag(['hub', '--tokens', tokens, '--silence-after', '1.5h']);
    expect(result.code).toBe(64);
    expect(oneLine(result, { usage: true })).toBe('posdiag hub: --silence-after must be a duration such as 15m or 1h (got "1.5h")');
  });

  it('an inherited property name is no command either', async () => {
    const { code, stderr } = await runCli(['toString']);
    expect(code).toBe(64);
    expect(stderr).toMatch(/^posdiag: unknown command "toString"\n/);
    const flag = await runCli(['schema', '--constructor', 'x', 'config']);
    expect(flag.code).toBe(64);
    expect(flag.stderr).toMatch(/^posdiag schema: unknown option --constructor\n/);
  });

  it('a name far from every command gets no guess', async () => {
    const result = await runPosdiag(['frobnicate']);
    expect(result.code).toBe(64);
    expect(oneLine(result, { usage: true })).toBe('posdiag: unknown command "frobnicate"');
  });
});

describe('a named file that is missing exits 66, naming the flag or key', () => {
  it('--config', async () => {
    const missing = join(dir, 'absent.json');
    const result = await runPosdiag(['status', '--config', missing]);
    expect(result.code).toBe(66);
    expect(oneLine(result)).toBe(`posdiag status: cannot read config file ${missing}: ENOENT: no such file or directory`);
  });

  it('a config file that is a symlink loop', async () => {
    const loop = join(dir, 'loop.json');
    symlinkSync(loop, loop);
    const result = await runPosdiag(['status', '--config', loop]);
    expect(result.code).toBe(66);
    expect(oneLine(result)).toMatch(/^posdiag status: cannot read config file .*loop\.json: ELOOP/);
  });

  it.each(['run', 'self-test'])('rules.files for %s', async (command) => {
    const missing = join(dir, 'site-rules.json');
    const result = await runPosdiag([command, '--config', config(`rules-files-${command}.json`, { rules: { files: [missing] } })]);
    expect(result.code).toBe(66);
    expect(oneLine(result)).toBe(`posdiag ${command}: rules.files[0]: cannot read ${missing}: ENOENT: no such file or directory`);
  });

  it('rules check', async () => {
    const missing = join(dir, 'no-rules.json');
    const result = await runPosdiag(['rules', 'check', missing]);
    expect(result.code).toBe(66);
    expect(oneLine(result)).toBe(`posdiag rules: cannot read ${missing}: ENOENT: no such file or directory`);
  });

  it.each([
    ['--tokens', ['--tokens', join(dir, 'no-tokens.json')], 'no-tokens.json'],
    ['--api-token-file', ['--tokens', tokens, '--api-token-file', join(dir, 'no-api-token')], 'no-api-token'],
    ['--tls-cert', ['--tokens', tokens, '--tls-cert', join(dir, 'no-cert.pem'), '--tls-key', join(dir, 'no-key.pem')], 'no-cert.pem'],
  ])('hub %s', async (flag, args, name) => {
    const result = await runPosdiag(['hub', '--db', join(dir, 'hub-66.db'), ...args]);
    expect(result.code).toBe(66);
    expect(oneLine(result)).toBe(`posdiag hub: ${flag}: cannot read ${join(dir, name)}: ENOENT: no such file or directory`);
  });
});

describe('a service that is not there exits 69', () => {
  let taken: Server;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('hub on an address already in use', async () => {
    const { port } = taken.address() as AddressInfo;
    const result = await runPosdiag(['hub', '--tokens', tokens, '--db', join(dir, 'hub-69.db'), '--listen', `127.0.0.1:${port}`]);
    expect(result.code).toBe(69);
    expect(oneLine(result)).toBe(`posdiag hub: --listen 127.0.0.1:${port}: the address is already in use (another hub, or another program, listens there)`);
  });
});

describe('a second daemon exits 69 before it opens anything', () => {
  const configFile = config('daemon.json');
  const socketPath = join(dir, 'daemon.json.sock');
  let daemon: ChildProcess;
  beforeAll(async () => {
    daemon = spawn(process.execPath, [...FROM_SOURCE, fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url)), 'run', '--config', configFile], { stdio: 'ignore' });
    await waitFor(() => (existsSync(socketPath) ? true : undefined), 'the first daemon\'s control socket');
  });
  afterAll(() => signalChild(daemon, 'SIGKILL'));

  it('posdiag run while one runs', async () => {
    const result = await runPosdiag(['run', '--config', configFile]);
    expect(result.code).toBe(69);
    expect(oneLine(result)).toBe(`posdiag run: another posdiag daemon is serving ${socketPath}; stop it first`);
  });
});

describe('an output that cannot be created exits 73', () => {
  it('bundle -o into a missing directory, before the bundle is collected', async () => {
    const out = join(dir, 'that', 'does', 'not', 'exist', 'b.tgz');
    const result = await runPosdiag(['bundle', '--config', config('bundle.json'), '-o', out]);
    expect(result.code).toBe(73);
    expect(oneLine(result)).toBe(`posdiag bundle: -o ${out}: cannot create it: the directory ${join(dir, 'that', 'does', 'not', 'exist')} does not exist`);
  });

  it('hub --db in a missing directory', async () => {
    const db = join(dir, 'no-such-dir', 'hub.db');
    const result = await runPosdiag(['hub', '--tokens', tokens, '--listen', '127.0.0.1:0', '--db', db]);
    expect(result.code).toBe(73);
    expect(oneLine(result)).toBe(`posdiag hub: --db ${db}: cannot create it: the directory ${join(dir, 'no-such-dir')} does not exist`);
  });

  it('hub --db that SQLite cannot open (a directory)', async () => {
    const result = await runPosdiag(['hub', '--tokens', tokens, '--listen', '127.0.0.1:0', '--db', dir]);
    expect(result.code).toBe(73);
    expect(oneLine(result)).toBe(`posdiag hub: --db ${dir}: cannot open the database: unable to open database file`);
  });
});

describe('permission denied exits 77, naming the group that may', () => {
  // A real Unix socket, closed to others as the daemon's is (0660), in a group other than nobody's.
  const socketPath = join(dir, 'control.sock');
  const GID = 1;
  const groupName = execFileSync('getent', ['group', String(GID)], { encoding: 'utf8' }).split(':')[0]!;
  let server: Server;
  beforeAll(async () => {
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    chmodSync(socketPath, 0o660);
    chownSync(socketPath, 0, GID);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each(['status', 'self-test'])('%s as a user outside the socket group', async (command) => {
    const configFile = file(`socket-${command}.json`, { terminal: { id: 'T-ERR' }, control: { socket: socketPath }, locale: 'en' });
    const result = await runPosdiag([command, '--config', configFile], { uid: NOBODY, gid: NOBODY });
    expect(result.code).toBe(77);
    expect(oneLine(result)).toBe(`posdiag ${command}: permission denied on ${socketPath}: run as a member of group "${groupName}"`);
  });

  it('a socket in a directory only the group may search', async () => {
    const groupDir = join(dir, 'run-posdiag');
    mkdirSync(groupDir, { mode: 0o750 });
    chownSync(groupDir, 0, GID);
    const hidden = createServer((socket) => socket.end());
    const hiddenPath = join(groupDir, 'control.sock');
    await new Promise<void>((resolve) => hidden.listen(hiddenPath, resolve));
    try {
      const configFile = file('socket-hidden.json', { terminal: { id: 'T-ERR' }, control: { socket: hiddenPath }, locale: 'en' });
      const result = await runPosdiag(['status', '--config', configFile], { uid: NOBODY, gid: NOBODY });
      expect(result.code).toBe(77);
      expect(oneLine(result)).toBe(`posdiag status: permission denied on ${hiddenPath}: run as a member of group "${groupName}"`);
    } finally {
      await new Promise<void>((resolve) => hidden.close(() => resolve()));
    }
  });

  it('posdiag log on a log directory only its owner may read', async () => {
    const logs = join(dir, 'private-logs');
    mkdirSync(logs, { mode: 0o700 });
    writeFileSync(join(logs, 'posdiag.log'), '');
    const result = await runPosdiag(['log', '--dir', logs], { uid: NOBODY, gid: NOBODY });
    expect(result.code).toBe(77);
    expect(oneLine(result)).toBe(`posdiag log: permission denied on ${logs}: run as user "root"`);
  });

  it('a config file only its owner may read', async () => {
    const secret = config('secret.json');
    chmodSync(secret, 0o600);
    const result = await runPosdiag(['status', '--config', secret], { uid: NOBODY, gid: NOBODY });
    expect(result.code).toBe(77);
    expect(oneLine(result)).toBe(`posdiag status: cannot read config file ${secret}: permission denied: run as user "root"`);
  });
});

describe('a wrong config exits 78, naming the key', () => {
  it('an unknown name under rules.thresholds, with the nearest known one', async () => {
    const configFile = config('thresholds.json', { rules: { thresholds: { 'battery.low_pcnt': 15 } } });
    const result = await runPosdiag(['self-test', '--config', configFile]);
    expect(result.code).toBe(78);
    expect(oneLine(result)).toBe(
      `posdiag self-test: config file ${configFile}: rules.thresholds.battery.low_pcnt: unknown threshold; did you mean "battery.low_pct"?`,
    );
  });

  it('an unknown threshold near none lists the known ones, for run as well', async () => {
    const configFile = config('thresholds-far.json', { rules: { thresholds: { speed: 1 } } });
    const result = await runPosdiag(['run', '--config', configFile]);
    expect(result.code).toBe(78);
    expect(oneLine(result)).toMatch(/^posdiag run: config file .*: rules\.thresholds\.speed: unknown threshold \(known: accelerometer\.drop_major_m, .*, battery\.low_pct, .*\)$/);
  });

  it('a threshold defined by a rules.files entry may be moved', async () => {
    const rules = file('site.json', { thresholds: { 'site.slow_ms': 100 }, rules: [] });
    const result = await runPosdiag(['self-test', '--json', '--config', config('site-threshold.json', { rules: { files: [rules], thresholds: { 'site.slow_ms': 50 } } })]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('a config that is not JSON', async () => {
    const broken = file('broken.json', '{ "terminal": ');
    const result = await runPosdiag(['status', '--config', broken]);
    expect(result.code).toBe(78);
    expect(oneLine(result)).toMatch(/^posdiag status: config file .*broken\.json is not valid JSON: /);
  });

  it('a bad value, with its key path', async () => {
    const result = await runPosdiag(['status', '--config', config('heartbeat.json', { heartbeat: '5 minutes' })]);
    expect(result.code).toBe(78);
    expect(oneLine(result)).toMatch(/^posdiag status: config file .*heartbeat\.json: heartbeat: a duration such as "500ms", "30s", "5m", "2h" or "1d"$/);
  });

  it('a bad POSDIAG_LOG_LEVEL', async () => {
    const result = await runPosdiag(['self-test', '--config', config('log-level.json')], { env: { POSDIAG_LOG_LEVEL: 'loud' } });
    expect(result.code).toBe(78);
    expect(oneLine(result)).toBe('posdiag self-test: POSDIAG_LOG_LEVEL: unknown log level "loud": use one of trace, debug, info, warn, error, fatal');
  });
});

describe('anything unexpected exits 70 with one line', () => {
  // Fault injection: a preloaded module throws from a timer, outside any command's promise, once the
  // CLI's last-resort handler is in place (so the test does not race the CLI's start-up).
  const thrower = file(
    'throw-outside-main.mjs',
    `const poll = setInterval(() => {
       if (process.listenerCount('uncaughtException') === 0) return;
       clearInterval(poll);
       setImmediate(() => { throw new Error('injected fault'); });
     }, 10);`,
  );
  const run = (env: NodeJS.ProcessEnv = {}) =>
    runPosdiag(['log', '--follow', '--dir', join(dir, 'no-logs')], { env: { NODE_OPTIONS: `--import ${thrower}`, ...env } });

  it('says "internal error" and shows no stack', async () => {
    const result = await run();
    expect(result.code).toBe(70);
    expect(oneLine(result)).toBe('posdiag log: internal error: injected fault');
  });

  it('shows the stack with POSDIAG_DEBUG=1', async () => {
    const result = await run({ POSDIAG_DEBUG: '1' });
    expect(result.code).toBe(70);
    expect(result.stderr).toMatch(/^posdiag log: internal error: injected fault\nError: injected fault\n\s+at /);
  });
});

describe('a reader that stops early', () => {
  it('posdiag log | head: exit 0 and nothing on stderr', async () => {
    const logs = join(dir, 'long-logs');
    mkdirSync(logs);
    // Far more than a pipe holds, so the CLI is still writing when the reader goes.
    const line = (i: number) => JSON.stringify({ level: 'info', time: '2026-01-01T00:00:00.000Z', msg: `line ${i}` });
    writeFileSync(join(logs, 'posdiag.log'), Array.from({ length: 5000 }, (_, i) => line(i)).join('\n') + '\n');
    const child = spawn(process.execPath, [...FROM_SOURCE, fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url)), 'log', '--dir', logs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('help and version', () => {
  const COMMANDS = ['run', 'self-test', 'status', 'log', 'bundle', 'enroll', 'hub', 'demo', 'schema', 'rules'];

  it('posdiag --version and -V print the package version', async () => {
    const { version } = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await runPosdiag([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
    }
  });

  it('-h on a subcommand, as a process', async () => {
    const result = await runPosdiag(['hub', '-h']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: posdiag hub /);
    expect(result.stdout).toMatch(/-h, --help +show this help/);
  });

  it.each(COMMANDS)('%s answers -h, --help and `posdiag help COMMAND`, even among other options', async (command) => {
    for (const argv of [[command, '-h'], [command, '--help'], ['help', command], [command, '--no-such-flag', '-h']]) {
      const { code, stdout, stderr } = await runCli(argv);
      expect(code, argv.join(' ')).toBe(0);
      expect(stdout).toMatch(new RegExp(`^usage: posdiag ${command}`));
      expect(stderr).toBe('');
    }
  });

  it('posdiag help lists the commands; bare posdiag is a usage error', async () => {
    const help = await runCli(['help']);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toContain(`  ${command} `);
    const bare = await runCli([]);
    expect(bare.code).toBe(64);
    expect(bare.stderr).toContain('commands:');
  });
});
