/**
 * The merchant's button: a quick self-test on a running agent (issue goal: ≤ 1 s when all is well).
 * The terminal: the ESC/POS emulator on a real pty (socat), a sysfs tree with a discharging battery, an
 * Ethernet link and thermal zones, this machine's /proc for memory and disk, and a TCP target on
 * loopback. In one run:
 * - ours: `agent.startSelfTest({ level: 'quick', record: true })` to its result (devices handed over by
 *   the scheduler, one fresh poll each, rules as of now, the result recorded in the durable outbox);
 * - baseline: the same drivers, already open, polled directly in parallel: the device I/O a quick test
 *   cannot avoid. `ratio` = ours p50 ÷ baseline p50.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '../packages/agent/src/agent.js';
import { parseConfig } from '../packages/agent/src/config/load.js';
import { systemClock } from 'posdiag-protocol';
import { createDrivers } from '../packages/agent/src/devices/registry.js';
import { silentLogger } from '../packages/agent/src/log/logger.js';
import { printerOnPty } from '../packages/agent/test/helpers/pty-printer.js';

const RUNS = 100;
const BUDGET_MS = 1000;
const FIXTURES = new URL('../packages/agent/fixtures/', import.meta.url).pathname;

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const round2 = (x: number) => Math.round(x * 100) / 100;

export default async function selfTestBench(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-bench-selftest-'));
  const sysfs = join(dir, 'sys');
  for (const tree of ['healthy-discharging', 'net-up', 'thermal-x86']) cpSync(join(FIXTURES, 'sysfs', tree), sysfs, { recursive: true });
  const printer = await printerOnPty(dir);
  const target = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));

  const config = parseConfig({
    terminal: { id: 'T-BENCH', model: 'X990', serial: 'SN-BENCH' },
    paths: { sysfs, procfs: join(FIXTURES, 'procfs', 'meminfo-healthy'), state: join(dir, 'state'), logs: join(dir, 'logs') },
    devices: {
      printer: { transport: 'serial', path: printer.path, baudRate: 115200, timeout: '2s' },
      battery: { source: 'sysfs' },
      network: {
        interfaces: ['eth0'],
        targets: [{ name: 'acquirer', host: '127.0.0.1', port: (target.address() as AddressInfo).port, tls: false }],
      },
      system: {},
    },
    control: { socket: join(dir, 'control.sock') },
    locale: 'en',
  });

  try {
    const agent = await createAgent({ config, log: silentLogger });
    agent.start();
    const ours: number[] = [];
    let passed = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const result = await agent.startSelfTest({ level: 'quick', record: true }).result;
      ours.push(performance.now() - t);
      if (result.passed) passed++;
    }
    await agent.stop();
    if (passed !== RUNS) throw new Error(`only ${passed} of ${RUNS} quick self-tests passed on a healthy terminal`);

    const drivers = createDrivers(config, { clock: systemClock, log: silentLogger });
    const pollAll = () => Promise.all(drivers.map((d) => d.poll(new AbortController().signal)));
    await pollAll(); // open the ports, read identities: not measured
    const baseline: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await pollAll();
      baseline.push(performance.now() - t);
    }
    await Promise.all(drivers.map((d) => d.close()));

    const oursP50 = percentile(ours, 50);
    const baselineP50 = percentile(baseline, 50);
    return {
      runs: RUNS,
      drivers: drivers.map((d) => d.name).join(','),
      quick_p50_ms: round2(oursP50),
      quick_p95_ms: round2(percentile(ours, 95)),
      quick_max_ms: round2(Math.max(...ours)),
      budget_ms: BUDGET_MS,
      raw_polls_p50_ms: round2(baselineP50),
      ratio: round2(oursP50 / baselineP50),
    };
  } finally {
    await new Promise((resolve) => target.close(resolve));
    await printer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
