import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { parseConfig } from '../../src/config/load.js';
import { resolveTerminal } from '../../src/core/terminal-identity.js';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';
import { HidCardReaderEmulator, reports, SIM_READER_INFO } from '../../src/devices/card-reader/emulator/hid-card-reader.js';
import { HidCardReaderDriver } from '../../src/devices/card-reader/hid-card-reader-driver.js';
import { STATS_FILE } from '../../src/devices/card-reader/reader-stats.js';
import type { CardReaderWear } from '../../src/devices/card-reader/wear.js';
import { silentLogger } from '../../src/log/logger.js';
import { LIFETIME_FILE, LifetimeCounters } from '../../src/maintenance/lifetime-counters.js';
import { createPipeline } from '../../src/pipeline.js';

/**
 * A swipe is counted once, in the lifetime counters, from its device event; the card reader's
 * `card-reader-stats.json` keeps only its hours connected. The counts an earlier version kept there
 * are folded into the lifetime counters once, however often the agent restarts or where it crashes.
 */
const HOUR = 3_600_000;
const MAINTENANCE_INTERVAL_MS = 5 * 60_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-swipes-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** card-reader-stats.json as the version that counted swipes in it wrote it. */
function writeOldReaderStats(dir: string): void {
  const old = {
    version: 1,
    goodReadCount: 40,
    failedReadCount: 7,
    trackErrorCounts: [3, 5, 0],
    outcomeCounts: { good: 40, lrc_or_parity_error: 4, no_start_sentinel: 1, blank_card: 0, partial: 2 },
    hoursConnected: 12.5,
  };
  writeFileSync(join(dir, STATS_FILE), JSON.stringify(old, null, 2) + '\n');
}

/** lifetime-counters.json as that version wrote it: per-track counts, no whole reads. */
function writeOldLifetime(dir: string): void {
  const track = (swipes: number, failures: number) => ({ swipes, failures, recent: [] });
  const old = {
    printer: { cuts: 9, feedMm: 300 },
    cardReader: { '1': track(45, 3), '2': track(47, 5), '3': track(0, 0) },
    battery: { dischargedPct: 0, lastLevelPct: null, capacity: [] },
  };
  writeFileSync(join(dir, LIFETIME_FILE), JSON.stringify(old, null, 2) + '\n');
}

const onDisk = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;

describe('the card reader\'s old counts, folded into the lifetime counters', () => {
  it('are counted once: the reads move, the reader\'s file keeps its hours, and a restart adds nothing', async () => {
    const dir = stateDir();
    writeOldReaderStats(dir);
    writeOldLifetime(dir);

    const first = await LifetimeCounters.open(dir);
    expect(first.loadProblem).toBeNull();
    expect(first.readings()).toMatchObject({ 'card_reader.good_reads_total': 40, 'card_reader.failed_reads_total': 7, 'card_reader.track.2.swipes_total': 47, 'printer.cuts_total': 9 });
    // Both writes happened at open, before anything else could count or crash.
    expect(onDisk(dir, LIFETIME_FILE).cardReads).toEqual({ good: 40, failed: 7 });
    expect(onDisk(dir, STATS_FILE)).toEqual({ version: 1, hoursConnected: 12.5 });

    const restarted = await LifetimeCounters.open(dir);
    expect(restarted.snapshot().cardReads).toEqual({ good: 40, failed: 7 });
    expect((restarted.snapshot() as CardReaderWear).cardReader['2']).toMatchObject({ swipes: 47, failures: 5 });
  });

  it('are not doubled by a crash between the two writes (the lifetime file has them, the reader\'s file still does)', async () => {
    const dir = stateDir();
    writeOldReaderStats(dir);
    writeOldLifetime(dir);
    await LifetimeCounters.open(dir);
    writeOldReaderStats(dir); // as if the second write never happened

    const afterCrash = await LifetimeCounters.open(dir);
    expect(afterCrash.snapshot().cardReads).toEqual({ good: 40, failed: 7 });
    expect(onDisk(dir, STATS_FILE)).toEqual({ version: 1, hoursConnected: 12.5 });
  });

  it('are folded with no lifetime file at all, and kept where they are when the lifetime file cannot be written', async () => {
    const fresh = stateDir();
    writeOldReaderStats(fresh);
    expect((await LifetimeCounters.open(fresh)).snapshot().cardReads).toEqual({ good: 40, failed: 7 });

    // A directory where the lifetime file should be: neither read nor written, and open still resolves.
    const blocked = stateDir();
    writeOldReaderStats(blocked);
    mkdirSync(join(blocked, LIFETIME_FILE));
    const counters = await LifetimeCounters.open(blocked);
    expect(counters.loadProblem).not.toBeNull();
    expect(counters.snapshot().cardReads).toEqual({ good: 40, failed: 7 });
    expect(onDisk(blocked, STATS_FILE)).toMatchObject({ goodReadCount: 40, failedReadCount: 7 });
  });

  it('survive a driver that runs before any fold (a standalone self-test): it writes its hours and leaves the counts', async () => {
    const dir = stateDir();
    writeOldReaderStats(dir);
    const clock = new FakeClock();
    const reader = new HidCardReaderEmulator();
    const driver = new HidCardReaderDriver({ transport: 'hid', vendorId: SIM_READER_INFO.vendorId, productId: SIM_READER_INFO.productId }, dir, { clock, log: silentLogger }, { loadBackend: async () => reader, hotplug: null });
    await driver.poll(new AbortController().signal);
    reader.swipe(reports.good('visa'));
    await clock.advance(HOUR);
    await driver.close();

    expect(onDisk(dir, STATS_FILE)).toMatchObject({ goodReadCount: 40, failedReadCount: 7 });
    expect(onDisk(dir, STATS_FILE).hoursConnected).toBeCloseTo(13.5, 5);
    expect((await LifetimeCounters.open(dir)).snapshot().cardReads).toEqual({ good: 40, failed: 7 });
  });
});

