import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// First: the families' list must load before the control layer's modules reach into a family.
import { FAULT_CATALOG } from '../../../src/devices/catalog.js';
import { connectPrinterRelay, type PrinterRelay } from '../../../../../packaging/android/printer-relay-example.mjs';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';
import type { Agent } from '../../../src/agent.js';
import { agentControlHandlers } from '../../../src/control/agent-handlers.js';
import { requestDaemon } from '../../../src/control/client.js';
import { startControlServer, type ControlServer } from '../../../src/control/server.js';
import type { Observation } from '../../../src/core/readings.js';
import { AppPrinterDriver, type AppPrinterConfig } from '../../../src/devices/printer/app-printer-driver.js';
import { relayedObservation } from '../../../src/devices/printer/app-printer-status.js';
import { printer } from '../../../src/devices/printer/index.js';
import { VENDOR_STATUS_CODES, vendorStatusCode } from '../../../src/devices/printer/vendor-status-codes.js';
import { createRuleEngine } from '../../../src/rules/rule-files.js';
import { unknownReadings } from '../../../src/rules/unknown-readings.js';

const ALL_OK = { paper: 'ok', cover: 'closed', overheat: false, cutter: 'ok', online: true } as const;

describe('a relayed printer status → printer readings (pure)', () => {
  it('names the readings as the ESC/POS driver does', () => {
    expect(relayedObservation({ ...ALL_OK, paper: 'near_end', cover: 'open', overheat: true, cutter: 'error', online: false })).toEqual({
      readings: {
        'printer.connected': true,
        'printer.online': false,
        'printer.cover_open': true,
        'printer.paper': 'near_end',
        'printer.head_overheat': true,
        'printer.cutter_error': true,
      },
      evidence: {},
    });
  });

  it('a field left out is unknown (a reading problem), never OK', () => {
    const observation = relayedObservation({ paper: 'end' });
    expect(observation.readings).toEqual({ 'printer.connected': true, 'printer.paper': 'end' });
    expect(unknownReadings(observation).sort()).toEqual(['printer.cover_open', 'printer.cutter_error', 'printer.head_overheat', 'printer.online']);
  });

  it('a known vendor code fills what the app left out; what the app says wins; the code is evidence', () => {
    expect(relayedObservation({ vendorCode: 'sunmi:4' })).toMatchObject({
      readings: { 'printer.connected': true, 'printer.paper': 'end', 'printer.online': false },
      evidence: { 'printer.vendor_code': 'sunmi:4', 'printer.vendor_status': 'out of paper' },
    });
    expect(relayedObservation({ vendorCode: 'sunmi:1', paper: 'near_end' }).readings).toMatchObject({ 'printer.paper': 'near_end', 'printer.online': true, 'printer.cover_open': false });
    expect(relayedObservation({ vendorCode: 'PAX:240' }).evidence).toEqual({ 'printer.vendor_code': 'PAX:240', 'printer.vendor_status': 'printing unfinished' });
    expect(relayedObservation({ vendorCode: 'pax:4', ...ALL_OK }).readings['printer.unrecoverable_error']).toBe(true);
    expect(relayedObservation({ vendorCode: 'acme:17', ...ALL_OK }).evidence).toEqual({ 'printer.vendor_code': 'acme:17' });
  });

  it('"no printer detected" is a disconnected printer', () => {
    const observation = relayedObservation({ vendorCode: 'sunmi:505' });
    expect(observation.readings).toEqual({ 'printer.connected': false });
    expect(unknownReadings(observation)).toHaveLength(5);
  });

  it('the README documents every vendor code the agent knows, as the table says it', () => {
    const readme = readFileSync(new URL('../../../src/devices/printer/README.md', import.meta.url), 'utf8');
    const rows = new Map([...readme.matchAll(/^\| `((?:sunmi|pax):-?\d+)` \| ([^|]+) \| ([^|]*) \|$/gm)].map((m) => [m[1]!, { meaning: m[2]!.trim(), says: m[3]!.trim() }]));
    expect([...rows.keys()]).toEqual(VENDOR_STATUS_CODES.map((c) => c.vendorCode));
    for (const code of VENDOR_STATUS_CODES) {
      const row = rows.get(code.vendorCode)!;
      expect(row.meaning).toBe(code.meaning);
      const says = [
        ...Object.entries(code.fields).map(([field, value]) => `\`${field}\`: ${JSON.stringify(value)}`),
        ...(code.implies?.connected === false ? ['`printer.connected` false'] : []),
        ...(code.implies?.unrecoverableError ? ['`printer.unrecoverable_error`'] : []),
      ].join(', ');
      expect(row.says, code.vendorCode).toBe(says);
    }
    expect(vendorStatusCode('sunmi:404')).toBeUndefined();
  });
});

describe('devices.printer "app"', () => {
  it('takes staleAfter as a duration of at least a second, 45 s by default', () => {
    expect(printer.config.parse({ transport: 'app' })).toEqual({ transport: 'app', staleAfter: '45s' });
    expect(printer.config.safeParse({ transport: 'app', staleAfter: '0s' }).error?.issues[0]?.message).toBe('at least 1s: the app needs time to relay');
    expect(printer.config.safeParse({ transport: 'app', staleAfter: 'soon' }).error?.issues).toHaveLength(1);
    expect(printer.config.safeParse({ transport: 'app', staleAfter: '99999999999999d' }).error?.issues[0]?.message).toMatch(/duration too long/);
  });
});

