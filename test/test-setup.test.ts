import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * scripts/test-setup.mjs (the `pretest` step and .ci/run's first step) run as a process. Nothing is
 * uninstalled: a program is made absent by a PATH of symlinks to every program but it, and apt-get is
 * either absent from that PATH or a fake that only records how it was called.
 */
const SCRIPT = fileURLToPath(new URL('../scripts/test-setup.mjs', import.meta.url));
const INSTALL_SOCAT = 'apt-get update && apt-get install -y --no-install-recommends socat';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-test-setup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A folder with a link to every program on this PATH except `without` (the first of each name wins, as PATH does). */
function pathWithout(...without: string[]): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const linked = new Set(without);
  for (const from of (process.env.PATH ?? '').split(delimiter).filter(existsSync)) {
    for (const name of readdirSync(from)) {
      if (linked.has(name)) continue;
      linked.add(name);
      symlinkSync(join(from, name), join(bin, name));
    }
  }
  return bin;
}

/** A fake apt-get, to put first on PATH, that appends its arguments to a file and installs nothing. */
function fakeAptGet(): { bin: string; calls: () => string[] } {
  const bin = join(dir, 'fake');
  mkdirSync(bin);
  const record = join(dir, 'apt-calls');
  writeFileSync(join(bin, 'apt-get'), `#!/bin/sh\necho "$*" >> '${record}'\n`, { mode: 0o755 });
  return { bin, calls: () => (existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n') : []) };
}

function setup(PATH: string) {
  const result = spawnSync(process.execPath, [SCRIPT], { env: { ...process.env, PATH }, encoding: 'utf8' });
  return { code: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('test setup (scripts/test-setup.mjs)', () => {
  it('--debian-packages prints the table\'s Debian packages on one line, for .ci/run, and installs nothing', () => {
    const fake = fakeAptGet();
    const result = spawnSync(process.execPath, [SCRIPT, '--debian-packages'], { env: { ...process.env, PATH: `${fake.bin}${delimiter}${process.env.PATH}` }, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const packages = result.stdout.trim().split(' ');
    for (const name of ['socat', 'pcscd', 'vsmartcard-vpcd', 'postgresql-15', 'iptables', 'util-linux']) expect(packages).toContain(name);
    expect(new Set(packages).size).toBe(packages.length);
    expect(fake.calls()).toEqual([]);
  });

  it('with a required program absent and no apt-get, names exactly that program and the install command on one line, exit 69', () => {
    const { code, stderr, stdout } = setup(pathWithout('socat', 'apt-get'));
    expect(code).toBe(69);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^test setup: missing socat \([^)]*pseudo-terminal[^)]*\); install with \(as root, Debian\): /);
    expect(lines[0]!.endsWith(`: ${INSTALL_SOCAT}`)).toBe(true);
  });

  it('as root with apt-get, updates first and then installs exactly the missing package (a fake apt-get that installs nothing: still missing, exit 69)', () => {
    expect(process.getuid?.()).toBe(0); // the integration suite runs as root; this path is the root one
    const apt = fakeAptGet();
    const { code, stderr } = setup(`${apt.bin}${delimiter}${pathWithout('socat', 'apt-get')}`);
    expect(apt.calls()).toEqual(['update -qq', 'install -y -qq --no-install-recommends socat']);
    expect(code).toBe(69);
    expect(stderr.trimEnd().split('\n').at(-1)).toMatch(/^test setup: still missing after apt-get install: socat \(/);
  });

  it('with everything present, exits 0 silently without calling apt-get', () => {
    const apt = fakeAptGet();
    const { code, stderr, stdout } = setup(`${apt.bin}${delimiter}${process.env.PATH}`);
    expect({ code, stderr, stdout }).toEqual({ code: 0, stderr: '', stdout: '' });
    expect(apt.calls()).toEqual([]);
  });
});
