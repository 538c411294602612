import { describe, expect, it } from 'vitest';
import { AtModemEmulator } from '../../../src/devices/modem/emulator/at-modem.js';

/** The AT modem emulator byte by byte: framing, echo, error modes, per-domain registration, resets. */

const send = (modem: AtModemEmulator, text: string) => modem.handleInput(Buffer.from(text, 'latin1')).toString('latin1');

describe('AT modem emulator', () => {
  it('echoes at power-up until ATE0, and frames answers as \\r\\n<info>\\r\\n\\r\\nOK\\r\\n', () => {
    const modem = new AtModemEmulator();
    expect(send(modem, 'AT\r')).toBe('AT\r\r\nOK\r\n');
    expect(send(modem, 'ATE0\r')).toBe('ATE0\r\r\nOK\r\n');
    expect(send(modem, 'AT+CSQ\r')).toBe('\r\n+CSQ: 20,0\r\n\r\nOK\r\n');
    expect(modem.commands).toEqual(['AT', 'ATE0', 'AT+CSQ']);
  });

  it('waits for the CR of a command split across writes', () => {
    const modem = new AtModemEmulator({}, { echo: false });
    expect(send(modem, 'AT+CP')).toBe('');
    expect(send(modem, 'IN?\r')).toBe('\r\n+CPIN: READY\r\n\r\nOK\r\n');
  });

  it('answers a missing SIM with ERROR, +CME ERROR: 10 or the verbose text by CMEE mode', () => {
    const modem = new AtModemEmulator({ sim: 'missing' }, { echo: false });
    expect(send(modem, 'AT+CPIN?\r')).toBe('\r\nERROR\r\n');
    send(modem, 'AT+CMEE=1\r');
    expect(send(modem, 'AT+CPIN?\r')).toBe('\r\n+CME ERROR: 10\r\n');
    send(modem, 'AT+CMEE=2\r');
    expect(send(modem, 'AT+CPIN?\r')).toBe('\r\n+CME ERROR: SIM not inserted\r\n');
    expect(send(modem, 'AT+CIMI\r')).toBe('\r\n+CME ERROR: operation not supported\r\n');
  });

  it('registers an LTE-only modem in EPS only, with CSQ 99,99 and RSRP in CESQ', () => {
    const modem = new AtModemEmulator({ lteOnly: true, rsrp: 60, bareHexLocation: true, noSpaceAfterColon: true }, { echo: false });
    expect(send(modem, 'AT+CSQ\r')).toBe('\r\n+CSQ:99,99\r\n\r\nOK\r\n');
    expect(send(modem, 'AT+CESQ\r')).toBe('\r\n+CESQ:99,99,255,255,20,60\r\n\r\nOK\r\n');
    expect(send(modem, 'AT+CREG?\r')).toBe('\r\n+CREG:2,0\r\n\r\nOK\r\n');
    expect(send(modem, 'AT+CEREG?\r')).toBe('\r\n+CEREG:2,1,1A2B,0000A13F,7\r\n\r\nOK\r\n');
    expect(send(modem, 'AT+COPS?\r')).toBe('\r\n+COPS:0,0,"CHINA MOBILE",7\r\n\r\nOK\r\n');
  });

  it('interleaves state-consistent URCs when chatty', () => {
    const modem = new AtModemEmulator({ chatty: true }, { echo: false });
    expect(send(modem, 'AT+CREG?\r')).toBe('\r\nRDY\r\n\r\n+CREG: 2,1,"00C3","0000A13F",2\r\n\r\n+CFUN: 1\r\n\r\nOK\r\n');
    expect(send(modem, 'AT\r')).toBe('\r\n+CPIN: READY\r\n\r\n+CREG: 1\r\n\r\nOK\r\n');
  });

  it('says nothing when silent', () => {
    const modem = new AtModemEmulator({ silent: true });
    expect(send(modem, 'AT\r')).toBe('');
    const urcs: Buffer[] = [];
    modem.onOutput((b) => urcs.push(b));
    modem.emitUrc('RDY');
    expect(urcs).toEqual([]);
  });

  it('applies onReinit after a radio off/on and after a full reset, which also restores echo', async () => {
    const modem = new AtModemEmulator({ registration: 'searching' }, { onReinit: { registration: 'home' } });
    send(modem, 'ATE0\r');
    expect(send(modem, 'AT+CFUN=0\r')).toBe('\r\nOK\r\n');
    expect(send(modem, 'AT+CREG?\r')).toBe('\r\n+CREG: 2,0\r\n\r\nOK\r\n');
    send(modem, 'AT+CFUN=1\r');
    expect(send(modem, 'AT+CREG?\r')).toBe('\r\n+CREG: 2,1,"00C3","0000A13F",2\r\n\r\nOK\r\n');

    const other = new AtModemEmulator({ registration: 'denied' }, { echo: false, onReinit: { registration: 'roaming' } });
    const urcs: string[] = [];
    other.onOutput((b) => urcs.push(b.toString('latin1')));
    expect(send(other, 'AT+CFUN=1,1\r')).toBe('\r\nOK\r\n');
    await Promise.resolve();
    expect(urcs).toEqual(['\r\nRDY\r\n']);
    expect(other.state.registration).toBe('roaming');
  });
});
