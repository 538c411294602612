import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent } from '../src/agent.js';
import { parseConfig } from '../src/config/load.js';
import { SIM_PRINTER_PATH } from '../src/devices/printer/demo.js';
import { silentLogger } from '../src/log/logger.js';
import { LIFETIME_FILE } from '../src/maintenance/lifetime-counters.js';
import { createDemoTerminal } from '../src/sim/demo-terminal.js';

/** The data path in one process: the demo's emulated printer → scheduler → lifetime counters on disk. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

describe('the pipeline', () => {
  it('counts a receipt as wear once, from the printer\'s receipt_cut device event, whoever printed it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posdiag-pipeline-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const terminal = await createDemoTerminal(dir);
    cleanups.push(() => terminal.close());
    const config = parseConfig({
      terminal: { id: 'T-0001', model: 'X990', serial: 'SN-1' },
      paths: { sysfs: terminal.sysfsRoot, dev: terminal.devRoot, state: join(dir, 'state'), logs: join(dir, 'logs') },
      devices: { printer: { transport: 'serial', path: SIM_PRINTER_PATH, interval: '200ms', timeout: '500ms' } },
      control: { socket: join(dir, 'control.sock') },
      locale: 'en',
    });
    const agent = await createAgent({ config, log: silentLogger, serialBinding: terminal.overrides.serialBinding });
    agent.start();
    // The full level prints a test receipt with a cut; `print` adds the verdict receipt: two cuts.
    const result = await agent.startSelfTest({ level: 'full', print: true }).result;
    expect(result.checks.find((c) => c.name === 'receipt')).toMatchObject({ passed: true });
    await agent.stop();

    const saved = JSON.parse(readFileSync(join(dir, 'state', LIFETIME_FILE), 'utf8')) as { printer: { cuts: number; feedMm: number } };
    expect(terminal.printer.receipts).toHaveLength(2);
    expect(saved.printer.cuts).toBe(2);
    expect(saved.printer.feedMm).toBeGreaterThan(0);
  });
});
