#!/usr/bin/env node
/**
 * What the test suite needs from the system, checked before `npm test` (it is the `pretest` script) and
 * by .ci/run before `npm ci`.
 *
 * Everything present: exits 0 at once, without calling apt. Something missing: as root where apt-get is
 * on PATH it installs the Debian packages that provide it (`apt-get update` first); anywhere else it
 * prints one line naming what is missing and the exact install command, and exits 69 (EX_UNAVAILABLE).
 *
 * Plain Node ESM with no dependencies: it runs before `npm ci` has installed anything.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * One row per thing a test uses from the system: exactly one of `program` (looked up on PATH, as the
 * tests spawn it), `file` (an absolute path the tests use as is) or `library` (a shared library by its
 * soname, looked up in the system library folders); `debian` is the package that provides it.
 * Programs from Debian's Essential packages (sh, tar, df, nsenter) are on every Debian system: not listed.
 */
const REQUIREMENTS = [
  { program: 'socat', debian: 'socat', why: 'the serial tests run over socat pseudo-terminal pairs' },
  { program: 'python3', debian: 'python3', why: 'the target-timeout tests run a listener that never accepts (Node cannot)' },
  { program: 'make', debian: 'make', why: 'node-gyp builds better-sqlite3 and smartcard at npm ci' },
  { program: 'g++', debian: 'g++', why: 'node-gyp builds better-sqlite3 and smartcard at npm ci' },
  { program: 'openssl', debian: 'openssl', why: 'the TLS tests make their certificates with it' },
  { program: 'ip', debian: 'iproute2', why: 'the link tests make network namespaces and veth pairs' },
  { program: 'mount', debian: 'mount', why: "the link tests mount a namespace's own sysfs" },
  { program: 'iptables', debian: 'iptables', why: "the loss test drops a test host's SYNs" },
  { program: 'pcscd', debian: 'pcscd', why: 'the PC/SC test runs a real pcscd' },
  { file: '/usr/lib/pcsc/drivers/serial/libifdvpcd.so', debian: 'vsmartcard-vpcd', why: "pcscd's virtual reader" },
  { file: '/usr/bin/vicc', debian: 'vsmartcard-vpicc', why: 'the virtual card the PC/SC test inserts' },
  { file: '/usr/bin/python3', debian: 'python3', why: "vicc runs under Debian's own interpreter" },
  { file: '/usr/lib/python3/dist-packages/Cryptodome', debian: 'python3-pycryptodome', why: 'vicc imports it (as Crypto)' },
  { file: '/usr/include/PCSC/winscard.h', debian: 'libpcsclite-dev', why: 'the smartcard binding compiles against it' },
  { library: 'libpcsclite.so.1', debian: 'libpcsclite1', why: 'the smartcard binding loads it' },
  { library: 'libusb-1.0.so.0', debian: 'libusb-1.0-0', why: "node-hid's prebuilds link against it" },
  { program: 'systemd-analyze', debian: 'systemd', why: 'the packaging test verifies and scores the systemd unit' },
  { program: 'systemd-sysusers', debian: 'systemd', why: "the packaging test makes the unit's user with it" },
  { file: '/usr/lib/postgresql/15/bin/initdb', debian: 'postgresql-15', why: 'the hub suite runs again against a real PostgreSQL server it creates' },
  { file: '/usr/lib/postgresql/15/bin/pg_ctl', debian: 'postgresql-15', why: 'the tests start, restart and stop that server' },
  { program: 'runuser', debian: 'util-linux', why: "as root, PostgreSQL's initdb and server run as the postgres user" },
  { file: '/usr/bin/chromium', debian: 'chromium', why: "the console's browser test drives it with playwright-core (its own browser download cannot work offline)" },
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', debian: 'fonts-noto-cjk', why: "the console's screenshots show its Chinese pages (without a CJK font chromium draws boxes)" },
];

/**
 * Native modules that npm compiles against a Debian package. npm drops an optional dependency whose build
 * fails, so one installed (`npm ci`) before its package was is missing until npm installs it again.
 */
const BINDINGS = [{ module: 'smartcard', file: 'build/Release/smartcard_napi.node' }];

const EX_UNAVAILABLE = 69;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Debian's multiarch folder names, by Node's name for the CPU. */
const MULTIARCH = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf', ia32: 'i386-linux-gnu' };
const LIBRARY_DIRS = ['/lib', '/usr/lib', '/lib64', '/usr/lib64', ...[MULTIARCH[process.arch]].filter(Boolean).flatMap((t) => [`/lib/${t}`, `/usr/lib/${t}`])];

const isFile = (path) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};
const onPath = (name) => (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && isFile(join(dir, name)));

function present(row) {
  if (row.program) return onPath(row.program);
  if (row.file) return existsSync(row.file);
  return LIBRARY_DIRS.some((dir) => isFile(join(dir, row.library)));
}

const describe = (row) => `${row.program ?? row.file ?? row.library} (${row.why})`;
const installCommand = (packages) => `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;

function fail(message) {
  console.error(`test setup: ${message}`);
  process.exit(EX_UNAVAILABLE);
}

/** Runs a command with its output on stderr (stdout may be a test reporter's); false when it failed. */
function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: ['ignore', 2, 2] });
  return result.status === 0;
}

function ensurePackages() {
  const missing = REQUIREMENTS.filter((row) => !present(row));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((row) => row.debian))];
  const what = missing.map(describe).join(', ');
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    fail(`missing ${what}; install with (as root, Debian): ${installCommand(packages)}`);
  }
  console.error(`test setup: installing ${packages.join(' ')} for ${what}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!run('apt-get', ['update', '-qq'], env)) fail(`apt-get update failed; then run: ${installCommand(packages)}`);
  if (!run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], env)) fail(`apt-get install ${packages.join(' ')} failed`);
  const still = REQUIREMENTS.filter((row) => !present(row));
  if (still.length > 0) fail(`still missing after apt-get install: ${still.map(describe).join(', ')}`);
}

/** Before `npm ci` (no node_modules yet) there is nothing to repair: npm ci builds them now. */
function ensureBindings() {
  if (!existsSync(join(ROOT, 'node_modules'))) return;
  const built = () => BINDINGS.every((b) => existsSync(join(ROOT, 'node_modules', b.module, b.file)));
  if (built()) return;
  const names = BINDINGS.map((b) => b.module).join(' ');
  console.error(`test setup: ${names} not built (npm installed it before its system library was there): running npm install`);
  if (!run('npm', ['install', '--no-save', '--no-audit', '--no-fund']) || !built()) fail(`${names} still not built: run npm ci`);
}

// `--debian-packages`: the packages of the table, one line, for .ci/run's own apt-get install.
if (process.argv.includes('--debian-packages')) {
  console.log([...new Set(REQUIREMENTS.map((row) => row.debian))].join(' '));
} else {
  ensurePackages();
  ensureBindings();
}
