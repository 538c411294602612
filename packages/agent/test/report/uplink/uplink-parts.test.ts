import { describe, expect, it } from 'vitest';
import { SendWindow } from '../../../src/report/uplink/send-window.js';
import { makeHeartbeat } from '../../../../../test/support/reports.js';

describe('SendWindow', () => {
  const reports = (n: number) => Array.from({ length: n }, (_, i) => makeHeartbeat({ seq: i + 1 }));

  it('hands out reports in seq order, at most `size` unsettled', () => {
    const [a, b, c] = reports(3);
    const window = new SendWindow(2, [a!, b!, c!]);
    expect(window.take()?.seq).toBe(1);
    expect(window.take()?.seq).toBe(2);
    expect(window.take()).toBeUndefined();
    expect(window.inFlight).toBe(2);
    expect(window.settle(b!.id)).toBe(b);
    expect(window.settle(b!.id)).toBeUndefined();
    expect(window.take()?.seq).toBe(3);
    expect(window.take()).toBeUndefined();
  });

  it('queues new records after the snapshot and ignores ones already queued', () => {
    const [a, b, c] = reports(3);
    const window = new SendWindow(10, [a!, b!]);
    window.enqueue(b!);
    window.enqueue(c!);
    expect([window.take(), window.take(), window.take(), window.take()].map((r) => r?.seq)).toEqual([1, 2, 3, undefined]);
  });

  it('puts a requeued report back in seq order and frees its slot', () => {
    const [a, b, c, d] = reports(4);
    const window = new SendWindow(3, [a!, b!, c!, d!]);
    [window.take(), window.take(), window.take()];
    expect(window.requeue(c!.id)).toBe(true);
    expect(window.requeue(a!.id)).toBe(true);
    expect(window.requeue(a!.id)).toBe(false);
    expect(window.inFlight).toBe(1);
    expect([window.take(), window.take(), window.take()].map((r) => r?.seq)).toEqual([1, 3, undefined]);
    expect(window.settle(b!.id)).toBe(b);
    expect(window.take()?.seq).toBe(4);
  });
});
