import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selfTestResultSchema } from 'posdiag-protocol';
import { runPosdiag } from '../../helpers/cli-process.js';

/**
 * `posdiag self-test --level quick --json` as a real process with `devices.system`, reading recorded
 * procfs and sysfs trees through `paths.procfs` / `paths.sysfs`. Disk space is the real one of the temp
 * directory (statfs cannot be pointed at a fixture), so its fault is expected only if this disk is full.
 */
const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'posdiag-system-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function selfTest(name: string, procfs: string, sysfs: string) {
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      terminal: { id: 'T-SYSTEM', model: 'X990', serial: 'SN-1' },
      paths: { procfs: join(FIXTURES, 'procfs', procfs), sysfs: join(FIXTURES, 'sysfs', sysfs), state: join(dir, name, 'state'), logs: join(dir, name, 'logs') },
      devices: { system: {} },
      control: { socket: join(dir, name, 'control.sock') },
      locale: 'en',
    }),
  );
  const result = await runPosdiag(['self-test', '--level', 'quick', '--json', '--config', file]);
  return { code: result.code, json: selfTestResultSchema.parse(JSON.parse(result.stdout)) };
}
const diskFault = (readings: Record<string, unknown>) => ((readings['system.disk_free_pct'] as number) < 10 ? ['system.disk_low'] : []);

describe('posdiag self-test with the system driver (process)', () => {
  it.concurrent('a healthy x86 terminal: memory, CPU package temperature and real disk space', async () => {
    const { json } = await selfTest('healthy', 'meminfo-healthy', 'thermal-x86');
    expect(json.readings).toMatchObject({ 'system.mem_available_pct': 59.9, 'system.cpu_temp_c': 52, 'system.cpu_temp_zone': 'thermal_zone1 (x86_pkg_temp)' });
    expect(json.readings['system.disk_free_pct']).toEqual(expect.any(Number));
    expect(json.readings['system.clock_skew_s']).toBeUndefined(); // no hub, no reference time
    expect(json.faults.map((f) => f.code)).toEqual(diskFault(json.readings));
    expect(json.checks.map((c) => c.device)).toEqual(['system']);
  });

  it.concurrent('memory running out and an overheating SoC fail with both faults', async () => {
    const { code, json } = await selfTest('stressed', 'meminfo-replay-leak/proc3', 'thermal-overheat');
    expect(json.readings).toMatchObject({ 'system.mem_available_pct': 6.3, 'system.cpu_temp_c': 91.3 });
    expect(json.faults.map((f) => f.code).sort()).toEqual([...diskFault(json.readings), 'system.memory_low', 'system.overheat'].sort());
    expect(json.faults.find((f) => f.code === 'system.overheat')).toMatchObject({ category: 'hardware', severity: 'major', inhibitedBy: null });
    expect(json.checks).toEqual([{ device: 'system', name: 'status', passed: false, detail: expect.stringMatching(/memory/i) }]);
    expect(code).toBe(1);
  });
});
