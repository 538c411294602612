import { describe, expect, it } from 'vitest';
import { accelerometerWear } from '../../../src/devices/accelerometer/wear.js';
import { dropWearEvent } from '../../../src/devices/accelerometer/drop-record.js';

describe('accelerometer wear: the lifetime drop count', () => {
  it('counts each drop event once and keeps the latest drop\'s time; the counters it is given are not changed', () => {
    const empty = accelerometerWear.empty();
    expect(accelerometerWear.readings(empty)).toEqual({ 'accelerometer.drops_total': 0 });
    const first = accelerometerWear.count!(empty, dropWearEvent(Date.UTC(2026, 11, 2, 9)).detail);
    const second = accelerometerWear.count!(first, dropWearEvent(Date.UTC(2026, 11, 1, 9)).detail);
    expect(empty).toEqual({ accelerometer: { drops: 0, lastDropAt: null } });
    expect(accelerometerWear.readings(second)).toEqual({ 'accelerometer.drops_total': 2, 'accelerometer.last_drop_at': '2026-12-02T09:00:00.000Z' });
    expect(accelerometerWear.fields.accelerometer.safeParse(second.accelerometer).success).toBe(true);
    expect(accelerometerWear.fields.accelerometer.safeParse({ drops: -1, lastDropAt: null }).success).toBe(false);
  });
});
