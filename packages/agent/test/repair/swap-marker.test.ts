import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { ENROLMENT_FILE } from '../../src/devices/card-reader/enrolment.js';
import { USB_ENROLMENT_FILE } from '../../src/devices/usb-guard/usb-enrolment.js';
import { silentLogger } from '../../src/log/logger.js';
import { swapAcceptance } from '../../src/repair/swap-acceptance.js';
import { honourSwapReenrolment, readSwapMarker, SWAP_MARKER_FILE, writeSwapMarker, type SwapMarker } from '../../src/repair/swap-marker.js';
import { SelfTestBusyError, type SelfTestRun } from '../../src/self-test/self-test-coordinator.js';
import type { SelfTestResult } from 'posdiag-protocol';

const MARKER: SwapMarker = {
  version: 1,
  swapId: '0b7f9c4e-2d1a-4f3b-9e8d-7c6b5a493827',
  importedAt: '2026-03-01T08:00:00.000Z',
  terminal: 'T-0001',
  fromSerial: 'SN-A',
  unitSerial: 'SN-B',
  reenrolled: false,
  acceptance: null,
};
const USB_ENROLMENT = '{"version": 1, "enrolledAt": "2026-01-01T00:00:00.000Z", "devices": [{"vendorId": 2049, "productId": 17, "serial": "RDR-POOL"}]}';
const READER_ENROLMENT = '{"version": 1, "enrolledAt": "2026-01-01T00:00:00.000Z", "reader": {"bus": "pcsc", "name": "ACS ACR122U"}}';

let state: string;
beforeEach(() => {
  state = mkdtempSync(join(tmpdir(), 'posdiag-swap-marker-'));
  writeFileSync(join(state, USB_ENROLMENT_FILE), USB_ENROLMENT);
  writeFileSync(join(state, ENROLMENT_FILE), READER_ENROLMENT);
});
afterEach(() => rmSync(state, { recursive: true, force: true }));

describe('the swap marker at the daemon\'s start', () => {
  it('forgets the unit\'s enrolments once, and never again', () => {
    writeSwapMarker(state, MARKER);
    expect(honourSwapReenrolment(state, silentLogger)).toMatchObject({ reenrolled: true });
    expect([existsSync(join(state, USB_ENROLMENT_FILE)), existsSync(join(state, ENROLMENT_FILE))]).toEqual([false, false]);
    expect(readSwapMarker(state)?.reenrolled).toBe(true);
    // Enrolled again since: a later start leaves those enrolments alone.
    writeFileSync(join(state, USB_ENROLMENT_FILE), USB_ENROLMENT);
    honourSwapReenrolment(state, silentLogger);
    expect(readFileSync(join(state, USB_ENROLMENT_FILE), 'utf8')).toBe(USB_ENROLMENT);
  });

  it('without a marker, or with one that cannot be read, forgets nothing', () => {
    expect(honourSwapReenrolment(state, silentLogger)).toBeUndefined();
    writeFileSync(join(state, SWAP_MARKER_FILE), '{"version": 1, "reenrolled": fal');
    expect(honourSwapReenrolment(state, silentLogger)).toBeUndefined();
    expect([existsSync(join(state, USB_ENROLMENT_FILE)), existsSync(join(state, ENROLMENT_FILE))]).toEqual([true, true]);
  });
});

describe('the acceptance self-test', () => {
  const result = (passed: boolean) => ({ level: 'full', passed }) as SelfTestResult;

  it('runs at the first welcome with the swap\'s commandId, once; a busy self-test puts it off to the next welcome', async () => {
    writeSwapMarker(state, MARKER);
    const asked: string[] = [];
    let busy = true;
    let finish!: (r: SelfTestResult) => void;
    const acceptance = swapAcceptance({
      stateDir: state,
      marker: MARKER,
      startFullSelfTest: (commandId): SelfTestRun => {
        if (busy) throw new SelfTestBusyError('other-test');
        asked.push(commandId);
        return { testId: 'test-1', result: new Promise((resolve) => (finish = resolve)) };
      },
      clock: new FakeClock(Date.UTC(2026, 2, 1, 9)),
      log: silentLogger,
    });
    acceptance.connected();
    expect(asked).toEqual([]);
    busy = false;
    acceptance.connected();
    acceptance.connected(); // a reconnect while it runs starts no second one
    expect(asked).toEqual(['acceptance:0b7f9c4e-2d1a-4f3b-9e8d-7c6b5a493827']);
    finish(result(false));
    await new Promise((r) => setImmediate(r));
    expect(readSwapMarker(state)?.acceptance).toEqual({ testId: 'test-1', passed: false, at: '2026-03-01T09:00:00.000Z' });
    // Failed or passed, it ran: the next connection runs none.
    acceptance.connected();
    expect(asked).toHaveLength(1);
  });
});
