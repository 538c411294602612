import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from 'posdiag-protocol';
import { ModemDriver } from '../../../src/devices/modem/modem-driver.js';
import { silentLogger } from '../../../src/log/logger.js';
import { AtModemEmulator, type AtModemState } from '../../../src/devices/modem/emulator/at-modem.js';
import { MODEM_SCENARIOS } from '../../../src/devices/modem/emulator/at-modem-scenarios.js';
import { createPtyPair, type PtyPair } from '../../helpers/pty.js';

/**
 * The modem driver over real ttys with the real serialport bindings: socat joins two ptys, the
 * emulator holds end B (echo on, as a modem powers up), the driver end A. Reply timeout 600 ms
 * (poll timeout 3 s / 5, roomy for a loaded machine). No timed assertions and no sleeps.
 */

let dir: string;
let pty: PtyPair | undefined;
let emulatorPort: SerialPort | undefined;
let driver: ModemDriver | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-modem-pty-'));
});

afterEach(async () => {
  await driver?.close();
  const port = emulatorPort;
  if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  await pty?.kill();
  driver = emulatorPort = pty = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function plugIn(state: Partial<AtModemState>): Promise<{ emulator: AtModemEmulator; driver: ModemDriver }> {
  const host = join(dir, 'modem-host');
  const device = join(dir, 'modem-device');
  pty = await createPtyPair(host, device);
  const port = new SerialPort({ path: device, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('error', () => {});
  emulatorPort = port;
  const emulator = new AtModemEmulator(state, { echo: true });
  emulator.attachToStream(port);
  driver = new ModemDriver({ path: host, baudRate: 115200, timeout: '3s' }, { clock: systemClock, log: silentLogger });
  return { emulator, driver };
}

const poll = (d: ModemDriver) => d.poll(new AbortController().signal);

describe('modem driver over a real pty', () => {
  it('reads a healthy modem through echo, URCs interleaved in answers and URCs between polls', async () => {
    const { emulator, driver } = await plugIn({ chatty: true });
    emulator.emitUrc('RDY');
    const first = await poll(driver);
    emulator.emitUrc('+CPIN: READY');
    emulator.emitUrc('+CREG: 1');
    const second = await poll(driver);
    for (const observation of [first, second]) {
      expect(observation.readings).toEqual({
        'modem.responding': true,
        'modem.sim': 'ready',
        'modem.signal_dbm': -73,
        'modem.registration': 'home',
        'modem.operator': 'CHINA MOBILE',
        'modem.access_tech': 'umts',
        'modem.line_errors': 0,
      });
      expect(observation.problems).toBeUndefined();
    }
    expect(first.identity).toMatchObject({ vendor: 'Quectel', model: 'EC25', serial: '490154203237518' });
    // The first commands went out while the modem still echoed them.
    expect(emulator.commands.slice(0, 2)).toEqual(['AT', 'ATE0']);
    expect(emulator.echoOn).toBe(false);
  });

  it('reads an LTE-only modem (CSQ 99,99) from CESQ, with bare hex TAC and tight colons', async () => {
    const { driver } = await plugIn({ ...MODEM_SCENARIOS.lte_only, bareHexLocation: true, noSpaceAfterColon: true, chatty: true });
    const { readings, evidence } = await poll(driver);
    expect(readings).toMatchObject({ 'modem.signal_dbm': -81, 'modem.registration': 'home', 'modem.access_tech': 'lte' });
    expect(evidence).toMatchObject({ 'modem.csq': '99,99', 'modem.cesq': '99,99,255,255,20,60', 'modem.creg': '2,0', 'modem.cereg': '2,1' });
  });

  it('reads a missing SIM with echo still on in the modem', async () => {
    const { driver } = await plugIn(MODEM_SCENARIOS.sim_missing);
    expect((await poll(driver)).readings).toMatchObject({ 'modem.sim': 'missing', 'modem.registration': 'not_registered' });
  });

  it('reports a silent modem as not responding', async () => {
    const { driver } = await plugIn(MODEM_SCENARIOS.silent);
    expect((await poll(driver)).readings).toEqual({ 'modem.responding': false });
  });
});
