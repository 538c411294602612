import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The two installable packages (docs/architecture.md, "Packages"): posdiag-protocol, posdiag (the
 * agent) and posdiag-hub are built and packed as npm would publish them, then each program is installed
 * with the protocol into an empty prefix, from the tarballs and the registry, without install scripts
 * (nothing is compiled: what matters is what gets installed). Each list is printed. A terminal gets no
 * SQLite, database or mail client; the hub gets no device module.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Every npm call is bounded: a registry that stops answering fails the test instead of hanging it. */
const NPM_TIMEOUT_MS = 240_000;
const TEST_TIMEOUT_MS = 300_000;

/** What only a hub may pull: the hub itself, SQLite and the database and mail clients it is to grow. */
const HUB_ONLY = ['posdiag-hub', 'better-sqlite3', 'sqlite3', 'pg', 'mysql2', 'mongodb', 'nodemailer'];
/** The device modules only a terminal needs. */
const DEVICE_MODULES = ['serialport', 'node-hid', 'usb', 'smartcard'];

const exec = promisify(execFile);
const npm = (args: string[], cwd = ROOT) => exec('npm', args, { cwd, timeout: NPM_TIMEOUT_MS, maxBuffer: 16 << 20 });
const node = (args: string[]) => exec(process.execPath, args, { timeout: 60_000 }).then(
  ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
  (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
);

interface Packed {
  name: string;
  filename: string;
  files: { path: string }[];
}

let dir: string;
let packed: Packed[];
/** The compiled file each package starts from: the agent's program, the other two's exports. */
const ENTRY: Record<string, string> = { posdiag: 'dist/cli/bin.js', 'posdiag-hub': 'dist/index.js', 'posdiag-protocol': 'dist/index.js' };
const tarball = (name: string) => join(dir, packed.find((p) => p.name === name)!.filename);

/** The package a `npm ls --parseable` path is: what follows its last node_modules/. */
const packageOf = (path: string) => path.split('/node_modules/').at(-1)!;

/** Installs `packages` (their tarballs) into the empty prefix `name`, prints and returns what got installed. */
async function install(name: string, packages: string[]): Promise<string[]> {
  const prefix = join(dir, name);
  mkdirSync(prefix);
  await npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--prefix', prefix, ...packages.map(tarball)], dir);
  const { stdout } = await npm(['ls', '--all', '--parseable', '--prefix', prefix], dir);
  const installed = [...new Set(stdout.split('\n').filter((line) => line.includes('/node_modules/')).map(packageOf))].sort();
  console.log(`npm install ${packages.join(' ')} into an empty prefix: ${installed.length} packages\n  ${installed.join('\n  ')}`);
  return installed;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-install-'));
  await npm(['run', 'build']);
  const { stdout } = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir, '-w', 'posdiag-protocol', '-w', 'posdiag-hub', '-w', 'posdiag']);
  packed = JSON.parse(stdout) as Packed[];
}, TEST_TIMEOUT_MS);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack', () => {
  it('packs the three packages with their compiled code and no source maps, TypeScript sources or tests', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(['posdiag', 'posdiag-hub', 'posdiag-protocol']);
    for (const { name, files } of packed) {
      const paths = files.map((f) => f.path);
      console.log(`${name}: ${paths.length} files`);
      expect(paths, name).toContain(ENTRY[name]);
      expect(paths.filter((p) => /\.map$|\.tsbuildinfo$/.test(p)), name).toEqual([]);
      expect(paths.filter((p) => /(^|\/)(src|test|tests|fixtures|support)\//.test(p) || /\.test\.[cm]?[jt]s$/.test(p) || (/\.ts$/.test(p) && !/\.d\.ts$/.test(p))), name).toEqual([]);
    }
  });
});

describe('the agent installed with the protocol', () => {
  let installed: string[];
  const posdiag = (args: string[]) => node([join(dir, 'agent', 'node_modules', 'posdiag', 'bin', 'posdiag.js'), ...args]);
  beforeAll(async () => {
    installed = await install('agent', ['posdiag-protocol', 'posdiag']);
  }, TEST_TIMEOUT_MS);

  it('has its device modules and nothing of the hub', () => {
    expect(installed).toEqual(expect.arrayContaining(['posdiag', 'posdiag-protocol', 'serialport', 'node-hid', 'usb']));
    expect(installed.filter((name) => HUB_ONLY.includes(name))).toEqual([]);
  });

  it('says in one line how to get the hub when `posdiag hub` or `posdiag demo` needs it (exit 69)', async () => {
    for (const command of ['hub', 'demo']) {
      const result = await posdiag([command]);
      expect(result, command).toMatchObject({ code: 69, stdout: '', stderr: `posdiag ${command}: the hub is not installed here (npm install posdiag-hub)\n` });
    }
  });
}, TEST_TIMEOUT_MS);

describe('the hub installed with the protocol', () => {
  let installed: string[];
  beforeAll(async () => {
    installed = await install('hub', ['posdiag-protocol', 'posdiag-hub']);
  }, TEST_TIMEOUT_MS);

  it('has SQLite and no device module', () => {
    expect(installed).toEqual(expect.arrayContaining(['posdiag-hub', 'posdiag-protocol', 'better-sqlite3']));
    expect(installed.filter((name) => DEVICE_MODULES.includes(name) || name.startsWith('@serialport/'))).toEqual([]);
  });

  it('runs as posdiag-hub', async () => {
    const result = await node([join(dir, 'hub', 'node_modules', '.bin', 'posdiag-hub'), '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: posdiag-hub \[--listen HOST:PORT\]/);
  });
}, TEST_TIMEOUT_MS);

describe('the agent and the hub installed together', () => {
  beforeAll(async () => {
    await install('both', ['posdiag-protocol', 'posdiag-hub', 'posdiag']);
  }, TEST_TIMEOUT_MS);

  it('runs the hub as `posdiag hub` (the optional peer found beside the agent)', async () => {
    const result = await node([join(dir, 'both', 'node_modules', 'posdiag', 'bin', 'posdiag.js'), 'hub', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: posdiag hub \[--listen HOST:PORT\]/);
  });
}, TEST_TIMEOUT_MS);
