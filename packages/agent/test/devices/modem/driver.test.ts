import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import type { Observation } from '../../../src/core/readings.js';
import type { ModemConfig } from '../../../src/devices/modem/config.js';
import { ModemDriver, type ModemDriverOptions } from '../../../src/devices/modem/modem-driver.js';
import { silentLogger } from '../../../src/log/logger.js';
import { AtModemEmulator, type AtModemOptions, type AtModemState } from '../../../src/devices/modem/emulator/at-modem.js';
import { MODEM_SCENARIOS } from '../../../src/devices/modem/emulator/at-modem-scenarios.js';

/** The modem driver against the AT emulator over serialport's mock binding; time is a FakeClock. */

let nextPort = 0;
const drivers: ModemDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

const config = (path: string): ModemConfig => ({ path, baudRate: 115200, timeout: '1s' });

async function setup(state: Partial<AtModemState> = {}, modemOptions: AtModemOptions = {}, driverOptions: ModemDriverOptions = {}) {
  const clock = new FakeClock();
  const emulator = new AtModemEmulator(state, modemOptions);
  const path = `/dev/mock-modem-${process.pid}-${nextPort++}`;
  const { binding } = await emulator.attachToMockPort(path);
  const driver = new ModemDriver(config(path), { clock, log: silentLogger }, { ...driverOptions, binding });
  drivers.push(driver);
  return { clock, emulator, driver, path };
}

/** Runs a poll to completion, moving fake time on only while it is still pending (silent modems). */
async function pollSettled(driver: ModemDriver, clock: FakeClock): Promise<Observation> {
  let settled = false;
  const result = driver.poll(new AbortController().signal).finally(() => {
    settled = true;
  });
  while (!settled) await clock.advance(50);
  return result;
}

const QUERIES = ['AT+CPIN?', 'AT+CSQ', 'AT+CESQ', 'AT+CREG?', 'AT+CGREG?', 'AT+CEREG?', 'AT+COPS?'];
const HEALTHY_READINGS = {
  'modem.responding': true,
  'modem.sim': 'ready',
  'modem.signal_dbm': -73,
  'modem.registration': 'home',
  'modem.operator': 'CHINA MOBILE',
  'modem.access_tech': 'umts',
  // Bytes discarded as line noise in the poll window: none on the mock line.
  'modem.line_errors': 0,
};

describe('modem driver on a noisy line', () => {
  it('counts the bytes that are not AT text per poll window, on the observations of a modem that answers', async () => {
    const { driver, clock, emulator } = await setup();
    expect((await pollSettled(driver, clock)).readings).toEqual(HEALTHY_READINGS);
    emulator.lineNoise(Buffer.from('\r\n\xff\x00+CSQ: 1,99\r\n\x80\r\n', 'latin1'));
    expect((await pollSettled(driver, clock)).readings).toEqual({ ...HEALTHY_READINGS, 'modem.line_errors': 13 });
    expect((await pollSettled(driver, clock)).readings).toEqual(HEALTHY_READINGS);
  });

  it('does not believe an identity read while noise arrived: it is asked again next poll', async () => {
    const { driver, clock, emulator } = await setup({}, { echo: false });
    // One garbage byte ahead of the answers to AT and ATE0: the second one falls inside the identity read.
    emulator.lineNoise(Uint8Array.of(0xff), 2);
    const noisy = await pollSettled(driver, clock);
    expect(noisy.readings).toEqual({ ...HEALTHY_READINGS, 'modem.line_errors': 2 });
    expect(noisy.identity).toBeUndefined();
    const before = emulator.commands.length;
    const clean = await pollSettled(driver, clock);
    expect(emulator.commands.slice(before, before + 3)).toEqual(['AT', 'ATE0', 'AT+CMEE=2']);
    expect(clean.identity).toMatchObject({ vendor: 'Quectel', model: 'EC25', serial: '490154203237518' });
  });
});