describe('the app printer driver', () => {
  let clock: FakeClock;
  beforeEach(() => {
    clock = new FakeClock();
  });

  const start = (staleAfter = '45s') => {
    const driver = new AppPrinterDriver(printer.config.parse({ transport: 'app', staleAfter }) as AppPrinterConfig, { clock, log: recordingLogger() });
    const emitted: Observation[] = [];
    driver.watch((o) => emitted.push(o));
    const silentRelay = { ask: async () => undefined };
    return { driver, emitted, silentRelay };
  };

  it('is unknown until the app relays, then reads what it relays, each relay sent on at once', async () => {
    const { driver, emitted, silentRelay } = start();
    const before = await driver.poll();
    expect(before.readings).toEqual({});
    expect(unknownReadings(before)).toContain('printer.connected');
    expect(before.evidence).toEqual({ 'printer.transport_error': 'the payment app has not relayed the printer status yet' });
    driver.relay({ ...ALL_OK, paper: 'end' }, silentRelay);
    expect(emitted.at(-1)!.readings['printer.paper']).toBe('end');
    expect((await driver.poll()).readings['printer.paper']).toBe('end');
  });

  it('a relay that goes quiet makes every reading unknown, sent on when it goes stale: faults neither raised nor cleared', async () => {
    const { driver, emitted, silentRelay } = start('45s');
    const engine = await createRuleEngine({ files: [], thresholds: {} }, FAULT_CATALOG);
    driver.relay({ ...ALL_OK, paper: 'end' }, silentRelay);
    const firing = engine.active(emitted.at(-1)!.readings, unknownReadings(emitted.at(-1)!)).map((f) => f.code);
    expect(firing).toContain('printer.paper_end');
    await clock.advance(44_999);
    expect(emitted).toHaveLength(1);
    await clock.advance(1);
    expect(emitted).toHaveLength(2);
    const quiet = emitted.at(-1)!;
    expect(quiet.readings).toEqual({});
    expect(quiet.evidence!['printer.transport_error']).toBe('no printer status from the payment app for 45 s');
    expect(unknownReadings(quiet).sort()).toEqual(['printer.connected', 'printer.cover_open', 'printer.cutter_error', 'printer.head_overheat', 'printer.online', 'printer.paper']);
    expect((await driver.poll()).readings).toEqual({});
    // Speaking again is believed again.
    driver.relay(ALL_OK, silentRelay);
    expect((await driver.poll()).readings).toMatchObject({ 'printer.connected': true, 'printer.paper': 'ok' });
    await driver.close();
  });

  it('cannot print without a relay, and says why', async () => {
    const { driver } = start();
    const result = await driver.printReceipt(['TEST'], new AbortController().signal);
    expect(result.ok).toBe(false);
    expect(result.observation.evidence!['printer.receipt_error']).toBe('no payment app relays this printer');
  });
});

describe('printer_status on a real control socket (the example relay client)', () => {
  let dir: string;
  let server: ControlServer;
  let driver: AppPrinterDriver;
  let relay: PrinterRelay | undefined;
  const printed: string[] = [];
  let answerPrints = true;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posdiag-app-printer-'));
    driver = new AppPrinterDriver(printer.config.parse({ transport: 'app' }) as AppPrinterConfig, { clock: new FakeClock(), log: recordingLogger() });
    server = await startControlServer(join(dir, 'control.sock'), agentControlHandlers({ drivers: [driver] } as unknown as Agent), recordingLogger());
    printed.length = 0;
    answerPrints = true;
  });
  afterEach(async () => {
    relay?.close();
    relay = undefined;
    await server.close();
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = async () =>
    (relay = await connectPrinterRelay(server.path, {
      onPrint: (text) => {
        printed.push(text);
        return answerPrints;
      },
    }));

  it('answers with what the agent read, and refuses params outside the contract', async () => {
    const client = await connect();
    expect(await client.relay({ ...ALL_OK, vendorCode: 'pax:0' })).toEqual({
      accepted: true,
      readings: { 'printer.connected': true, 'printer.online': true, 'printer.cover_open': false, 'printer.paper': 'ok', 'printer.head_overheat': false, 'printer.cutter_error': false },
      evidence: { 'printer.vendor_code': 'pax:0', 'printer.vendor_status': 'success' },
    });
    await expect(client.relay({ paper: 'low' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(client.relay({ ...ALL_OK, colour: 'red' })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('a print request goes to the relaying connection; its answer and the latest status judge the receipt', async () => {
    const client = await connect();
    await client.relay(ALL_OK);
    const ok = await driver.printReceipt(['posdiag self-test', 'T-0001'], new AbortController().signal);
    expect(printed).toEqual(['posdiag self-test\nT-0001']);
    expect(ok.ok).toBe(true);

    answerPrints = false;
    const refused = await driver.printReceipt(['again'], new AbortController().signal);
    expect(refused.ok).toBe(false);
    expect(refused.observation.evidence!['printer.receipt_error']).toBe('the payment app could not print');

    answerPrints = true;
    await client.relay({ ...ALL_OK, paper: 'end' });
    expect((await driver.printReceipt(['no paper'], new AbortController().signal)).ok).toBe(false);
  });

  it('a relay whose connection closed answers no print request (at once, not at the deadline)', async () => {
    const client = await connect();
    await client.relay(ALL_OK);
    client.close();
    relay = undefined;
    // No deadline here: the request is settled by the connection's close, whether it is seen before or after.
    const result = await driver.printReceipt(['x'], new AbortController().signal);
    expect(result.ok).toBe(false);
    expect(result.observation.evidence!['printer.receipt_error']).toBe('the payment app did not answer the print request');
  });

  it('with no app printer configured, printer_status is not_found', async () => {
    const bare = await startControlServer(join(dir, 'bare.sock'), agentControlHandlers({ drivers: [] } as unknown as Agent), recordingLogger());
    try {
      await expect(requestDaemon(bare.path, 'printer_status', ALL_OK)).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await bare.close();
    }
  });
});
