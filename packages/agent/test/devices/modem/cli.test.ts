import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, describe, expect, it } from 'vitest';
import { selfTestResultSchema } from 'posdiag-protocol';
import { AtModemEmulator } from '../../../src/devices/modem/emulator/at-modem.js';
import { MODEM_SCENARIOS, type ModemScenario } from '../../../src/devices/modem/emulator/at-modem-scenarios.js';
import { runPosdiag } from '../../helpers/cli-process.js';
import { createPtyPair } from '../../helpers/pty.js';

/**
 * `posdiag self-test --level quick --json` as a real process with only a modem, emulated on a real
 * pty (echo on, URCs interleaved). Each case has its own pty, so the cases run concurrently.
 */
const dir = mkdtempSync(join(tmpdir(), 'posdiag-modem-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function selfTestWith(scenario: ModemScenario) {
  const host = join(dir, `${scenario}-host`);
  const pty = await createPtyPair(host, join(dir, `${scenario}-device`));
  const port = new SerialPort({ path: join(dir, `${scenario}-device`), baudRate: 115200, autoOpen: false });
  try {
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('error', () => {});
    new AtModemEmulator({ ...MODEM_SCENARIOS[scenario], chatty: true }, { echo: true }).attachToStream(port);
    const config = join(dir, `${scenario}.json`);
    writeFileSync(
      config,
      JSON.stringify({
        terminal: { id: 'T-MODEM-1', model: 'X990', serial: 'SN-1' },
        paths: { state: join(dir, 'state'), logs: join(dir, 'logs') },
        control: { socket: join(dir, 'no-daemon.sock') },
        devices: { modem: { path: host, baudRate: 115200, timeout: '5s' } },
        locale: 'en',
      }),
    );
    const result = await runPosdiag(['self-test', '--level', 'quick', '--json', '--config', config]);
    const json = selfTestResultSchema.parse(JSON.parse(result.stdout));
    const live = json.faults.filter((f) => f.inhibitedBy === null).map((f) => f.code);
    return { code: result.code, json, live };
  } finally {
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    await pty.kill();
  }
}

describe.concurrent('posdiag self-test with a modem on a pty (process)', () => {
  it('passes a healthy modem', async () => {
    const { code, json, live } = await selfTestWith('healthy');
    expect(live).toEqual([]);
    expect(json.checks).toEqual([{ device: 'modem', name: 'status', passed: true, detail: 'ok' }]);
    expect(json.readings).toMatchObject({ 'modem.responding': true, 'modem.sim': 'ready', 'modem.registration': 'home', 'modem.signal_dbm': -73 });
    expect(code).toBe(0);
  });

  it('names modem.sim_missing when there is no SIM (not-registered explained by it)', async () => {
    const { code, json, live } = await selfTestWith('sim_missing');
    expect(live).toEqual(['modem.sim_missing']);
    expect(json.faults.find((f) => f.code === 'modem.not_registered')?.inhibitedBy).toBe('modem.sim_missing');
    expect(json.faults[0]).toMatchObject({ category: 'hardware', severity: 'critical' });
    expect(code).toBe(1);
  });

  it('names modem.signal_weak for a weak signal', async () => {
    const { code, json, live } = await selfTestWith('weak');
    expect(json.readings['modem.signal_dbm']).toBe(-103);
    expect(live).toEqual(['modem.signal_weak']);
    expect(code).toBe(1);
  });

  it('reports a CSQ out of range as a problem with the raw answer, not as a weak signal', async () => {
    const { code, json, live } = await selfTestWith('csq_out_of_range');
    expect(live).toEqual([]);
    expect(json.faults).toEqual([]);
    expect(json.readings['modem.csq']).toBe('45,0');
    expect(json.problems).toEqual([
      { device: 'modem', reading: 'modem.signal_dbm', message: '+CSQ: 45,0: rssi 45 is not 0..31, 99, 100..191 or 199' },
    ]);
    expect(code).toBe(0);
  });

  it('reads an LTE-only modem signal from CESQ and passes it', async () => {
    const { code, json, live } = await selfTestWith('lte_only');
    expect(json.readings).toMatchObject({ 'modem.signal_dbm': -81, 'modem.access_tech': 'lte', 'modem.registration': 'home', 'modem.csq': '99,99' });
    expect(live).toEqual([]);
    expect(code).toBe(0);
  });

  it('names modem.not_registered while searching', async () => {
    const { code, json, live } = await selfTestWith('searching');
    expect(json.readings['modem.registration']).toBe('searching');
    expect(live).toEqual(['modem.not_registered']);
    expect(code).toBe(1);
  });

  it('names modem.unresponsive for a silent modem', async () => {
    const { code, json, live } = await selfTestWith('silent');
    expect(json.readings).toEqual({ 'modem.responding': false });
    expect(live).toEqual(['modem.unresponsive']);
    expect(code).toBe(1);
  });
});
