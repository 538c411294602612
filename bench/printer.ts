/**
 * Printer status path, over a real pty (socat) against the ESC/POS emulator, in one run:
 * 1. A status round (DLE EOT 1..4) through the driver (transport queue, frame parser, decoding) against
 *    raw serialport write/read of the same four requests on the same pty: `ratio` = driver p50 ÷ raw p50
 *    (goal ≤ 1.3).
 * 2. Time from an emulator state change (paper runs out) to the rule engine's fault event: ASB
 *    (event-driven) against polling at POLL_INTERVAL_MS (a state change lands at a random point of the
 *    interval, so polling pays half an interval on average).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { systemClock } from 'posdiag-protocol';
import type { Observation } from '../packages/agent/src/core/readings.js';
import { Monitor } from '../packages/agent/src/rules/monitor.js';
import { createRuleEngine } from '../packages/agent/src/rules/rule-files.js';
import { SerialPrinterDriver } from '../packages/agent/src/devices/printer/serial-printer-driver.js';
import { silentLogger } from '../packages/agent/src/log/logger.js';
import { EscPosPrinterEmulator } from '../packages/agent/src/devices/printer/emulator/escpos-printer.js';
import { createPtyPair } from '../packages/agent/test/helpers/pty.js';
import { FAULT_CATALOG } from '../packages/agent/src/devices/catalog.js';

const ROUNDS = 400;
const FAULT_SAMPLES = 8;
const POLL_INTERVAL_MS = 500;

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const round2 = (x: number) => Math.round(x * 100) / 100;

async function openPort(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('error', () => {});
  return port;
}
const closePort = (port: SerialPort) => new Promise<void>((resolve) => port.close(() => resolve()));

/** The baseline: write DLE EOT n, wait for one byte, four times. */
async function rawRounds(path: string, rounds: number): Promise<number[]> {
  const port = await openPort(path);
  const times: number[] = [];
  let waiter: ((b: Buffer) => void) | undefined;
  port.on('data', (b: Buffer) => waiter?.(b));
  const ask = (n: number) =>
    new Promise<void>((resolve) => {
      waiter = () => resolve();
      port.write(Buffer.from([0x10, 0x04, n]));
    });
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    for (const n of [1, 2, 3, 4]) await ask(n);
    times.push(performance.now() - t);
  }
  await closePort(port);
  return times;
}

async function driverRounds(path: string, rounds: number): Promise<number[]> {
  const driver = new SerialPrinterDriver({ transport: 'serial', path, baudRate: 115200, timeout: '1s' }, { clock: systemClock, log: silentLogger });
  await driver.poll(new AbortController().signal); // open + identity, not measured
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await driver.poll(new AbortController().signal);
    times.push(performance.now() - t);
  }
  await driver.close();
  return times;
}

/** ms from `emulator.set({ paper: 'end' })` to printer.paper_end raised, per sample. */
async function faultLatency(path: string, emulator: EscPosPrinterEmulator, mode: 'asb' | 'poll'): Promise<number[]> {
  const samples: number[] = [];
  const driver = new SerialPrinterDriver(
    { transport: 'serial', path, baudRate: 115200, timeout: '1s', interval: `${POLL_INTERVAL_MS}ms` },
    { clock: systemClock, log: silentLogger },
  );
  let raised: (() => void) | undefined;
  // A fresh engine per sample: each sample starts from a healthy picture, free of the engine's flap damping.
  const freshMonitor = async () =>
    new Monitor(await createRuleEngine({ files: [], thresholds: {} }, FAULT_CATALOG), (events) => {
      if (events.some((e) => e.code === 'printer.paper_end' && e.state === 'raised')) raised?.();
    });
  let monitor = await freshMonitor();
  const observe = (o: Observation) => monitor.observe('printer', o, systemClock.now());
  if (mode === 'asb') driver.watch(observe);
  let polling = mode === 'poll';
  const pollLoop = (async () => {
    while (polling) {
      observe(await driver.poll(new AbortController().signal));
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
  })();
  observe(await driver.poll(new AbortController().signal));
  for (let i = 0; i < FAULT_SAMPLES; i++) {
    // A random phase against the poll interval.
    await new Promise((r) => setTimeout(r, Math.random() * POLL_INTERVAL_MS));
    const done = new Promise<void>((resolve) => (raised = resolve));
    const changedAt = performance.now();
    emulator.set({ paper: 'end' });
    await done;
    samples.push(performance.now() - changedAt);
    emulator.set({ paper: 'ok' });
    monitor = await freshMonitor();
    observe(await driver.poll(new AbortController().signal));
  }
  polling = false;
  await pollLoop;
  await driver.close();
  return samples;
}

export default async function bench(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-bench-printer-'));
  const host = join(dir, 'host');
  const pty = await createPtyPair(host, join(dir, 'device'));
  const emulator = new EscPosPrinterEmulator();
  const devicePort = await openPort(join(dir, 'device'));
  emulator.attachToStream(devicePort);
  try {
    // Interleaved blocks, so drift on a busy machine hits both sides alike.
    const raw: number[] = [];
    const ours: number[] = [];
    for (let block = 0; block < 4; block++) {
      raw.push(...(await rawRounds(host, ROUNDS / 4)));
      ours.push(...(await driverRounds(host, ROUNDS / 4)));
    }
    const asb = await faultLatency(host, emulator, 'asb');
    const polled = await faultLatency(host, emulator, 'poll');
    return {
      rounds: ROUNDS,
      driver_round_p50_ms: round2(percentile(ours, 50)),
      driver_round_p99_ms: round2(percentile(ours, 99)),
      raw_round_p50_ms: round2(percentile(raw, 50)),
      raw_round_p99_ms: round2(percentile(raw, 99)),
      ratio: round2(percentile(ours, 50) / percentile(raw, 50)),
      poll_interval_ms: POLL_INTERVAL_MS,
      fault_asb_p50_ms: round2(percentile(asb, 50)),
      fault_asb_max_ms: round2(Math.max(...asb)),
      fault_poll_p50_ms: round2(percentile(polled, 50)),
      fault_poll_max_ms: round2(Math.max(...polled)),
    };
  } finally {
    await closePort(devicePort);
    await pty.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