describe('modem driver over the mock binding', () => {
  it('takes its timing from the config, with defaults', async () => {
    const { driver } = await setup();
    expect([driver.kind, driver.name, driver.timeoutMs, driver.intervalMs]).toEqual(['modem', 'modem', 1000, 30_000]);
  });

  it('configures once per open, reads identity, then only queries; never asks for IMSI or ICCID', async () => {
    const { driver, clock, emulator, path } = await setup();
    const first = await pollSettled(driver, clock);
    expect(first.readings).toEqual(HEALTHY_READINGS);
    expect(first.identity).toEqual({ kind: 'modem', vendor: 'Quectel', model: 'EC25', firmware: 'EC25EFAR06A06M4G', serial: '490154203237518', address: path });
    expect(first.evidence).toMatchObject({ 'modem.csq': '20,0', 'modem.creg': '2,1', 'modem.cereg': '2,0' });
    expect(first.problems).toBeUndefined();
    expect(emulator.commands).toEqual(['AT', 'ATE0', 'AT+CMEE=2', 'AT+CGMI', 'AT+CGMM', 'AT+CGMR', 'AT+CGSN', ...QUERIES]);
    expect(emulator.echoOn).toBe(false);

    const second = await pollSettled(driver, clock);
    expect(second.readings).toEqual(HEALTHY_READINGS);
    expect(second.identity).toEqual(first.identity);
    expect(emulator.commands.slice(14)).toEqual(['AT', ...QUERIES]);
    expect(emulator.commands.some((c) => /CIMI|CCID/i.test(c))).toBe(false);
  });

  it.each([
    ['sim_missing', { 'modem.sim': 'missing', 'modem.registration': 'not_registered' }],
    ['sim_pin', { 'modem.sim': 'pin_required', 'modem.registration': 'not_registered' }],
    ['sim_puk', { 'modem.sim': 'puk_required', 'modem.registration': 'not_registered' }],
    ['searching', { 'modem.sim': 'ready', 'modem.registration': 'searching', 'modem.signal_dbm': -73 }],
    ['denied', { 'modem.registration': 'denied' }],
    ['weak', { 'modem.signal_dbm': -103, 'modem.registration': 'home' }],
    ['lte_only', { 'modem.signal_dbm': -81, 'modem.registration': 'home', 'modem.access_tech': 'lte' }],
    ['roaming', { 'modem.registration': 'roaming', 'modem.operator': 'Vodafone D2' }],
  ] as const)('reads the %s state', async (scenario, expected) => {
    const { driver, clock } = await setup(MODEM_SCENARIOS[scenario]);
    const { readings } = await pollSettled(driver, clock);
    expect(readings).toMatchObject({ 'modem.responding': true, ...expected });
    if (readings['modem.registration'] !== 'home' && readings['modem.registration'] !== 'roaming') expect(readings['modem.operator']).toBeUndefined();
  });

  it('reads a missing SIM from the verbose +CME ERROR it enabled, and says so', async () => {
    const { driver, clock } = await setup(MODEM_SCENARIOS.sim_missing);
    const { problems } = await pollSettled(driver, clock);
    expect(problems).toEqual([{ message: 'AT+CPIN?: +CME ERROR: SIM not inserted' }]);
  });

  it('reads the same through echo, interleaved URCs, bare hex LAC/CI and no space after colons', async () => {
    const { driver, clock } = await setup({ chatty: true, bareHexLocation: true, noSpaceAfterColon: true });
    expect((await pollSettled(driver, clock)).readings).toEqual(HEALTHY_READINGS);
    expect((await pollSettled(driver, clock)).readings).toEqual(HEALTHY_READINGS);
  });

  it('ends the queries at the first one left unanswered, keeping what it read', async () => {
    const { driver, clock, emulator } = await setup();
    const answer = emulator.handleInput.bind(emulator);
    emulator.handleInput = (bytes) => {
      const out = answer(bytes);
      if (emulator.commands.at(-1) === 'AT+CESQ') emulator.set({ silent: true });
      return out;
    };
    const { readings, problems } = await pollSettled(driver, clock);
    expect(readings).toEqual({ 'modem.responding': true, 'modem.sim': 'ready', 'modem.signal_dbm': -73, 'modem.registration': 'unknown', 'modem.line_errors': 0 });
    expect(problems).toEqual([{ message: expect.stringMatching(/^AT\+CREG\?: .*no reply within 200 ms/) }]);
    expect(emulator.commands.at(-1)).toBe('AT+CESQ');
  });

  it('stays in step when a timed-out reply arrives late, during the next poll', async () => {
    const { driver, clock, emulator } = await setup();
    await pollSettled(driver, clock);
    const answer = emulator.handleInput.bind(emulator);
    let late: Buffer | undefined;
    let heldBack: Buffer | undefined;
    emulator.handleInput = (bytes) => {
      const out = answer(bytes);
      const command = emulator.commands.at(-1);
      if (command === 'AT+CREG?' && !late) return ((late = out), Buffer.alloc(0));
      // The next poll's AT gets the late +CREG answer; its own OK comes with the following answer.
      if (command === 'AT' && late && !heldBack) return ((heldBack = out), late);
      if (heldBack && command === 'AT+CPIN?') return Buffer.concat([heldBack, out]);
      return out;
    };
    expect((await pollSettled(driver, clock)).readings['modem.registration']).toBe('unknown');
    expect((await pollSettled(driver, clock)).readings).toEqual(HEALTHY_READINGS);
  });

  it('reports a silent modem as not responding and nothing else', async () => {
    const { driver, clock } = await setup(MODEM_SCENARIOS.silent);
    const observation = await pollSettled(driver, clock);
    expect(observation.readings).toEqual({ 'modem.responding': false });
    expect(observation.identity).toBeUndefined();
    expect(observation.actions).toBeUndefined();
  });

  it('reports a port that does not exist as not responding', async () => {
    const clock = new FakeClock();
    const { binding } = await new AtModemEmulator().attachToMockPort(`/dev/mock-modem-${process.pid}-${nextPort++}`);
    const driver = new ModemDriver(config('/dev/no-such-modem'), { clock, log: silentLogger }, { binding });
    drivers.push(driver);
    expect((await pollSettled(driver, clock)).readings).toEqual({ 'modem.responding': false });
  });

  it('reconfigures after the modem came back from silence (it may have rebooted)', async () => {
    const { driver, clock, emulator } = await setup();
    await pollSettled(driver, clock);
    emulator.set({ silent: true });
    expect((await pollSettled(driver, clock)).readings).toEqual({ 'modem.responding': false });
    emulator.set({ silent: false });
    const before = emulator.commands.length;
    const back = await pollSettled(driver, clock);
    expect(back.readings).toEqual(HEALTHY_READINGS);
    expect(emulator.commands.slice(before, before + 3)).toEqual(['AT', 'ATE0', 'AT+CMEE=2']);
  });

  it('honours an abort', async () => {
    const { driver, clock } = await setup(MODEM_SCENARIOS.silent);
    const controller = new AbortController();
    const poll = expect(driver.poll(controller.signal)).rejects.toThrow('stop');
    controller.abort(new Error('stop'));
    await clock.advance(0);
    await poll;
  });
});

