/**
 * The drop detector's miss and false-drop rates (`npm run bench -- drop-detector`): 500 traces
 * generated from the physics with sensor noise (100 drops of 0.3-1.5 m, 100 each carried, tapped,
 * set down hard, shaken), written as IIO frames into an emulated sysfs tree's FIFO and read by the
 * real driver in buffered mode, as the test does with 300. Seeds 1..3 give three independent runs.
 * Then where it stops: the share of drops from 0.1-0.25 m it reports (its minimum fall is 200 ms, 0.2 m).
 */
import { DropDetector } from '../packages/agent/src/devices/accelerometer/drop-detector.js';
import { measureThroughFifo } from '../packages/agent/src/devices/accelerometer/emulator/fifo-rates.js';
import { generateTrace } from '../packages/agent/src/devices/accelerometer/emulator/motion-traces.js';
import { silentLogger } from '../packages/agent/src/log/logger.js';

const TRACES = 500;
const SEEDS = [1, 2, 3];

export default async function (): Promise<Record<string, number | string>> {
  const figures: Record<string, number | string> = { traces_per_run: TRACES, runs: SEEDS.length };
  let missed = 0;
  let drops = 0;
  let falsePositives = 0;
  let nonDrops = 0;
  let worst = 0;
  const started = performance.now();
  let samples = 0;
  for (const seed of SEEDS) {
    const rates = await measureThroughFifo(TRACES, seed, silentLogger);
    console.error(`seed ${seed}: ${rates.missed}/${rates.drops} drops missed, ${rates.falsePositives}/${rates.nonDrops} other traces taken for a drop (${Object.entries(rates.byKind).map(([k, v]) => `${k} ${v.wrong}/${v.traces}`).join(', ')}), worst height error ${rates.worstHeightErrorM} m`);
    missed += rates.missed;
    drops += rates.drops;
    falsePositives += rates.falsePositives;
    nonDrops += rates.nonDrops;
    worst = Math.max(worst, rates.worstHeightErrorM);
    samples += rates.samples;
  }
  figures.miss_rate = missed / drops;
  figures.false_positive_rate = falsePositives / nonDrops;
  figures.drops = drops;
  figures.non_drops = nonDrops;
  figures.worst_height_error_m = worst;
  figures.samples_per_s = Math.round(samples / ((performance.now() - started) / 1000));
  // Where the detector stops: drops below the ones it is held to, 100 per height, in process.
  for (const heightM of [0.1, 0.15, 0.2, 0.25]) {
    let found = 0;
    for (let seed = 0; seed < 100; seed++) {
      const detector = new DropDetector();
      if (generateTrace('drop', 900_000 + seed, { heightM }).samples.some((s) => detector.push(s) !== null)) found++;
    }
    figures[`detected_at_${heightM}m`] = found / 100;
  }
  return figures;
}