describe('a swipe through the pipeline', () => {
  async function runPipeline(dir: string, swipes: Buffer[]) {
    const clock = new FakeClock();
    const reader = new HidCardReaderEmulator();
    const config = parseConfig({
      terminal: { id: 'T-0001', model: 'X990', serial: 'SN-1' },
      paths: { state: dir, logs: join(dir, 'logs') },
      devices: { cardReader: { transport: 'hid', vendorId: SIM_READER_INFO.vendorId, productId: SIM_READER_INFO.productId, interval: '5s' } },
      locale: 'en',
    });
    const pipeline = await createPipeline({ config, catalog: FAULT_CATALOG, terminal: resolveTerminal(config), clock, log: silentLogger, overrides: { hid: reader }, latestSelfTest: () => null });
    pipeline.start();
    await clock.advance(0); // the first poll opens the reader
    for (const swipe of swipes) reader.swipe(swipe);
    await clock.advance(MAINTENANCE_INTERVAL_MS); // the maintenance readings reach the monitor
    const readings = pipeline.monitor.readings();
    await pipeline.stop();
    return readings;
  }

  it('is counted exactly once, in the lifetime counters, and read back under the same names', async () => {
    const dir = stateDir();
    const readings = await runPipeline(dir, [reports.good('visa'), reports.failed()]);

    expect(readings).toMatchObject({ 'card_reader.swipes': 2, 'card_reader.good_reads_total': 1, 'card_reader.failed_reads_total': 1, 'card_reader.track.1.swipes_total': 2 });
    expect(onDisk(dir, LIFETIME_FILE).cardReads).toEqual({ good: 1, failed: 1 });
    // The reader's file holds no count of its own, only the hours.
    expect(Object.keys(onDisk(dir, STATS_FILE)).sort()).toEqual(['hoursConnected', 'version']);
  });

  it('adds to the old counts, which the pipeline folds once: its driver, built first, does not write them back', async () => {
    const dir = stateDir();
    writeOldReaderStats(dir);
    writeOldLifetime(dir);

    expect(await runPipeline(dir, [reports.good('visa')])).toMatchObject({ 'card_reader.good_reads_total': 41, 'card_reader.failed_reads_total': 7 });
    expect(onDisk(dir, STATS_FILE)).not.toHaveProperty('goodReadCount');
    expect(await runPipeline(dir, [])).toMatchObject({ 'card_reader.good_reads_total': 41, 'card_reader.failed_reads_total': 7, 'card_reader.hours_connected': 12.67 });
    expect(onDisk(dir, STATS_FILE)).not.toHaveProperty('goodReadCount');
    expect(onDisk(dir, LIFETIME_FILE).cardReads).toEqual({ good: 41, failed: 7 });
  });
});