describe('modem first-line fix (re-initialisation)', () => {
  const MINUTE = 60_000;

  it('restarts the radio of a modem stuck searching, once the trouble has lasted, and it registers', async () => {
    const { driver, clock, emulator } = await setup(MODEM_SCENARIOS.searching, { onReinit: { registration: 'home' } });
    expect((await pollSettled(driver, clock)).actions).toBeUndefined();
    await clock.advance(MINUTE);
    expect((await pollSettled(driver, clock)).actions).toBeUndefined();
    await clock.advance(MINUTE);
    const attemptAt = clock.now();
    const fixed = await pollSettled(driver, clock);
    expect(fixed.readings['modem.registration']).toBe('searching');
    expect(fixed.actions).toEqual([
      { action: 'modem.radio_restart', at: new Date(attemptAt).toISOString(), ok: true, detail: 'AT+CFUN=0 then AT+CFUN=1: OK', readings: ['modem.registration'] },
    ]);
    expect(emulator.commands.slice(-2)).toEqual(['AT+CFUN=0', 'AT+CFUN=1']);
    const after = await pollSettled(driver, clock);
    expect(after.readings['modem.registration']).toBe('home');
    expect(after.actions).toBeUndefined();
  });

  it('gives up after 3 attempts an hour on a modem a re-init does not fix', async () => {
    const { driver, clock, emulator } = await setup(MODEM_SCENARIOS.searching);
    const attempts: number[] = [];
    const start = clock.now();
    for (let minute = 0; minute < 60; minute++) {
      const { actions } = await pollSettled(driver, clock);
      if (actions) attempts.push(Math.round((clock.now() - start) / MINUTE));
      await clock.advance(MINUTE - ((clock.now() - start) % MINUTE));
    }
    expect(attempts).toEqual([2, 4, 6]);
    expect(emulator.commands.filter((c) => c === 'AT+CFUN=0')).toHaveLength(3);
  });

  it('does not re-initialise for a missing SIM', async () => {
    const { driver, clock, emulator } = await setup(MODEM_SCENARIOS.sim_missing);
    for (let i = 0; i < 5; i++) {
      expect((await pollSettled(driver, clock)).actions).toBeUndefined();
      await clock.advance(MINUTE);
    }
    expect(emulator.commands.some((c) => c.startsWith('AT+CFUN'))).toBe(false);
  });

  it('resets a modem that stays silent on an open port, and reports the failed attempt', async () => {
    const { driver, clock, emulator } = await setup();
    await pollSettled(driver, clock);
    emulator.set({ silent: true });
    const found: Observation[] = [];
    for (let i = 0; i < 4; i++) {
      found.push(await pollSettled(driver, clock));
      await clock.advance(MINUTE);
    }
    const actions = found.flatMap((o) => o.actions ?? []);
    expect(actions).toEqual([
      { action: 'modem.reset', at: new Date(actions[0]!.at).toISOString(), ok: false, detail: expect.stringMatching(/^AT\+CFUN=1,1: .*no reply/), readings: ['modem.responding'] },
    ]);
    expect(found.every((o) => o.readings['modem.responding'] === false)).toBe(true);
  });

});
