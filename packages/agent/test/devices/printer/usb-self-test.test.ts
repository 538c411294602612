import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import type { Driver } from '../../../src/drivers/contract.js';
import { encodeReceipt } from '../../../src/devices/printer/receipt.js';
import { loadDefaultRules } from '../../../src/rules/rule-files.js';
import { RuleEngine } from '../../../src/rules/rule-engine.js';
import { runSelfTest } from '../../../src/self-test/self-test.js';
import { testReceiptLines, verdictReceiptLines } from '../../../src/self-test/self-test-receipt.js';
import { standaloneSelfTest } from '../../../src/self-test/standalone-self-test.js';
import { silentLogger } from '../../../src/log/logger.js';
import { FakeUsbBus, loadUsbFixture } from '../../helpers/usb-fake.js';
import { FAULT_CATALOG } from '../../../src/devices/catalog.js';

/** The `full` self-test over a USB printer on the fake bus, in-process, as `posdiag self-test --level full` runs it. */

const NOW = Date.UTC(2026, 0, 1, 9);

function fullSelfTest(fixture: string, tweak: (bus: FakeUsbBus) => void = () => {}) {
  const bus = new FakeUsbBus(loadUsbFixture(fixture));
  tweak(bus);
  const { vendorId, productId } = bus.fixture.device;
  const config = configSchema.parse({
    terminal: { id: 'T-USB' },
    paths: { sysfs: '/nonexistent-sysfs' },
    devices: { printer: { transport: 'usb', vendorId, productId, timeout: '1s' } },
  });
  const clock = new FakeClock(NOW);
  const run = standaloneSelfTest({ config, catalog: FAULT_CATALOG, log: silentLogger, clock, overrides: { usbBus: bus }, level: 'full', locale: 'en', print: true });
  return { bus, run };
}

describe('full self-test with a USB printer', () => {
  it('prints the test receipt and the verdict over bulk OUT, byte for byte, and passes', async () => {
    const { bus, run } = fullSelfTest('epson-tm-t20ii');
    const result = await run;
    expect(result.checks).toEqual([
      { device: 'printer', name: 'status', passed: true, detail: 'ok' },
      { device: 'printer', name: 'receipt', passed: true, detail: 'printed and cut' },
    ]);
    expect(result.passed).toBe(true);
    const receipts = bus.bulkWritten.filter((hex) => !hex.startsWith('1004'));
    expect(receipts).toEqual([
      encodeReceipt(testReceiptLines('T-USB', new Date(NOW), 'en')).toString('hex'),
      encodeReceipt(verdictReceiptLines(result, 'en')).toString('hex'),
    ]);
  });

  it('paper out (one-way printer, port status): the receipt check fails naming the fault', async () => {
    const { run } = fullSelfTest('xprinter-58-oneway');
    const result = await run;
    expect(result.passed).toBe(false);
    expect(result.checks.find((c) => c.name === 'receipt')).toEqual({ device: 'printer', name: 'receipt', passed: false, detail: 'Printer is out of paper' });
  });

  it('usblp holds the printer: the receipt check fails and says why', async () => {
    const { bus, run } = fullSelfTest('epson-tm-t20ii', (b) => (b.kernelDriverBusy = true));
    const result = await run;
    expect(result.passed).toBe(false);
    const receipt = result.checks.find((c) => c.name === 'receipt');
    expect(receipt?.passed).toBe(false);
    expect(receipt?.detail).toMatch(/^not printed: receipt not sent: a kernel driver \(usblp\) owns interface 0/);
    expect(bus.bulkWritten).toEqual([]);
  });
});

describe('full self-test with a printer that cannot print receipts', () => {
  it('fails the receipt check with the reason instead of leaving it out', async () => {
    const printer: Driver = { kind: 'printer', name: 'printer', intervalMs: 1000, timeoutMs: 500, poll: async () => ({ readings: {} }), close: async () => {} };
    const healthy = { readings: { 'printer.connected': true, 'printer.online': true, 'printer.paper': 'ok' } };
    const result = await runSelfTest({
      level: 'full',
      drivers: [printer],
      pollAll: async () => new Map([[printer, healthy]]),
      engine: new RuleEngine(await loadDefaultRules(), { catalog: FAULT_CATALOG }),
      catalog: FAULT_CATALOG,
      clock: new FakeClock(NOW),
      terminal: { id: 'T-1', model: 'X', serial: 'S' },
      locale: 'en',
    });
    expect(result.checks).toEqual([
      { device: 'printer', name: 'status', passed: true, detail: 'ok' },
      { device: 'printer', name: 'receipt', passed: false, detail: 'this printer driver cannot print receipts: no test receipt was printed' },
    ]);
    expect(result.passed).toBe(false);
  });
});
