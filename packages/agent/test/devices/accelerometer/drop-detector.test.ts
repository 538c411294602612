import { describe, expect, it } from 'vitest';
import { DropDetector, fallHeightM, orientationOf, type Drop } from '../../../src/devices/accelerometer/drop-detector.js';
import { generateTrace } from '../../../src/devices/accelerometer/emulator/motion-traces.js';
import type { AccelSample } from '../../../src/devices/accelerometer/iio-scan.js';

const RATE = 200;
/** Samples at RATE from `from` ms, all `g` along z (plus x, y). */
function hold(from: number, ms: number, z: number, x = 0, y = 0): AccelSample[] {
  return Array.from({ length: Math.round((ms * RATE) / 1000) }, (_, i) => ({ t: from + (i * 1000) / RATE, x, y, z }));
}

function run(samples: AccelSample[]): Drop[] {
  const detector = new DropDetector();
  return samples.flatMap((s) => detector.push(s) ?? []);
}

describe('the drop detector (pure: time is each sample\'s)', () => {
  it('free fall of 430 ms, an 8 g impact, then rest face down: one drop of ≈0.9 m', () => {
    const drops = run([...hold(0, 1000, 1), ...hold(1000, 430, 0.05), ...hold(1430, 10, -8), ...hold(1440, 1000, -1)]);
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({ impactAt: 1430, peakG: 8, orientation: 'face_down' });
    expect(drops[0]!.heightM).toBeCloseTo(0.9, 1);
  });

  it('no drop: a fall too short (set down from 5 cm), a fall without an impact (caught softly), a peak without a fall', () => {
    expect(run([...hold(0, 500, 1), ...hold(500, 100, 0.05), ...hold(600, 10, 6), ...hold(610, 1000, 1)])).toEqual([]);
    expect(run([...hold(0, 500, 1), ...hold(500, 400, 0.05), ...hold(900, 200, 1.6), ...hold(1100, 1000, 1)])).toEqual([]);
    expect(run([...hold(0, 500, 1), ...hold(500, 10, 9), ...hold(510, 1000, 1)])).toEqual([]);
  });

  it('bridges a noise spike inside the fall; reports "unknown" orientation when it never comes to rest', () => {
    const spiky = [...hold(0, 500, 1), ...hold(500, 200, 0.05), ...hold(700, 5, 0.6), ...hold(705, 200, 0.05), ...hold(905, 10, 5)];
    const moving = Array.from({ length: 800 }, (_, i) => ({ t: 915 + i * 5, x: 0, y: 0, z: 1 + 0.5 * Math.sin(i / 5) }));
    const drops = run([...spiky, ...moving]);
    expect(drops).toHaveLength(1);
    expect(drops[0]!.orientation).toBe('unknown');
    expect(drops[0]!.heightM).toBeCloseTo(fallHeightM(400), 1);
  });

  it('h = ½·g·t² and the orientation of gravity', () => {
    expect(fallHeightM(452)).toBeCloseTo(1.0, 2);
    expect(orientationOf(0, 0, 1)).toBe('face_up');
    expect(orientationOf(0.1, 0, -0.99)).toBe('face_down');
    expect(orientationOf(1, 0, 0.1)).toBe('on_edge');
    expect(orientationOf(0, 0, 0)).toBe('unknown');
  });

  it('a generated drop from 1.2 m: height within 5 cm, stillness afterwards', () => {
    const trace = generateTrace('drop', 42, { heightM: 1.2 });
    const detector = new DropDetector();
    const drops = trace.samples.flatMap((s) => detector.push(s) ?? []);
    expect(drops).toHaveLength(1);
    expect(Math.abs(drops[0]!.heightM - 1.2)).toBeLessThan(0.05);
    expect(drops[0]!.orientation).toBe(trace.drop!.orientation);
    expect(detector.isStill(trace.samples[trace.samples.length - 1]!.t)).toBe(true);
  });
});
