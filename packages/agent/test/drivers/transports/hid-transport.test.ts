import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.doUnmock('node-hid');
  vi.resetModules();
});

describe('HID transport: node-hid loaded lazily', () => {
  it('loads the real node-hid on demand and enumerates (no USB bus here: an empty list is fine)', async () => {
    const { loadNodeHidBackend } = await import('../../../src/drivers/transports/hid.js');
    const backend = await loadNodeHidBackend();
    expect(Array.isArray(await backend.devices())).toBe(true);
  });

  it('turns a module that will not load (missing libusb) into an HidUnavailableError naming the fix', async () => {
    vi.doMock('node-hid', () => {
      throw new Error('libusb-1.0.so.0: cannot open shared object file: No such file or directory');
    });
    const { loadNodeHidBackend, HidUnavailableError } = await import('../../../src/drivers/transports/hid.js');
    const failure = await loadNodeHidBackend().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(HidUnavailableError);
    // (vitest wraps the factory's error, so the original text is not checked here.)
    expect((failure as Error).message).toMatch(/^USB HID support unavailable: cannot load the "node-hid" module \(.*\); on Debian install libusb-1\.0-0$/s);
  });

  it('a native part that fails on first use fails the load too, not a later call', async () => {
    vi.doMock('node-hid', () => ({
      getHidapiVersion: () => {
        throw new Error('dlopen failed');
      },
    }));
    const { loadNodeHidBackend, HidUnavailableError } = await import('../../../src/drivers/transports/hid.js');
    await expect(loadNodeHidBackend()).rejects.toBeInstanceOf(HidUnavailableError);
  });

  it('the HID card reader driver turns the load failure into data: connected=false and a reading problem', async () => {
    vi.doMock('node-hid', () => {
      throw new Error('libusb-1.0.so.0: cannot open shared object file');
    });
    const { HidCardReaderDriver } = await import('../../../src/devices/card-reader/hid-card-reader-driver.js');
    const { FakeClock } = await import('../../../../../test/support/fake-clock.js');
    const { silentLogger } = await import('../../../src/log/logger.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const stateDir = mkdtempSync(join(tmpdir(), 'posdiag-hid-'));
    try {
      const driver = new HidCardReaderDriver({ transport: 'hid', vendorId: 0x0801, productId: 0x0002 }, stateDir, { clock: new FakeClock(), log: silentLogger });
      const o = await driver.poll(new AbortController().signal);
      expect(o.readings['card_reader.connected']).toBe(false);
      expect(o.problems?.[0]?.message).toMatch(/USB HID support unavailable/);
      await driver.close();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
