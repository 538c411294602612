import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSafeSegment, listDirectory, parseUevent, readAttribute } from '../../../src/drivers/transports/sysfs.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'posdiag-sysfs-'));
  mkdirSync(join(root, 'class', 'power_supply', 'BAT0'), { recursive: true });
  mkdirSync(join(root, 'class', 'power_supply', 'AC'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('sysfs transport', () => {
  it('reads an attribute relative to the root, trimmed of the trailing newline', async () => {
    writeFileSync(join(root, 'class/power_supply/BAT0/status'), 'Not charging\n');
    expect(await readAttribute(root, 'class/power_supply/BAT0/status')).toEqual({ kind: 'value', text: 'Not charging' });
  });

  it('reports a missing attribute as missing, not as an error', async () => {
    expect(await readAttribute(root, 'class/power_supply/BAT0/capacity')).toEqual({ kind: 'missing' });
    expect(await readAttribute(root, 'class/power_supply/BAT9/capacity')).toEqual({ kind: 'missing' });
  });

  it('reports an attribute the kernel refuses to read as unreadable, naming the file and the code', async () => {
    // A directory where a file should be fails with EISDIR, as EIO/EINVAL would from a real driver.
    mkdirSync(join(root, 'class/power_supply/BAT0/capacity'));
    expect(await readAttribute(root, 'class/power_supply/BAT0/capacity')).toEqual({
      kind: 'unreadable',
      message: 'class/power_supply/BAT0/capacity: EISDIR',
    });
  });

  it('rejects only when the signal is aborted', async () => {
    writeFileSync(join(root, 'class/power_supply/BAT0/status'), 'Full\n');
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(readAttribute(root, 'class/power_supply/BAT0/status', controller.signal)).rejects.toThrow('stop');
  });

  it('lists a class directory sorted, and an absent class as empty', async () => {
    expect(await listDirectory(root, 'class/power_supply')).toEqual(['AC', 'BAT0']);
    expect(await listDirectory(root, 'class/net')).toEqual([]);
  });

  it('parses uevent lines and skips a truncated last line', () => {
    expect(parseUevent('DEVTYPE=power_supply\nPOWER_SUPPLY_MODEL_NAME=a=b \nPOWER_SUPPLY_CAPA')).toEqual({
      DEVTYPE: 'power_supply',
      POWER_SUPPLY_MODEL_NAME: 'a=b',
    });
  });

  it('accepts only single path segments from config', () => {
    expect(['BAT0', 'hid-0005:046D:B01A.0001-battery'].every(isSafeSegment)).toBe(true);
    expect(['', '.', '..', '../BAT0', 'a/b', 'a\\b'].some(isSafeSegment)).toBe(false);
  });
});
